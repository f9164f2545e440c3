"""Sign-in, sessions, throttling, CSRF and passwords, through the real routes."""

import re

import pytest
from sqlalchemy import func, select

from lms import create_app
from lms.auth.models import LoginFailure, UserSession
from lms.auth.services import reset_password
from lms.db import db
from tests.factories import PASSWORD, make_person

WRONG = "Tên đăng nhập hoặc mật khẩu không đúng."


@pytest.fixture
def person(app):
    person = make_person("hoangmai", "Hoàng Thị Mai")
    db.session.commit()
    return person


def session_cookie(client):
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


def test_sign_in_opens_a_server_side_session(client, login, person):
    response = login("hoangmai")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert db.session.scalar(select(func.count(UserSession.id))) == 1
    assert "Xin chào, Mai" in client.get("/").get_data(as_text=True)


def test_username_is_not_case_sensitive(client, login, person):
    assert login("HoangMai").status_code == 302


@pytest.mark.parametrize(
    "username, password", [("hoangmai", "sai-mat-khau-1"), ("khongco", PASSWORD)]
)
def test_wrong_credentials_get_one_message_and_are_recorded(
    client, login, person, username, password
):
    response = login(username, password)
    assert response.status_code == 401
    assert WRONG in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(LoginFailure.id))) == 1
    assert client.get("/admin/people/").status_code == 302  # still anonymous


def test_deactivated_person_cannot_sign_in(login, person):
    person.is_active = False
    db.session.commit()
    assert login("hoangmai").status_code == 401


def test_demo_accounts_sign_in_only_in_demo_mode(app, login, person):
    person.is_demo = True
    db.session.commit()
    assert login("hoangmai").status_code == 401
    app.config["DEMO_MODE"] = True
    assert login("hoangmai").status_code == 302


def test_session_cookie_is_httponly_and_samesite(client, login, person):
    response = login("hoangmai")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_session_cookie_is_secure_over_https(client, person):
    response = client.post(
        "/login", data={"username": "hoangmai", "password": PASSWORD}, base_url="https://localhost"
    )
    assert "Secure" in response.headers["Set-Cookie"]
    assert "Strict-Transport-Security" in response.headers


def test_sign_in_replaces_the_session_it_found(client, login, person):
    client.get("/login")
    with client.session_transaction() as planted:
        planted["planted"] = "by an attacker"
    before = session_cookie(client)
    login("hoangmai")
    assert session_cookie(client) != before
    with client.session_transaction() as current:
        assert "planted" not in current


def test_sign_out_ends_the_session_even_for_a_copied_cookie(app, client, login, person):
    login("hoangmai")
    stolen = session_cookie(client)
    assert client.post("/logout").status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    response = thief.get("/account/password")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_next_parameter_cannot_send_people_off_site(client, person):
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        response = client.post(
            "/login",
            query_string={"next": target},
            data={"username": "hoangmai", "password": PASSWORD},
        )
        assert response.headers["Location"] == "/"
        client.post("/logout")
    response = client.post(
        "/login",
        query_string={"next": "/account/password"},
        data={"username": "hoangmai", "password": PASSWORD},
    )
    assert response.headers["Location"] == "/account/password"


def test_too_many_failures_from_one_address_make_the_account_wait_there(app, clock, login, person):
    for _ in range(app.config["LOGIN_FAILURES_BEFORE_DELAY"]):
        assert login("hoangmai", "sai-mat-khau-1").status_code == 401
    response = login("hoangmai")  # even the right password waits
    assert response.status_code == 401
    assert "Đăng nhập sai quá nhiều lần" in response.get_data(as_text=True)


def test_failing_on_too_many_accounts_from_one_address_blocks_that_address(app, login, person):
    app.config["LOGIN_MAX_ACCOUNTS_PER_ADDRESS"] = 3
    for name in ("a1", "a2", "a3"):
        login(f"khongco{name}", "x")
    assert "Đăng nhập sai quá nhiều lần từ địa chỉ mạng này" in login("hoangmai").get_data(
        as_text=True
    )


def test_throttle_holds_across_app_processes(app, clock, test_settings, person):
    """Two app instances stand for two gunicorn workers: the count lives in the database."""
    first = app.test_client()
    for _ in range(app.config["LOGIN_FAILURES_BEFORE_DELAY"]):
        first.post("/login", data={"username": "hoangmai", "password": "sai-mat-khau-1"})
    second_worker = create_app(dict(test_settings))
    try:
        response = second_worker.test_client().post(
            "/login", data={"username": "hoangmai", "password": PASSWORD}
        )
    finally:
        with second_worker.app_context():
            db.engine.dispose()  # its pool is its own; leave no connection to the database open
    assert response.status_code == 401
    assert "Đăng nhập sai quá nhiều lần" in response.get_data(as_text=True)


