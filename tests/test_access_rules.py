"""Each route's declared access rule against the expectations of the HTTP access matrix.

The matrix (tests/test_access_matrix.py) asks every route as every role over HTTP, on real
records: about 40 s, so it runs in `make test` only. This reads the rule each view declares
(`view.access_rule`, set by lms.auth.access) and checks, without a request, that it lets in
exactly the roles the matrix's cases let past it; it runs in `make test-fast`. A rule changed to
let in more or fewer roles, a scope added or dropped, or a route without a row in the matrix
fails here.
"""

from __future__ import annotations

import pytest

from lms.access import AccessRule
from lms.auth.access import PUBLIC_ENDPOINTS
from lms.roles import ROLE_PERMISSIONS, Permission, Role
from tests.test_access_matrix import CASES, ROLES, SIGNED_IN, Case

# The roles the matrix signs in as, by the roles their people hold today. The former head's
# manager grant has ended, so she holds a learner's permissions only.
HOLDS: dict[str, frozenset[Role]] = {
    "learner": frozenset({Role.LEARNER}),
    "manager": frozenset({Role.LEARNER, Role.MANAGER}),
    "hcth": frozenset({Role.LEARNER, Role.HCTH}),
    "editor": frozenset({Role.LEARNER, Role.EDITOR}),
    "admin": frozenset({Role.LEARNER, Role.ADMIN}),
    "former_head": frozenset({Role.LEARNER}),
    "citizen": frozenset({Role.CITIZEN}),
}


# Routes for staff (KEEP_PLAN: no citizen) whose view narrows who may use the record (by role or
# by the record's unit, through lms.auth.permissions) and answers 403 itself: the declared rule
# cannot say it, so only the HTTP matrix checks their refusals. Here: their rule stays
# KEEP_PLAN, and a route is added to this list knowingly.
DECIDED_IN_VIEW = frozenset({
    "awards.create_initiative", "awards.decide_initiative", "awards.edit_initiative",
    "awards.initiative", "awards.new_initiative", "awards.points", "awards.save_points",
    "awards.update_initiative", "plans.assess", "plans.dashboard", "plans.decide",
    "plans.evidence", "plans.show", "plans.units", "plans.verify_activity",
})  # fmt: skip


# Routes declared `public` whose view sends a visitor to sign in unless the record is open to
# everyone (a course with `audience: public`, and its lessons and media); a citizen gets 404.
DECIDED_BY_AUDIENCE = frozenset(
    {"courses.media", "learning.course", "learning.lesson", "learning.offline_package"}
)


def permissions(role: str) -> frozenset[Permission]:
    return frozenset().union(*(ROLE_PERMISSIONS[held] for held in HOLDS[role]))


def admitted(rule: AccessRule) -> frozenset[str]:
    """The matrix roles the rule lets in, wherever the record is (scope aside)."""
    if not rule.signed_in:
        return frozenset(ROLES)
    return frozenset(
        role
        for role in SIGNED_IN
        if rule.permission is None or rule.permission in permissions(role)
    )


def passed(case: Case) -> frozenset[str]:
    """The roles that get past the rule in this case: those allowed, and those the view itself
    turns away with a 404 (a record that is not theirs) rather than the rule's 403."""
    return case.allowed | frozenset(role for role in SIGNED_IN if case.refused_with(role) != 403)


def expected_rules() -> dict[tuple[str, str], list[Case]]:
    by_route: dict[tuple[str, str], list[Case]] = {}
    for case in CASES:
        by_route.setdefault((case.endpoint, case.method), []).append(case)
    return by_route


def declared_routes(app) -> dict[tuple[str, str], AccessRule | None]:
    return {
        (rule.endpoint, method): getattr(app.view_functions[rule.endpoint], "access_rule", None)
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in PUBLIC_ENDPOINTS
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def test_every_route_declares_a_rule_and_has_a_row_in_the_matrix(shared_app):
    routes = declared_routes(shared_app)
    assert sorted(route for route, rule in routes.items() if rule is None) == []
    assert sorted(routes.keys() - expected_rules().keys()) == [], "routes without a matrix row"
    assert sorted(expected_rules().keys() - routes.keys()) == [], "rows for no route"


@pytest.mark.parametrize(
    "route", sorted(expected_rules()), ids=lambda route: f"{route[1]} {route[0]}"
)
def test_declared_rule_lets_in_the_roles_the_matrix_expects(shared_app, route):
    endpoint, _method = route
    rule = getattr(shared_app.view_functions.get(endpoint), "access_rule", None)
    assert rule is not None, f"{endpoint} declares no access rule"
    cases = expected_rules()[route]
    if endpoint in DECIDED_IN_VIEW:
        assert rule == AccessRule(permission=Permission.KEEP_PLAN), f"{endpoint}: declared {rule}"
        return
    if endpoint in DECIDED_BY_AUDIENCE:
        assert not rule.signed_in, f"{endpoint}: declared {rule}, not public"
        refused = set().union(*(frozenset(ROLES) - passed(case) for case in cases))
        assert "anonymous" in refused <= {"anonymous", "citizen"}, (
            f"{endpoint}: refused by audience: {sorted(refused)}"
        )
        return
    # Every case's roles get past the rule, and some case (on a record in their reach) lets
    # in every role the rule admits: so the rule admits exactly the union.
    expected = frozenset().union(*(passed(case) for case in cases))
    assert admitted(rule) == expected, (
        f"{endpoint} lets in {sorted(admitted(rule))}; the matrix expects {sorted(expected)}"
    )
    # A role the rule admits but a case refuses with 403 is refused by the record's unit: the
    # rule must be scoped; and a scoped rule needs a case that shows whom its scope refuses.
    refused_by_unit = sorted(set().union(*(admitted(rule) - passed(case) for case in cases)))
    assert (rule.unit is not None) == bool(refused_by_unit), (
        f"{endpoint}: scoped to a unit: {rule.unit is not None}; "
        f"roles the matrix refuses by unit: {refused_by_unit}"
    )
