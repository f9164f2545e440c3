"""Who may read and act on which plan: the checks finer than a route's rule."""

from __future__ import annotations

from lms.db import db
from lms.plans import workflow
from lms.plans.models import PlanStatus
from tests.plans.conftest import plan_rows

# Routes by role are checked with every other route in tests/test_access_matrix.py.


def _submitted(division):
    plan = workflow.plan_for(division.learner, 2026)
    workflow.add_course(plan, course_id=division.course.id, planned="m5", expected_hours="")
    plan.latest.status = PlanStatus.SUBMITTED
    db.session.commit()
    return plan


def test_a_manager_of_another_unit_cannot_see_or_act(client, login, division):
    plan = _submitted(division)
    login("truongkhac")
    before = plan_rows()
    assert client.get(f"/plans/view/{plan.id}").status_code == 403
    data = {"decision": "approve", "version": 1, "revision": plan.revision}
    assert client.post(f"/plans/view/{plan.id}/decide", data=data).status_code == 403
    assert client.get(f"/plans/units/{division.unit.id}/2026").status_code == 403
    bulk = client.post(
        f"/plans/units/{division.unit.id}/2026/decide",
        data={"decision": "approve", "plan": f"{plan.id}:1:{plan.revision}"},
    )
    assert bulk.status_code == 403
    assert plan_rows() == before


def test_hcth_reads_every_plan_but_changes_none(client, login, division):
    plan = _submitted(division)
    login("tonghop")
    before = plan_rows()
    page = client.get(f"/plans/view/{plan.id}")
    assert page.status_code == 200 and "Lò Thị Mai" in page.text
    assert "Duyệt kế hoạch" not in page.text
    assert client.get(f"/plans/units/{division.unit.id}/2026").status_code == 200
    data = {"decision": "approve", "version": 1, "revision": plan.revision}
    assert client.post(f"/plans/view/{plan.id}/decide", data=data).status_code == 403
    assert client.post(f"/plans/view/{plan.id}/assessment", data={"text": "x"}).status_code == 403
    assert client.post(f"/plans/units/{division.unit.id}/2026/decide", data=data).status_code == 403
    assert plan_rows() == before


def test_a_colleague_cannot_read_anothers_plan(client, login, division):
    plan = _submitted(division)
    login("hoa")
    assert client.get(f"/plans/view/{plan.id}").status_code == 403


def test_the_head_of_the_parent_unit_decides_for_the_team(client, login, division):
    plan = workflow.plan_for(division.colleague, 2026)
    plan.latest.status = PlanStatus.SUBMITTED
    db.session.commit()
    login("truongphong")
    data = {"decision": "approve", "version": 1, "revision": plan.revision}
    assert client.post(f"/plans/view/{plan.id}/decide", data=data).status_code == 302
    db.session.expire_all()
    assert plan.latest.status == PlanStatus.APPROVED
