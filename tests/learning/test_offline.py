"""The installable app's server side: manifest, service worker, offline page, and what a device
downloads to study a course offline."""

from __future__ import annotations

import json
import re

import pytest

from lms import shell
from lms.db import db
from tests.factories import make_citizen, make_person
from tests.learning.content import OPEN, TAY, make_open_course


def status(client, url: str) -> int:
    """The status of a GET, its body closed (a static file is sent from an open file)."""
    response = client.get(url)
    response.close()
    return response.status_code


@pytest.fixture
def courses(app, tmp_path):
    make_open_course(tmp_path / "courses")


def test_the_manifest_names_the_app_and_its_icons(client):
    response = client.get("/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json(force=True)
    assert manifest["name"] == "Học tập suốt đời" and manifest["display"] == "standalone"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert sizes == {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert status(client, icon["src"]) == 200
        assert re.search(r"\.[0-9a-f]{12}\.png$", icon["src"])  # hashed: a new icon, a new URL


def test_the_worker_is_versioned_by_the_files_it_keeps(client, monkeypatch):
    first = client.get("/sw.js")
    assert first.mimetype == "text/javascript"
    assert first.headers["Service-Worker-Allowed"] == "/"
    assert "no-cache" in first.headers["Cache-Control"]
    version = re.search(r'const VERSION = "([0-9a-f]{12})"', first.text).group(1)
    urls = json.loads(re.search(r"const SHELL_URLS = (\[.*?\]);", first.text).group(1))
    assert all(status(client, url) == 200 for url in urls)
    assert "/offline" in urls
    monkeypatch.setattr(shell, "SHELL_FILES", (*shell.SHELL_FILES, "favicon.ico"))
    again = client.get("/sw.js").text
    assert re.search(r'const VERSION = "([0-9a-f]{12})"', again).group(1) != version


def test_the_offline_page_says_what_still_works(client):
    page = client.get("/offline")
    assert page.status_code == 200 and "Không có mạng" in page.text


def test_a_course_package_lists_its_pages_and_media(client, login, courses):
    make_person("mai")
    assert login("mai").status_code == 302
    package = client.get(f"/courses/{TAY}/offline.json").get_json()
    assert package["pages"] == [
        f"/courses/{TAY}",
        f"/courses/{TAY}/chao-hoi",
        f"/courses/{TAY}/so-dem",
        f"/courses/{TAY}/doc-them",
    ]
    assert len(package["media"]) == 1 and package["media"][0]["bytes"] > 0
    assert status(client, package["media"][0]["url"]) == 200
    assert package["total_bytes"] >= package["media"][0]["bytes"]


def test_a_course_package_keeps_to_who_may_read_the_course(client, login, courses):
    assert client.get(f"/courses/{OPEN}/offline.json").status_code == 200  # a visitor, public
    assert client.get(f"/courses/{TAY}/offline.json").status_code == 302  # to sign in
    make_citizen("nguoidan")
    assert login("nguoidan").status_code == 302
    assert client.get(f"/courses/{TAY}/offline.json").status_code == 404
    assert client.get("/courses/khong-co/offline.json").status_code == 404


def test_pages_link_the_manifest_and_the_worker_script(client, courses):
    page = client.get(f"/courses/{OPEN}/chao-hoi").text
    assert 'rel="manifest"' in page and "/static/js/pwa." in page
    assert 'data-learning-form="complete"' not in page  # a visitor: no completion form
    course = client.get(f"/courses/{OPEN}").text
    assert "Tải về để học không cần mạng" in course and "data-offline-course" in course


def test_a_page_says_whose_it_is_and_whether_it_is_a_gate(app, client, login):
    """The outbox (static/js/pwa.js) sends what was kept only from its learner's pages, and
    takes a gate answered instead (signing in, a password to change, an expired form token)
    for not taken: a signed-in page carries its person's id, a visitor's none; gates say so."""

    def body(path: str, **kwargs) -> str:
        page = client.post(path, **kwargs) if kwargs else client.get(path)
        found = re.search(r"<body[^>]*>", page.get_data(as_text=True))
        assert found is not None
        return found[0]

    mai = make_person("mai", "Lò Thị Mai")
    db.session.commit()
    assert body("/") == "<body>"
    assert body("/login") == "<body data-gate>"
    login("mai")
    assert body("/") == body("/offline") == f'<body data-person="{mai.id}">'
    assert body("/account/password") == f'<body data-person="{mai.id}" data-gate>'
    assert body("/courses/no-such-course") == f'<body data-person="{mai.id}">'  # not a gate
    app.config["WTF_CSRF_ENABLED"] = True
    expired = body("/language", data={"lang": "en", "csrf_token": "old"})
    assert expired == f'<body data-person="{mai.id}" data-gate>'
