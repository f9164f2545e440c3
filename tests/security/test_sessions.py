"""Sessions and passwords: what tests/auth does not already prove."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.auth.models import UserSession
from lms.db import db
from tests.factories import PASSWORD, make_person


@pytest.fixture
def person(app):
    person = make_person("hoangmai", "Hoàng Thị Mai")
    db.session.commit()
    return person


def _cookie(client) -> str | None:
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


def test_each_sign_in_gets_a_new_server_side_session(app, client, login, person):
    client.get("/login")
    before = _cookie(client)
    login("hoangmai")
    first = _cookie(client)
    client.post("/logout")
    login("hoangmai")
    second = _cookie(client)
    assert len({before, first, second}) == 3
    sessions = db.session.scalars(select(UserSession).order_by(UserSession.id)).all()
    assert len(sessions) == 2 and sessions[0].token_hash != sessions[1].token_hash
    assert sessions[0].revoked_at is not None and sessions[1].revoked_at is None
    # The pre-sign-in cookie (one an attacker could have planted) opens nothing.
    stranger = app.test_client()
    stranger.set_cookie("session", before)
    assert stranger.get("/account/password").status_code == 302


def test_a_cookie_from_an_earlier_sign_in_stops_working_after_sign_out(app, client, login, person):
    login("hoangmai")
    copied = _cookie(client)
    client.post("/logout")
    login("hoangmai")  # signing in again must not revive the old session
    thief = app.test_client()
    thief.set_cookie("session", copied)
    response = thief.get("/account/password")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_cookie_signed_with_another_key_is_ignored(app, client, login, person):
    login("hoangmai")
    app.config["SECRET_KEY"] = "some-other-key"
    try:
        assert client.get("/account/password").status_code == 302
    finally:
        app.config["SECRET_KEY"] = "test-secret-key-not-for-production"


@pytest.mark.parametrize(
    "new, message",
    [
        ("Ngan-1", "ít nhất 10 ký tự"),
        ("hoangmai", "ít nhất 10 ký tự"),
        ("hoangmai12", "không được chứa tên đăng nhập"),
        ("HoangMai-2025", "không được chứa tên đăng nhập"),
        ("Password@123", "quá phổ biến"),
        ("Matkhau@2025", "quá phổ biến"),
        ("Qwerty123456", "quá phổ biến"),
        ("1234567890!", "quá phổ biến"),
        ("12345678901", "có cả chữ và số"),
    ],
)
def test_weak_passwords_are_refused_with_a_message(client, login, person, new, message):
    login("hoangmai")
    old_hash = person.password_hash
    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": new, "confirm_password": new},
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.refresh(person)
    assert person.password_hash == old_hash


def test_throttle_keeps_the_right_password_out_and_says_so(app, login, person):
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        login("HOANGMAI ", "sai-mat-khau-1")  # case and spaces do not dodge the count
    response = login("hoangmai")
    assert response.status_code == 401
    assert "Đăng nhập sai quá nhiều lần" in response.get_data(as_text=True)
    assert db.session.scalar(select(UserSession.id)) is None


def test_the_cookie_is_signed_again_only_when_the_session_row_is_marked_seen(
    app, client, login, person
):
    """Re-signing the cookie on every response cost each request; it restarts the cookie's
    lifetime when the server-side row is marked seen, so both expire together."""
    from datetime import timedelta

    from sqlalchemy import update

    from lms.db import utcnow

    login("hoangmai")
    client.get("/account/password")  # the first form puts the CSRF secret in the session
    signed_in = _cookie(client)
    for path in ("/healthz", "/account/password", "/"):
        quiet = client.get(path)
        assert quiet.status_code == 200 and "Set-Cookie" not in quiet.headers, path
    assert _cookie(client) == signed_in

    db.session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=6)))
    db.session.commit()
    touched = client.get("/healthz")
    assert "Set-Cookie" in touched.headers
    assert (
        "HttpOnly" in touched.headers["Set-Cookie"] and "Expires=" in touched.headers["Set-Cookie"]
    )
    db.session.remove()
    seen = db.session.scalar(select(UserSession.last_seen_at))
    assert seen > utcnow() - timedelta(minutes=1)
    # The re-signed cookie still opens the same session; the next request is quiet again.
    assert client.get("/account/password").status_code == 200
    assert "Set-Cookie" not in client.get("/healthz").headers
