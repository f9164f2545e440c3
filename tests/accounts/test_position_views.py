"""The person page: a change of position from a day, a typo corrected, and the history shown."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, select

from lms.accounts import services
from lms.accounts.models import Person, PersonPosition
from lms.accounts.queries import positions_on
from lms.audit.models import AuditEvent
from lms.db import db
from lms.i18n import local_today
from tests.factories import make_person

PEOPLE = "/admin/people/"


def _history(person_id: int) -> list[tuple[str, date]]:
    db.session.expire_all()
    rows = db.session.execute(
        select(PersonPosition.position, PersonPosition.valid_from)
        .where(PersonPosition.person_id == person_id)
        .order_by(PersonPosition.valid_from)
    )
    return [tuple(row) for row in rows]


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def _hoa() -> int:
    hoa = make_person("hoa", "Nguyễn Thị Hoa", position="Chuyên viên", position_since="01/01/2020")
    db.session.commit()
    return hoa.id


def test_the_page_shows_the_history_and_both_actions(admin, client):
    hoa = db.session.get(Person, _hoa())
    services.change_position(hoa, "Trưởng phòng", date(2026, 1, 1))
    db.session.commit()

    page = client.get(f"{PEOPLE}{hoa.id}").get_data(as_text=True)

    section = page[page.index('id="positions"') :]
    section = section[: section.index("</section>")]
    assert section.index("Chuyên viên") < section.index("Trưởng phòng")
    assert "01/01/2020" in section and "31/12/2025" in section and "01/01/2026" in section
    assert f'action="{PEOPLE}{hoa.id}/position"' in section
    assert f'action="{PEOPLE}{hoa.id}/position/correct"' in section
    assert 'name="corrected_position" type="text" value="Trưởng phòng"' in section


def test_a_change_from_a_day_keeps_earlier_days(admin, client):
    hoa = _hoa()

    response = client.post(
        f"{PEOPLE}{hoa}/position", data={"position": "Phó phòng", "position_since": "01/07/2024"}
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{PEOPLE}{hoa}#positions")
    assert _history(hoa) == [("Chuyên viên", date(2020, 1, 1)), ("Phó phòng", date(2024, 7, 1))]
    assert positions_on([hoa], date(2024, 6, 30)) == {hoa: "Chuyên viên"}
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "person.position")
    ).one()
    assert event.actor_id == admin.id
    recorded = db.session.scalars(
        select(PersonPosition).where(PersonPosition.valid_from == date(2024, 7, 1))
    ).one()
    assert recorded.recorded_by_id == admin.id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã ghi lần đổi chức vụ của Nguyễn Thị Hoa." in page
    assert "Quản Trị Viên" in page[page.index('id="positions"') :]  # who recorded it


def test_a_typo_correction_adds_no_change(admin, client):
    hoa = _hoa()

    response = client.post(
        f"{PEOPLE}{hoa}/position/correct", data={"corrected_position": "Chuyên viên chính"}
    )

    assert response.status_code == 302
    assert _history(hoa) == [("Chuyên viên chính", date(2020, 1, 1))]
    assert db.session.get(Person, hoa).position == "Chuyên viên chính"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã sửa chức vụ hiện tại của Nguyễn Thị Hoa." in page


def test_bad_input_says_what_and_changes_nothing(admin, client):
    hoa = _hoa()
    events = _count(AuditEvent)
    for url, data, message in [
        ("position", {"position": "Phó phòng", "position_since": "31/02/2024"}, "“31/02/2024”"),
        ("position", {"position": "Phó phòng", "position_since": ""}, "Hãy nhập ngày bắt đầu"),
        ("position", {"position": " ", "position_since": "01/01/2024"}, "Hãy ghi chức vụ."),
        ("position/correct", {"corrected_position": ""}, "Hãy ghi chức vụ."),
    ]:
        response = client.post(f"{PEOPLE}{hoa}/{url}", data=data, follow_redirects=True)
        assert message in response.get_data(as_text=True), url
    assert _history(hoa) == [("Chuyên viên", date(2020, 1, 1))]
    assert _count(AuditEvent) == events


def test_a_refused_change_of_position_shows_the_page_again_by_its_field(admin, client):
    hoa = _hoa()
    for data, field, message in [
        (
            {"position": "Phó phòng", "position_since": "31/02/2024"},
            "position_since",
            "“31/02/2024”",
        ),
        (
            {"position": "Phó phòng", "position_since": ""},
            "position_since",
            "Hãy nhập ngày bắt đầu",
        ),
        ({"position": " ", "position_since": "01/01/2024"}, "position", "Hãy ghi chức vụ."),
    ]:
        response = client.post(f"{PEOPLE}{hoa}/position", data=data)
        page = response.get_data(as_text=True)
        assert response.status_code == 400, data
        error = re.search(rf'id="f-{field}-error">([^<]*)<', page)
        assert error and message in error.group(1), data
        assert f'name="position_since" type="text" value="{data["position_since"]}"' in page
    page = client.post(
        f"{PEOPLE}{hoa}/position", data={"position": "Phó phòng", "position_since": "hôm nay"}
    ).get_data(as_text=True)
    assert 'id="f-position" name="position" type="text" value="Phó phòng"' in page
    assert _history(hoa) == [("Chuyên viên", date(2020, 1, 1))]


def test_a_refused_correction_shows_the_page_again_with_what_was_typed(admin, client):
    hoa = _hoa()
    typed = "Chuyên viên " * 30
    response = client.post(f"{PEOPLE}{hoa}/position/correct", data={"corrected_position": typed})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    error = re.search(r'id="f-corrected_position-error">([^<]*)<', page)
    assert error and "quá dài" in error.group(1)
    assert f'name="corrected_position" type="text" value="{typed.strip()}"' in page
    assert 'aria-invalid="true"' in page.split('id="f-corrected_position"', 1)[1].split(">", 1)[0]
    assert _history(hoa) == [("Chuyên viên", date(2020, 1, 1))]


def test_the_same_position_again_is_said_to_change_nothing(admin, client):
    hoa = _hoa()
    response = client.post(
        f"{PEOPLE}{hoa}/position",
        data={"position": "Chuyên viên", "position_since": "01/01/2024"},
        follow_redirects=True,
    )
    assert "đã giữ chức vụ này vào ngày đó" in response.get_data(as_text=True)
    assert _history(hoa) == [("Chuyên viên", date(2020, 1, 1))]


def test_creating_a_person_with_a_position_and_its_day(admin, client):
    response = client.post(
        f"{PEOPLE}new",
        data={
            "username": "lothimai",
            "full_name": "Lò Thị Mai",
            "position": "Chuyên viên",
            "position_since": "01/03/2021",
            "employment_kind": "cong_chuc",
        },
    )
    assert response.status_code == 302
    mai = db.session.scalars(select(Person).where(Person.username == "lothimai")).one()
    assert _history(mai.id) == [("Chuyên viên", date(2021, 3, 1))]

    client.post(
        f"{PEOPLE}new",
        data={"username": "homnay", "full_name": "Lò Văn Nay", "position": "Chuyên viên"},
    )
    nay = db.session.scalars(select(Person).where(Person.username == "homnay")).one()
    assert _history(nay.id) == [("Chuyên viên", local_today())]

    refused = client.post(
        f"{PEOPLE}new",
        data={
            "username": "sai.ngay",
            "full_name": "Lò Văn Sai",
            "position": "Chuyên viên",
            "position_since": "2021/03/01",
        },
    )
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "Giữ chức vụ từ ngày “2021/03/01” không hợp lệ" in page
    assert 'value="2021/03/01"' in page
    assert (
        db.session.scalar(select(func.count(Person.id)).where(Person.username == "sai.ngay")) == 0
    )
