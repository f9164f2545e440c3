"""Hardening headers on pages, error pages and downloads; HSTS only over HTTPS."""

from __future__ import annotations

import pytest

from lms import create_app
from lms.db import db


def directives(csp: str) -> dict[str, list[str]]:
    parsed = {}
    for part in csp.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


def assert_hardened(response, where: str) -> None:
    headers = response.headers
    csp = directives(headers.get("Content-Security-Policy", ""))
    assert csp.get("default-src") == ["'self'"], where
    for source in ("script-src", "style-src"):
        # Missing would fall back to default-src 'self', which is as strict; present, it must be.
        allowed = csp.get(source, ["'self'"])
        assert "'unsafe-inline'" not in allowed and "'unsafe-eval'" not in allowed, where
        assert "*" not in allowed and "data:" not in allowed, where
    assert csp.get("object-src") == ["'none'"], where
    assert csp.get("frame-ancestors") == ["'none'"], where
    assert csp.get("base-uri") in (["'self'"], ["'none'"]), where
    assert csp.get("form-action") == ["'self'"], where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("X-Frame-Options") == "DENY", where
    assert headers.get("Referrer-Policy") in ("same-origin", "no-referrer", "strict-origin"), where


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True


def test_pages_of_every_kind_are_hardened(app, as_superuser, superuser):
    client = as_superuser
    responses = {
        "home": client.get("/"),
        "catalogue search": client.get("/courses/?q=t%C3%A0y"),
        "people list": client.get("/admin/people/"),
        "roster": client.get("/reports/roster"),
        "404": client.get("/khong-co-trang-nay"),
        "403-or-404 id": client.get("/certificates/2147483647"),
        "405": client.get("/logout"),
        "static css": client.get("/static/css/app.css"),
        "static js": client.get("/static/js/learning.js"),
        "xlsx template download": client.get("/admin/staff-import/template.xlsx"),
        "csv export": client.get("/reports/roster?format=csv"),
    }
    expected = {"404": 404, "403-or-404 id": 404, "405": 405}
    for where, response in responses.items():
        response.close()  # static files are streamed from an open file
        assert response.status_code == expected.get(where, 200), where
        assert_hardened(response, where)
    assert "attachment" in responses["csv export"].headers["Content-Disposition"]
    assert "attachment" in responses["xlsx template download"].headers["Content-Disposition"]


def test_refusals_are_hardened_too(app, client, superuser, csrf_on):
    learner_client = app.test_client()
    responses = {
        "anonymous login page": client.get("/login"),
        "csrf 400": client.post("/login", data={"username": "x", "password": "y"}),
        "redirect to login": client.get("/admin/people/"),
    }
    app.config["WTF_CSRF_ENABLED"] = False
    app.config["MAX_CONTENT_LENGTH"] = 1024
    responses["413"] = client.post("/login", data={"username": "x" * 4096, "password": "y"})
    responses["403"] = _learner_403(learner_client)
    for where, response in responses.items():
        assert_hardened(response, where)
    assert responses["csrf 400"].status_code == 400
    assert responses["413"].status_code == 413
    assert "Tệp quá lớn" in responses["413"].get_data(as_text=True)


def _learner_403(client):
    from tests.factories import make_person

    make_person("hocvien1")
    db.session.commit()
    client.post("/login", data={"username": "hocvien1", "password": "Mat-khau-2024"})
    response = client.get("/admin/people/")
    assert response.status_code == 403
    return response


def test_server_errors_are_hardened(app, client, monkeypatch):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    home = app.view_functions["home.index"]

    def boom():
        raise RuntimeError("boom")

    boom.access_rule = home.access_rule
    monkeypatch.setitem(app.view_functions, "home.index", boom)
    response = client.get("/")
    assert response.status_code == 500
    assert "Lỗi hệ thống" in response.get_data(as_text=True)
    assert "boom" not in response.get_data(as_text=True)
    assert_hardened(response, "500")


def test_no_hsts_over_plain_http(client):
    response = client.get("/login")
    assert "Strict-Transport-Security" not in response.headers
    # A client cannot claim HTTPS when no proxy is trusted.
    forged = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in forged.headers


def test_hsts_over_https(client):
    response = client.get("/login", base_url="https://localhost")
    hsts = response.headers["Strict-Transport-Security"]
    assert "max-age=" in hsts
    assert int(hsts.split("max-age=")[1].split(";")[0]) >= 180 * 24 * 3600


def test_hsts_behind_a_trusted_proxy(test_settings):
    app = create_app(dict(test_settings, PROXY_COUNT=1))
    try:
        client = app.test_client()
        secure = client.get("/login", headers={"X-Forwarded-Proto": "https"})
        plain = client.get("/login", headers={"X-Forwarded-Proto": "http"})
    finally:
        with app.app_context():
            db.engine.dispose()
    assert "Strict-Transport-Security" in secure.headers
    assert "Secure" in (secure.headers.get("Set-Cookie") or "Secure")
    assert "Strict-Transport-Security" not in plain.headers
