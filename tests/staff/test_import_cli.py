"""`flask people import`: reading, checking and applying staff files from the command line."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from lms.accounts.models import Gender, Person
from lms.audit.models import AuditEvent
from lms.db import db
from lms.i18n import local_today
from lms.org.models import Membership
from lms.staff import importer
from tests.factories import make_person, make_unit
from tests.staff.files import HEADERS, csv_bytes, db_counts, staff_row, xlsx_bytes

ROWS = [
    staff_row("hoa.nt", "Nguyễn Thị Hoa"),
    staff_row(
        "binh.lv", "Lò Văn Bình", "PDT", Giới_tính="nam", Dân_tộc="Nùng", Ngày_sinh="1/2/1985"
    ),
    staff_row("an.hv", "Hoàng Văn An", Giới_tính="", Ngày_sinh="", Email=""),
]


@pytest.fixture
def units(app):
    units = {
        "PHCTH": make_unit("PHCTH", "Phòng Hành chính - Tổng hợp"),
        "PDT": make_unit("PDT", "Phòng Dân tộc"),
    }
    db.session.commit()
    return units


def run_import(runner, tmp_path, content: bytes, *args: str, name: str = "ds.csv"):
    path = tmp_path / name
    path.write_bytes(content)
    return runner.invoke(args=["people", "import", str(path), *args])


def person(username: str) -> Person:
    return db.session.scalars(select(Person).where(Person.username == username)).one()


@pytest.mark.parametrize("bom", [True, False], ids=["with-bom", "without-bom"])
def test_csv_in_utf8_creates_people_in_their_units(runner, tmp_path, units, bom):
    result = run_import(runner, tmp_path, csv_bytes(ROWS, bom=bom))

    assert result.exit_code == 0, result.output
    assert "Thêm mới: 3, cập nhật: 0, chuyển đơn vị: 0, không đổi: 0" in result.output
    hoa = person("hoa.nt")
    assert hoa.full_name == "Nguyễn Thị Hoa"
    assert hoa.date_of_birth == date(1990, 4, 5)
    assert hoa.gender == Gender.FEMALE
    assert hoa.ethnicity == "Tày"
    assert hoa.position == "Chuyên viên"
    assert hoa.email == "hoa.nt@example.gov.vn"
    assert hoa.password_hash is None
    assert [(m.unit.code, m.valid_from, m.valid_until) for m in hoa.memberships] == [
        ("PHCTH", local_today(), None)
    ]
    binh = person("binh.lv")
    assert (binh.gender, binh.date_of_birth, binh.ethnicity) == (
        Gender.MALE,
        date(1985, 2, 1),
        "Nùng",
    )
    assert binh.memberships[0].unit.code == "PDT"
    an = person("an.hv")
    assert (an.gender, an.date_of_birth, an.email) == (None, None, None)
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "person.create")
    ).all()
    assert len(events) == 3
    assert all(event.actor_id is None for event in events)


def test_csv_with_semicolons_and_decomposed_text_is_stored_in_nfc(runner, tmp_path, units):
    headers = [unicodedata.normalize("NFD", h) for h in HEADERS]
    row = [unicodedata.normalize("NFD", cell) for cell in staff_row("hoa.nt", "Nguyễn Thị Hoa")]
    content = csv_bytes([row], headers=headers, delimiter=";")

    result = run_import(runner, tmp_path, content)

    assert result.exit_code == 0, result.output
    hoa = person("hoa.nt")
    assert hoa.full_name == unicodedata.normalize("NFC", "Nguyễn Thị Hoa")
    assert hoa.ethnicity == unicodedata.normalize("NFC", "Tày")


def test_xlsx_accepts_date_cells_and_text_dates_and_skips_blank_rows(runner, tmp_path, units):
    rows = [
        staff_row("hoa.nt", "Nguyễn Thị Hoa", Ngày_sinh=datetime(1990, 4, 5)),
        [None] * len(HEADERS),
        staff_row("binh.lv", "Lò Văn Bình", "PDT", Ngày_sinh="01/02/1985"),
    ]

    result = run_import(runner, tmp_path, xlsx_bytes(rows), name="ds.xlsx")

    assert result.exit_code == 0, result.output
    assert "Thêm mới: 2," in result.output
    assert person("hoa.nt").date_of_birth == date(1990, 4, 5)
    assert person("binh.lv").date_of_birth == date(1985, 2, 1)


def test_xlsx_numbers_rows_as_the_spreadsheet_does_and_ignores_a_stt_column(
    runner, tmp_path, units
):
    rows = [
        [1, *staff_row("hoa.nt", "Nguyễn Thị Hoa")],
        [None] * (len(HEADERS) + 1),
        [2, *staff_row("binh.lv", "Lò Văn Bình", Ngày_sinh="30/02/1985")],
    ]

    result = run_import(
        runner, tmp_path, xlsx_bytes(rows, headers=["STT", *HEADERS]), name="ds.xlsx"
    )

    assert result.exit_code == 1
    assert (
        "Dòng 4, cột “Ngày sinh”: “30/02/1985” không phải ngày hợp lệ (dd/mm/yyyy)."
        in result.output
    )


def test_reimporting_the_same_file_changes_nothing(runner, tmp_path, units):
    content = csv_bytes(ROWS)
    assert run_import(runner, tmp_path, content).exit_code == 0
    before = db_counts()
    stamps = {p.username: p.updated_at for p in db.session.scalars(select(Person))}

    result = run_import(runner, tmp_path, content)

    assert result.exit_code == 0, result.output
    assert "Thêm mới: 0, cập nhật: 0, chuyển đơn vị: 0, không đổi: 3" in result.output
    assert db_counts() == before
    assert {p.username: p.updated_at for p in db.session.scalars(select(Person))} == stamps


def test_changed_unit_code_ends_the_old_membership_and_starts_a_new_one(runner, tmp_path, units):
    make_person("hoa.nt", "Nguyễn Thị Hoa", unit=units["PHCTH"], since=date(2024, 1, 1))
    db.session.commit()
    rows = [staff_row("hoa.nt", "Nguyễn Thị Hoa", "PDT")]

    result = run_import(runner, tmp_path, csv_bytes(rows), "--from", "2025-07-01")

    assert result.exit_code == 0, result.output
    assert "cập nhật: 1, chuyển đơn vị: 1, không đổi: 0" in result.output
    spans = [(m.unit.code, m.valid_from, m.valid_until) for m in person("hoa.nt").memberships]
    assert spans == [
        ("PHCTH", date(2024, 1, 1), date(2025, 6, 30)),
        ("PDT", date(2025, 7, 1), None),
    ]
    again = run_import(runner, tmp_path, csv_bytes(rows), "--from", "2025-07-01")
    assert "không đổi: 1" in again.output
    assert len(person("hoa.nt").memberships) == 2


def test_changed_details_update_the_person_and_blank_cells_keep_them(runner, tmp_path, units):
    make_person(
        "hoa.nt",
        "Nguyễn Thị Hoa",
        unit=units["PHCTH"],
        position="Chuyên viên",
        position_since=date(2020, 1, 1),
        ethnicity="Tày",
        phone="0912 345 678",
    )
    db.session.commit()
    rows = [staff_row("hoa.nt", "Nguyễn Thị Hoa", Chức_vụ="Phó Trưởng phòng", Dân_tộc="")]

    result = run_import(runner, tmp_path, csv_bytes(rows))

    assert result.exit_code == 0, result.output
    assert "Thêm mới: 0, cập nhật: 1, chuyển đơn vị: 0, không đổi: 0" in result.output
    hoa = person("hoa.nt")
    assert (hoa.position, hoa.ethnicity, hoa.phone) == ("Phó Trưởng phòng", "Tày", "0912 345 678")
    change = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "person.position")
    ).one()
    assert change.after == {"position": "Phó Trưởng phòng", "valid_from": str(local_today())}


def test_usernames_match_whatever_their_case(runner, tmp_path, units):
    make_person("hoa.nt", "Nguyễn Thị Hoa", unit=units["PHCTH"])
    db.session.commit()

    result = run_import(runner, tmp_path, csv_bytes([staff_row("Hoa.NT", "Nguyễn Thị Hoa")]))

    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count()).select_from(Person)) == 1


FUTURE = (local_today() + timedelta(days=3)).strftime("%d/%m/%Y")
BAD_ROWS = [
    pytest.param(
        staff_row("hoa.nt", "Nguyễn Thị Hoa", Ngày_sinh="31/02/1990"),
        "Dòng 3, cột “Ngày sinh”: “31/02/1990” không phải ngày hợp lệ (dd/mm/yyyy).",
        id="impossible-date",
    ),
    pytest.param(
        staff_row("hoa.nt", "Nguyễn Thị Hoa", Ngày_sinh="1990-04-05"),
        "Dòng 3, cột “Ngày sinh”: “1990-04-05” không phải ngày hợp lệ (dd/mm/yyyy).",
        id="iso-date",
    ),
    pytest.param(
        staff_row("hoa.nt", "Nguyễn Thị Hoa", Ngày_sinh=FUTURE),
        f"Dòng 3, cột “Ngày sinh”: “{FUTURE}” là ngày trong tương lai.",
        id="future-date",
    ),
    pytest.param(
        staff_row("hoa.nt", "Nguyễn Thị Hoa", "PXYZ"),
        "Dòng 3, cột “Mã đơn vị”: không có đơn vị nào mã “PXYZ”.",
        id="unknown-unit",
    ),
    pytest.param(
        staff_row("hoa.nt", "Nguyễn Thị Hoa", "PCU"),
        f"Dòng 3, cột “Mã đơn vị”: đơn vị “PCU” không hoạt động vào ngày {local_today():%d/%m/%Y}.",
        id="closed-unit",
    ),
    pytest.param(
        staff_row("hoa.nt", "Nguyễn Thị Hoa", "PSN"),
        f"Dòng 3, cột “Mã đơn vị”: đơn vị “PSN” không hoạt động vào ngày {local_today():%d/%m/%Y} "
        "(đã sáp nhập vào “PDT”).",
        id="merged-unit",
    ),
    pytest.param(
        staff_row("an.hv", "Nguyễn Thị Hoa"),
        "Dòng 3, cột “Tên đăng nhập”: “an.hv” trùng với dòng 2.",
        id="duplicate-username",
    ),
    pytest.param(
        staff_row("AN.HV ", "Nguyễn Thị Hoa", Email=""),
        "Dòng 3, cột “Tên đăng nhập”: “an.hv” trùng với dòng 2.",
        id="duplicate-username-other-case",
    ),
    pytest.param(
        staff_row("Nguyễn Hoa", "Nguyễn Thị Hoa", Email=""),
        "Dòng 3: Tên đăng nhập “nguyễn hoa” không hợp lệ: 3–80 ký tự, chữ thường không dấu, số, "
        "dấu chấm, gạch dưới, gạch ngang.",
        id="invalid-username",
    ),
    pytest.param(
        staff_row("", "Nguyễn Thị Hoa", Email=""),
        "Dòng 3, cột “Tên đăng nhập”: không được để trống.",
        id="missing-username",
    ),
    pytest.param(
        staff_row("hoa.nt", " "),
        "Dòng 3, cột “Họ và tên”: không được để trống.",
        id="missing-name",
    ),
    pytest.param(
        staff_row("hoa.nt", "Nguyễn Thị Hoa", Giới_tính="Trai"),
        "Dòng 3, cột “Giới tính”: “Trai” không hợp lệ; hãy ghi Nam, Nữ hoặc Khác.",
        id="bad-gender",
    ),
    pytest.param(
        staff_row("hoa.nt", "Nguyễn Thị Hoa", Email="hoa.nt@"),
        "Dòng 3, cột “Email”: “hoa.nt@” không phải địa chỉ email hợp lệ.",
        id="bad-email",
    ),
    pytest.param(
        staff_row("hoa.nt", "Trần Văn Lƣợng"),
        "Dòng 3, cột “Họ và tên”: “Trần Văn Lƣợng” có chữ “ƣ” của phông chữ cũ (có lẽ là “ư”); "
        "hãy chuyển sang Unicode rồi nhập lại.",
        id="legacy-font",
    ),
    pytest.param(
        staff_row("hoa.nt", "Nguyễn Thị Hoa", Chức_vụ="x" * 201),
        "Dòng 3, cột “Chức vụ”: dài quá 200 ký tự.",
        id="too-long",
    ),
]


@pytest.fixture
def closed_unit(units):
    from lms.org import services as org

    unit = make_unit("PCU", "Phòng đã giải thể")
    org.close_unit(unit, date(2024, 1, 1))
    org.merge_unit(make_unit("PSN", "Phòng đã sáp nhập"), units["PDT"], date(2024, 1, 1))
    db.session.commit()
    return unit


@pytest.mark.parametrize(("bad_row", "message"), BAD_ROWS)
def test_a_bad_row_is_reported_with_its_row_and_nothing_is_imported(
    runner, tmp_path, closed_unit, bad_row, message
):
    before = db_counts()
    rows = [staff_row("an.hv", "Hoàng Văn An"), bad_row]

    result = run_import(runner, tmp_path, csv_bytes(rows))

    assert result.exit_code == 1
    assert message in result.output.splitlines()
    assert "Không nhập gì: tệp có 1 lỗi." in result.output
    assert db_counts() == before


def test_every_problem_is_reported_at_once_in_row_order(runner, tmp_path, units):
    before = db_counts()
    rows = [
        staff_row("hoa.nt", "Nguyễn Thị Hoa", Ngày_sinh="32/01/1990", Email="sai"),
        staff_row("an.hv", "Hoàng Văn An"),
        staff_row("hoa.nt", "Lò Thị Hoa", "KHONGCO"),
    ]

    result = run_import(runner, tmp_path, csv_bytes(rows))

    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "Dòng 2, cột “Ngày sinh”: “32/01/1990” không phải ngày hợp lệ (dd/mm/yyyy).",
        "Dòng 2, cột “Email”: “sai” không phải địa chỉ email hợp lệ.",
        "Dòng 4, cột “Mã đơn vị”: không có đơn vị nào mã “KHONGCO”.",
        "Dòng 4, cột “Tên đăng nhập”: “hoa.nt” trùng với dòng 2.",
        "Không nhập gì: tệp có 4 lỗi.",
    ]
    assert db_counts() == before


def test_missing_and_unknown_headers_are_named(runner, tmp_path, units):
    headers = [h for h in HEADERS if h != "Ngày sinh"]
    headers[headers.index("Email")] = "Thư điện tử"
    headers[headers.index("Họ và tên")] = "Họ Và Tên"
    before = db_counts()

    result = run_import(runner, tmp_path, csv_bytes([["x"] * len(headers)], headers=headers))

    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "Dòng 1: thiếu cột “Họ và tên”." in lines
    assert "Dòng 1: thiếu cột “Ngày sinh”." in lines
    assert "Dòng 1: thiếu cột “Email”." in lines
    assert "Dòng 1: cột “Thư điện tử” không có trong mẫu." in lines
    assert "Dòng 1: cột “Họ Và Tên” không có trong mẫu (có phải “Họ và tên”?)." in lines
    assert db_counts() == before


NOT_SPREADSHEETS = [
    pytest.param(random.Random(7).randbytes(4000), "ds.xlsx", id="random-bytes-named-xlsx"),
    pytest.param(
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\xff\xff" + bytes(range(256)) * 8, "ds.csv", id="exe"
    ),
    pytest.param(b"PK\x03\x04" + b"\x00" * 100, "ds.xlsx", id="broken-zip"),
]


@pytest.mark.parametrize(("content", "name"), NOT_SPREADSHEETS)
def test_a_file_that_is_not_a_spreadsheet_is_refused(runner, tmp_path, units, content, name):
    before = db_counts()

    result = run_import(runner, tmp_path, content, name=name)

    assert result.exit_code == 1
    assert f"Tệp “{name}” không phải bảng tính .xlsx hoặc .csv (UTF-8)." in result.output
    assert db_counts() == before


def test_a_zip_that_is_not_a_workbook_is_refused(runner, tmp_path, units):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("[Content_Types].xml", "<Types/>")

    result = run_import(runner, tmp_path, buffer.getvalue(), name="ds.xlsx")

    assert result.exit_code == 1
    assert "Tệp “ds.xlsx” không phải bảng tính .xlsx hoặc .csv (UTF-8)." in result.output


def test_a_csv_in_a_legacy_encoding_is_refused(runner, tmp_path, units):
    content = ",".join(HEADERS).encode("utf-8") + "\r\nLê Văn Đan\r\n".encode("cp1258")

    result = run_import(runner, tmp_path, content)

    assert result.exit_code == 1
    assert "Tệp “ds.csv” không phải bảng tính .xlsx hoặc .csv (UTF-8)." in result.output


def test_an_old_xls_workbook_gets_its_own_advice(runner, tmp_path, units):
    content = bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 512

    result = run_import(runner, tmp_path, content, name="ds.xls")

    assert result.exit_code == 1
    assert (
        "Tệp “ds.xls” là bảng tính Excel 97–2003 (.xls): hãy mở bằng Excel và lưu lại dưới dạng "
        ".xlsx." in result.output
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"", "Tệp “ds.csv” trống.", id="empty"),
        pytest.param(csv_bytes([]), "Tệp “ds.csv” không có dòng dữ liệu nào.", id="header-only"),
        pytest.param(
            b"\r\n\r\nHo ten\r\n", "Tệp “ds.csv” không có dòng tiêu đề ở dòng 1.", id="no-header"
        ),
    ],
)
def test_empty_files_are_refused(runner, tmp_path, units, content, message):
    result = run_import(runner, tmp_path, content)

    assert result.exit_code == 1
    assert message in result.output


def test_too_many_rows_are_refused(runner, tmp_path, units, monkeypatch):
    monkeypatch.setattr(importer, "LAYOUT", replace(importer.LAYOUT, max_rows=2))
    rows = [staff_row(f"nguoi{n}", f"Người Số {n}") for n in range(3)]
    before = db_counts()

    result = run_import(runner, tmp_path, csv_bytes(rows))

    assert result.exit_code == 1
    assert "Tệp “ds.csv” có hơn 2 dòng dữ liệu (kể cả dòng trống)" in result.output
    assert db_counts() == before


def test_a_change_a_service_refuses_is_reported_with_its_row_and_undoes_the_whole_file(
    runner, tmp_path, units
):
    make_person("hoa.nt", "Nguyễn Thị Hoa", unit=units["PHCTH"], since=date(2024, 3, 1))
    db.session.commit()
    before = db_counts()
    rows = [
        staff_row("an.hv", "Hoàng Văn An"),
        staff_row("hoa.nt", "Nguyễn Thị Hoa", "PDT"),
    ]

    result = run_import(runner, tmp_path, csv_bytes(rows), "--from", "2024-01-01")

    assert result.exit_code == 1
    assert (
        "Dòng 3: Nguyễn Thị Hoa đã có quá trình công tác từ ngày 01/03/2024; "
        "không thể bắt đầu sớm hơn." in result.output
    )
    assert db_counts() == before
    assert db.session.scalars(select(Person).where(Person.username == "an.hv")).first() is None


def test_dry_run_counts_without_saving(runner, tmp_path, units):
    before = db_counts()

    result = run_import(runner, tmp_path, csv_bytes(ROWS), "--dry-run")

    assert result.exit_code == 0, result.output
    assert "Chỉ kiểm tra: tệp không có lỗi, chưa lưu gì." in result.output
    assert "Thêm mới: 3, cập nhật: 0, chuyển đơn vị: 0, không đổi: 0" in result.output
    assert db_counts() == before


def test_a_bad_effective_date_is_refused(runner, tmp_path, units):
    before = db_counts()

    result = run_import(runner, tmp_path, csv_bytes(ROWS), "--from", "2025-13-01")

    assert result.exit_code == 2
    assert "Ngày hiệu lực “2025-13-01” không hợp lệ (YYYY-MM-DD)." in result.output
    assert db_counts() == before


def test_membership_count_grows_by_one_per_new_person(runner, tmp_path, units):
    result = run_import(runner, tmp_path, csv_bytes(ROWS))

    assert result.exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(Membership)) == 3


@pytest.mark.parametrize("size", [5, 40])
def test_reimport_reads_a_fixed_number_of_times_whatever_the_size(
    runner, tmp_path, units, sql_statements, size
):
    rows = [staff_row(f"nguoi{n}", f"Người Số {n}", ["PHCTH", "PDT"][n % 2]) for n in range(size)]
    assert run_import(runner, tmp_path, csv_bytes(rows)).exit_code == 0

    results = []
    statements = sql_statements(
        lambda: results.append(run_import(runner, tmp_path, csv_bytes(rows)))
    )
    result = results[0]

    assert f"không đổi: {size}" in result.output
    assert len(statements) <= 5, statements
