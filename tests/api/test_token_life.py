"""When an API token stops working: expiry, a new password, a role given back, demo mode."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lms.accounts import services as people
from lms.accounts.models import Person
from lms.api import services
from lms.api.models import ApiToken
from lms.auth import services as auth
from lms.db import db, utcnow
from lms.roles import Role
from tests.factories import PASSWORD, make_person

NEW_PASSWORD = "Mat-khau-moi-2025"


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def reader(app) -> Person:
    person = make_person("tonghop", "Lương Thị Hợp", roles=(Role.HCTH,))
    db.session.commit()
    return person


def issue(person: Person, name: str = "Cổng thông tin") -> str:
    _token, secret = services.issue_token(person, name)
    db.session.commit()
    return secret


def answers(client, secret: str) -> int:
    return client.get("/api/v1/summary?period=2024", headers=bearer(secret)).status_code


def test_a_token_expires_after_the_configured_days(app, client, reader):
    app.config["API_TOKEN_DAYS"] = 30
    secret = issue(reader)
    token = db.session.query(ApiToken).one()
    assert token.expires_at - token.created_at == timedelta(days=30)
    assert answers(client, secret) == 200
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert answers(client, secret) == 401


def test_expired_tokens_do_not_count_against_the_limit(app, reader):
    for number in range(services.MAX_ACTIVE):
        issue(reader, f"Khóa {number}")
    with pytest.raises(services.TokenError, match="tối đa"):
        services.issue_token(reader, "Một khóa nữa")
    db.session.query(ApiToken).update({ApiToken.expires_at: utcnow() - timedelta(days=1)})
    db.session.commit()
    assert issue(reader, "Một khóa nữa")


def test_changing_ones_own_password_revokes_ones_tokens(client, login, reader):
    secret = issue(reader)
    login("tonghop")
    page = client.get("/account/password").text
    assert "mọi khóa API của bạn bị thu hồi" in page
    changed = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert changed.status_code == 302
    assert answers(client, secret) == 401
    assert db.session.query(ApiToken).one().revoked_at is not None


def test_a_refused_password_change_keeps_the_tokens(client, login, reader):
    secret = issue(reader)
    login("tonghop")
    client.post(
        "/account/password",
        data={"current_password": "sai-mat-khau-1", "new_password": NEW_PASSWORD,
              "confirm_password": NEW_PASSWORD},
    )  # fmt: skip
    assert answers(client, secret) == 200


def test_a_password_reset_revokes_the_persons_tokens_and_says_so(client, login, reader):
    secret = issue(reader)
    admin = make_person("quantri", "Trần Văn Quản", roles=(Role.ADMIN,))
    db.session.commit()
    login("quantri")
    page = client.post(f"/admin/people/{reader.id}/password")
    assert page.status_code == 200
    assert "Các khóa API của Lương Thị Hợp (nếu có) đã bị thu hồi" in page.text
    assert answers(client, secret) == 401
    assert admin.id != reader.id


def test_set_password_says_how_many_tokens_it_revoked(app, reader):
    issue(reader, "Một")
    issue(reader, "Hai")
    other = make_person("khac", roles=(Role.HCTH,))
    issue(other)
    assert auth.set_password(reader, NEW_PASSWORD) == 2
    db.session.commit()
    assert [t.revoked_at is None for t in db.session.query(ApiToken).order_by(ApiToken.id)] == [
        False,
        False,
        True,
    ]


def test_a_role_given_back_does_not_revive_older_tokens(app, client, reader):
    secret = issue(reader)
    people.revoke_role(reader, reader.role_grants[0])
    db.session.commit()
    assert answers(client, secret) == 401
    people.grant_role(reader, Role.HCTH)
    db.session.commit()
    assert answers(client, secret) == 401
    assert answers(client, issue(reader, "Khóa mới")) == 200


def test_demo_tokens_stop_with_demo_mode(app, client, reader):
    reader.is_demo = True
    app.config["DEMO_MODE"] = True
    db.session.commit()
    secret = issue(reader)
    assert answers(client, secret) == 200
    app.config["DEMO_MODE"] = False
    assert answers(client, secret) == 401


def test_the_token_page_shows_expiry_and_last_use(app, client, login, reader):
    secret = issue(reader)
    answers(client, secret)
    token = db.session.query(ApiToken).one()
    login("tonghop")
    page = client.get("/account/api-tokens").text
    assert "Hết hạn" in page and "Đang dùng" in page
    token.expires_at = utcnow() - timedelta(days=1)
    db.session.commit()
    assert "Đã hết hạn" in client.get("/account/api-tokens").text
