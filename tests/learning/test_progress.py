"""Progress: time per lesson, lesson and course completion, the event log, the home page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from lms.courses.models import Lesson
from lms.db import db
from lms.learning import services
from lms.learning.models import (
    Certificate,
    CourseProgress,
    LearningEvent,
    LessonProgress,
)
from tests.learning.conftest import learning_rows, new_id
from tests.learning.content import (
    SO_DEM,
    TAY,
    TAY_TITLE,
    import_folder,
    make_other_courses,
    tay_lessons,
    write_tay_course,
)
from tests.learning.steps import (
    CHAO_HOI_RIGHT,
    answer,
    beacon,
    complete,
    finish_lesson,
    lesson_url,
    stamp,
)


def lesson_progress(slug: str) -> LessonProgress | None:
    db.session.expire_all()
    return db.session.scalar(
        select(LessonProgress)
        .join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .where(Lesson.slug == slug)
    )


def course_progress() -> CourseProgress | None:
    db.session.expire_all()
    return db.session.scalar(select(CourseProgress))


def event_kinds() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(LearningEvent.kind).order_by(LearningEvent.id)))


def flashes(client, url: str) -> str:
    return client.get(url).get_data(as_text=True)


def test_a_lesson_with_a_quiz_cannot_be_completed_before_passing_it(client, learner, tay):
    answer(client, "chao-hoi", {"q:pay": "0"})
    before = learning_rows()

    response = complete(client, "chao-hoi")

    assert response.headers["Location"] == lesson_url("chao-hoi")
    assert (
        "Hãy làm đạt bài kiểm tra “Ôn tập bài chào hỏi” trước khi đánh dấu hoàn thành bài học."
        in flashes(client, lesson_url("chao-hoi"))
    )
    assert learning_rows() == before


def test_completing_a_lesson_records_time_and_moves_on(client, learner, tay):
    answer(client, "chao-hoi", CHAO_HOI_RIGHT)  # 30 seconds

    response = complete(client, "chao-hoi")  # 60 seconds

    assert response.headers["Location"] == lesson_url("so-dem")
    progress = lesson_progress("chao-hoi")
    assert progress.completed_at is not None
    assert progress.seconds_spent == 90
    assert event_kinds() == ["answered", "passed", "completed"]
    page = flashes(client, lesson_url("so-dem"))
    assert "Đã ghi nhận hoàn thành bài “Chào hỏi”." in page


def test_a_replayed_completion_is_not_counted_again(client, learner, tay):
    event_id = new_id()
    doc = complete(client, "doc-them", event_id=event_id)
    assert doc.status_code == 302
    before = learning_rows()

    again = complete(client, "doc-them", event_id=event_id)

    assert again.headers["Location"] == lesson_url("doc-them")
    assert "Việc hoàn thành bài này đã được ghi nhận trước đó; không tính thêm lần nữa." in (
        flashes(client, lesson_url("doc-them"))
    )
    assert learning_rows() == before


def test_completing_a_completed_lesson_again_only_adds_the_time(client, learner, tay):
    complete(client, "doc-them")

    response = complete(client, "doc-them")

    assert response.headers["Location"] == lesson_url("doc-them")
    assert "Bài “Đọc thêm” đã hoàn thành từ trước." in flashes(client, lesson_url("doc-them"))
    assert event_kinds() == ["completed", "viewed"]
    assert lesson_progress("doc-them").seconds_spent == 120


def test_time_comes_from_the_form_when_the_page_did_not_measure_it(client, learner, tay):
    complete(client, "doc-them", seconds="", opened_at=stamp("doc-them", 125))

    assert 125 <= lesson_progress("doc-them").seconds_spent <= 130


def test_time_per_event_is_capped_at_two_hours(client, learner, tay):
    complete(client, "doc-them", seconds="999999", opened_at=stamp("doc-them", 5 * 3600))
    beacon(client, "chao-hoi", 10**8, opened_at=stamp("chao-hoi", 5 * 3600))

    assert lesson_progress("doc-them").seconds_spent == 7200
    assert lesson_progress("chao-hoi").seconds_spent == 7200


def test_completing_every_required_lesson_completes_the_course(client, learner, tay):
    finish_lesson(client, "chao-hoi")
    answer(client, "so-dem", {"q:so": ["0", "2"], "q:noi:0": "ba", "q:noi:1": "mười"})
    assert course_progress().completed_at is None

    finish_lesson(client, "so-dem")

    progress = course_progress()
    assert progress.completed_at is not None
    assert progress.hours_credited == Decimal("1.5")
    certificate = db.session.scalar(select(Certificate))
    assert (certificate.holder_name, certificate.course_title) == ("Lò Thị Mai", TAY_TITLE)
    assert event_kinds()[-2:] == ["completed", "completed"]  # the lesson, then the course
    page = flashes(client, f"/courses/{TAY}")
    assert f"Chúc mừng! Bạn đã hoàn thành khóa học “{TAY_TITLE}”." in page
    assert "được tính 1,5 tiết" in page
    assert f'href="/certificates/{certificate.id}"' in page
    # The optional lesson was not needed.
    assert lesson_progress("doc-them") is None


def test_the_view_beacon_records_time_once_per_event(client, learner, tay):
    event_id = new_id()

    first = beacon(client, "chao-hoi", 40, event_id=event_id)
    again = beacon(client, "chao-hoi", 40, event_id=event_id)
    beacon(client, "chao-hoi", 0)

    assert (first.status_code, again.status_code) == (204, 204)
    assert lesson_progress("chao-hoi").seconds_spent == 40
    assert event_kinds() == ["viewed", "viewed"]
    home = client.get("/").get_data(as_text=True)
    assert TAY_TITLE in home


@pytest.mark.parametrize(
    ("lesson", "event_id", "message"),
    [
        ("khong-co", None, "Không tìm thấy bài học."),
        ("chao-hoi", "khong-hop-le", "Biểu mẫu thiếu mã sự kiện hoặc mã không hợp lệ."),
    ],
)
def test_a_bad_beacon_is_refused(client, learner, tay, lesson, event_id, message):
    response = client.post(
        "/learning/events",
        data={"event_id": event_id or new_id(), "course": TAY, "lesson": lesson, "seconds": "5"},
    )

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert learning_rows()["learning_event"] == []


def test_retired_lessons_no_longer_count_as_required(client, learner, tay, tmp_path):
    finish_lesson(client, "chao-hoi")
    lessons = tay_lessons()
    del lessons["02-so-dem.md"]
    import_folder(write_tay_course(tmp_path / "courses", lessons))

    page = flashes(client, f"/courses/{TAY}")
    assert "Đã xong 1/1 bài bắt buộc." in page
    assert "Ghi nhận hoàn thành khóa học" in page
    form = page[page.index(f'action="/courses/{TAY}/complete"') :]
    event_id = form.split('name="event_id" value="')[1].split('"')[0]

    client.post(f"/courses/{TAY}/complete", data={"event_id": event_id})

    assert course_progress().completed_at is not None
    assert db.session.scalar(select(Certificate)) is not None
    before = learning_rows()
    client.post(f"/courses/{TAY}/complete", data={"event_id": event_id})
    assert "Việc hoàn thành khóa học đã được ghi nhận trước đó" in flashes(
        client, f"/courses/{TAY}"
    )
    assert learning_rows() == before


def test_a_course_cannot_be_claimed_before_it_is_done(client, learner, tay):
    finish_lesson(client, "chao-hoi")
    before = learning_rows()

    client.post(f"/courses/{TAY}/complete", data={"event_id": new_id()})

    assert "Khóa học chưa hoàn thành" in flashes(client, f"/courses/{TAY}")
    assert learning_rows() == before


def test_completion_survives_changes_and_retirement_of_the_course(client, learner, tay, tmp_path):
    finish_lesson(client, "chao-hoi")
    finish_lesson(client, "so-dem")
    completed_at = course_progress().completed_at
    certificate = db.session.scalar(select(Certificate))
    code, certificate_id = certificate.code, certificate.id

    # A new required lesson, renumbered files: the completion stands, progress stays keyed.
    changed = {
        "01-chao-hoi.md": tay_lessons()["01-chao-hoi.md"],
        "02-bai-moi.md": "---\ntitle: Bài mới\nminutes: 5\n---\n\nMới.\n",
        "03-so-dem.md": SO_DEM,
    }
    import_folder(write_tay_course(tmp_path / "courses", changed))
    assert course_progress().completed_at == completed_at
    page = flashes(client, f"/courses/{TAY}")
    assert "Đã hoàn thành" in page
    assert lesson_progress("so-dem").completed_at is not None

    # Retire the whole course: importing a folder of courses where it is missing.
    root = tmp_path / "all"
    make_other_courses(root)
    import_folder(root)

    assert course_progress().completed_at == completed_at
    page = flashes(client, f"/courses/{TAY}")
    assert "Khóa học này đã ngừng sử dụng." in page
    assert client.get(f"/certificates/{certificate_id}").status_code == 200
    assert "Giấy chứng nhận hợp lệ" in client.get(f"/verify/{code}").get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)
    assert f"/certificates/{certificate_id}" in home


def test_home_page_lists_my_courses_with_continue_and_certificate_links(
    client, learner, tay, tmp_path
):
    make_other_courses(tmp_path / "courses")
    finish_lesson(client, "chao-hoi")
    client.post("/courses/ky-nang-so/bat-dau/complete", data={"event_id": new_id()})

    home = client.get("/").get_data(as_text=True)

    in_progress = home[home.index("Khóa học đang học") : home.index("Khóa học đã hoàn thành")]
    assert TAY_TITLE in in_progress
    assert f'href="/courses/{TAY}/so-dem">Tiếp tục' in in_progress
    assert "(2/2 bài)" not in in_progress and "(1/2 bài)" in in_progress
    completed = home[home.index("Khóa học đã hoàn thành") :]
    assert "Kỹ năng số cho công chức" in completed
    assert "4 tiết" in completed
    certificate = db.session.scalar(select(Certificate))
    assert f'href="/certificates/{certificate.id}"' in completed


@pytest.mark.parametrize("action", ["quiz", "beacon", "complete"])
def test_a_race_on_one_event_id_is_settled_by_the_unique_constraint(
    client, learner, tay, monkeypatch, action
):
    event_id = new_id()
    steps = {
        # A failed attempt: after a pass, a new attempt is refused before the event is looked up.
        "quiz": lambda: answer(client, "chao-hoi", {"q:pay": "0"}, event_id=event_id),
        "beacon": lambda: beacon(client, "chao-hoi", 30, event_id=event_id),
        "complete": lambda: complete(client, "doc-them", event_id=event_id),
    }
    steps[action]()
    before = learning_rows()
    looked_up = services._logged
    calls = []

    def not_yet_committed(wanted):
        # The first look-up misses, as when the other request had not committed yet.
        calls.append(wanted)
        return None if len(calls) == 1 else looked_up(wanted)

    monkeypatch.setattr(services, "_logged", not_yet_committed)

    response = steps[action]()

    assert response.status_code in (204, 302)
    assert len(calls) >= 2
    assert learning_rows() == before


def test_a_course_of_optional_lessons_needs_all_of_them():
    assert services.required_lesson_ids([(1, False), (2, False)]) == [1, 2]
    assert services.required_lesson_ids([(1, True), (2, False)]) == [1]
    assert services.required_lesson_ids([]) == []
