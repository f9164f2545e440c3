"""Credible completions: engaged time before a lesson counts, stamps, the rule, manager flags."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from lms.audit.models import AuditEvent
from lms.db import db
from lms.i18n import local_today
from lms.learning import queries, services
from lms.learning.models import Certificate, CourseProgress, LearningRule, LessonProgress
from lms.learning.queries import FlagReason
from lms.roles import Role
from tests.factories import complete_course as record_completion
from tests.factories import make_course, make_person
from tests.learning.conftest import learning_rows
from tests.learning.content import import_folder, write_course
from tests.learning.steps import (
    CHAO_HOI_RIGHT,
    SO_DEM_RIGHT,
    answer,
    beacon,
    complete,
    lesson_url,
    stamp,
)

DIGITAL = "ky-nang-so-80-phut"


def lesson_md(title: str, minutes: int) -> str:
    return f"---\ntitle: {title}\nminutes: {minutes}\n---\n\nNội dung bài {title}.\n"


@pytest.fixture
def digital(app, tmp_path):
    """A course declared at 80 minutes (four 20-minute lessons, no quiz), credited 2 tiết."""
    lessons = {
        f"0{number}-bai-{number}.md": lesson_md(f"Bài {number}", 20) for number in range(1, 5)
    }
    import_folder(
        write_course(
            tmp_path / "courses",
            DIGITAL,
            "Kỹ năng số 80 phút",
            lessons,
            category="digital-skills",
            language="vi",
            hours="2",
        )
    )


def set_rule(starts_on: date | None = None, *, share: int = 50, flag: int = 20) -> LearningRule:
    rule = services.set_credible_rule(
        min_share=str(share),
        flag_share=str(flag),
        starts_on=(starts_on or local_today()).isoformat(),
        actor_id=None,
    )
    db.session.commit()
    return rule


def digital_lesson(number: int) -> str:
    return f"bai-{number}"


def finish_digital(client, seconds: int) -> None:
    """Send each lesson's completion form with seconds of measured time."""
    for number in range(1, 5):
        lesson = digital_lesson(number)
        response = complete(
            client,
            lesson,
            seconds=str(seconds),
            opened_at=stamp(lesson, course=DIGITAL),
            course=DIGITAL,
        )
        assert response.status_code == 302


def course_progress() -> CourseProgress | None:
    db.session.expire_all()
    return db.session.scalar(select(CourseProgress))


def page(client, url: str) -> str:
    return client.get(url).get_data(as_text=True)


# The defect: ~80 minutes credited after ~1 second ---------------------------------------------


def test_a_course_is_not_completed_after_one_second_of_study(client, learner, digital):
    set_rule()

    finish_digital(client, seconds=1)

    progress = course_progress()
    assert progress.completed_at is None and progress.hours_credited is None
    assert db.session.scalar(select(func.count(Certificate.id))) == 0
    assert (
        db.session.scalar(
            select(func.count(LessonProgress.id)).where(LessonProgress.completed_at.is_not(None))
        )
        == 0
    )
    # The learner is told how much is missing, and the second they spent still counts.
    shown = page(client, lesson_url(digital_lesson(4), DIGITAL))
    assert "Bài “Bài 4” cần ít nhất 10 phút học; bạn còn thiếu khoảng 10 phút." in shown
    assert db.session.scalar(select(func.sum(LessonProgress.seconds_spent))) == 4


def test_enough_engaged_time_completes_the_lesson_and_the_course(client, learner, digital):
    set_rule()
    for number in range(1, 5):
        lesson = digital_lesson(number)
        # Beacons from the visible page add up; the form sends the last minute.
        opened = stamp(lesson, 15 * 60, course=DIGITAL)
        assert beacon(client, lesson, 300, course=DIGITAL, opened_at=opened).status_code == 204
        assert beacon(client, lesson, 240, course=DIGITAL, opened_at=opened).status_code == 204
        complete(client, lesson, seconds="60", opened_at=opened, course=DIGITAL)

    progress = course_progress()
    assert progress.completed_at is not None
    assert (progress.engaged_seconds, progress.nominal_minutes) == (4 * 600, 80)
    assert progress.is_rule_applied is True


