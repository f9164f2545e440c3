"""Every route of the app, for every role and for an anonymous visitor.

A new route without an entry here fails `test_every_route_has_expectations`, so nobody can add
a page without deciding who may use it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pytest
from sqlalchemy import select

from lms.accounts import services as people
from lms.auth.roles import Role
from lms.db import db
from lms.org import services as org
from lms.org.models import Unit
from lms.plans import services as plan_services
from lms.plans.models import ExternalActivity
from tests.factories import START, make_person, make_unit

# former_head managed OWN until 31/05/2026: her grant ended, so she reaches no one any more.
ROLES = ("anonymous", "learner", "manager", "hcth", "editor", "admin", "former_head")
EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
ADMIN = frozenset({"admin"})
MANAGERS = frozenset({"manager", "admin"})
EDITORS = frozenset({"editor", "admin"})
READERS = frozenset({"manager", "hcth", "admin"})
# Ids that name no record: routes reach their own "not found" answer after the access check.
# A case on real ids expects a real 200 (GET) for every role allowed; one with MISSING, a 404.
MISSING = 2**31 - 1
# Who reads a member's plan and evidence, and who decides on them.
PLAN_READERS = frozenset({"manager", "hcth", "admin"})
# A person who joined sub-unit TOA on 1/7/2026, after TOA moved from OWN to OTHER on 1/6:
# she was never under OWN, so OWN's manager reaches nothing of hers.
MOVED_READERS = frozenset({"hcth", "admin"})


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
    # What an allowed role gets on a GET of real ids, when not 200 (a redirect by design).
    expect: frozenset[int] = frozenset({200})

    @property
    def id(self) -> str:
        return f"{self.method} {self.endpoint}{'@' + self.label if self.label else ''}"


CASES = [
    Case("home.index", EVERYONE),
    Case("auth.login", EVERYONE, expect=frozenset({200, 302})),  # signed in: sent home
    Case("auth.login", EVERYONE, "POST"),
    Case("auth.logout", SIGNED_IN, "POST"),
    Case("auth.change_password", SIGNED_IN),
    Case("auth.change_password", SIGNED_IN, "POST"),
    Case("i18n.set_language", EVERYONE, "POST"),
    Case("audit.events", ADMIN),
    Case("org.units", ADMIN),
    Case("agency.profile", ADMIN),
    Case("agency.save", ADMIN, "POST"),
    Case("storage.overview", ADMIN),
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
    Case("accounts.change_position", ADMIN, "POST", args=lambda w: {"person_id": w.member}),
    Case("accounts.correct_position", ADMIN, "POST", args=lambda w: {"person_id": w.member}),
    Case(
        "accounts.revoke_role",
        ADMIN,
        "POST",
        args=lambda w: {"person_id": w.outsider, "grant_id": w.extra["grant"]},
    ),
    Case("staff.upload", ADMIN),
    Case("staff.upload", ADMIN, "POST"),
    Case("staff.template", ADMIN),
    Case("courses.manage", EDITORS),
    Case("courses.upload", EDITORS, "POST"),
    Case("courses.course", EDITORS, args=lambda w: {"slug": "khoa-thu"}, label="missing"),
    Case(
        "courses.lesson",
        EDITORS,
        args=lambda w: {"slug": "khoa-thu", "lesson_slug": "bai-mot"},
        label="missing",
    ),
    Case(
        "courses.media",
        SIGNED_IN,
        args=lambda w: {"course_slug": "khoa-thu", "sha256": "0" * 64, "extension": "mp3"},
        label="missing",
    ),
    Case("plans.mine", SIGNED_IN, expect=frozenset({302})),  # to this year's plan
    Case("plans.year", SIGNED_IN, args=lambda w: {"year": 2026}),
    Case("plans.add_course", SIGNED_IN, "POST", args=lambda w: {"year": 2026}),
    Case("plans.add_external", SIGNED_IN, "POST", args=lambda w: {"year": 2026}),
    Case("plans.attach_evidence", SIGNED_IN, "POST", args=lambda w: {"activity_id": MISSING}),
    Case("plans.remove_item", SIGNED_IN, "POST", args=lambda w: {"year": 2026, "item_id": MISSING}),
    Case("plans.save_note", SIGNED_IN, "POST", args=lambda w: {"year": 2026}),
    Case("plans.submit", SIGNED_IN, "POST", args=lambda w: {"year": 2026}),
    Case("plans.revise", SIGNED_IN, "POST", args=lambda w: {"year": 2026}),
    Case("plans.copy_last_year", SIGNED_IN, "POST", args=lambda w: {"year": 2026}),
    Case("plans.self_assess", SIGNED_IN, "POST", args=lambda w: {"year": 2026}),
    Case("plans.show", SIGNED_IN, args=lambda w: {"plan_id": MISSING}, label="missing"),
    Case("plans.decide", SIGNED_IN, "POST", args=lambda w: {"plan_id": MISSING}, label="missing"),
    Case("plans.assess", SIGNED_IN, "POST", args=lambda w: {"plan_id": MISSING}, label="missing"),
    Case(
        "plans.verify_activity",
        SIGNED_IN,
        "POST",
        args=lambda w: {"activity_id": MISSING},
        label="missing",
    ),
    Case("plans.evidence", SIGNED_IN, args=lambda w: {"token": "x" * 43}, label="missing"),
    *[
        case
        for who, readers, deciders in (
            ("member", PLAN_READERS, MANAGERS),
            ("moved", MOVED_READERS, ADMIN),
        )
        for case in (
            Case(
                "plans.show",
                readers,
                args=lambda w, who=who: {"plan_id": w.extra[who + "_plan"]},
                label=who,
            ),
            Case(
                "plans.evidence",
                readers,
                args=lambda w, who=who: {"token": w.extra[who + "_evidence"]},
                label=who,
            ),
            Case(
                "plans.decide",
                deciders,
                "POST",
                args=lambda w, who=who: {"plan_id": w.extra[who + "_plan"]},
                label=who,
            ),
            Case(
                "plans.assess",
                deciders,
                "POST",
                args=lambda w, who=who: {"plan_id": w.extra[who + "_plan"]},
                label=who,
            ),
            Case(
                "plans.verify_activity",
                deciders,
                "POST",
                args=lambda w, who=who: {"activity_id": w.extra[who + "_activity"]},
                label=who,
            ),
        )
    ],  # fmt: skip
    Case("plans.units", READERS, expect=frozenset({200, 302})),  # a manager: to their unit
    Case(
        "plans.dashboard",
        READERS,
        args=lambda w: {"unit_id": w.own_unit, "year": 2026},
        label="own",
    ),
    Case(
        "plans.dashboard",
        READERS,
        args=lambda w: {"unit_id": w.sub_unit, "year": 2026},
        label="sub",
    ),
    Case(
        "plans.dashboard",
        frozenset({"hcth", "admin"}),
        args=lambda w: {"unit_id": w.other_unit, "year": 2026},
        label="other",
    ),
    Case(
        "plans.bulk_decide",
        MANAGERS,
        "POST",
        args=lambda w: {"unit_id": w.own_unit, "year": 2026},
        label="own",
    ),
    Case(
        "plans.bulk_decide",
        ADMIN,
        "POST",
        args=lambda w: {"unit_id": w.other_unit, "year": 2026},
        label="other",
    ),
    Case(
        "plans.assignments",
        MANAGERS,
        args=lambda w: {"unit_id": w.own_unit, "year": 2026},
        label="own",
    ),
    Case(
        "plans.assignments",
        ADMIN,
        args=lambda w: {"unit_id": w.other_unit, "year": 2026},
        label="other",
    ),
    Case(
        "plans.create_assignment",
        MANAGERS,
        "POST",
        args=lambda w: {"unit_id": w.sub_unit, "year": 2026},
        label="sub",
    ),
    Case(
        "plans.create_assignment",
        ADMIN,
        "POST",
        args=lambda w: {"unit_id": w.other_unit, "year": 2026},
        label="other",
    ),
    Case("plans.withdraw_assignment", MANAGERS, "POST", args=lambda w: {"assignment_id": MISSING}),
    Case("plans.rules", ADMIN),
    Case("plans.save_rule", ADMIN, "POST"),
    Case("plans.correct_rule", ADMIN, "POST", args=lambda w: {"rule_id": MISSING}),
    Case("plans.notifications", SIGNED_IN),
    Case("plans.mark_read", SIGNED_IN, "POST"),
    Case("learning.healthz", EVERYONE),
    Case("learning.catalogue", SIGNED_IN),
    Case("learning.course", SIGNED_IN, args=lambda w: {"course_slug": "khong-co"}, label="missing"),
    Case(
        "learning.lesson",
        SIGNED_IN,
        args=lambda w: {"course_slug": "khong-co", "lesson_slug": "bai-mot"},
        label="missing",
    ),
    Case(
        "learning.complete_lesson",
        SIGNED_IN,
        "POST",
        args=lambda w: {"course_slug": "khong-co", "lesson_slug": "bai-mot"},
    ),
    Case(
        "learning.submit_quiz",
        SIGNED_IN,
        "POST",
        args=lambda w: {"course_slug": "khong-co", "lesson_slug": "bai-mot"},
    ),
    Case("learning.complete_course", SIGNED_IN, "POST", args=lambda w: {"course_slug": "khong-co"}),
    Case("learning.record_event", SIGNED_IN, "POST"),
    Case("learning.rule", ADMIN),
    Case("learning.save_rule", ADMIN, "POST"),
    Case("learning.certificate", SIGNED_IN, args=lambda w: {"certificate_id": 1}, label="missing"),
    Case("learning.verify", EVERYONE),
    Case("learning.verify", EVERYONE, args=lambda w: {"code": "ABCD-EFGH-JKMN"}, label="missing"),
    Case("reports.roster", frozenset({"hcth", "admin"})),
    Case("reports.unit_roster", MANAGERS, args=lambda w: {"unit_id": w.own_unit}, label="own"),
    Case("reports.unit_roster", MANAGERS, args=lambda w: {"unit_id": w.sub_unit}, label="sub"),
    Case("reports.unit_roster", ADMIN, args=lambda w: {"unit_id": w.other_unit}, label="other"),
    Case("reports.print_stylesheet", EVERYONE),
    # -- awards --
    Case("awards.sets", frozenset({"hcth", "admin"})),
    Case("awards.new_set", frozenset({"hcth", "admin"})),
    Case("awards.create_set", frozenset({"hcth", "admin"}), "POST"),
    Case("awards.edit_set", frozenset({"hcth", "admin"}), args=lambda w: {"set_id": MISSING}),
    Case(
        "awards.update_set",
        frozenset({"hcth", "admin"}),
        "POST",
        args=lambda w: {"set_id": MISSING},
    ),
    Case(
        "awards.delete_set",
        frozenset({"hcth", "admin"}),
        "POST",
        args=lambda w: {"set_id": MISSING},
    ),
    Case("awards.preview", frozenset({"hcth", "admin"}), args=lambda w: {"set_id": MISSING}),
    Case("awards.points", READERS, args=lambda w: {"set_id": MISSING}),
    Case("awards.save_points", READERS, "POST", args=lambda w: {"set_id": MISSING}),
    Case("awards.initiatives", SIGNED_IN),
    Case("awards.new_initiative", READERS),
    Case("awards.create_initiative", READERS, "POST"),
    Case("awards.initiative", SIGNED_IN, args=lambda w: {"initiative_id": MISSING}),
    Case("awards.edit_initiative", READERS, args=lambda w: {"initiative_id": MISSING}),
    Case("awards.update_initiative", READERS, "POST", args=lambda w: {"initiative_id": MISSING}),
    Case("awards.decide_initiative", READERS, "POST", args=lambda w: {"initiative_id": MISSING}),
    # -- nominations --
    Case("nominations.lists", frozenset({"hcth", "admin"})),
    Case("nominations.create", frozenset({"hcth", "admin"}), "POST"),
    Case("nominations.show", frozenset({"hcth", "admin"}), args=lambda w: {"list_id": MISSING}),
    *[
        Case(endpoint, frozenset({"hcth", "admin"}), "POST", args=lambda w: {"list_id": MISSING})
        for endpoint in ("nominations.refresh", "nominations.freeze")
    ],
    *[
        Case(endpoint, frozenset({"hcth", "admin"}), args=lambda w: {"list_id": MISSING})
        for endpoint in ("nominations.changes", "nominations.export", "nominations.print_list")
    ],
    Case(
        "nominations.entry",
        frozenset({"hcth", "admin"}),
        args=lambda w: {"list_id": MISSING, "entry_id": MISSING},
    ),
    *[
        Case(
            endpoint,
            frozenset({"hcth", "admin"}),
            "POST",
            args=lambda w: {"list_id": MISSING, "entry_id": MISSING},
        )
        for endpoint in (
            "nominations.update_entry",
            "nominations.remove_entry",
            "nominations.restore_entry",
        )
    ],
    Case("nominations.forms", frozenset({"hcth", "admin"})),
    Case("nominations.add_form", frozenset({"hcth", "admin"}), "POST"),
    Case(
        "nominations.change_form",
        frozenset({"hcth", "admin"}),
        "POST",
        args=lambda w: {"form_id": MISSING},
    ),
    # -- honours and api --
    Case("api.roster", EVERYONE, expect=frozenset({401})),  # a token, not a session
    Case("api.summary", EVERYONE, expect=frozenset({401})),
    Case("api.openapi", EVERYONE),
    Case("api.tokens", frozenset({"hcth", "admin"})),
    Case("api.create_token", frozenset({"hcth", "admin"}), "POST"),
    Case(
        "api.revoke_token",
        frozenset({"hcth", "admin"}),
        "POST",
        args=lambda w: {"token_id": MISSING},
    ),
    Case("honours.index", EVERYONE),
    Case("honours.show", EVERYONE, args=lambda w: {"board_id": MISSING}),
    Case("honours.consent", SIGNED_IN),
    Case("honours.set_consent", SIGNED_IN, "POST"),
    Case("honours.boards", frozenset({"hcth", "admin"})),
    Case("honours.create_board", frozenset({"hcth", "admin"}), "POST"),
    Case("honours.manage", frozenset({"hcth", "admin"}), args=lambda w: {"board_id": MISSING}),
    Case(
        "honours.update_board",
        frozenset({"hcth", "admin"}),
        "POST",
        args=lambda w: {"board_id": MISSING},
    ),
    Case(
        "honours.delete_board",
        frozenset({"hcth", "admin"}),
        "POST",
        args=lambda w: {"board_id": MISSING},
    ),
    Case(
        "honours.publish",
        frozenset({"hcth", "admin"}),
        "POST",
        args=lambda w: {"board_id": MISSING},
    ),
    Case(
        "honours.unpublish",
        frozenset({"hcth", "admin"}),
        "POST",
        args=lambda w: {"board_id": MISSING},
    ),
    Case(
        "honours.add_person",
        frozenset({"hcth", "admin"}),
        "POST",
        args=lambda w: {"board_id": MISSING},
    ),
    Case(
        "honours.add_passing",
        frozenset({"hcth", "admin"}),
        "POST",
        args=lambda w: {"board_id": MISSING},
    ),
    Case(
        "honours.add_from_list",
        frozenset({"hcth", "admin"}),
        "POST",
        args=lambda w: {"board_id": MISSING},
    ),
    Case(
        "honours.add_unit",
        frozenset({"hcth", "admin"}),
        "POST",
        args=lambda w: {"board_id": MISSING},
    ),
    Case(
        "honours.add_top_units",
        frozenset({"hcth", "admin"}),
        "POST",
        args=lambda w: {"board_id": MISSING},
    ),
    Case(
        "honours.update_person",
        frozenset({"hcth", "admin"}),
        "POST",
        args=lambda w: {"board_id": MISSING, "entry_id": MISSING},
    ),
    Case(
        "honours.remove_person",
        frozenset({"hcth", "admin"}),
        "POST",
        args=lambda w: {"board_id": MISSING, "entry_id": MISSING},
    ),
    Case(
        "honours.update_unit",
        frozenset({"hcth", "admin"}),
        "POST",
        args=lambda w: {"board_id": MISSING, "entry_id": MISSING},
    ),
    Case(
        "honours.remove_unit",
        frozenset({"hcth", "admin"}),
        "POST",
        args=lambda w: {"board_id": MISSING, "entry_id": MISSING},
    ),
    # -- reports summary --
    Case("reports.summary", frozenset({"hcth", "admin"})),
    # -- privacy --
    Case("privacy.mine", SIGNED_IN),
    Case("privacy.my_data", SIGNED_IN),
    Case("privacy.access_log", ADMIN),
    # -- backup --
    # -- security --
]


# Routes whose cases name real records in the world: every allowed role must get a real 200.
REAL_RECORD_ROUTES = frozenset(
    {
        "plans.show",
        "plans.evidence",
        "plans.decide",
        "plans.assess",
        "plans.verify_activity",
        "plans.dashboard",
        "plans.assignments",
        "org.unit_members",
        "org.unit",
        "reports.unit_roster",
        "accounts.person",
        "accounts.edit",
    }
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


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
    former = make_person("former_head", "Hoàng Thị Cũ", unit=own)
    people.grant_role(former, Role.MANAGER, own, valid_from=START, valid_until=date(2026, 5, 31))
    # The reorganisations: TOA moves from OWN to OTHER, then Hà joins it; a unit merges into OWN.
    toa = make_unit("TOA", "Tổ A", parent=own, valid_from=date(2026, 1, 1))
    org.move_unit(toa, db.session.get(Unit, other.id), date(2026, 6, 1))
    moved = make_person("thuha", "Nguyễn Thu Hà", unit=toa, since=date(2026, 7, 1))
    merged = make_unit("MERGED", "Tổ sáp nhập", parent=root)
    org.merge_unit(merged, own, date(2026, 3, 1))
    extra = {"membership": member.memberships[0].id, "grant": grant.id}
    for who, person in (("member", member), ("moved", moved)):
        with app.test_request_context():  # a submission links its notification
            plan, activity, evidence = _submitted_plan_with_evidence(person)
        extra |= {who + "_plan": plan, who + "_activity": activity, who + "_evidence": evidence}
    db.session.commit()
    return World(own.id, sub.id, other.id, member.id, outsider.id, extra)


def _submitted_plan_with_evidence(person) -> tuple[int, int, str]:
    """A submitted 2026 plan with a pending external activity and its certificate."""
    plan = plan_services.plan_for(person, 2026)
    plan_services.add_external(
        plan,
        kind="refresher",
        title="Bồi dưỡng kỹ năng số",
        organiser="Trường Chính trị tỉnh",
        starts_on="2026-08-03",
        ends_on="2026-08-05",
        hours="16",
        planned="q3",
        evidence=plan_services.Upload("chung-nhan.pdf", PDF),
    )
    plan_services.submit(plan, actor=person)
    db.session.flush()
    activity = db.session.scalars(
        select(ExternalActivity).where(ExternalActivity.person_id == person.id)
    ).one()
    return plan.id, activity.id, activity.evidence.token


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
        if case.label == "missing" or MISSING in case.args(world).values():
            if case.method == "GET":
                assert response.status_code == 404, f"{role}: a missing record is not found"
        elif case.method == "GET":
            # Allowed means served: a 404 on a real record would hide a broken check.
            assert response.status_code in case.expect, f"{role} not served"
        elif case.endpoint in REAL_RECORD_ROUTES:
            assert response.status_code != 404, f"{role}: the real record was not found"
    elif role == "anonymous":
        assert redirected_to_login
    else:
        assert response.status_code == 403
