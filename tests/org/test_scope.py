"""Whom a manager reaches, day by day (lms.org.scope), through reorganisations and new heads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from lms.accounts import services as people
from lms.accounts.models import Person
from lms.db import db
from lms.org import services as org
from lms.org.models import Unit, UnitKind
from lms.org.scope import managers_of, reaches_person, scope_of, units_reached
from lms.plans import permissions
from lms.plans import queries as plan_queries
from lms.plans.states import NO_PLAN
from lms.reports.queries import Period, roster_plan_all
from lms.roles import Role
from tests.factories import make_person, make_unit

YEAR = 2026
FIRST, LAST = date(YEAR, 1, 1), date(YEAR, 12, 31)
TODAY = date(YEAR, 12, 4)


@dataclass
class World:
    agency: Unit
    a: Unit
    b: Unit
    head_a: Person
    head_b: Person
    hcth: Person
    admin: Person


@pytest.fixture
def world(app) -> World:
    agency = make_unit("CQ", "Sở Dân tộc và Tôn giáo", kind=UnitKind.AGENCY)
    a = make_unit("A", "Phòng A", parent=agency)
    b = make_unit("B", "Phòng B", parent=agency)
    found = World(
        agency,
        a,
        b,
        make_person("truonga", "Trưởng Phòng A", unit=a, manages=a),
        make_person("truongb", "Trưởng Phòng B", unit=b, manages=b),
        make_person("tonghop", "Cán Bộ Tổng Hợp", unit=agency, roles=(Role.HCTH,)),
        make_person("quantri", "Quản Trị Viên", unit=agency, roles=(Role.ADMIN,)),
    )
    db.session.commit()
    return found


def _reaches(manager: Person, person: Person, first=FIRST, last=LAST, today=TODAY) -> bool:
    return reaches_person(manager, person.id, first, last, today)


def _toa_moved_to_b(world: World) -> tuple[Unit, Person]:
    """The auditor's case: TOA under A from 1/1, moved under B on 1/6, Hà joins TOA on 1/7."""
    toa = make_unit("TOA", "Tổ A", parent=world.a, valid_from=date(YEAR, 1, 1))
    org.move_unit(toa, world.b, date(YEAR, 6, 1))
    ha = make_person("thuha", "Nguyễn Thu Hà", unit=toa, since=date(YEAR, 7, 1))
    db.session.commit()
    return toa, ha


def test_a_unit_moved_away_before_she_joined_never_puts_her_in_reach(world):
    toa, ha = _toa_moved_to_b(world)

    assert not _reaches(world.head_a, ha)
    assert _reaches(world.head_b, ha)
    assert managers_of(ha.id, FIRST, LAST, TODAY) == {world.head_b.id}
    # Toà stood under A from January to May: A's scope holds those days only.
    a_scope = scope_of(world.head_a, FIRST, LAST, TODAY)
    assert a_scope.units[toa.id] == [(date(YEAR, 1, 1), date(YEAR, 5, 31))]


def test_a_member_of_the_moved_unit_is_reached_by_each_head_for_their_own_days(world):
    toa = make_unit("TOA", "Tổ A", parent=world.a, valid_from=date(YEAR, 1, 1))
    org.move_unit(toa, world.b, date(YEAR, 6, 1))
    long_timer = make_person("lau", "Hoàng Văn Lâu", unit=toa, since=date(YEAR, 1, 1))
    db.session.commit()

    assert _reaches(world.head_a, long_timer)  # January to May
    assert _reaches(world.head_b, long_timer)  # June on
    assert not _reaches(world.head_a, long_timer, first=date(YEAR, 6, 1))
    # Today she is under B: B's head hears of her plan.
    assert managers_of(long_timer.id, FIRST, LAST, TODAY) == {world.head_b.id}


def test_a_merge_gives_the_receiving_head_the_people_from_the_merge_day(world):
    c = make_unit("C", "Phòng C", parent=world.agency)
    head_c = make_person("truongc", "Trưởng Phòng C", unit=c, manages=c)
    left = make_person("roidi", "Lý Thị Rời", unit=c, since=date(2025, 1, 1))
    org.end_membership(left.memberships[0], date(YEAR, 3, 1))
    stays = make_person("oylai", "Vàng Thị Ở", unit=c, since=date(2025, 1, 1))
    org.merge_unit(c, world.a, date(YEAR, 7, 1))
    db.session.commit()

    assert _reaches(world.head_a, stays)
    assert not _reaches(world.head_a, left)  # she left C in March, before the merge
    # C's head lost the grant with the unit (nothing carried over unasked).
    assert not _reaches(head_c, stays)
    assert not head_c.managed_unit_ids