def test_time_builds_up_over_several_tries(client, learner, digital):
    set_rule()
    lesson = digital_lesson(1)
    complete(client, lesson, seconds="400", opened_at=stamp(lesson, course=DIGITAL), course=DIGITAL)
    assert course_progress() is not None

    complete(client, lesson, seconds="200", opened_at=stamp(lesson, course=DIGITAL), course=DIGITAL)

    db.session.expire_all()
    progress = db.session.scalar(select(LessonProgress))
    assert progress.completed_at is not None and progress.seconds_spent == 600


def test_a_lesson_page_says_how_much_time_it_needs(client, learner, digital):
    set_rule(share=75)

    shown = page(client, lesson_url(digital_lesson(1), DIGITAL))

    assert "Bài này cần ít nhất 15 phút học trước khi đánh dấu hoàn thành" in shown


def test_a_passed_quiz_is_enough_for_a_lesson_with_one(client, learner, tay):
    set_rule()
    answer(client, "chao-hoi", CHAO_HOI_RIGHT, seconds="5")

    response = complete(client, "chao-hoi", seconds="1")

    assert response.headers["Location"] == lesson_url("so-dem")
    assert "cần ít nhất" not in page(client, lesson_url("chao-hoi"))


def test_the_rule_does_not_apply_before_its_start_day(client, learner, digital):
    set_rule(local_today() + timedelta(days=1))

    finish_digital(client, seconds=1)

    progress = course_progress()
    assert progress.completed_at is not None
    assert progress.is_rule_applied is False


def test_earlier_completions_stay_done_when_the_rule_starts(client, learner, digital):
    finish_digital(client, seconds=1)
    before = learning_rows()

    set_rule()

    assert learning_rows() == before
    assert course_progress().completed_at is not None
    shown = page(client, lesson_url(digital_lesson(1), DIGITAL))
    assert "Bạn đã hoàn thành bài này." in shown and "cần ít nhất" not in shown


def test_a_lesson_done_before_the_rule_still_counts_toward_the_course(client, learner, digital):
    for number in (1, 2):
        lesson = digital_lesson(number)
        complete(
            client, lesson, seconds="1", opened_at=stamp(lesson, course=DIGITAL), course=DIGITAL
        )
    set_rule()
    for number in (3, 4):
        lesson = digital_lesson(number)
        complete(
            client, lesson, seconds="600", opened_at=stamp(lesson, course=DIGITAL), course=DIGITAL
        )

    assert course_progress().completed_at is not None


# Engaged time: what a form or beacon may claim ------------------------------------------------


def test_without_javascript_the_time_since_the_page_was_served_counts(client, learner, digital):
    lesson = digital_lesson(1)
    served = client.get(lesson_url(lesson, DIGITAL)).get_data(as_text=True)
    assert 'name="opened_at" value="' in served

    complete(
        client, lesson, seconds="", opened_at=stamp(lesson, 700, course=DIGITAL), course=DIGITAL
    )

    assert 700 <= db.session.scalar(select(LessonProgress.seconds_spent)) <= 705


@pytest.mark.parametrize(
    "opened_at",
    [
        pytest.param("", id="missing"),
        pytest.param("1700000000", id="a-bare-time"),
        pytest.param("0123456789abcdef.1700000000.forged", id="forged"),
    ],
)
def test_a_page_time_that_is_not_the_servers_counts_nothing(client, learner, digital, opened_at):
    lesson = digital_lesson(1)

    complete(client, lesson, seconds="", opened_at=opened_at, course=DIGITAL)
    beacon(client, lesson, 600, course=DIGITAL, opened_at=opened_at)

    assert db.session.scalar(select(LessonProgress.seconds_spent)) == 0


def test_a_stamp_of_another_lesson_counts_nothing(client, learner, digital):
    other = stamp(digital_lesson(2), course=DIGITAL)

    beacon(client, digital_lesson(1), 600, course=DIGITAL, opened_at=other)

    assert db.session.scalar(select(LessonProgress.seconds_spent)) == 0


