"""Draft → submitted → returned → resubmitted → approved, versions, and who may decide."""

from __future__ import annotations

from sqlalchemy import select

from lms.accounts import services as people
from lms.db import db
from lms.plans.models import PlanEvent, PlanStatus, StudyPlan
from lms.roles import Role
from tests.plans.conftest import plan_rows

YEAR = 2026


def _plan(person) -> StudyPlan:
    db.session.expire_all()
    return db.session.scalars(select(StudyPlan).where(StudyPlan.person_id == person.id)).one()


def _decide(client, plan, decision, comment="", version=None, revision=None):
    return client.post(
        f"/plans/view/{plan.id}/decide",
        data={
            "decision": decision,
            "comment": comment,
            "version": version or plan.latest.number,
            "revision": revision or plan.revision,
        },
        follow_redirects=True,
    )


def test_submit_return_resubmit_approve_is_recorded(client, login, division):
    login("mai")
    page = client.post(
        f"/plans/{YEAR}/courses",
        data={"course": division.course2.id, "planned": "q2", "expected_hours": ""},
        follow_redirects=True,
    )
    assert "Đã thêm khóa học vào kế hoạch." in page.text
    assert client.post(f"/plans/{YEAR}/submit").status_code == 302
    client.post("/logout")

    login("truongphong")
    plan = _plan(division.learner)
    assert plan.latest.status == PlanStatus.SUBMITTED
    page = _decide(client, plan, "return", "Thêm một hoạt động ngoại ngữ.")
    assert "Đã trả lại kế hoạch." in page.text
    client.post("/logout")

    login("mai")
    page = client.get(f"/plans/{YEAR}")
    assert "Thêm một hoạt động ngoại ngữ." in page.text
    assert "Trả lại để sửa" in page.text
    client.post(f"/plans/{YEAR}/note", data={"note": "Học thêm tiếng Anh"})
    client.post(f"/plans/{YEAR}/submit")
    client.post("/logout")

    login("truongphong")
    plan = _plan(division.learner)
    assert "Đã duyệt kế hoạch." in _decide(client, plan, "approve").text
    plan = _plan(division.learner)
    assert plan.latest.status == PlanStatus.APPROVED
    actions = [(e.action, e.actor_id, e.comment) for e in plan.events]
    assert actions == [
        ("create", division.learner.id, None),
        ("submit", division.learner.id, None),
        ("return", division.head.id, "Thêm một hoạt động ngoại ngữ."),
        ("resubmit", division.learner.id, None),
        ("approve", division.head.id, None),
    ]


def test_submitting_twice_is_refused_and_changes_nothing(client, login, division):
    login("mai")
    client.post(f"/plans/{YEAR}/submit")
    before = plan_rows()
    page = client.post(f"/plans/{YEAR}/submit", follow_redirects=True)
    assert "Kế hoạch đã được gửi và đang chờ duyệt." in page.text
    assert plan_rows() == before


def test_a_learner_cannot_approve_their_own_plan_even_as_manager(client, login, division):
    people.grant_role(division.learner, Role.MANAGER, division.unit)
    db.session.commit()
    login("mai")
    client.post(f"/plans/{YEAR}/submit")
    plan = _plan(division.learner)
    before = plan_rows()
    assert _decide(client, plan, "approve").status_code == 403
    assert plan_rows() == before


def test_an_approval_of_a_plan_that_changed_meanwhile_is_refused(client, login, division):
    login("mai")
    client.post(f"/plans/{YEAR}/submit")
    plan = _plan(division.learner)
    stale_revision = plan.revision - 1
    client.post("/logout")
    login("truongphong")
    before = plan_rows()
    page = _decide(client, plan, "approve", revision=stale_revision)
    assert "đã thay đổi kể từ khi bạn mở trang" in page.text
    assert plan_rows() == before


def test_returning_without_a_comment_is_refused(client, login, division):
    login("mai")
    client.post(f"/plans/{YEAR}/submit")
    client.post("/logout")
    login("truongphong")
    before = plan_rows()
    page = _decide(client, _plan(division.learner), "return", "")
    assert "hãy ghi nhận xét" in page.text
    assert plan_rows() == before


