"""Roster downloads read back by LibreOffice: in Vietnamese it shows the CSV's text, its figures
are numbers a SUM adds up, and the print setup (A4 landscape, one page wide) survives."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from lms.db import db
from tests.factories import make_person
from tests.reports.conftest import complete, make_course
from tests.reports.test_roster import page_rows

SOFFICE = shutil.which("soffice")

# Starts LibreOffice (seconds per file): in `make test`, not in `make test-fast`.
pytestmark = pytest.mark.slow
# Comma, double quote, UTF-8 (76), from line 1; then quoted text, special numbers, and whether
# cells are written as shown (True) or as raw values (False).
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,{shown},false"
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
EARNED, TARGET, PERCENT = 8, 9, 11  # columns of the roster (from 0)


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


def convert(soffice: str, source, target: str, tmp_path, *, locale: str = "vi_VN.UTF-8"):
    """Convert source with LibreOffice, reading numbers and dates as people in locale do."""
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
            target,
            "--outdir",
            str(out_dir),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
        env={**os.environ, "LC_ALL": locale, "LANG": locale},
    )
    return out_dir / f"{source.stem}.{target.split(':')[0]}"


def libreoffice_csv(
    soffice: str, xlsx, tmp_path, *, shown: bool, locale: str = "vi_VN.UTF-8"
) -> list[list[str]]:
    target = CSV_FILTER.format(shown=str(shown).lower())
    text = convert(soffice, xlsx, target, tmp_path, locale=locale)
    return list(csv.reader(io.StringIO(text.read_text(encoding="utf-8"), newline="")))


def download(client, tmp_path, wanted: str):
    path = tmp_path / f"roster.{wanted}"
    path.write_bytes(client.get(f"/reports/roster?period=2024&format={wanted}").get_data())
    return path


def test_libreoffice_in_vietnamese_shows_the_csv_text(
    roster_agency, client, login, soffice, tmp_path
):
    login("tonghop")
    header, *table = read_csv(download(client, tmp_path, "csv").read_bytes())

    converted = libreoffice_csv(soffice, download(client, tmp_path, "xlsx"), tmp_path, shown=True)

    start = converted.index(header)  # the Nghị định 30 letterhead comes first
    above = [cell for row in converted[:start] for cell in row]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in above
    assert "Độc lập - Tự do - Hạnh phúc" in above
    # Numbers, percentages and dates shown as the CSV (and the page) write them.
    assert converted[start + 1 : start + 1 + len(table)] == table
    names = [row[1] for row in table]
    assert "Triệu Thị Slíp" in names and "黄文明" in names
    assert "'-Vừ Thị Mỷ" in names and "'=Hoàng Văn Bình" in names
    slip = next(row for row in table if row[1] == "Triệu Thị Slíp")
    assert slip[EARNED : PERCENT + 1] == ["2,5", "40", "tiết", "6%"]
    assert converted[start + 1 + len(table)][0].startswith("Cách tính: mỗi dòng chỉ tính")


def test_libreoffice_sums_the_figures(roster_agency, client, login, soffice, tmp_path):
    login("tonghop")
    xlsx = download(client, tmp_path, "xlsx")
    rows = read_csv(download(client, tmp_path, "csv").read_bytes())[1:]
    # A copy with a SUM of the earned, target and percentage columns, below everything.
    book = load_workbook(xlsx)
    sheet = book.active
    first, last, sums = 7, 6 + len(rows), sheet.max_row + 2
    assert sheet.cell(first, 1).value == 1 and sheet.cell(last, 1).value == len(rows)
    for column in (EARNED, TARGET, PERCENT):
        letter = get_column_letter(column + 1)
        sheet.cell(sums, column + 1, f"=SUM({letter}{first}:{letter}{last})")
    summed = tmp_path / "summed.xlsx"
    book.save(summed)

    # Raw values, with a decimal point: what the formulas computed.
    values = libreoffice_csv(soffice, summed, tmp_path, shown=False, locale="en_US.UTF-8")
    values = values[sums - 1]

    def total(column: int) -> Decimal:
        return sum(Decimal(row[column].rstrip("%").replace(",", ".")) for row in rows)

    # An 0 (his course came after he left), Mai 12 in CSDT and 0 in HCTH, Bình 0, 7 × 2,5.
    assert Decimal(values[EARNED]) == total(EARNED) == Decimal("29.5")
    # Targets of each row's days: 29,95 + 19,89 + 40 + 20,11 + 7 × 40.
    assert Decimal(values[TARGET]) == total(TARGET) == Decimal("389.95")
    # The sum of percentages is one too: LibreOffice gives it their format.
    assert values[PERCENT] == f"{total(PERCENT)}%" == "102%"  # 0 + 60 + 0 + 0 + 7 × 6


def test_libreoffice_keeps_the_print_setup_and_prints_one_page(
    roster_agency, client, login, soffice, tmp_path
):
    login("tonghop")
    xlsx = download(client, tmp_path, "xlsx")

    again = load_workbook(convert(soffice, xlsx, "xlsx:Calc Office Open XML", tmp_path / "x"))
    sheet = again.active
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == 9  # A4
    assert int(sheet.page_setup.fitToWidth) == 1 and int(sheet.page_setup.fitToHeight) == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$6:$6"
    assert "&P" in sheet.oddFooter.center.text and "&N" in sheet.oddFooter.center.text
    assert isinstance(sheet.cell(7, EARNED + 1).value, int | float)

    # Eleven people, eighteen columns: one landscape page (it was five portrait pages).
    pdf = convert(soffice, xlsx, "pdf", tmp_path / "p").read_bytes()
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf)) == 1


def test_csv_round_trips_to_the_page_cells(roster_agency, client, login):
    login("tonghop")
    data = client.get("/reports/roster?period=2024&format=csv").get_data()
    assert data[:3] == b"\xef\xbb\xbf"
    rows = read_csv(data)
    page = page_rows(client.get("/reports/roster?period=2024").text)
    assert len(page) == len(NAMES) + 4
    assert rows[1:] == [[excel_escaped(cell) for cell in row] for row in page]