def test_a_split_unit_leaves_each_new_head_with_their_half(world):
    one = make_unit("A1", "Tổ một", parent=world.a, valid_from=date(YEAR, 4, 1))
    two = make_unit("A2", "Tổ hai", parent=world.b, valid_from=date(YEAR, 4, 1))
    head_one = make_person(
        "truongmot", "Trưởng Tổ Một", unit=one, since=date(YEAR, 4, 1), manages=one
    )
    first = make_person("nguoimot", "Người Một", unit=world.a, since=date(2025, 1, 1))
    second = make_person("nguoihai", "Người Hai", unit=world.a, since=date(2025, 1, 1))
    org.end_membership(first.memberships[0], date(YEAR, 4, 1))
    org.end_membership(second.memberships[0], date(YEAR, 4, 1))
    org.assign_to_unit(first, one, date(YEAR, 4, 1))
    org.assign_to_unit(second, two, date(YEAR, 4, 1))
    db.session.commit()

    assert _reaches(head_one, first) and not _reaches(head_one, second)
    # A's head had both until the split, and still has the half that stayed under A.
    assert _reaches(world.head_a, second, last=date(YEAR, 3, 31))
    assert not _reaches(world.head_a, second, first=date(YEAR, 4, 1))
    assert _reaches(world.head_a, first, first=date(YEAR, 4, 1))


def test_a_rename_changes_no_one_s_reach(world):
    member = make_person("nguoiten", "Người Tên", unit=world.a, since=date(2025, 1, 1))
    org.rename_unit(world.a, "Phòng A mới", date(YEAR, 3, 1))
    db.session.commit()

    assert _reaches(world.head_a, member)
    assert scope_of(world.head_a, FIRST, LAST, TODAY).units[world.a.id] == [(FIRST, LAST)]


def test_a_closed_unit_keeps_its_days_and_no_later_ones(world):
    closing = make_unit("D", "Phòng D", parent=world.a)
    member = make_person("dong", "Người Đóng", unit=closing, since=date(2025, 1, 1))
    org.end_membership(member.memberships[0], date(YEAR, 5, 1))
    org.assign_to_unit(member, world.b, date(YEAR, 5, 1))
    org.close_unit(closing, date(YEAR, 5, 1))
    db.session.commit()

    assert _reaches(world.head_a, member, last=date(YEAR, 4, 30))
    assert not _reaches(world.head_a, member, first=date(YEAR, 5, 1))
    assert scope_of(world.head_a, FIRST, LAST, TODAY).units[closing.id] == [
        (FIRST, date(YEAR, 4, 30))
    ]


def test_a_change_of_head_ends_the_former_head_s_reach(world):
    member = make_person("nhanvien", "Nhân Viên", unit=world.a, since=date(2025, 1, 1))
    gone = make_person("nghi", "Người Nghỉ", unit=world.a, since=date(2025, 1, 1))
    org.end_membership(gone.memberships[0], date(YEAR, 3, 1))
    grant = next(g for g in world.head_a.role_grants if g.role == Role.MANAGER)
    grant.valid_until = date(YEAR, 5, 31)
    new_head = make_person("truongmoi", "Trưởng Phòng Mới", unit=world.a)
    people.grant_role(new_head, Role.MANAGER, world.a, valid_from=date(YEAR, 6, 1))
    db.session.commit()

    assert not _reaches(world.head_a, member)  # her grant ended: she reaches no one
    assert not world.head_a.has_role(Role.MANAGER)
    assert _reaches(new_head, member)
    assert not _reaches(new_head, gone)  # left in March, before the new head's first day
    assert not _reaches(new_head, member, first=date(2025, 1, 1), last=date(2025, 12, 31))
    assert managers_of(member.id, FIRST, LAST, TODAY) == {new_head.id}


def test_a_grant_that_starts_later_reaches_no_one_yet(world):
    member = make_person("nhanvien", "Nhân Viên", unit=world.a, since=date(2025, 1, 1))
    future = make_person("truongsau", "Trưởng Sắp Tới", unit=world.a)
    people.grant_role(future, Role.MANAGER, world.a, valid_from=date(YEAR + 1, 1, 1))
    db.session.commit()

    assert not _reaches(future, member)
    assert units_reached(future, TODAY) == set()


def test_hcth_reads_everyone_but_decides_for_no_one(world):
    _toa, ha = _toa_moved_to_b(world)
    assert scope_of(world.hcth, FIRST, LAST, TODAY, reading=True).everywhere
    assert not scope_of(world.hcth, FIRST, LAST, TODAY).everywhere
    assert not _reaches(world.hcth, ha)
    assert _reaches(world.admin, ha)