def test_one_page_view_never_claims_more_than_it_was_open(client, learner, digital):
    lesson = digital_lesson(1)
    opened = stamp(lesson, 100, course=DIGITAL)

    for _ in range(3):
        beacon(client, lesson, 60, course=DIGITAL, opened_at=opened)

    assert 100 <= db.session.scalar(select(LessonProgress.seconds_spent)) <= 105


# The administrator's page ---------------------------------------------------------------------


@pytest.fixture
def admin(app, login):
    person = make_person("quantri", "Triệu Thị Trị", roles=(Role.ADMIN,))
    db.session.commit()
    assert login("quantri").status_code == 302
    return person


def test_an_administrator_sets_the_rule_and_its_history_is_kept(client, admin):
    first = {"min_share_percent": "50", "flag_share_percent": "20", "starts_on": "2026-01-01"}
    second = {"min_share_percent": "60", "flag_share_percent": "10", "starts_on": "01/02/2026"}

    assert client.post("/learning/rule", data=first).status_code == 302
    assert client.post("/learning/rule", data=second).status_code == 302

    rows = db.session.scalars(select(LearningRule).order_by(LearningRule.id)).all()
    assert [(r.min_share_percent, r.flag_share_percent, r.starts_on) for r in rows] == [
        (50, 20, date(2026, 1, 1)),
        (60, 10, date(2026, 2, 1)),
    ]
    assert all(row.created_by_id == admin.id for row in rows)
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "learning_rule.save").order_by(AuditEvent.id)
    ).all()
    assert [event.actor_id for event in events] == [admin.id, admin.id]
    assert events[1].before == {
        "min_share_percent": 50,
        "flag_share_percent": 20,
        "starts_on": "2026-01-01",
    }
    assert events[1].after == {
        "min_share_percent": 60,
        "flag_share_percent": 10,
        "starts_on": "2026-02-01",
    }
    shown = page(client, "/learning/rule")
    assert "Đã lưu quy tắc hoàn thành bài học" in shown
    assert "Tối thiểu 60% thời lượng mỗi bài, áp dụng từ ngày 01/02/2026" in shown
    assert shown.count("Triệu Thị Trị") >= 2


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        pytest.param(
            {"min_share_percent": "0"},
            "Tỷ lệ thời gian tối thiểu phải là số nguyên từ 1 đến 100 (phần trăm).",
            id="share-zero",
        ),
        pytest.param(
            {"min_share_percent": "năm mươi"},
            "Tỷ lệ thời gian tối thiểu phải là số nguyên từ 1 đến 100 (phần trăm).",
            id="share-words",
        ),
        pytest.param(
            {"flag_share_percent": "101"},
            "Ngưỡng đánh dấu phải là số nguyên từ 0 đến 100 (phần trăm).",
            id="flag-too-high",
        ),
        pytest.param(
            {"flag_share_percent": "60"},
            "Ngưỡng đánh dấu (60%) không được lớn hơn tỷ lệ thời gian tối thiểu (50%).",
            id="flag-above-share",
        ),
        pytest.param(
            {"starts_on": "31/02/2026"},
            "Ngày bắt đầu áp dụng không hợp lệ",
            id="no-such-day",
        ),
        pytest.param({"starts_on": ""}, "Ngày bắt đầu áp dụng không hợp lệ", id="no-day"),
    ],
)
def test_bad_rule_input_is_refused_and_changes_nothing(client, admin, fields, message):
    data = {"min_share_percent": "50", "flag_share_percent": "20", "starts_on": "2026-01-01"}
    audited = db.session.scalar(select(func.count(AuditEvent.id)))

    response = client.post("/learning/rule", data={**data, **fields})

    # The form again, with what was typed and the message by the field it is about.
    assert response.status_code == 400
    html = response.text
    (name,) = fields
    about = "flag_share_percent" if "lớn hơn" in message else name
    assert re.search(rf'id="f-{about}-error">{re.escape(message)}', html), html
    assert html.count('class="field-error"') == 1
    for kept, value in data.items():
        if kept not in fields:
            assert f'value="{value}"' in html
    assert db.session.scalar(select(func.count(LearningRule.id))) == 0
    assert db.session.scalar(select(func.count(AuditEvent.id))) == audited


# Flags for the manager ------------------------------------------------------------------------


