"""What the browser fetches besides pages: compressed responses, hashed static names, a favicon."""

from __future__ import annotations

import gzip
import os
import re
import zlib

import brotli
import pytest
from flask import Response, stream_with_context, url_for

from lms import create_app
from lms.access import public
from lms.db import db
from lms.roles import Role
from tests.factories import make_person, make_unit

IMMUTABLE = "public, max-age=31536000, immutable"
HASHED_CSS = re.compile(r'href="/static/css/app\.([0-9a-f]{12})\.css"')


def decompressed(response) -> bytes:
    data = response.get_data()
    encoding = response.headers.get("Content-Encoding")
    if encoding == "gzip":
        return gzip.decompress(data)
    if encoding == "br":
        return brotli.decompress(data)
    assert encoding is None, encoding
    return data


@pytest.fixture
def new_app(test_settings):
    """Build an app of its own (another setting, another static folder, a route of the test)."""
    made = []

    def make(**settings):
        made.append(create_app({**test_settings, **settings}))
        return made[-1]

    yield make
    for app in made:  # close its pooled connections: psycopg warns about any left open
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def roster_reader(app):
    """A report reader and a unit of 30 people: a roster CSV of some kilobytes."""
    unit = make_unit("PHONG", "Phòng Tổng hợp")
    for number in range(30):
        make_person(f"nguoi{number:02d}", f"Nguyễn Văn Thử {number}", unit=unit, password=None)
    make_person("tonghop", "Lương Thị Hợp", roles=(Role.HCTH,))
    db.session.commit()


# -- compression ---------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_a_page_is_compressed_for_a_client_that_accepts_it_and_reads_the_same(client, encoding):
    plain = client.get("/login")
    packed = client.get("/login", headers={"Accept-Encoding": encoding})
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == encoding
    assert int(packed.headers["Content-Length"]) == len(packed.get_data()) < len(plain.get_data())
    # Only the CSRF tokens differ: each is signed with the second it was made in.
    token = re.compile(rb'name="csrf_token" value="[^"]+"')
    assert token.sub(b"", decompressed(packed)) == token.sub(b"", plain.get_data())
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert "Accept-Encoding" in plain.headers["Vary"]


def test_stylesheet_and_script_are_compressed_too(client):
    for path in ("/static/css/app.css", "/static/js/learning.js"):
        plain = client.get(path)
        packed = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert packed.headers["Content-Encoding"] == "gzip", path
        assert decompressed(packed) == plain.get_data(), path
        plain.close()
        packed.close()


