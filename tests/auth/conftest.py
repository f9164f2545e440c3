"""A clock the sign-in throttle reads, moved by hand, and sign-ins from a chosen address."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lms.auth import services
from lms.db import db, utcnow
from tests.factories import PASSWORD, make_person


class Clock:
    """Stands in for lms.auth.services.utcnow; starts at the real time, moves when told."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self):
        return self.now

    def advance(self, **duration) -> None:
        self.now += timedelta(**duration)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(services, "utcnow", clock)
    return clock


@pytest.fixture
def sign_in_from(client):
    """Return a function that signs in through the form from a given client address."""

    def sign_in(address: str, username: str, password: str = PASSWORD):
        return client.post(
            "/login",
            data={"username": username, "password": password},
            environ_base={"REMOTE_ADDR": address},
        )

    return sign_in


@pytest.fixture
def owner(app):
    """The account whose password is being guessed."""
    person = make_person("hoangmai", "Hoàng Thị Mai")
    db.session.commit()
    return person
