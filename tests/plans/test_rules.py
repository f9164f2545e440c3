"""The rules page: a new version from a later day, or an explicit, confirmed, audited correction."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from lms.audit.models import AuditEvent
from lms.db import db
from lms.plans.rules import years_governed
from lms.progress.models import TargetRule
from tests.plans.conftest import complete, utc


def _rule(code="CONGCHUC-2025", version=1) -> TargetRule:
    return db.session.scalar(db.select(TargetRule).filter_by(code=code, version=version))


def test_the_page_shows_the_days_each_version_governs(client, login, division, forty_tiet):
    login("quantri")
    form = {
        "code": "CONGCHUC-2025",
        "amount": "32",
        "unit": "tiet",
        "minutes_per_tiet": "45",
        "legal_basis": "Nghị định 171/2025/NĐ-CP",
        "employment_kinds": ["cong_chuc"],
        "effective_from": "2026-07-01",
    }
    page = client.post("/plans/rules", data=form, follow_redirects=True)
    assert "các ngày trước ngày hiệu lực vẫn theo phiên bản cũ" in page.text
    assert "01/01/2025–30/06/2026" in page.text  # version 1 ends where version 2 begins
    assert "01/07/2026–…" in page.text
    refused = client.post(
        "/plans/rules", data=form | {"effective_from": "2026-01-01"}, follow_redirects=True
    )
    assert "phải có hiệu lực sau ngày 01/07/2026" in refused.text
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(TargetRule.id))) == 4


def test_a_correction_needs_the_years_confirmed_and_is_audited(client, login, division, forty_tiet):
    complete(division.learner, division.course, utc(2025, 3, 1, 3))
    db.session.commit()
    rule = _rule()
    login("quantri")
    form_page = client.get(f"/plans/rules?correct={rule.id}")
    assert "thay đổi số liệu các năm: 2025, 2026" in form_page.text
    fields = {
        "amount": "38",
        "unit": "tiet",
        "minutes_per_tiet": "45",
        "legal_basis": rule.legal_basis,
    }
    refused = client.post(f"/plans/rules/{rule.id}/correct", data=fields, follow_redirects=True)
    assert "Hãy xác nhận các năm này" in refused.text
    db.session.expire_all()
    assert _rule().amount == Decimal(40)
    done = client.post(
        f"/plans/rules/{rule.id}/correct",
        data=fields | {"confirmed_years": "2025,2026"},
        follow_redirects=True,
    )
    assert "số liệu các năm 2025, 2026 đã thay đổi" in done.text
    db.session.expire_all()
    assert _rule().amount == Decimal(38)
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="plan_rule.correct"))
    assert (event.before, event.after) == ({"amount": "40"}, {"amount": "38"})
    page = client.get("/plans/2025")  # the admin's own page: no membership, no target
    assert page.status_code == 200
    assert years_governed(_rule(), date(2026, 12, 4)) == [2025, 2026]


def test_only_administrators_correct_rules(client, login, division, forty_tiet):
    rule = _rule()
    login("truongphong")
    answer = client.post(
        f"/plans/rules/{rule.id}/correct",
        data={"amount": "1", "unit": "tiet", "minutes_per_tiet": "45", "legal_basis": "x",
              "confirmed_years": "2025,2026"},
    )  # fmt: skip
    assert answer.status_code == 403
    db.session.expire_all()
    assert _rule().amount == Decimal(40)
