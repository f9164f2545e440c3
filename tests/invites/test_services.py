"""First-sign-in codes: their form, storage, expiry, reissue, single use, audit."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.security import check_password_hash

from lms.audit.models import AuditEvent
from lms.auth.services import PASSWORD_ALPHABET, hash_token
from lms.db import db, utcnow
from lms.i18n import local_today
from lms.invites import queries, services
from lms.invites.models import SignInCode

NEW_PASSWORD = "Hoc-tap-2026"


def _issue(division, unit=None):
    newcomers = queries.newcomers((unit or division.unit).id, local_today())
    issued = services.issue_codes(newcomers, actor=division.admin)
    db.session.commit()
    return {item.newcomer.person.username: item for item in issued}


def _audit_actions(person):
    return db.session.scalars(
        select(AuditEvent.action)
        .where(
            AuditEvent.entity_type == "person",
            AuditEvent.entity_id == person.id,
            AuditEvent.action.startswith("sign_in_code."),
        )
        .order_by(AuditEvent.id)
    ).all()


def test_newcomers_are_people_without_a_password_in_the_unit_and_its_sub_units(division):
    found = queries.newcomers(division.unit.id, local_today())
    # By unit name, then given name first (Vietnamese order): An, Anh; Bình in the sub-unit.
    assert [(row.unit_name, row.person.full_name) for row in found] == [
        ("Phòng Tổ chức", "Trần Văn An"),
        ("Phòng Tổ chức", "Lê Anh"),
        ("Tổ Văn thư", "Nguyễn Thị Bình"),
    ]


def test_a_code_is_twelve_unambiguous_characters_and_only_its_hash_is_stored(division):
    issued = _issue(division)
    code = issued["tvan"].code
    letters = code.replace("-", "")
    assert len(letters) >= 10
    assert set(letters) <= set(PASSWORD_ALPHABET)
    assert not set(letters) & set("0o1li")
    rows = db.session.scalars(select(SignInCode)).all()
    assert len(rows) == 3
    row = next(row for row in rows if row.person_id == division.an.id)
    assert row.code_hash == hash_token(letters)
    assert all(code not in str(vars(row)) for row in rows)
    assert row.issued_by_id == division.admin.id
    assert row.expires_at - row.issued_at == timedelta(days=14)


def test_expiry_follows_the_setting(app, division):
    app.config["SIGN_IN_CODE_DAYS"] = 3
    issued = _issue(division)
    assert issued["tvan"].expires_at - utcnow() < timedelta(days=3, minutes=1)


def test_redeeming_sets_the_password_once_and_is_audited(division):
    code = _issue(division)["tvan"].code
    person = services.redeem(code.upper().replace("-", " "), NEW_PASSWORD, NEW_PASSWORD)
    db.session.commit()
    assert person.id == division.an.id
    assert check_password_hash(person.password_hash, NEW_PASSWORD)
    assert _audit_actions(person) == ["sign_in_code.issue", "sign_in_code.use"]
    with pytest.raises(services.CodeError, match="không hợp lệ hoặc đã hết hạn"):
        services.redeem(code, "Khac-hoan-toan-9", "Khac-hoan-toan-9")


def test_issuing_again_revokes_the_unused_code(division):
    first = _issue(division)["tvan"].code
    second = _issue(division)["tvan"].code
    assert _audit_actions(division.an) == [
        "sign_in_code.issue",
        "sign_in_code.revoke",
        "sign_in_code.issue",
    ]
    with pytest.raises(services.CodeError, match="không hợp lệ hoặc đã hết hạn"):
        services.redeem(first, NEW_PASSWORD, NEW_PASSWORD)
    db.session.rollback()
    assert services.redeem(second, NEW_PASSWORD, NEW_PASSWORD).id == division.an.id


def test_an_expired_code_is_refused_like_an_unknown_one(division, monkeypatch):
    code = _issue(division)["tvan"].code
    later = utcnow() + timedelta(days=14, seconds=1)
    monkeypatch.setattr(services, "utcnow", lambda: later)
    with pytest.raises(services.CodeError) as expired:
        services.redeem(code, NEW_PASSWORD, NEW_PASSWORD)
    with pytest.raises(services.CodeError) as unknown:
        services.redeem("abcd-efgh-jkmn", NEW_PASSWORD, NEW_PASSWORD)
    assert expired.value.message == unknown.value.message
    assert expired.value.field == "code"


def test_a_weak_or_mismatched_password_keeps_the_code_unused(division):
    code = _issue(division)["tvan"].code
    with pytest.raises(services.CodeError) as weak:
        services.redeem(code, "12345678901", "12345678901")
    assert weak.value.field == "new_password"
    with pytest.raises(services.CodeError) as mismatch:
        services.redeem(code, NEW_PASSWORD, NEW_PASSWORD + "x")
    assert mismatch.value.field == "confirm_password"
    db.session.rollback()
    assert services.redeem(code, NEW_PASSWORD, NEW_PASSWORD).id == division.an.id


def test_two_parallel_requests_with_one_code_set_one_password(app, division):
    code = _issue(division)["tvan"].code
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def use(password: str) -> None:
        with app.app_context():
            try:
                start.wait(5)
                services.redeem(code, password, password)
                db.session.commit()
                outcomes.append(password)
            except services.CodeError:
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=use, args=(p,)) for p in ("Hoc-tap-2026", "Hoc-tap-2027")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes)[-1] == "refused" and len(outcomes) == 2
    (winner,) = [outcome for outcome in outcomes if outcome != "refused"]
    db.session.expire_all()
    assert check_password_hash(
        db.session.get(type(division.an), division.an.id).password_hash, winner
    )
    assert _audit_actions(division.an).count("sign_in_code.use") == 1
