"""Roster downloads read back alike: the XLSX, converted by LibreOffice, equals the CSV."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
from datetime import UTC, datetime

import pytest

from lms.db import db
from tests.factories import make_person
from tests.reports.conftest import complete, make_course
from tests.reports.test_roster import page_rows

SOFFICE = shutil.which("soffice")
# Comma, double quote, UTF-8 (76), from line 1, raw values rather than as shown, no formulas.
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false"
FORMULA_STARTS = ("=", "+", "-", "@")
NAMES = [
    "Triệu Thị Slíp",  # Tày: sl
    "Lục Văn T’ẻng",  # Tày t' with a typographic apostrophe
    "Hoàng Thị Noọng",  # Tày long vowel
    "Giàng A Pàng",
    "-Vừ Thị Mỷ",  # a cell a spreadsheet would run as a formula
    "@Lò Văn Ưng",
    "黄文明",  # Hoa, in Chinese characters
]


@pytest.fixture
def soffice():
    if SOFFICE is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the LibreOffice round trip: install libreoffice-calc-nogui")
        pytest.skip("LibreOffice (soffice) is not installed")
    return SOFFICE


@pytest.fixture
def roster_agency(agency):
    """The reports agency, plus people whose names and hours are hard on spreadsheets."""
    half = make_course("foreign-language", "2.5")
    for name in NAMES:
        person = make_person(full_name=name, unit=agency.office, position="Chuyên viên")
        complete(person, half, datetime(2024, 5, 6, 3, 0, tzinfo=UTC))
    db.session.commit()
    return agency


def excel_escaped(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "CSV must start with a UTF-8 BOM for Excel"
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))


def libreoffice_csv(soffice: str, xlsx: bytes, tmp_path) -> list[list[str]]:
    source = tmp_path / "roster.xlsx"
    source.write_bytes(xlsx)
    out_dir = tmp_path / "out"
    # A private profile: parallel runs (and a desktop session) would lock a shared one.
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            CSV_FILTER,
            "--outdir",
            str(out_dir),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    text = (out_dir / "roster.csv").read_text(encoding="utf-8")
    return list(csv.reader(io.StringIO(text, newline="")))


def test_libreoffice_reads_xlsx_as_the_csv_export(roster_agency, client, login, soffice, tmp_path):
    login("tonghop")
    csv_rows = read_csv(client.get("/reports/roster?period=2024&format=csv").get_data())
    header, table = csv_rows[0], csv_rows[1:]
    xlsx = client.get("/reports/roster?period=2024&format=xlsx").get_data()

    converted = libreoffice_csv(soffice, xlsx, tmp_path)

    start = converted.index(header)  # the Nghị định 30 header block comes first
    assert start > 0
    above = [cell for row in converted[:start] for cell in row]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in above
    assert "Độc lập - Tự do - Hạnh phúc" in above
    assert converted[start + 1 :] == table
    names = [row[1] for row in table]
    assert "Triệu Thị Slíp" in names and "黄文明" in names
    assert "'-Vừ Thị Mỷ" in names and "'=Hoàng Văn Bình" in names
    # 2.5 tiết of course: the decimal comma is text, not a number LibreOffice re-reads.
    slip = next(row for row in table if row[1] == "Triệu Thị Slíp")
    assert "2,5 / 40" in slip


def test_csv_round_trips_to_the_page_cells(roster_agency, client, login):
    login("tonghop")
    data = client.get("/reports/roster?period=2024&format=csv").get_data()
    assert data[:3] == b"\xef\xbb\xbf"
    rows = read_csv(data)
    page = page_rows(client.get("/reports/roster?period=2024").text)
    assert len(page) == len(NAMES) + 4
    assert rows[1:] == [[excel_escaped(cell) for cell in row] for row in page]