def test_changing_an_approved_plan_makes_a_new_version_and_keeps_the_old(client, login, division):
    login("mai")
    client.post(f"/plans/{YEAR}/courses", data={"course": division.course.id, "planned": "m3"})
    client.post(f"/plans/{YEAR}/submit")
    client.post("/logout")
    login("truongphong")
    _decide(client, _plan(division.learner), "approve")
    client.post("/logout")

    login("mai")
    before = plan_rows()
    page = client.post(
        f"/plans/{YEAR}/courses",
        data={"course": division.course2.id, "planned": "m4"},
        follow_redirects=True,
    )
    assert "Điều chỉnh kế hoạch" in page.text
    assert plan_rows() == before
    client.post(f"/plans/{YEAR}/revise")
    client.post(f"/plans/{YEAR}/courses", data={"course": division.course2.id, "planned": "m4"})
    plan = _plan(division.learner)
    first, second = plan.versions
    assert (first.number, first.status, len(first.items)) == (1, PlanStatus.APPROVED, 1)
    assert (second.number, second.status, len(second.items)) == (2, PlanStatus.DRAFT, 2)
    old = client.get(f"/plans/view/{plan.id}?version=1")
    assert "Đang xem phiên bản 1" in old.text


def test_copy_last_year_makes_a_draft_with_its_courses(client, login, division):
    login("mai")
    client.post(f"/plans/{YEAR - 1}/courses", data={"course": division.course.id, "planned": "q1"})
    client.post(f"/plans/{YEAR - 1}/submit")
    page = client.post(f"/plans/{YEAR}/copy", follow_redirects=True)
    assert "Đã sao chép kế hoạch năm trước thành bản nháp." in page.text
    plans = db.session.scalars(select(StudyPlan).where(StudyPlan.year == YEAR)).all()
    assert [item.course_id for item in plans[0].latest.items] == [division.course.id]
    assert plans[0].latest.status == PlanStatus.DRAFT
    again = client.post(f"/plans/{YEAR}/copy", follow_redirects=True)
    assert f"Bạn đã có kế hoạch năm {YEAR}." in again.text


def test_self_and_manager_assessment(client, login, division):
    login("mai")
    client.post(f"/plans/{YEAR}/self-assessment", data={"text": "Hoàn thành tốt."})
    client.post("/logout")
    login("truongphong")
    plan = _plan(division.learner)
    client.post(f"/plans/view/{plan.id}/assessment", data={"text": "Đồng ý, xếp loại tốt."})
    plan = _plan(division.learner)
    assert plan.self_assessment == "Hoàn thành tốt."
    assert plan.manager_assessment == "Đồng ý, xếp loại tốt."
    assert plan.manager_assessed_by_id == division.head.id
    assert {e.action for e in db.session.scalars(select(PlanEvent))} >= {
        "self_assess",
        "manager_assess",
    }


def test_two_managers_deciding_at_once_cannot_both_succeed(client, login, division):
    """The second decision was read before the first was written: it must not overwrite it."""
    from lms.plans import workflow
    from lms.plans.values import PlanError

    login("mai")
    client.post(f"/plans/{YEAR}/submit")
    plan = _plan(division.learner)
    seen = plan.revision
    # The other manager's approval lands in between, straight in the database.
    with db.engine.begin() as other_request:
        other_request.execute(
            StudyPlan.__table__.update().where(StudyPlan.id == plan.id).values(revision=seen + 1)
        )
    try:
        workflow.decide(
            plan,
            actor=division.head,
            approve=False,
            version_number=plan.latest.number,
            revision=seen,
            comment="Bổ sung hoạt động.",
        )
    except PlanError as error:
        assert "vừa được người khác thay đổi" in str(error)
    else:
        raise AssertionError("a decision on a stale revision went through")
    db.session.rollback()
    assert db.session.get(StudyPlan, plan.id).revision == seen + 1


def test_the_plan_page_takes_the_same_queries_for_few_or_many_items(
    client, login, division, count_queries
):
    from tests.plans.conftest import make_course

    login("mai")
    client.post(f"/plans/{YEAR}/courses", data={"course": division.course.id, "planned": "m3"})
    few = count_queries(lambda: client.get(f"/plans/{YEAR}"))
    for number in range(6):
        course = make_course(f"Khóa thêm {number}")
        db.session.commit()
        client.post(f"/plans/{YEAR}/courses", data={"course": course.id, "planned": "m4"})
    assert count_queries(lambda: client.get(f"/plans/{YEAR}")) == few
