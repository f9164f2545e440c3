"""Who may read and act on plans: routes by role, and the finer per-plan checks."""

from __future__ import annotations

import pytest

from lms.db import db
from lms.plans import services
from lms.plans.models import PlanStatus
from tests.plans.conftest import plan_rows
from tests.test_access_matrix import (  # noqa: F401  (world is a fixture)
    ADMIN,
    MANAGERS,
    ROLES,
    SIGNED_IN,
    Case,
    world,
)

MISSING = 2**31 - 1
READERS = frozenset({"manager", "hcth", "admin"})
# The lines to add to tests/test_access_matrix.py; ids that name nothing still show the rule.
PLAN_CASES = [
    Case("plans.mine", SIGNED_IN),
    Case("plans.year", SIGNED_IN, args=lambda w: {"year": 2026}),
    Case("plans.add_course", SIGNED_IN, "POST", args=lambda w: {"year": 2026}),
    Case("plans.add_external", SIGNED_IN, "POST", args=lambda w: {"year": 2026}),
    Case("plans.attach_evidence", SIGNED_IN, "POST", args=lambda w: {"activity_id": MISSING}),
    Case("plans.remove_item", SIGNED_IN, "POST", args=lambda w: {"year": 2026, "item_id": MISSING}),
    Case("plans.save_note", SIGNED_IN, "POST", args=lambda w: {"year": 2026}),
    Case("plans.submit", SIGNED_IN, "POST", args=lambda w: {"year": 2026}),
    Case("plans.revise", SIGNED_IN, "POST", args=lambda w: {"year": 2026}),
    Case("plans.copy_last_year", SIGNED_IN, "POST", args=lambda w: {"year": 2026}),
    Case("plans.self_assess", SIGNED_IN, "POST", args=lambda w: {"year": 2026}),
    Case("plans.show", SIGNED_IN, args=lambda w: {"plan_id": MISSING}),
    Case("plans.decide", SIGNED_IN, "POST", args=lambda w: {"plan_id": MISSING}),
    Case("plans.assess", SIGNED_IN, "POST", args=lambda w: {"plan_id": MISSING}),
    Case("plans.verify_activity", SIGNED_IN, "POST", args=lambda w: {"activity_id": MISSING}),
    Case("plans.evidence", SIGNED_IN, args=lambda w: {"token": "x" * 43}),
    Case("plans.units", READERS),
    Case(
        "plans.dashboard",
        READERS,
        args=lambda w: {"unit_id": w.own_unit, "year": 2026},
        label="own",
    ),
    Case(
        "plans.dashboard",
        READERS,
        args=lambda w: {"unit_id": w.sub_unit, "year": 2026},
        label="sub",
    ),
    Case(
        "plans.dashboard",
        frozenset({"hcth", "admin"}),
        args=lambda w: {"unit_id": w.other_unit, "year": 2026},
        label="other",
    ),
    Case(
        "plans.bulk_decide",
        MANAGERS,
        "POST",
        args=lambda w: {"unit_id": w.own_unit, "year": 2026},
        label="own",
    ),
    Case(
        "plans.bulk_decide",
        ADMIN,
        "POST",
        args=lambda w: {"unit_id": w.other_unit, "year": 2026},
        label="other",
    ),
    Case(
        "plans.assignments",
        MANAGERS,
        args=lambda w: {"unit_id": w.own_unit, "year": 2026},
        label="own",
    ),
    Case(
        "plans.assignments",
        ADMIN,
        args=lambda w: {"unit_id": w.other_unit, "year": 2026},
        label="other",
    ),
    Case(
        "plans.create_assignment",
        MANAGERS,
        "POST",
        args=lambda w: {"unit_id": w.sub_unit, "year": 2026},
        label="sub",
    ),
    Case(
        "plans.create_assignment",
        ADMIN,
        "POST",
        args=lambda w: {"unit_id": w.other_unit, "year": 2026},
        label="other",
    ),
    Case("plans.withdraw_assignment", MANAGERS, "POST", args=lambda w: {"assignment_id": MISSING}),
    Case("plans.rules", ADMIN),
    Case("plans.save_rule", ADMIN, "POST"),
    Case("plans.notifications", SIGNED_IN),
    Case("plans.mark_read", SIGNED_IN, "POST"),
]


def test_every_plan_route_has_a_case(app):
    routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("plans.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes == {(case.endpoint, case.method) for case in PLAN_CASES}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", PLAN_CASES, ids=lambda case: case.id)
def test_plan_route_answers_each_role_as_expected(app, client, login, world, case, role):  # noqa: F811
    if role != "anonymous":
        assert login(role).status_code == 302
    with app.test_request_context():
        from flask import url_for

        url = url_for(case.endpoint, **case.args(world))
    response = client.open(url, method=case.method)
    to_login = (
        response.status_code == 302 and "/login" in response.headers["Location"].split("?")[0]
    )
    if role in case.allowed:
        assert response.status_code != 403 and not to_login and response.status_code < 500
    elif role == "anonymous":
        assert to_login
    else:
        assert response.status_code == 403


def _submitted(division):
    plan = services.plan_for(division.learner, 2026)
    services.add_course(plan, course_id=division.course.id, planned="m5", expected_hours="")
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
    plan = services.plan_for(division.colleague, 2026)
    plan.latest.status = PlanStatus.SUBMITTED
    db.session.commit()
    login("truongphong")
    data = {"decision": "approve", "version": 1, "revision": plan.revision}
    assert client.post(f"/plans/view/{plan.id}/decide", data=data).status_code == 302
    db.session.expire_all()
    assert plan.latest.status == PlanStatus.APPROVED