def test_a_completion_far_below_the_nominal_time_is_flagged(client, learner, digital):
    set_rule()
    answerless_day = local_today()
    # Enough for each lesson (10 of its 20 minutes), then the course: 40 of 80 minutes, 50 %.
    finish_digital(client, seconds=600)
    assert queries.flagged_completions([learner.id], answerless_day, answerless_day) == {}

    set_rule(flag=50, share=60)  # a stricter flag: 50 % is not below 50 %, still not flagged
    assert queries.flagged_completions([learner.id], answerless_day, answerless_day) == {}
    set_rule(flag=55, share=60)
    assert queries.flagged_completions([learner.id], answerless_day, answerless_day) == {
        learner.id: 1
    }


def test_a_quiz_passed_in_seconds_flags_the_course(client, learner, tay):
    set_rule()
    for lesson, right in (("chao-hoi", CHAO_HOI_RIGHT), ("so-dem", SO_DEM_RIGHT)):
        answer(client, lesson, right, seconds="5")
        complete(client, lesson, seconds="1")
    progress = course_progress()
    assert progress.completed_at is not None and progress.is_rule_applied is True
    today = local_today()

    (flag,) = queries.flagged_completion_details(learner.id, today, today)

    assert flag.reason == FlagReason.FAR_BELOW
    assert (flag.engaged_seconds, flag.nominal_minutes, flag.engaged_percent) == (12, 35, 0)
    assert flag.course_title == "Tiếng Tày giao tiếp cơ bản" and flag.completed_on == today


def test_completions_before_the_rule_are_flagged_below_its_share(client, learner, digital):
    finish_digital(client, seconds=300)  # 25 %: above the 20 % flag, below the 50 % share
    today = local_today()

    (flag,) = queries.flagged_completion_details(learner.id, today, today)

    assert flag.reason == FlagReason.BEFORE_RULE and flag.engaged_percent == 25
    assert course_progress().completed_at is not None  # flagged, never changed


def flagged_history(person, course, at: datetime, engaged: int, nominal: int = 80) -> None:
    progress = record_completion(person, course, at)
    progress.engaged_seconds = engaged
    progress.nominal_minutes = nominal
    progress.is_rule_applied = True


def test_flags_count_per_person_on_agency_local_days(app):
    first, second, clean = (make_person() for _ in range(3))
    courses = [make_course() for _ in range(3)]
    # 17:00 UTC on 31 Dec is 00:00 on 1 Jan in Việt Nam: the completion is on 1 Jan.
    flagged_history(first, courses[0], datetime(2025, 12, 31, 17, 0, tzinfo=UTC), engaged=60)
    flagged_history(first, courses[1], datetime(2026, 1, 31, 16, 59, tzinfo=UTC), engaged=60)
    flagged_history(first, courses[2], datetime(2026, 1, 31, 17, 0, tzinfo=UTC), engaged=60)
    flagged_history(second, courses[0], datetime(2026, 1, 10, 3, 0, tzinfo=UTC), engaged=0)
    flagged_history(clean, courses[0], datetime(2026, 1, 10, 3, 0, tzinfo=UTC), engaged=4800)
    # Recorded before completions kept their times: not judged.
    record_completion(clean, courses[1], datetime(2026, 1, 11, 3, 0, tzinfo=UTC))
    db.session.commit()

    counts = queries.flagged_completions(
        [first.id, second.id, clean.id], date(2026, 1, 1), date(2026, 1, 31)
    )

    assert counts == {first.id: 2, second.id: 1}
    assert queries.flagged_completions([], date(2026, 1, 1), date(2026, 1, 31)) == {}


def test_flag_counts_take_one_query_whatever_the_number_of_people(app, count_queries):
    people = [make_person() for _ in range(30)]
    course = make_course()
    for person in people:
        flagged_history(person, course, datetime(2026, 1, 10, 3, 0, tzinfo=UTC), engaged=1)
    db.session.commit()
    ids = [person.id for person in people]

    found: dict = {}
    queries_sent = count_queries(
        lambda: found.update(queries.flagged_completions(ids, date(2026, 1, 1), date(2026, 1, 31)))
    )

    assert queries_sent == 1
    assert found == dict.fromkeys(ids, 1)
