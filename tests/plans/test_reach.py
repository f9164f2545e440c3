"""A manager's reach follows the calendar over HTTP: the auditor's moved sub-unit, a new head.

Sub-unit TOA stood under A from 1/1, moved under B on 1/6; Hà joined TOA on 1/7. She was never
in A's tree while a member, so A's head may not open, decide on or list anything of hers.
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import select

from lms.accounts import services as people
from lms.accounts.models import Person
from lms.db import db
from lms.org import services as org
from lms.org.models import UnitKind
from lms.plans import workflow
from lms.plans.models import (
    ActivityStatus,
    EvidenceFile,
    ExternalActivity,
    Notification,
    PlanStatus,
)
from lms.roles import Role
from tests.factories import make_person, make_unit
from tests.plans.conftest import plan_rows

YEAR = 2026
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def moved(app, client, login):
    agency = make_unit("CQ", "Sở Dân tộc và Tôn giáo", kind=UnitKind.AGENCY)
    a = make_unit("PA", "Phòng A", parent=agency)
    b = make_unit("PB", "Phòng B", parent=agency)
    make_person("truonga", "Trưởng Phòng A", unit=a, manages=a)
    make_person("truongb", "Trưởng Phòng B", unit=b, manages=b)
    toa = make_unit("TOA", "Tổ A", parent=a, valid_from=date(YEAR, 1, 1))
    org.move_unit(toa, b, date(YEAR, 6, 1))
    ha = make_person("thuha", "Nguyễn Thu Hà", unit=toa, since=date(YEAR, 7, 1))
    db.session.commit()
    login("thuha")
    client.post(
        f"/plans/{YEAR}/activities",
        data={
            "kind": "refresher",
            "title": "Bồi dưỡng kỹ năng số",
            "organiser": "Trường Chính trị tỉnh",
            "starts_on": f"{YEAR}-08-01",
            "ends_on": f"{YEAR}-08-03",
            "hours": "16",
            "planned": "q3",
            "evidence": (io.BytesIO(PDF), "chung-nhan.pdf"),
        },
    )
    plan = workflow.plan_for(ha, YEAR)
    plan.latest.status = PlanStatus.SUBMITTED
    db.session.commit()
    client.post("/logout")
    return {"a": a, "b": b, "toa": toa, "ha": ha, "plan": plan}


def _activity() -> ExternalActivity:
    return db.session.scalars(select(ExternalActivity)).one()


def test_the_head_of_the_unit_she_never_was_under_cannot_touch_her_records(client, login, moved):
    plan = moved["plan"]
    evidence = db.session.scalars(select(EvidenceFile)).one()
    login("truonga")
    before = plan_rows()

    assert client.get(f"/plans/view/{plan.id}").status_code == 403
    assert client.get(f"/plans/evidence/{evidence.token}").status_code == 403
    decide = {"decision": "approve", "version": 1, "revision": plan.revision}
    assert client.post(f"/plans/view/{plan.id}/decide", data=decide).status_code == 403
    verify = client.post(f"/plans/activities/{_activity().id}/verify", data={"decision": "verify"})
    assert verify.status_code == 403
    bulk = client.post(
        f"/plans/units/{moved['a'].id}/{YEAR}/decide",
        data={"decision": "approve", "plan": f"{plan.id}:1:{plan.revision}"},
    )
    assert bulk.status_code in (302, 403)
    dashboard = client.get(f"/plans/units/{moved['a'].id}/{YEAR}")
    assert dashboard.status_code == 200 and "Nguyễn Thu Hà" not in dashboard.text
    roster = client.get(f"/reports/units/{moved['a'].id}/roster?period={YEAR}")
    assert roster.status_code == 200 and "Nguyễn Thu Hà" not in roster.text
    assert plan_rows() == before
    assert _activity().status == ActivityStatus.PENDING


def test_the_head_of_her_unit_on_those_days_reads_and_decides(client, login, moved):
    plan = moved["plan"]
    evidence = db.session.scalars(select(EvidenceFile)).one()
    login("truongb")
    assert client.get(f"/plans/view/{plan.id}").status_code == 200
    assert client.get(f"/plans/evidence/{evidence.token}").status_code == 200
    dashboard = client.get(f"/plans/units/{moved['b'].id}/{YEAR}")
    assert "Nguyễn Thu Hà" in dashboard.text
    roster = client.get(f"/reports/units/{moved['b'].id}/roster?period={YEAR}")
    assert "Nguyễn Thu Hà" in roster.text
    verified = client.post(
        f"/plans/activities/{_activity().id}/verify", data={"decision": "verify"}
    )
    assert verified.status_code == 302
    assert _activity().status == ActivityStatus.VERIFIED


def test_only_the_head_who_reaches_her_hears_of_her_plan(client, login, moved):
    plan = moved["plan"]
    plan.latest.status = PlanStatus.DRAFT
    db.session.commit()
    login("thuha")
    client.post(f"/plans/{YEAR}/submit")
    notified = db.session.scalars(
        select(Person.username)
        .join(Notification, Notification.person_id == Person.id)
        .where(Notification.kind == "submitted")
    ).all()
    assert notified == ["truongb"]


def test_a_former_head_loses_her_reach_with_her_grant(client, login, moved):
    plan = moved["plan"]
    head_b = people.person_by_username("truongb")
    grant = next(g for g in head_b.role_grants if g.role == Role.MANAGER)
    people.revoke_role(head_b, grant)
    db.session.commit()
    assert grant.valid_until is not None  # kept, for who headed B when

    login("truongb")
    assert client.get(f"/plans/view/{plan.id}").status_code == 403
    assert client.get(f"/plans/units/{moved['b'].id}/{YEAR}").status_code == 403
    assert client.get(f"/reports/units/{moved['b'].id}/roster?period={YEAR}").status_code == 403
