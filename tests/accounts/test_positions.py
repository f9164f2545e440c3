"""A person's position (chức vụ) over time: recording changes, corrections and reading a day."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from lms.accounts import services
from lms.accounts.models import Person, PersonPosition
from lms.accounts.queries import position_history, positions_on
from lms.audit.models import AuditEvent
from lms.db import db
from lms.i18n import local_today
from tests.factories import make_person


def _history(person: Person) -> list[tuple[str, date]]:
    db.session.expire_all()
    rows = db.session.scalars(
        select(PersonPosition)
        .where(PersonPosition.person_id == person.id)
        .order_by(PersonPosition.valid_from)
    )
    return [(row.position, row.valid_from) for row in rows]


def _events(action: str) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    return list(db.session.scalars(query))


def test_a_2025_roster_shows_the_position_held_in_2025_not_one_given_in_2026(app):
    mai = make_person("mai", "Lò Thị Mai", position="Chuyên viên", position_since=date(2020, 1, 1))
    services.change_position(mai, "Trưởng phòng", date(2026, 1, 1))
    db.session.commit()

    assert positions_on([mai.id], date(2025, 12, 31)) == {mai.id: "Chuyên viên"}
    assert positions_on([mai.id], date(2026, 1, 1)) == {mai.id: "Trưởng phòng"}
    assert mai.position == "Trưởng phòng"  # pages about "now" keep reading person.position


def test_positions_on_answers_every_id_in_one_query(app, sql_statements):
    a = make_person(position="Chuyên viên", position_since=date(2024, 3, 1))
    b = make_person(position="Phó phòng", position_since=date(2023, 1, 1))
    services.change_position(b, "Trưởng phòng", date(2024, 6, 1))
    services.change_position(b, "Phó giám đốc", date(2025, 1, 1))
    none = make_person()  # never had a position
    db.session.commit()
    a, b, none = a.id, b.id, none.id
    ids = [a, b, none, 10**9]

    answers = {}
    statements = sql_statements(lambda: answers.update(positions_on(ids, date(2024, 12, 31))))

    assert answers == {a: "Chuyên viên", b: "Trưởng phòng", none: None, 10**9: None}
    assert len(statements) == 1
    # The ids go as one bound value, however many there are (2,500 a batch on a roster).
    many = list(range(1, 2501))
    (statement,) = sql_statements(lambda: positions_on(many, date(2024, 12, 31)))
    assert statement.count("?") + statement.count("%(") == 2  # the ids and the day
    assert positions_on([], date(2024, 1, 1)) == {}
    assert positions_on([a], date(2024, 2, 29)) == {a: None}  # before the first change
    assert positions_on([b], date(2024, 5, 31)) == {b: "Phó phòng"}
    assert positions_on({b}, date(2030, 1, 1)) == {b: "Phó giám đốc"}


def test_a_change_between_two_others_leaves_the_later_one(app):
    hoa = make_person("hoa", "Nguyễn Thị Hoa", position="Chuyên viên", position_since="01/01/2020")
    services.change_position(hoa, "Trưởng phòng", "01/01/2025")
    services.change_position(hoa, "Phó phòng", "01/07/2022")
    db.session.commit()

    assert _history(hoa) == [
        ("Chuyên viên", date(2020, 1, 1)),
        ("Phó phòng", date(2022, 7, 1)),
        ("Trưởng phòng", date(2025, 1, 1)),
    ]
    assert hoa.position == "Trưởng phòng"
    rows = position_history(hoa.id, date(2023, 5, 5))
    assert [(r.position, r.valid_from, r.valid_until, r.is_current) for r in rows] == [
        ("Chuyên viên", date(2020, 1, 1), date(2022, 6, 30), False),
        ("Phó phòng", date(2022, 7, 1), date(2024, 12, 31), True),
        ("Trưởng phòng", date(2025, 1, 1), None, False),
    ]


def test_a_change_already_in_force_changes_nothing_and_repeats_are_merged(app):
    hoa = make_person("hoa", "Nguyễn Thị Hoa", position="Chuyên viên", position_since="01/01/2020")
    services.change_position(hoa, "Trưởng phòng", "01/01/2025")
    db.session.commit()
    events = len(_events("person.position"))

    assert not services.change_position(hoa, "Chuyên viên", "01/01/2023")
    assert not services.change_position(hoa, "Trưởng phòng", "05/05/2025")
    assert len(_events("person.position")) == events

    # Recorded earlier than first thought: the later row said nothing new and goes.
    assert services.change_position(hoa, "Trưởng phòng", "01/10/2024")
    db.session.commit()
    assert _history(hoa) == [("Chuyên viên", date(2020, 1, 1)), ("Trưởng phòng", date(2024, 10, 1))]

    # The same day again replaces that day's position; back to the previous one, no change at all.
    assert services.change_position(hoa, "Chuyên viên", "01/10/2024")
    db.session.commit()
    assert _history(hoa) == [("Chuyên viên", date(2020, 1, 1))]
    assert hoa.position == "Chuyên viên"


def test_a_change_is_audited_with_its_day_and_who_recorded_it(app):
    admin = make_person("quantri", "Quản Trị Viên")
    hoa = make_person("hoa", "Nguyễn Thị Hoa", position="Chuyên viên", position_since="01/01/2020")
    db.session.commit()
    with app.test_request_context():
        from flask_login import login_user

        login_user(admin)
        services.change_position(hoa, "Phó phòng", date(2024, 7, 1))
    db.session.commit()

    (event,) = _events("person.position")
    assert event.actor_id == admin.id
    assert event.before == {"position": "Chuyên viên", "valid_from": "2020-01-01"}
    assert event.after == {"position": "Phó phòng", "valid_from": "2024-07-01"}
    assert event.summary == "Đổi chức vụ của Nguyễn Thị Hoa: “Phó phòng” từ ngày 01/07/2024"
    latest = db.session.scalars(
        select(PersonPosition).where(PersonPosition.valid_from == date(2024, 7, 1))
    ).one()
    assert latest.recorded_by_id == admin.id
    assert latest.recorded_at is not None


def test_correcting_a_typo_keeps_the_dates_and_adds_no_change(app):
    hoa = make_person("hoa", "Nguyễn Thị Hoa", position="Chuyên viên", position_since="01/01/2020")
    services.change_position(hoa, "Trương phòng", "01/01/2025")
    db.session.commit()

    assert services.correct_position(hoa, " Trưởng  phòng ")
    assert not services.correct_position(hoa, "Trưởng phòng")
    db.session.commit()

    assert _history(hoa) == [("Chuyên viên", date(2020, 1, 1)), ("Trưởng phòng", date(2025, 1, 1))]
    assert hoa.position == "Trưởng phòng"
    (event,) = _events("person.position_correct")
    assert (event.before, event.after) == (
        {"position": "Trương phòng"},
        {"position": "Trưởng phòng"},
    )


def test_a_correction_to_the_previous_position_means_there_was_no_change(app):
    hoa = make_person("hoa", "Nguyễn Thị Hoa", position="Chuyên viên", position_since="01/01/2020")
    services.change_position(hoa, "Chuyen vien", "01/01/2025")  # typed again, without marks
    db.session.commit()

    services.correct_position(hoa, "Chuyên viên")
    db.session.commit()

    assert _history(hoa) == [("Chuyên viên", date(2020, 1, 1))]


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (lambda p: services.change_position(p, "", "01/01/2024"), "Hãy ghi chức vụ."),
        (lambda p: services.change_position(p, "Phó phòng", ""), "Hãy nhập ngày bắt đầu"),
        (lambda p: services.change_position(p, "Phó phòng", "31/02/2024"), "“31/02/2024”"),
        (lambda p: services.change_position(p, "Phó phòng", "01/01/1890"), "không hợp lý"),
        (lambda p: services.change_position(p, "x" * 201, "01/01/2024"), "tối đa 200"),
        (
            lambda p: services.change_position(
                p, "Phó phòng", local_today() + timedelta(days=services.POSITION_DAYS_AHEAD + 1)
            ),
            "quá xa",
        ),
        (lambda p: services.correct_position(p, "  "), "Hãy ghi chức vụ."),
        (lambda p: services.update_person(p, position=""), "Không xóa được chức vụ"),
    ],
)
def test_bad_changes_are_refused_and_change_nothing(app, action, message):
    hoa = make_person("hoa", "Nguyễn Thị Hoa", position="Chuyên viên", position_since="01/01/2020")
    db.session.commit()
    with pytest.raises(services.PersonError, match=message):
        action(hoa)
    db.session.commit()
    assert _history(hoa) == [("Chuyên viên", date(2020, 1, 1))]
    assert hoa.position == "Chuyên viên"


def test_correcting_needs_a_position_to_correct(app):
    an = make_person("an.hv", "Hoàng Văn An")
    db.session.commit()
    with pytest.raises(services.PersonError, match="chưa có chức vụ để sửa"):
        services.correct_position(an, "Chuyên viên")


def test_a_change_decided_ahead_is_the_current_position_at_once(app):
    hoa = make_person("hoa", "Nguyễn Thị Hoa", position="Chuyên viên", position_since="01/01/2020")
    soon = local_today() + timedelta(days=10)
    services.change_position(hoa, "Phó phòng", soon)
    db.session.commit()

    assert hoa.position == "Phó phòng"
    assert positions_on([hoa.id], local_today()) == {hoa.id: "Chuyên viên"}
    assert positions_on([hoa.id], soon) == {hoa.id: "Phó phòng"}


def test_creating_a_person_records_their_position_from_today_unless_told(app):
    today_person = services.create_person(
        username="moi", full_name="Người Mới", position="Chuyên viên"
    )
    dated = services.create_person(
        username="nguoicu",
        full_name="Người Cũ",
        position="Chuyên viên",
        position_since="01/03/2021",
    )
    nobody = services.create_person(username="khong", full_name="Không Chức Vụ")
    db.session.commit()

    assert _history(today_person) == [("Chuyên viên", local_today())]
    assert _history(dated) == [("Chuyên viên", date(2021, 3, 1))]
    assert _history(nobody) == []
    with pytest.raises(services.PersonError, match="chưa ghi chức vụ"):
        services.create_person(
            username="chi.co.ngay", full_name="Chỉ Có Ngày", position_since="01/03/2021"
        )


def test_update_person_changes_the_position_from_today(app):
    hoa = make_person("hoa", "Nguyễn Thị Hoa", position="Chuyên viên", position_since="01/01/2020")
    db.session.commit()

    assert services.update_person(hoa, position="Phó phòng")
    assert not services.update_person(hoa, position="Phó phòng", full_name="Nguyễn Thị Hoa")
    assert not services.update_person(hoa, full_name="Nguyễn Thị Hoa")  # position untouched
    db.session.commit()

    assert _history(hoa) == [("Chuyên viên", date(2020, 1, 1)), ("Phó phòng", local_today())]


def test_deleting_a_person_added_by_mistake_takes_their_positions_along(app):
    moi = make_person("moi", "Người Mới", position="Chuyên viên")
    db.session.commit()
    assert not services.has_records(moi)
    services.delete_person(moi)
    db.session.commit()
    assert db.session.scalar(select(func.count(PersonPosition.id))) == 0


def test_having_recorded_someone_elses_position_is_a_record(app):
    admin = make_person("quantri", "Quản Trị Viên")
    hoa = make_person("hoa", "Nguyễn Thị Hoa", position="Chuyên viên")
    db.session.flush()
    hoa.positions[0].recorded_by_id = admin.id
    db.session.commit()
    assert services.has_records(admin)
