"""The throttle's rules, on a clock moved by hand: what counts, for how long, what it says."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.auth import services
from lms.auth.models import LoginFailure
from lms.db import db
from tests.factories import PASSWORD, make_person

HOME = "10.0.0.7"
ELSEWHERE = "203.0.113.9"


def attempt(username: str, address: str, password: str = "doan-sai") -> str:
    """Try to sign in as the login view does; say how it went."""
    recorded = services.record_attempt(username, address)
    db.session.commit()
    try:
        services.authenticate(recorded, password)
    except services.AuthError as error:
        db.session.commit()
        return str(error)
    db.session.commit()
    return "ok"


def failures(**where) -> int:
    query = select(func.count(LoginFailure.id))
    for column, value in where.items():
        query = query.where(getattr(LoginFailure, column) == value)
    return db.session.scalar(query)


def test_failures_stop_counting_after_the_window(app, clock, owner):
    for _ in range(app.config["LOGIN_FAILURES_BEFORE_DELAY"]):
        attempt("hoangmai", ELSEWHERE)
    clock.advance(hours=app.config["LOGIN_FAILURE_HOURS"], minutes=-1)
    assert "không đúng" in attempt("hoangmai", ELSEWHERE)
    assert "Vui lòng thử lại sau 1 phút" in attempt("hoangmai", ELSEWHERE)
    clock.advance(minutes=2)
    # Only the last failure still counts: the next ones are free again.
    assert "không đúng" in attempt("hoangmai", ELSEWHERE)
    assert "không đúng" in attempt("hoangmai", ELSEWHERE)


def test_an_attempt_refused_while_waiting_does_not_lengthen_the_wait(app, clock, owner):
    for _ in range(app.config["LOGIN_FAILURES_BEFORE_DELAY"]):
        attempt("hoangmai", HOME)
    for _ in range(5):  # an impatient owner presses the button again and again
        assert "30 giây" in attempt("hoangmai", HOME, PASSWORD)
    assert failures(username="hoangmai") == app.config["LOGIN_FAILURES_BEFORE_DELAY"]
    clock.advance(seconds=30)
    assert attempt("hoangmai", HOME, PASSWORD) == "ok"


def test_success_clears_the_failures_of_its_own_address_only(owner):
    attempt("hoangmai", HOME)
    attempt("hoangmai", ELSEWHERE)
    assert attempt("hoangmai", HOME, PASSWORD) == "ok"
    assert failures(username="hoangmai", address=HOME) == 0
    assert failures(username="hoangmai", address=ELSEWHERE) == 1


def test_the_account_ceiling_lifts_when_the_address_failures_stop_counting(app, clock, owner):
    app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"] = 4
    for n in range(3):
        attempt("hoangmai", f"198.51.100.{n}")
    clock.advance(hours=20)
    attempt("hoangmai", HOME)  # the owner's own slip, late in the attack
    assert "thử lại sau 4 giờ" in attempt("hoangmai", "198.51.100.0")
    assert "thử lại sau 4 giờ" in attempt("hoangmai", HOME, PASSWORD)
    clock.advance(hours=4)
    # The first three failures no longer count: the account is under its ceiling again.
    assert attempt("hoangmai", HOME, PASSWORD) == "ok"


def test_usernames_are_counted_as_they_are_looked_up(app, owner):
    for typed in ("HoangMai", " hoangmai ", "HOANGMAI"):
        attempt(typed, HOME)
    assert failures(username="hoangmai") == 3


def test_a_name_longer_than_any_account_is_counted_and_opens_none(app, clock):
    make_person("x" * 80)
    db.session.commit()
    long_name = "x" * 200
    for _ in range(app.config["LOGIN_FAILURES_BEFORE_DELAY"]):
        assert "không đúng" in attempt(long_name, HOME, PASSWORD)
    assert "Vui lòng thử lại sau" in attempt(long_name, HOME, PASSWORD)


@pytest.mark.parametrize(
    "seconds, text",
    [(1, "1 giây"), (59.2, "1 phút"), (60, "1 phút"), (61, "2 phút"), (3600, "1 giờ"),
     (3601, "2 giờ"), (86399, "24 giờ")],
)  # fmt: skip
def test_waits_are_said_rounded_up(app, seconds, text):
    assert services.wait_text(timedelta(seconds=seconds)) == text


def _when_counted_delete(monkeypatch, **where) -> None:
    """Delete the matching failures right after the throttle's counting query, as a sign-in
    on another server could between its two reads (the race cannot be timed for real)."""
    execute = db.session.execute
    done = []

    def then_delete(statement, *args, **kwargs):
        result = execute(statement, *args, **kwargs)
        if not done and "count" in str(statement).lower():
            done.append(True)
            counted = result.freeze()  # read before the rows go
            query = LoginFailure.__table__.delete()
            for column, value in where.items():
                query = query.where(getattr(LoginFailure, column) == value)
            execute(query)
            return counted()
        return result

    monkeypatch.setattr(db.session, "execute", then_delete)


def test_a_sign_in_clearing_the_account_between_the_reads_does_not_break_the_throttle(
    app, clock, owner, monkeypatch
):
    """The account was over its ceiling when counted; a success elsewhere cleared it before
    the surplus was read: the attempt is judged (no 500), and only its address's wait is left."""
    app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"] = 3
    for n in range(3):
        attempt("hoangmai", f"198.51.100.{n}")
    attempt("hoangmai", HOME)
    recorded = services.record_attempt("hoangmai", HOME)
    db.session.commit()
    _when_counted_delete(monkeypatch, username="hoangmai")
    wait = services.wait_before(recorded)
    # One failure of this pair was counted: below the free failures, so no wait at all.
    assert wait is None


def test_an_address_cleared_between_the_reads_does_not_break_the_throttle(app, clock, monkeypatch):
    app.config["LOGIN_MAX_ACCOUNTS_PER_ADDRESS"] = 2
    for name in ("an", "binh", "chi"):
        attempt(name, HOME)
    recorded = services.record_attempt("dung", HOME)
    db.session.commit()
    _when_counted_delete(monkeypatch, address=HOME)
    assert services.wait_before(recorded) is None
