"""Every route of the app, for every role and for an anonymous visitor.

A new route without an entry here fails `test_every_route_has_expectations`, so nobody can add
a page without deciding who may use it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from lms.accounts import services as people
from lms.auth.roles import Role
from lms.db import db
from tests.factories import make_person, make_unit

ROLES = ("anonymous", "learner", "manager", "hcth", "editor", "admin")
EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
ADMIN = frozenset({"admin"})
MANAGERS = frozenset({"manager", "admin"})


@dataclass
class World:
    own_unit: int
    sub_unit: int
    other_unit: int
    member: int
    outsider: int
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    endpoint: str
    allowed: frozenset[str]
    method: str = "GET"
    args: Callable[[World], dict] = lambda world: {}
    label: str = ""

    @property
    def id(self) -> str:
        return f"{self.method} {self.endpoint}{'@' + self.label if self.label else ''}"


CASES = [
    Case("home.index", EVERYONE),
    Case("auth.login", EVERYONE),
    Case("auth.login", EVERYONE, "POST"),
    Case("auth.logout", SIGNED_IN, "POST"),
    Case("auth.change_password", SIGNED_IN),
    Case("auth.change_password", SIGNED_IN, "POST"),
    Case("i18n.set_language", EVERYONE, "POST"),
    Case("audit.events", ADMIN),
    Case("org.units", ADMIN),
    Case("org.unit_members", MANAGERS, args=lambda w: {"unit_id": w.own_unit}, label="own"),
    Case("org.unit_members", MANAGERS, args=lambda w: {"unit_id": w.sub_unit}, label="sub"),
    Case("org.unit_members", ADMIN, args=lambda w: {"unit_id": w.other_unit}, label="other"),
    Case("org.new_unit", ADMIN),
    Case("org.create_unit", ADMIN, "POST"),
    Case("org.unit", ADMIN, args=lambda w: {"unit_id": w.own_unit}),
    Case("org.rename", ADMIN, "POST", args=lambda w: {"unit_id": w.own_unit}),
    Case("org.move", ADMIN, "POST", args=lambda w: {"unit_id": w.own_unit}),
    Case("org.merge", ADMIN, "POST", args=lambda w: {"unit_id": w.own_unit}),
    Case("org.close", ADMIN, "POST", args=lambda w: {"unit_id": w.own_unit}),
    Case("org.add_member", ADMIN, "POST", args=lambda w: {"unit_id": w.own_unit}),
    Case(
        "org.end_membership",
        ADMIN,
        "POST",
        args=lambda w: {"unit_id": w.sub_unit, "membership_id": w.extra["membership"]},
    ),
    Case("accounts.people", ADMIN),
    Case("accounts.create", ADMIN),
    Case("accounts.create", ADMIN, "POST"),
    Case("accounts.person", ADMIN, args=lambda w: {"person_id": w.member}),
    Case("accounts.edit", ADMIN, args=lambda w: {"person_id": w.member}),
    Case("accounts.edit", ADMIN, "POST", args=lambda w: {"person_id": w.member}),
    Case("accounts.deactivate", ADMIN, "POST", args=lambda w: {"person_id": w.member}),
    Case("accounts.reactivate", ADMIN, "POST", args=lambda w: {"person_id": w.member}),
    Case("accounts.delete", ADMIN, "POST", args=lambda w: {"person_id": w.member}),
    Case("accounts.reset_password", ADMIN, "POST", args=lambda w: {"person_id": w.member}),
    Case("accounts.grant_role", ADMIN, "POST", args=lambda w: {"person_id": w.member}),
    Case("accounts.assign_unit", ADMIN, "POST", args=lambda w: {"person_id": w.member}),
    Case(
        "accounts.revoke_role",
        ADMIN,
        "POST",
        args=lambda w: {"person_id": w.outsider, "grant_id": w.extra["grant"]},
    ),
    Case("staff.upload", ADMIN),
    Case("staff.upload", ADMIN, "POST"),
    Case("staff.template", ADMIN),
]


@pytest.fixture
def world(app) -> World:
    root = make_unit("ROOT", "Sở Dân tộc và Tôn giáo")
    own = make_unit("OWN", "Phòng Chính sách dân tộc", parent=root)
    sub = make_unit("SUB", "Tổ công tác", parent=own)
    other = make_unit("OTHER", "Phòng Hành chính - Tổng hợp", parent=root)
    member = make_person("thanhvien", "Hà Văn Thành", unit=sub)
    outsider = make_person("ngoai", "Lâm Thị Hoa", unit=other)
    make_person("learner", "Ma Văn Học", unit=own)
    make_person("manager", "Nông Văn Quản", unit=own, manages=own)
    make_person("hcth", "Lương Thị Hợp", unit=other, roles=(Role.HCTH,))
    make_person("editor", "Vi Văn Biên", unit=other, roles=(Role.EDITOR,))
    make_person("admin", "Triệu Thị Trị", unit=other, roles=(Role.ADMIN,))
    grant = people.grant_role(outsider, Role.EDITOR)
    db.session.commit()
    extra = {"membership": member.memberships[0].id, "grant": grant.id}
    return World(own.id, sub.id, other.id, member.id, outsider.id, extra)


def test_every_route_has_expectations(app):
    covered = {(case.endpoint, case.method) for case in CASES}
    routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes - covered == set(), "routes without access expectations"
    assert covered - routes == set(), "expectations for routes that no longer exist"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_route_answers_each_role_as_expected(app, client, login, world, case, role):
    if role != "anonymous":
        assert login(role).status_code == 302
    with app.test_request_context():
        from flask import url_for

        url = url_for(case.endpoint, **case.args(world))
    response = client.open(url, method=case.method)
    redirected_to_login = (
        response.status_code == 302
        and "/login" in response.headers.get("Location", "").split("?")[0]
    )
    if role in case.allowed:
        assert response.status_code != 403, f"{role} refused"
        assert not redirected_to_login or case.endpoint == "auth.logout", f"{role} sent to sign in"
        assert response.status_code < 500
    elif role == "anonymous":
        assert redirected_to_login
    else:
        assert response.status_code == 403
