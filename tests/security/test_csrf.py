"""Every state-changing route refuses a request without its CSRF token, found from the url_map.

Nothing is listed by hand: a route added tomorrow is walked too, and exempting one from CSRF
protection (or answering it before the check) makes this test fail.
"""

from __future__ import annotations

import io

import pytest
from werkzeug.routing import IntegerConverter

from lms.db import MAX_ID
from tests.factories import make_person
from tests.security.conftest import CSRF_MESSAGE, table_counts

STATE_CHANGING = ("POST", "PUT", "PATCH", "DELETE")
# What a forged form might carry: enough to pass most validation if the token were not checked.
FORGED_FORM = {
    "username": "sieuquyen",
    "password": "Mat-khau-2024",
    "full_name": "Kẻ Giả Mạo",
    "name": "Đơn vị giả",
    "code": "GIA",
    "title": "Hoạt động giả",
    "decision": "approve",
    "role": "admin",
    "lang": "en",
    "note": "giả",
    "comment": "giả",
    "hours": "8",
    "year": "2025",
}


def _placeholder(name: str, converter, ids: dict[str, int]) -> object:
    """A plausible value for one URL variable: a real id where the name says whose."""
    if name in ids:
        return ids[name]
    if isinstance(converter, IntegerConverter):
        return 2025 if name == "year" else 1
    return "x"


def state_changing_requests(app, ids: dict[str, int]) -> list[tuple[str, str, str]]:
    """Return (method, url, endpoint) for every state-changing method of every rule."""
    found = []
    for rule in app.url_map.iter_rules():
        methods = sorted(set(rule.methods or ()) & set(STATE_CHANGING))
        if not methods:
            continue
        values = {
            name: _placeholder(name, converter, ids) for name, converter in rule._converters.items()
        }
        with app.test_request_context():
            url = app.url_for(rule.endpoint, **values)
        found.extend((method, url, rule.endpoint) for method in methods)
    return found


def _assert_refused(response, where: str) -> None:
    status = response.status_code
    assert status in (400, 401, 403, 404), f"{where} answered {status} without a CSRF token"
    if status == 400:
        # A 400 must be the CSRF refusal, not a form error from a handler that ran.
        assert CSRF_MESSAGE in response.get_data(as_text=True), f"{where}: 400 but no CSRF page"


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True


def _send(client, method, url):
    data = dict(FORGED_FORM)
    data["file"] = (io.BytesIO(b"ten,ho\n"), "ds.csv")
    return client.open(url, method=method, data=data, headers={"Origin": "https://evil.example"})


def test_the_walk_finds_the_state_changing_routes(app):
    endpoints = {endpoint for _m, _u, endpoint in state_changing_requests(app, {})}
    # A sanity floor: if the walk found none of these, it would prove nothing.
    assert {"auth.login", "auth.logout", "accounts.delete", "courses.upload"} <= endpoints


def test_signed_in_superuser_cannot_change_anything_without_token(
    app, as_superuser, superuser, unit
):
    victim = make_person("nannhan", "Trần Văn Nạn", unit=unit)
    from lms.db import db

    db.session.commit()
    ids = {"person_id": victim.id, "unit_id": unit.id}
    requests = state_changing_requests(app, ids)
    app.config["WTF_CSRF_ENABLED"] = True
    before = table_counts()
    for method, url, endpoint in requests:
        response = _send(as_superuser, method, url)
        _assert_refused(response, f"{method} {url} ({endpoint})")
    assert table_counts() == before
    # Still signed in: the forged sign-out did not happen either.
    app.config["WTF_CSRF_ENABLED"] = False
    assert as_superuser.get("/account/password").status_code == 200


def test_anonymous_visitor_cannot_change_anything_without_token(app, client, superuser, unit):
    ids = {"person_id": superuser.id, "unit_id": unit.id}
    requests = state_changing_requests(app, ids)
    app.config["WTF_CSRF_ENABLED"] = True
    before = table_counts()
    for method, url, endpoint in requests:
        _assert_refused(_send(client, method, url), f"anonymous {method} {url} ({endpoint})")
    assert table_counts() == before


def test_a_forged_token_is_refused_like_a_missing_one(app, as_superuser, superuser):
    app.config["WTF_CSRF_ENABLED"] = True
    before = table_counts()
    response = as_superuser.post(
        f"/admin/people/{superuser.id}/deactivate", data={"csrf_token": "gia-mao"}
    )
    _assert_refused(response, "forged token")
    assert table_counts() == before


@pytest.mark.parametrize(
    "body",
    [
        {"json": {"course": "x", "lesson": "y", "seconds": 30, "event_id": "e1"}},
        {"data": {"course": "x", "lesson": "y", "seconds": "30", "event_id": "e1"}},
    ],
    ids=["json", "beacon-form"],
)
def test_learning_events_refuse_a_cross_site_request(app, as_superuser, body):
    app.config["WTF_CSRF_ENABLED"] = True
    before = table_counts()
    response = as_superuser.post(
        "/learning/events",
        headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
        **body,
    )
    assert response.status_code == 400
    assert table_counts() == before


def test_learning_events_refuse_a_token_header_from_another_session(app, as_superuser, client):
    """A token lifted from another visitor's page does not fit this session."""
    app.config["WTF_CSRF_ENABLED"] = True
    stranger = app.test_client()
    page = stranger.get("/login").get_data(as_text=True)
    import re

    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    before = table_counts()
    response = as_superuser.post(
        "/learning/events",
        json={"course": "x", "lesson": "y", "seconds": 30},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 400
    assert table_counts() == before


def test_ids_in_urls_never_reach_the_database_unchecked(app, as_superuser):
    """An id beyond the column range is a 404 even on a form that skips CSRF checks."""
    assert as_superuser.post(f"/admin/people/{MAX_ID + 1}/delete").status_code == 404