def test_success_clears_the_account_failures(app, login, person):
    login("hoangmai", "sai-mat-khau-1")
    login("hoangmai")
    assert (
        db.session.scalar(
            select(func.count(LoginFailure.id)).where(LoginFailure.username == "hoangmai")
        )
        == 0
    )


def test_forms_without_csrf_token_are_refused(app, client, person):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/login", data={"username": "hoangmai", "password": PASSWORD})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(UserSession.id))) == 0


def test_forms_with_a_forged_csrf_token_are_refused(app, client, person):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(
        "/login", data={"username": "hoangmai", "password": PASSWORD, "csrf_token": "forged"}
    )
    assert response.status_code == 400


def test_forms_with_the_page_csrf_token_work(app, client, person):
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login", data={"username": "hoangmai", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def change(client, current, new, confirm=None):
    return client.post(
        "/account/password",
        data={"current_password": current, "new_password": new, "confirm_password": confirm or new},
    )


@pytest.mark.parametrize(
    "current, new, confirm, message",
    [
        ("sai-mat-khau-1", "Mat-khau-moi-2025", None, "Mật khẩu hiện tại không đúng."),
        (PASSWORD, "ngan-1", None, "Mật khẩu phải có ít nhất 10 ký tự."),
        (
            PASSWORD,
            "Mat-khau-moi-2025",
            "Mat-khau-khac-2025",
            "Hai lần nhập mật khẩu mới không khớp.",
        ),
        (PASSWORD, "hoangmai-2025-x", None, "Mật khẩu không được chứa tên đăng nhập."),
        (PASSWORD, "chicochuthoi", None, "Mật khẩu phải có cả chữ và số hoặc ký hiệu."),
        (PASSWORD, PASSWORD, None, "Mật khẩu mới phải khác mật khẩu hiện tại."),
    ],
)
def test_bad_password_changes_are_refused(client, login, person, current, new, confirm, message):
    login("hoangmai")
    old_hash = person.password_hash
    response = change(client, current, new, confirm)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.refresh(person)
    assert person.password_hash == old_hash


@pytest.mark.parametrize(
    "current, new, confirm, where",
    [
        ("sai-mat-khau-1", "Mat-khau-moi-2025", None, "current_password"),
        (PASSWORD, "ngan-1", None, "new_password"),
        (PASSWORD, "Mat-khau-moi-2025", "Mat-khau-khac-2025", "confirm_password"),
    ],
)
def test_a_refused_password_change_says_why_by_the_field(
    client, login, person, current, new, confirm, where
):
    login("hoangmai")
    page = change(client, current, new, confirm).get_data(as_text=True)
    assert f'id="f-{where}-error"' in page
    assert page.count('aria-invalid="true"') == 1


def test_changing_password_signs_out_other_browsers(app, client, login, person):
    other = app.test_client()
    other.post("/login", data={"username": "hoangmai", "password": PASSWORD})
    login("hoangmai")
    assert change(client, PASSWORD, "Mat-khau-moi-2025").status_code == 302
    assert client.get("/account/password").status_code == 200
    assert other.get("/account/password").status_code == 302
    client.post("/logout")
    assert (
        client.post(
            "/login", data={"username": "hoangmai", "password": "Mat-khau-moi-2025"}
        ).status_code
        == 302
    )


def test_reset_password_forces_a_change_at_next_sign_in(app, client, login, person):
    temporary = reset_password(person)
    db.session.commit()
    response = login("hoangmai", temporary)
    assert response.headers["Location"] == "/account/password"
    assert client.get("/").headers["Location"] == "/account/password"
    assert change(client, temporary, "Mat-khau-moi-2025").status_code == 302
    assert client.get("/").status_code == 200


def test_a_control_character_in_next_sends_people_home(client, person):
    response = client.post(
        "/login",
        query_string={"next": "/abc\r\nX-Injected: 1"},
        data={"username": "hoangmai", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_the_signed_in_person_and_their_grants_come_in_one_query(
    app, client, login, sql_statements
):
    """Every request loads its session, person and role grants: one statement, not two."""
    from lms.roles import Role
    from tests.factories import make_unit

    unit = make_unit("PCS", "Phòng Chính sách")
    make_person("truongphong", "Nông Văn Quản", unit=unit, manages=unit, roles=(Role.HCTH,))
    db.session.commit()
    login("truongphong")
    statements = sql_statements(lambda: client.get("/healthz"))
    loads = [s for s in statements if "user_session" in s or "role_grant" in s]
    assert len(loads) == 1, statements
