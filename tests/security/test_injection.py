"""Hostile query strings on every GET route: no server error, no extra rows, tables intact.

The routes come from the url_map and every known filter name is sent to each of them, so a page
added later is probed as well.
"""

from __future__ import annotations

import pytest
from werkzeug.routing import IntegerConverter

from lms.db import db
from lms.i18n import local_today
from tests.factories import make_person
from tests.learning.content import TAY, make_tay_course
from tests.security.conftest import assert_nothing_lost, table_counts

# Every filter name the views read (grep request.args), plus common ones new pages may read.
PARAMS = (
    "q",
    "unit",
    "period",
    "from",
    "to",
    "year",
    "status",
    "page",
    "category",
    "format",
    "sort",
    "desc",
    "entity_type",
    "entity_id",
    "who",
    "day",
    "closed",
    "code",
    "attempt",
    "bo_dau",
    "language",
    "kind",
    "next",
)
HOSTILE = [
    "' OR '1'='1",
    "' OR 1=1--",
    "1; DROP TABLE person--",
    "1); DELETE FROM person; --",
    "%' UNION SELECT username, password_hash FROM person--",
    '" OR ""="',
    "1 AND SLEEP(5)",
    "1' AND pg_sleep(5)--",
    "a\x00b",
    "\x00",
    "x" * 20_000,
    "٣",  # Arabic-Indic three: isdigit() but not int()-able in every parser
    "²",
    "１２",  # full-width digits
    "99999999999999999999999",
    "-1",
    "0",
    "%",
    "_",
    "%%",
    "\\",
    "[]",
    "{}",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "Tiếng Tày",
    "\ud800".encode("utf-8", "surrogatepass").decode("latin-1"),
]
UNSAFE_ENDPOINTS = {"auth.logout", "static"}


def _value_for(name: str, converter, ids: dict[str, object]) -> object:
    if name in ids:
        return ids[name]
    if isinstance(converter, IntegerConverter):
        return local_today().year if name == "year" else 1
    return "x"


def get_urls(app, ids: dict[str, object]) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint in UNSAFE_ENDPOINTS:
            continue
        values = {n: _value_for(n, c, ids) for n, c in rule._converters.items()}
        with app.test_request_context():
            urls.append(app.url_for(rule.endpoint, **values))
    return urls


@pytest.fixture
def world(app, as_superuser, superuser, unit, tmp_path):
    course = make_tay_course(tmp_path)
    for number in range(3):
        make_person(f"dongnghiep{number}", f"Lê Văn Đồng {number}", unit=unit)
    db.session.commit()
    return {
        "unit_id": unit.id,
        "person_id": superuser.id,
        "course_slug": TAY,
        "slug": TAY,
        "lesson_slug": course.lessons[0].slug if getattr(course, "lessons", None) else "x",
    }


@pytest.mark.parametrize("value", HOSTILE, ids=lambda v: repr(v[:20]))
def test_hostile_values_in_every_filter_of_every_page(app, as_superuser, world, value):
    before = table_counts()
    failures = []
    for url in get_urls(app, world):
        response = as_superuser.get(url, query_string={name: value for name in PARAMS})
        response.close()
        if response.status_code >= 500:
            failures.append(f"{url}: {response.status_code}")
    assert not failures
    assert_nothing_lost(before, table_counts())


def test_array_and_repeated_parameters(app, as_superuser, world):
    failures = []
    for url in get_urls(app, world):
        for query in (
            "&".join(f"{name}[]=1&{name}[]=2" for name in PARAMS),
            "&".join(f"{name}=1&{name}=%27" for name in PARAMS),
            "&".join(f"{name}[a]=1" for name in PARAMS),
        ):
            response = as_superuser.get(f"{url}?{query}")
            response.close()
            if response.status_code >= 500:
                failures.append(f"{url}?{query[:40]}: {response.status_code}")
    assert not failures


def test_a_nul_byte_never_reaches_the_database(app, as_superuser, world):
    """PostgreSQL refuses NUL in text; the answer must be a Vietnamese 400, not a 500."""
    before = table_counts()
    responses = [
        as_superuser.get(url, query_string={"q": "ng\x00", "entity_type": "\x00"})
        for url in ("/admin/people/", "/reports/roster", "/courses/", "/admin/audit/")
    ]
    responses += [
        as_superuser.get("/verify/%00"),
        as_superuser.get(f"/courses/{TAY}%00"),
        as_superuser.post("/admin/units/new", data={"code": "X\x00", "name": "Phòng\x00"}),
        as_superuser.post("/login", data={"username": "a\x00", "password": "b\x00"}),
    ]
    for response in responses:
        assert response.status_code == 400, response.request.url
        assert "ký tự rỗng (NUL)" in response.get_data(as_text=True)
    assert table_counts() == before


def _listed(page: str, names: list[str]) -> set[str]:
    return {name for name in names if name in page}


NAMES = [f"Lê Văn Đồng {n}" for n in range(3)]


@pytest.mark.parametrize("wildcard", ["%", "_", "%%", "__", "%_%", "\\"])
@pytest.mark.parametrize(
    "url",
    ["/admin/people/?q={}", "/reports/roster?q={}", "/admin/units/{unit}/members?q={}"],
)
def test_like_wildcards_are_taken_literally(app, as_superuser, world, url, wildcard):
    from urllib.parse import quote

    everyone = as_superuser.get(url.format("", unit=world["unit_id"])).get_data(as_text=True)
    assert _listed(everyone, NAMES) == set(NAMES), "the list itself must show everyone"
    page = as_superuser.get(url.format(quote(wildcard), unit=world["unit_id"]))
    assert page.status_code == 200
    assert _listed(page.get_data(as_text=True), NAMES) == set()


@pytest.mark.parametrize("wildcard", ["%", "_"])
def test_plan_dashboard_search_takes_wildcards_literally(app, as_superuser, world, wildcard):
    url = f"/plans/units/{world['unit_id']}/{local_today().year}"
    everyone = as_superuser.get(url).get_data(as_text=True)
    assert _listed(everyone, NAMES) == set(NAMES)
    page = as_superuser.get(url, query_string={"q": wildcard}).get_data(as_text=True)
    assert _listed(page, NAMES) == set()


@pytest.mark.parametrize("wildcard", ["%", "_"])
def test_catalogue_search_takes_wildcards_literally(app, as_superuser, world, wildcard):
    everyone = as_superuser.get("/courses/").get_data(as_text=True)
    assert "Tiếng Tày" in everyone
    for flag in ("0", "1"):
        page = as_superuser.get("/courses/", query_string={"q": wildcard, "bo_dau": flag})
        assert "Tiếng Tày giao tiếp" not in page.get_data(as_text=True)