def test_the_plan_checks_dashboard_and_roster_follow_the_dates(world, monkeypatch, few_units):
    monkeypatch.setattr("lms.plans.permissions.local_today", lambda: TODAY)
    toa, ha = _toa_moved_to_b(world)
    for check in (permissions.can_read_plan, permissions.can_decide):
        assert not check(world.head_a, ha.id, YEAR)
        assert check(world.head_b, ha.id, YEAR)

    board = plan_queries.dashboard(world.a.id, YEAR, TODAY, viewer=world.head_a, per_page=100)
    assert ha.id not in {row.person_id for row in board.rows}
    board_b = plan_queries.dashboard(world.b.id, YEAR, TODAY, viewer=world.head_b, per_page=100)
    assert ha.id in {row.person_id for row in board_b.rows}

    period = Period(FIRST, LAST)
    a_roster = roster_plan_all(period, TODAY, unit_id=world.a.id, viewer=world.head_a)
    assert ha.id not in {m.person_id for m in a_roster.members}
    b_roster = roster_plan_all(period, TODAY, unit_id=world.b.id, viewer=world.head_b)
    assert ha.id in {m.person_id for m in b_roster.members}
    # A manager's unit roster holds only their grant's days, even for their own unit.
    grant = next(g for g in world.head_b.role_grants if g.role == Role.MANAGER)
    grant.valid_from = date(YEAR, 9, 1)
    db.session.commit()
    late = roster_plan_all(period, TODAY, unit_id=world.b.id, viewer=world.head_b)
    assert {(m.since, m.until) for m in late.members if m.person_id == ha.id} == {
        (date(YEAR, 9, 1), LAST)
    }


def test_a_page_reads_the_head_s_grants_once_with_the_sign_in(world, client, login, sql_statements):
    """A GET takes the head's grants from the sign-in, which loads them for the permission
    check: the reach reads them no second time."""
    _toa, ha = _toa_moved_to_b(world)
    board = f"/plans/units/{world.b.id}/{YEAR}?sort=percent"
    login("truongb")
    statements = sql_statements(lambda: client.get(board))
    assert [s for s in statements if "FROM role_grant" in s and "user_session" not in s] == []
    assert "Nguyễn Thu Hà" in client.get(board).get_data(as_text=True)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_the_reach_counts_the_grants_in_force_today_read_or_loaded(world, app, method):
    """In a GET the grants come from the person as loaded, otherwise from the database: the
    same grants count either way, those in force today."""
    toa, _ha = _toa_moved_to_b(world)
    # Head of A too until May: a grant that has ended, which reaches no one now.
    people.grant_role(
        world.head_b, Role.MANAGER, world.a, valid_from=FIRST, valid_until=date(YEAR, 5, 31)
    )
    db.session.commit()
    with app.test_request_context("/", method=method):
        scope = scope_of(world.head_b, FIRST, LAST, TODAY)
    assert set(scope.units or {}) == {world.b.id, toa.id}
    assert scope.days_in(toa.id, FIRST, LAST) == [(date(YEAR, 6, 1), LAST)]


def test_each_head_s_dashboard_holds_the_people_of_their_own_days_in_every_view(world, few_units):
    """Units reached on some days only, one of them on two spans: each head's dashboard, in
    every order and filter, holds exactly the people of their days (its statements are kept
    per shape of reach and run with each head's units and days)."""
    team_x = make_unit("TOX", "Tổ X", parent=world.a, valid_from=FIRST)
    org.move_unit(team_x, world.b, date(YEAR, 4, 1))
    org.move_unit(team_x, world.a, date(YEAR, 9, 1))  # A: Jan-Mar and Sep-Dec; B: Apr-Aug
    team_y = make_unit("TOY", "Tổ Y", parent=world.b, valid_from=FIRST)
    org.move_unit(team_y, world.a, date(YEAR, 6, 1))  # B: Jan-May; A: Jun-Dec

    def member(username: str, name: str, unit: Unit, since: date, until: date) -> int:
        person = make_person(username, name, unit=unit, since=since)
        org.end_membership(person.memberships[0], until)
        return person.id

    february = member("thanghai", "Lò Văn Hai", team_x, date(YEAR, 2, 2), date(YEAR, 2, 20))
    may = member("thangnam", "Lò Văn Năm", team_x, date(YEAR, 5, 4), date(YEAR, 5, 20))
    october = member("thangmuoi", "Vàng Thị Mười", team_x, date(YEAR, 10, 5), date(YEAR, 10, 20))
    march = member("thangba", "Lò Văn Ba", team_y, date(YEAR, 3, 2), date(YEAR, 3, 20))
    july = member("thangbay", "Lò Văn Bảy", team_y, date(YEAR, 7, 6), date(YEAR, 7, 20))
    db.session.commit()
    own_a = {february, october, july, world.head_a.id}
    own_b = {may, march, world.head_b.id}

    def board(unit: Unit, head: Person, **view) -> set[int]:
        found = plan_queries.dashboard(unit.id, YEAR, TODAY, viewer=head, per_page=100, **view)
        return {row.person_id for row in found.rows}

    for unit, head, own in ((world.a, world.head_a, own_a), (world.b, world.head_b, own_b)):
        for view in (
            {},
            {"descending": True},
            {"status": NO_PLAN},
            {"sort": "percent"},
            {"sort": "overdue", "descending": True},
        ):
            assert board(unit, head, **view) == own, (unit.code, view)
    assert board(world.a, world.head_a, search="muoi") == {october}
    assert board(world.b, world.head_b, search="muoi") == set()
    assert board(world.b, world.head_b, search="lo van", sort="hours") == {may, march}
