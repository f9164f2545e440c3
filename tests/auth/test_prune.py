"""Old throttle rows and dead sessions are deleted: by `flask auth prune` and now and then."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.auth import services
from lms.auth.models import LoginFailure, UserSession
from lms.db import db, utcnow
from tests.factories import make_person


@pytest.fixture
def records(app):
    """Failures and sessions on both sides of their limits; return the names of the keepers."""
    now = utcnow()
    counted = timedelta(hours=app.config["LOGIN_FAILURE_HOURS"])
    lifetime = app.permanent_session_lifetime
    minute = timedelta(minutes=1)
    for username, age in [("cu", counted + minute), ("moi", counted - minute)]:
        db.session.add(LoginFailure(username=username, address="10.0.0.1", at=now - age))
    person = make_person("hoangmai")
    for agent, seen_ago, revoked in [
        ("dang-dung", lifetime - minute, False),
        ("bo-quen", lifetime + minute, False),
        ("da-dang-xuat", minute, True),
    ]:
        db.session.add(
            UserSession(
                token_hash=agent.ljust(64, "0"),
                person_id=person.id,
                last_seen_at=now - seen_ago,
                revoked_at=now if revoked else None,
                user_agent=agent,
            )
        )
    db.session.commit()


def remaining() -> tuple[list[str], list[str]]:
    db.session.expire_all()
    return (
        sorted(db.session.scalars(select(LoginFailure.username))),
        sorted(db.session.scalars(select(UserSession.user_agent))),
    )


def test_prune_command_deletes_old_failures_and_dead_sessions_only(runner, records):
    result = runner.invoke(args=["auth", "prune"])
    assert result.exit_code == 0, result.output
    assert "Đã xóa 1 lần đăng nhập sai cũ và 2 phiên đăng nhập hết hạn." in result.output
    assert remaining() == (["moi"], ["dang-dung"])


def test_a_sign_in_prunes_now_and_then(app, login, records):
    app.config["LOGIN_PRUNE_EVERY"] = 1000
    login("khongco", "sai")
    assert remaining() == (["cu", "khongco", "moi"], ["bo-quen", "da-dang-xuat", "dang-dung"])
    app.config["LOGIN_PRUNE_EVERY"] = 1
    login("khongco", "sai")
    assert remaining() == (["khongco", "khongco", "moi"], ["dang-dung"])


def test_a_sign_in_prunes_a_bounded_batch(app, login, records, monkeypatch):
    monkeypatch.setattr(services, "PRUNE_BATCH_ON_SIGN_IN", 1)
    app.config["LOGIN_PRUNE_EVERY"] = 1
    login("khongco", "sai")
    failures, sessions = remaining()
    assert failures == ["khongco", "moi"]
    assert len(sessions) == 2
    login("khongco", "sai")
    assert remaining() == (["khongco", "khongco", "moi"], ["dang-dung"])
