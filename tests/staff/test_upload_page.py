"""The staff-list upload page and the template workbook."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from lms import sheets
from lms.accounts.models import Person
from lms.audit.models import AuditEvent
from lms.db import db
from lms.i18n import local_today
from lms.org import services as org
from lms.org.models import Unit, UnitKind
from lms.roles import Role
from lms.staff import importer
from tests.factories import make_person, make_unit
from tests.staff.files import HEADERS, csv_bytes, db_counts, staff_row, xlsx_bytes

URL = "/admin/staff-import/"
TEMPLATE_URL = "/admin/staff-import/template.xlsx"


@pytest.fixture
def admin(app, login):
    unit = make_unit("PHCTH", "Phòng Hành chính - Tổng hợp")
    make_unit("PDT", "Phòng Dân tộc")
    admin = make_person("quantri", "Trần Quản Trị", unit=unit, roles=(Role.ADMIN,))
    db.session.commit()
    login("quantri")
    return admin


def post_file(client, content: bytes, name: str = "ds.csv", **form):
    data = {"file": (io.BytesIO(content), name), **form}
    return client.post(URL, data=data, content_type="multipart/form-data")


def test_page_documents_the_columns_and_offers_the_template(client, admin):
    response = client.get(URL)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Nhập danh sách nhân sự</h1>" in page
    for header in [*HEADERS, "Ngày giữ chức vụ"]:
        assert f'<th scope="row">{header}</th>' in page
    assert "không bắt buộc; dd/mm/yyyy, ngày bắt đầu giữ chức vụ" in page
    assert 'href="/admin/staff-import/template.xlsx"' in page
    assert 'enctype="multipart/form-data"' in page
    assert 'name="csrf_token"' in page


def test_uploading_a_csv_imports_it_and_says_what_changed(client, admin):
    rows = [staff_row("hoa.nt", "Nguyễn Thị Hoa"), staff_row("binh.lv", "Lò Văn Bình", "PDT")]

    response = post_file(client, csv_bytes(rows))

    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã nhập tệp “ds.csv”. Thêm mới: 2, cập nhật: 0, chuyển đơn vị: 0, không đổi: 0." in page
    hoa = db.session.scalars(select(Person).where(Person.username == "hoa.nt")).one()
    assert hoa.membership_on(local_today()).unit.code == "PHCTH"
    created = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "person.create", AuditEvent.entity_id == hoa.id
        )
    ).one()
    assert created.actor_id == admin.id


def test_uploading_an_xlsx_with_an_effective_date_moves_people_from_that_day(client, admin):
    unit = db.session.scalars(select(Unit).where(Unit.code == "PHCTH")).one()
    hoa = make_person("hoa.nt", "Nguyễn Thị Hoa", unit=unit, since=date(2024, 1, 1))
    db.session.commit()
    content = xlsx_bytes([staff_row("hoa.nt", "Nguyễn Thị Hoa", "PDT", Giới_tính="", Ngày_sinh="")])

    response = post_file(client, content, "ds.xlsx", effective="2025-07-01")

    assert response.status_code == 302
    memberships = db.session.get(Person, hoa.id).memberships
    spans = [(m.unit.code, m.valid_from, m.valid_until) for m in memberships]
    assert spans == [
        ("PHCTH", date(2024, 1, 1), date(2025, 6, 30)),
        ("PDT", date(2025, 7, 1), None),
    ]


def test_problems_are_listed_with_rows_and_nothing_changes(client, admin):
    before = db_counts()
    rows = [
        staff_row("hoa.nt", "Nguyễn Thị Hoa", Ngày_sinh="31/02/1990"),
        staff_row("hoa.nt", "Lò Thị Hoa", "KHONGCO"),
    ]

    response = post_file(client, csv_bytes(rows), effective="2025-07-01")

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Tệp “ds.csv” có 3 lỗi nên chưa nhập dòng nào." in page
    assert (
        "<li>Dòng 2, cột “Ngày sinh”: “31/02/1990” không phải ngày hợp lệ (dd/mm/yyyy).</li>"
        in page
    )
    assert "<li>Dòng 3, cột “Mã đơn vị”: không có đơn vị nào mã “KHONGCO”.</li>" in page
    assert "<li>Dòng 3, cột “Tên đăng nhập”: “hoa.nt” trùng với dòng 2.</li>" in page
    assert 'value="2025-07-01"' in page
    assert db_counts() == before


def test_a_renamed_program_is_refused(client, admin):
    before = db_counts()

    response = post_file(client, b"MZ\x90\x00" + bytes(range(256)) * 4, "ds.xlsx")

    assert response.status_code == 400
    assert "Tệp “ds.xlsx” không phải bảng tính .xlsx hoặc .csv (UTF-8)." in response.get_data(
        as_text=True
    )
    assert db_counts() == before


def test_check_only_reports_the_counts_and_saves_nothing(client, admin):
    before = db_counts()

    response = post_file(client, csv_bytes([staff_row("hoa.nt", "Nguyễn Thị Hoa")]), check_only="1")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert (
        "Tệp “ds.csv” không có lỗi (chỉ kiểm tra, chưa lưu gì). Nếu nhập: Thêm mới: 1, "
        "cập nhật: 0, chuyển đơn vị: 0, không đổi: 0." in page
    )
    assert db_counts() == before


@pytest.mark.parametrize(
    ("form", "message", "where"),
    [
        pytest.param({}, "Hãy chọn tệp danh sách (.xlsx hoặc .csv).", "file", id="no-file"),
        pytest.param(
            {"file": (io.BytesIO(b"x"), "ds.csv"), "effective": "31/02/2025", "check_only": "1"},
            "Ngày hiệu lực “31/02/2025” không hợp lệ (dd/mm/yyyy).",
            "effective",
            id="bad-date",
        ),
    ],
)
def test_a_missing_file_or_bad_date_is_refused_by_its_field(client, admin, form, message, where):
    before = db_counts()

    response = client.post(URL, data=form, content_type="multipart/form-data")

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'<p class="field-error" id="f-{where}-error">{message}</p>' in page
    # What was typed stays: the date as typed, the box as ticked.
    if "effective" in form:
        assert 'value="31/02/2025"' in page
        assert re.search(r'name="check_only" type="checkbox" value="1"\s+checked', page)
    assert db_counts() == before


def test_the_form_needs_its_csrf_token(app, client, admin):
    app.config["WTF_CSRF_ENABLED"] = True
    before = db_counts()

    response = post_file(client, csv_bytes([staff_row("hoa.nt", "Nguyễn Thị Hoa")]))

    assert response.status_code == 400
    assert db_counts() == before


def test_template_is_a_workbook_with_the_headers_and_an_example(client, admin):
    response = client.get(TEMPLATE_URL)

    assert response.status_code == 200
    assert response.mimetype == sheets.XLSX_MIMETYPE
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "mau-danh-sach-nhan-su.xlsx" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [*HEADERS, "Ngày giữ chức vụ"]
    assert len(rows) == 2
    assert rows[1][HEADERS.index("Ngày sinh")] == "05/04/1990"
    # The example's position is held since the start of the agency's year.
    assert rows[1][len(HEADERS)] == f"01/01/{local_today().year}"


def test_the_template_passes_its_own_checks(app, client, admin):
    content = client.get(TEMPLATE_URL).data

    raw_rows = importer.read_rows("mau.xlsx", content)
    rows, problems = importer.check_rows(raw_rows, on=local_today())

    assert problems == []
    assert rows[0].full_name == "Nguyễn Thị Hoa"


@pytest.mark.parametrize("role", ["learner", "manager", "hcth"])
@pytest.mark.parametrize(("method", "url"), [("get", URL), ("post", URL), ("get", TEMPLATE_URL)])
def test_only_administrators_may_import(client, login, role, method, url):
    unit = make_unit("PHCTH", "Phòng Hành chính - Tổng hợp")
    roles = (Role.HCTH,) if role == "hcth" else ()
    manages = unit if role == "manager" else None
    make_person("nguoidung", "Lê Thị Lan", unit=unit, roles=roles, manages=manages)
    db.session.commit()
    login("nguoidung")
    before = db_counts()

    if method == "post":
        response = post_file(client, csv_bytes([staff_row("hoa.nt", "Nguyễn Thị Hoa")]))
    else:
        response = client.get(url)

    assert response.status_code == 403
    assert db_counts() == before


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_the_template_of_another_organisation_imports_unchanged_and_adds_one_person(
    app, client, login
):
    """An organisation with none of the example's codes and its username already taken: the
    template still names a division open today and a free username, and imports as it is."""
    agency = make_unit("SDTTG", "Sở Dân tộc và Tôn giáo", kind=UnitKind.AGENCY)
    office = make_unit("VP", "Văn phòng Sở", parent=agency)
    closed = make_unit("PCU", "Phòng cũ", parent=agency)
    org.close_unit(closed, date(2025, 1, 1))
    make_person("quantri", "Trần Quản Trị", unit=office, roles=(Role.ADMIN,))
    taken = make_person("hoa.nt", "Nguyễn Thị Hoa", unit=office, email="hoa@example.vn")
    db.session.commit()
    login("quantri")

    content = client.get(TEMPLATE_URL).data
    workbook = load_workbook(io.BytesIO(content))
    example = dict(zip(workbook.worksheets[0][1], workbook.worksheets[0][2], strict=True))
    example = {head.value: cell.value for head, cell in example.items()}
    assert example["Mã đơn vị"] == "VP"
    assert example["Tên đăng nhập"] == "hoa.nt1"
    # The second sheet lists the codes open today, the closed unit not among them.
    codes = [row[0] for row in workbook.worksheets[1].iter_rows(min_row=2, values_only=True)]
    assert sorted(codes) == ["SDTTG", "VP"] and closed.code not in codes

    response = post_file(client, content, name="mau-danh-sach-nhan-su.xlsx")

    assert response.status_code == 302
    added = db.session.scalar(select(Person).where(Person.username == "hoa.nt1"))
    assert added is not None and added.full_name == "Nguyễn Thị Hoa"
    assert added.membership_on(local_today()).unit_id == office.id
    assert taken.email == "hoa@example.vn"  # the person who had the username is untouched


def _kept_token(page: str) -> str:
    found = re.search(r'name="file_pending" value="([^"]+)"', page)
    return found[1] if found else ""


def test_a_checked_list_is_imported_without_choosing_it_again(client, admin):
    rows = [staff_row("hoa.nt", "Nguyễn Thị Hoa")]
    checked = post_file(client, csv_bytes(rows), name="nhân sự.csv", check_only="1")
    page = checked.get_data(as_text=True)
    assert "Đã đính kèm: nhân sự.csv" in page
    token = _kept_token(page)
    assert token
    before = db_counts()
    # The same form sent again, the box unticked, no file chosen: the kept list is imported.
    imported = client.post(URL, data={"file_pending": token}, follow_redirects=True)
    assert "Đã nhập tệp “nhân sự.csv”. Thêm mới: 1" in imported.get_data(as_text=True)
    assert db_counts() != before
    assert db.session.scalar(select(Person).where(Person.username == "hoa.nt")) is not None
    # Used once: the token brings nothing a second time.
    again = client.post(URL, data={"file_pending": token})
    assert again.status_code == 400
    assert "Hãy chọn tệp danh sách" in again.get_data(as_text=True)


def test_a_list_refused_for_its_day_is_kept_and_one_with_problems_is_not(client, admin):
    rows = [staff_row("hoa.nt", "Nguyễn Thị Hoa")]
    refused = post_file(client, csv_bytes(rows), effective="31/02/2025")
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "Đã đính kèm: ds.csv" in page
    fixed = client.post(
        URL, data={"file_pending": _kept_token(page), "effective": ""}, follow_redirects=True
    )
    assert "Đã nhập tệp “ds.csv”" in fixed.get_data(as_text=True)
    wrong = post_file(client, b"\xff\xfe not a list", name="sai.csv")
    assert wrong.status_code == 400
    assert "Đã đính kèm" not in wrong.get_data(as_text=True)


def test_after_an_import_the_page_offers_first_sign_in_codes_for_the_new_people(client, admin):
    assert "Chưa có mật khẩu" not in client.get(URL).get_data(as_text=True)
    rows = [staff_row("hoa.nt", "Nguyễn Thị Hoa"), staff_row("binh.lv", "Lò Văn Bình", "PDT")]
    page = post_file(client, csv_bytes(rows))
    page = client.get(page.headers["Location"]).get_data(as_text=True)
    assert "Chưa có mật khẩu, chưa đăng nhập được: 2 người." in page
    assert 'href="/admin/people/first-sign-in"' in page
