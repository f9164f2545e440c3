"""Staff files record a change of position with the day it took effect ("Ngày giữ chức vụ")."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from lms.accounts import services as people
from lms.accounts.models import Person, PersonPosition
from lms.accounts.queries import positions_on
from lms.db import db
from lms.i18n import local_today
from tests.factories import make_person, make_unit
from tests.staff.files import HEADERS, csv_bytes, db_counts, staff_row, xlsx_bytes

DATED = [*HEADERS, "Ngày giữ chức vụ"]


def dated_row(username: str, full_name: str, position: str, since, **overrides) -> list:
    return [*staff_row(username, full_name, Chức_vụ=position, **overrides), since]


@pytest.fixture
def hoa(app):
    unit = make_unit("PHCTH", "Phòng Hành chính - Tổng hợp")
    hoa = make_person(
        "hoa.nt",
        "Nguyễn Thị Hoa",
        unit=unit,
        position="Chuyên viên",
        position_since=date(2020, 1, 1),
        date_of_birth="05/04/1990",
        gender="female",
        ethnicity="Tày",
        email="hoa.nt@example.gov.vn",
    )
    db.session.commit()
    return hoa


def run_import(runner, tmp_path, content: bytes, *args: str, name: str = "ds.csv"):
    path = tmp_path / name
    path.write_bytes(content)
    return runner.invoke(args=["people", "import", str(path), *args])


def history(username: str) -> list[tuple[str, date]]:
    db.session.expire_all()
    rows = db.session.execute(
        select(PersonPosition.position, PersonPosition.valid_from)
        .join(Person, Person.id == PersonPosition.person_id)
        .where(Person.username == username)
        .order_by(PersonPosition.valid_from)
    )
    return [tuple(row) for row in rows]


def test_a_dated_change_keeps_the_old_position_for_earlier_days(runner, tmp_path, hoa):
    rows = [dated_row("hoa.nt", "Nguyễn Thị Hoa", "Trưởng phòng", "01/01/2026")]

    result = run_import(runner, tmp_path, csv_bytes(rows, headers=DATED))

    assert result.exit_code == 0, result.output
    assert "cập nhật: 1" in result.output
    assert history("hoa.nt") == [
        ("Chuyên viên", date(2020, 1, 1)),
        ("Trưởng phòng", date(2026, 1, 1)),
    ]
    assert positions_on([hoa.id], date(2025, 12, 31)) == {hoa.id: "Chuyên viên"}
    assert positions_on([hoa.id], date(2026, 1, 1)) == {hoa.id: "Trưởng phòng"}

    before = db_counts()
    again = run_import(runner, tmp_path, csv_bytes(rows, headers=DATED))
    assert "không đổi: 1" in again.output
    assert db_counts() == before
    assert len(history("hoa.nt")) == 2


def test_without_a_day_the_change_is_from_the_effective_date(runner, tmp_path, hoa):
    rows = [staff_row("hoa.nt", "Nguyễn Thị Hoa", Chức_vụ="Phó Trưởng phòng")]

    result = run_import(runner, tmp_path, csv_bytes(rows), "--from", "2025-07-01")

    assert result.exit_code == 0, result.output
    assert history("hoa.nt") == [
        ("Chuyên viên", date(2020, 1, 1)),
        ("Phó Trưởng phòng", date(2025, 7, 1)),
    ]
    # Without the option, from the day of the import; a blank day in the column is the same.
    rows = [dated_row("hoa.nt", "Nguyễn Thị Hoa", "Trưởng phòng", "")]
    assert run_import(runner, tmp_path, csv_bytes(rows, headers=DATED)).exit_code == 0
    assert history("hoa.nt")[-1] == ("Trưởng phòng", local_today())


def test_the_position_already_held_that_day_is_no_change(runner, tmp_path, hoa):
    rows = [dated_row("hoa.nt", "Nguyễn Thị Hoa", "Chuyên viên", "01/06/2023")]

    result = run_import(runner, tmp_path, csv_bytes(rows, headers=DATED))

    assert "không đổi: 1" in result.output
    assert history("hoa.nt") == [("Chuyên viên", date(2020, 1, 1))]


def test_new_people_hold_their_position_from_the_day_given(runner, tmp_path, hoa):
    rows = [
        dated_row("binh.lv", "Lò Văn Bình", "Chuyên viên chính", datetime(2019, 3, 1)),
        dated_row("an.hv", "Hoàng Văn An", "Chuyên viên", None),
    ]

    result = run_import(
        runner, tmp_path, xlsx_bytes(rows, headers=DATED), "--from", "2024-01-01", name="ds.xlsx"
    )

    assert result.exit_code == 0, result.output
    assert history("binh.lv") == [("Chuyên viên chính", date(2019, 3, 1))]
    assert history("an.hv") == [("Chuyên viên", date(2024, 1, 1))]


TOO_FAR = local_today() + timedelta(days=people.POSITION_DAYS_AHEAD + 1)


@pytest.mark.parametrize(
    ("since", "position", "message"),
    [
        ("31/02/2025", "Trưởng phòng", "“31/02/2025” không phải ngày hợp lệ (dd/mm/yyyy)."),
        ("2025-01-01", "Trưởng phòng", "“2025-01-01” không phải ngày hợp lệ (dd/mm/yyyy)."),
        ("01/01/1800", "Trưởng phòng", "“01/01/1800” không phải ngày hợp lý."),
        (
            f"{TOO_FAR:%d/%m/%Y}",
            "Trưởng phòng",
            f"“{TOO_FAR:%d/%m/%Y}” quá xa: chỉ ghi được chức vụ bắt đầu trước tối đa "
            f"{people.POSITION_DAYS_AHEAD} ngày.",
        ),
        ("01/01/2025", "", "có ngày nhưng cột “Chức vụ” để trống."),
    ],
)
def test_a_bad_day_is_reported_with_its_row_and_nothing_is_imported(
    runner, tmp_path, hoa, since, position, message
):
    before = db_counts()
    rows = [
        dated_row("an.hv", "Hoàng Văn An", "Chuyên viên", "01/01/2024"),
        dated_row("hoa.nt", "Nguyễn Thị Hoa", position, since),
    ]

    result = run_import(runner, tmp_path, csv_bytes(rows, headers=DATED))

    assert result.exit_code == 1
    assert f"Dòng 3, cột “Ngày giữ chức vụ”: {message}" in result.output.splitlines()
    assert db_counts() == before
    assert db.session.scalar(select(func.count(PersonPosition.id))) == 1
    assert history("hoa.nt") == [("Chuyên viên", date(2020, 1, 1))]


def test_an_effective_date_too_far_ahead_is_refused_for_a_changed_position(runner, tmp_path, hoa):
    too_far = (local_today() + timedelta(days=people.POSITION_DAYS_AHEAD + 1)).isoformat()
    rows = [staff_row("hoa.nt", "Nguyễn Thị Hoa", Chức_vụ="Trưởng phòng")]

    result = run_import(runner, tmp_path, csv_bytes(rows), "--from", too_far)

    assert result.exit_code == 1
    assert "Dòng 2: Giữ chức vụ từ ngày" in result.output
    assert history("hoa.nt") == [("Chuyên viên", date(2020, 1, 1))]


def test_the_column_is_matched_like_the_others(runner, tmp_path, hoa):
    headers = [*HEADERS, "Ngay giu chuc vu"]
    rows = [dated_row("hoa.nt", "Nguyễn Thị Hoa", "Trưởng phòng", "01/01/2026")]

    result = run_import(runner, tmp_path, csv_bytes(rows, headers=headers))

    assert result.exit_code == 1
    assert "có phải “Ngày giữ chức vụ”?" in result.output
