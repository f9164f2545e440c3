"""The learner's home page: what it shows, and what it costs (issue 17)."""

from __future__ import annotations

from datetime import UTC, datetime

from lms.accounts.models import Person
from lms.db import db
from lms.i18n import local_today
from tests.factories import complete_course, make_course, make_person, make_unit


def test_the_learner_home_shows_the_unit_and_courses_in_a_fixed_number_of_queries(
    app, client, login, count_queries
):
    unit = make_unit("PCS", "Phòng Chính sách dân tộc")
    person_id = make_person("hocvien", "Lò Văn Học", unit=unit).id
    db.session.commit()
    login("hocvien")
    # The first page reads the reference data (rules, assignments), kept while unchanged
    # (lms.reference); the guard counts the pages after it.
    client.get("/")
    # The unit as named today and the person's membership come in one statement, not two.
    few = count_queries(lambda: client.get("/"))
    page = client.get("/").get_data(as_text=True)
    assert "Phòng Chính sách dân tộc" in page
    assert "Bạn chưa bắt đầu khóa học nào." in page

    learner = db.session.get(Person, person_id)
    moment = datetime.combine(local_today(), datetime.min.time(), tzinfo=UTC)
    for number in range(3):
        complete_course(learner, make_course(title=f"Khóa đã học {number}"), moment)
    db.session.commit()
    client.get("/")  # new courses: the reference data are read again, once
    many = count_queries(lambda: client.get("/"))
    page = client.get("/").get_data(as_text=True)
    assert all(f"Khóa đã học {number}" in page for number in range(3))
    # 7: the review deck's due count is one indexed COUNT (lms.review.queries.due_count); the
    # courses' categories are not read (the learner's credits are summed by the database); the
    # rules and assignments are kept while the reference stamp is unchanged; the stamp and the
    # header's unread count are read by the sign-in query.
    assert many == few == 7
