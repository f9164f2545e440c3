"""Only administrators reach the people administration pages."""

from __future__ import annotations

import pytest

from lms.db import db
from lms.roles import Role
from tests.factories import make_person, make_unit

ROUTES = [
    ("get", "/admin/people/"),
    ("get", "/admin/people/new"),
    ("post", "/admin/people/new"),
    ("get", "/admin/people/{id}"),
    ("get", "/admin/people/{id}/edit"),
    ("post", "/admin/people/{id}/edit"),
    ("post", "/admin/people/{id}/deactivate"),
    ("post", "/admin/people/{id}/reactivate"),
    ("post", "/admin/people/{id}/delete"),
    ("post", "/admin/people/{id}/password"),
    ("post", "/admin/people/{id}/roles"),
    ("post", "/admin/people/{id}/roles/{grant}/revoke"),
    ("post", "/admin/people/{id}/unit"),
    ("post", "/admin/people/{id}/position"),
    ("post", "/admin/people/{id}/position/correct"),
]


@pytest.fixture
def target(app):
    unit = make_unit("PDT", "Phòng Dân tộc")
    person = make_person(
        "muctieu", "Người Mục Tiêu", unit=unit, roles=(Role.EDITOR,), password=None
    )
    make_person("hocvien", "Học Viên", unit=unit)
    make_person("quanly", "Quản Lý", unit=unit, manages=unit)
    make_person("hcth", "Tổng Hợp", roles=(Role.HCTH,))
    db.session.commit()
    return person


@pytest.mark.parametrize("username", ["hocvien", "quanly", "hcth"])
@pytest.mark.parametrize(("method", "url"), ROUTES)
def test_only_administrators_may_enter(client, login, target, username, method, url):
    login(username)
    url = url.format(id=target.id, grant=target.role_grants[0].id)
    response = getattr(client, method)(url, data={"confirm": "yes", "role": "admin"})
    assert response.status_code == 403
    db.session.expire_all()
    assert target.is_active and target.has_role(Role.EDITOR) and not target.must_change_password


@pytest.mark.parametrize(("method", "url"), ROUTES)
def test_anonymous_visitors_are_sent_to_sign_in(client, target, method, url):
    url = url.format(id=target.id, grant=target.role_grants[0].id)
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