def test_a_tiny_response_is_left_as_it_is(client):
    response = client.get("/favicon.ico", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert len(response.get_data()) < 500
    assert "Content-Encoding" not in response.headers
    response.close()


def test_nothing_is_compressed_when_a_proxy_does_it(new_app):
    app = new_app(COMPRESS=False)
    response = app.test_client().get("/login", headers={"Accept-Encoding": "gzip, br, zstd"})
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    assert "<html" in response.text


def test_the_setting_reads_lms_compress(monkeypatch, tmp_path):
    from lms.config import from_environment

    assert from_environment(tmp_path, {"SECRET_KEY": "x"})["COMPRESS"] is True
    monkeypatch.setenv("LMS_COMPRESS", "0")
    assert from_environment(tmp_path, {"SECRET_KEY": "x"})["COMPRESS"] is False


def test_the_roster_csv_still_streams_when_compressed(client, login, roster_reader):
    login("tonghop")
    plain = client.get("/reports/roster?format=csv")
    packed = client.get("/reports/roster?format=csv", headers={"Accept-Encoding": "gzip"})
    assert packed.status_code == 200
    assert packed.is_streamed
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Content-Length" not in packed.headers
    assert decompressed(packed) == plain.get_data()
    assert "Nguyễn Văn Thử 29" in plain.get_data().decode("utf-8")


def test_a_streamed_response_is_compressed_as_it_streams_not_gathered_first(new_app):
    """The first compressed bytes leave before the body has been written: nothing is held whole."""
    app = new_app()
    written = []
    blocks = [os.urandom(16_384).hex().encode() for _ in range(40)]  # 1.3 MB, hard to pack

    @app.get("/_test/stream")
    @public
    def stream():
        def body():
            for block in blocks:
                written.append(len(block))
                yield block

        return Response(stream_with_context(body()), mimetype="text/csv")

    response = app.test_client().get(
        "/_test/stream", headers={"Accept-Encoding": "gzip"}, buffered=False
    )
    assert response.headers["Content-Encoding"] == "gzip"
    chunks = response.iter_encoded()
    first = next(chunk for chunk in chunks if chunk)
    assert len(written) < len(blocks)
    rest = b"".join(chunks)
    response.close()
    assert zlib.decompress(first + rest, zlib.MAX_WBITS + 16) == b"".join(blocks)


# -- hashed static names -------------------------------------------------------------------------


def test_pages_link_the_stylesheet_by_its_hash_and_it_is_served_immutable(client):
    page = client.get("/login").text
    digest = HASHED_CSS.search(page).group(1)
    assert 'rel="icon" href="/static/favicon.' in page

    hashed = client.get(f"/static/css/app.{digest}.css")
    plain = client.get("/static/css/app.css")
    assert hashed.status_code == plain.status_code == 200
    assert hashed.get_data() == plain.get_data()
    assert hashed.headers["Cache-Control"] == IMMUTABLE
    assert "immutable" not in plain.headers.get("Cache-Control", "")
    hashed.close()
    plain.close()


def test_the_hashed_name_changes_with_the_file_content(new_app, tmp_path):
    (tmp_path / "css").mkdir()
    sheet = tmp_path / "css" / "app.css"
    sheet.write_text("body { color: black; }")

    def app_serving_tmp():
        app = new_app()
        app.static_folder = str(tmp_path)
        return app

    before = app_serving_tmp()
    with before.test_request_context():
        old_url = url_for("static", filename="css/app.css")
    assert re.fullmatch(r"/static/css/app\.[0-9a-f]{12}\.css", old_url)

    sheet.write_text("body { color: navy; }")
    after = app_serving_tmp()  # a deploy: a new process
    with after.test_request_context():
        new_url = url_for("static", filename="css/app.css")
    assert new_url != old_url

    client = after.test_client()
    fresh = client.get(new_url)
    assert fresh.get_data() == b"body { color: navy; }"
    assert fresh.headers["Cache-Control"] == IMMUTABLE
    # A page rendered before the deploy still gets a stylesheet, but not one cached for ever.
    stale = client.get(old_url)
    assert stale.status_code == 200 and stale.get_data() == b"body { color: navy; }"
    assert "immutable" not in stale.headers.get("Cache-Control", "")
    fresh.close()
    stale.close()


def test_in_debug_mode_an_edited_file_gets_a_new_name_at_once(new_app, tmp_path):
    sheet = tmp_path / "site.css"
    sheet.write_text("a { color: red; }")
    app = new_app()
    app.static_folder = str(tmp_path)
    app.debug = True
    with app.test_request_context():
        first = url_for("static", filename="site.css")
        sheet.write_text("a { color: blue; }")
        os.utime(sheet, ns=(1, 1))  # a modification time unlike the first
        assert url_for("static", filename="site.css") != first


def test_a_missing_file_keeps_its_plain_name_and_is_not_found(client, app):
    with app.test_request_context():
        assert url_for("static", filename="css/khong-co.css") == "/static/css/khong-co.css"
    assert client.get("/static/css/khong-co.css").status_code == 404
    assert client.get("/static/css/khong-co.0123456789ab.css").status_code == 404


# -- favicon -------------------------------------------------------------------------------------


def test_favicon_ico_is_answered_with_a_long_cache(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype in ("image/vnd.microsoft.icon", "image/x-icon")
    assert response.get_data().startswith(b"\x00\x00\x01\x00")  # an icon file
    assert response.cache_control.max_age >= 7 * 24 * 3600
    response.close()
    svg = client.get("/static/favicon.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    svg.close()
