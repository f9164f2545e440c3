"""One test per defect the HCTH recount found, on the progress engine and the roster it feeds.

Each fails on the code before the engine: rule edits rewrote the past, movers were counted twice,
a half-year roster showed whole-year figures, people who had left carried later credits.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from lms.accounts.models import EmploymentKind
from lms.db import db
from lms.org import services as org
from lms.plans import rules, values
from lms.plans.models import ActivityStatus, ExternalActivity, PlanStatus, PlanVersion, StudyPlan
from lms.plans.states import PlanStates
from lms.progress.engine import Engine, Span, people_figures
from lms.progress.models import AssignmentKind, TargetRule, UnitAssignment
from lms.reports import queries
from lms.reports.summary import summary
from tests.factories import (
    add_activity,
    approve_plan,
    complete_course,
    correct_target,
    make_course,
    make_person,
    make_unit,
)

TODAY = date(2026, 12, 4)


def at(*parts) -> datetime:
    """A moment given in the agency's time (UTC+7)."""
    year, month, day, hour, minute = parts
    return datetime(year, month, day, hour, minute, tzinfo=UTC) - (
        datetime(2000, 1, 1, 7, tzinfo=UTC) - datetime(2000, 1, 1, tzinfo=UTC)
    )


@pytest.fixture
def org_2025(app):
    rules.seed_default_rules()
    root = make_unit("SDT", "Sở Dân tộc và Tôn giáo")
    policy = make_unit("CSDT", "Phòng Chính sách", parent=root)
    office = make_unit("HCTH", "Phòng Hành chính - Tổng hợp", parent=root)
    db.session.commit()
    return root, policy, office


def roster(first: date, last: date, **kwargs) -> queries.Roster:
    return queries.roster(queries.Period(first, last), TODAY, **kwargs)


def test_a_new_rule_version_never_changes_earlier_years(org_2025):
    _root, policy, _office = org_2025
    lan = make_person("lan", "Hà Thị Lan", unit=policy, employment_kind=EmploymentKind.VIEN_CHUC)
    complete_course(lan, make_course(hours="8"), at(2025, 5, 2, 9, 0))
    db.session.commit()
    rules.add_rule_version(
        code="VIENCHUC-2025",
        amount="32",
        unit="tiet",
        minutes_per_tiet=45,
        legal_basis="Sửa đổi",
        employment_kinds=[EmploymentKind.VIEN_CHUC],
        effective_from="2026-01-01",
    )
    db.session.commit()
    (row,) = roster(date(2025, 1, 1), date(2025, 12, 31)).rows
    assert (row.hours_earned, row.hours_target, row.rule_versions) == (
        Decimal("8.00"),
        Decimal("40.00"),
        "VIENCHUC-2025 v1",
    )
    (row,) = roster(date(2024, 1, 1), date(2026, 12, 31)).rows
    # 40 (2024, the 2018 rule) + 40 (2025, v1) + 32 (2026, v2).
    assert (row.hours_earned, row.hours_target) == (Decimal("8.00"), Decimal("112.00"))
    assert row.rule_versions == "CBCCVC-2018 v1, VIENCHUC-2025 v1, VIENCHUC-2025 v2"


def test_a_version_from_an_earlier_day_is_refused_and_points_to_correction(org_2025):
    with pytest.raises(values.PlanError, match="Đính chính"):
        rules.add_rule_version(
            code="VIENCHUC-2025",
            amount="32",
            unit="tiet",
            minutes_per_tiet=45,
            legal_basis="x",
            employment_kinds=[EmploymentKind.VIEN_CHUC],
            effective_from="2025-01-01",
        )


def test_a_year_with_two_versions_is_prorated_by_their_days(org_2025):
    _root, policy, _office = org_2025
    make_person("nongan", "Nông Văn An", unit=policy)
    rules.add_rule_version(
        code="CONGCHUC-2025",
        amount="32",
        unit="tiet",
        minutes_per_tiet=45,
        legal_basis="x",
        employment_kinds=[EmploymentKind.CONG_CHUC],
        effective_from="2026-07-01",
    )
    db.session.commit()
    (row,) = roster(date(2026, 1, 1), date(2026, 12, 31)).rows
    # 181 days of 40 and 184 days of 32 over 365: 19,836 + 16,131 = 35,97.
    assert row.hours_target == Decimal("35.97")
    assert row.rule_versions == "CONGCHUC-2025 v1, CONGCHUC-2025 v2"


def test_full_year_rules_ask_the_whole_amount_of_a_partial_membership(org_2025):
    _root, policy, _office = org_2025
    make_person("moi", "Vi Thị Mới", unit=policy, since=date(2026, 10, 1))
    db.session.commit()
    (row,) = roster(date(2026, 1, 1), date(2026, 12, 31)).rows
    assert row.hours_target == Decimal("10.08")  # 92 of 365 days of 40
    correct_target("CONGCHUC-2025", TODAY, amount="40", full_year=True)
    db.session.commit()
    (row,) = roster(date(2026, 1, 1), date(2026, 12, 31)).rows
    assert row.hours_target == Decimal("40.00")


def test_a_correction_names_the_years_it_changes_and_needs_them_confirmed(org_2025):
    rule = db.session.scalar(db.select(TargetRule).where(TargetRule.code == "CONGCHUC-2025"))
    assert rules.years_governed(rule, TODAY) == [2025, 2026]
    with pytest.raises(values.PlanError, match="các năm 2025, 2026"):
        rules.correct_rule_version(
            rule,
            amount="38",
            unit="tiet",
            minutes_per_tiet=45,
            legal_basis=rule.legal_basis,
            full_year=False,
            confirmed_years="",
            actor_id=None,
            today=TODAY,
        )
    db.session.rollback()
    assert db.session.get(TargetRule, rule.id).amount == Decimal(40)


def test_someone_who_left_and_came_back_is_counted_once(org_2025):
    _root, policy, _office = org_2025
    mai = make_person("mai", "Lò Thị Mai", unit=policy, since=date(2025, 1, 1))
    org.end_membership(mai.memberships[0], date(2025, 4, 1))  # last day 31/03
    org.assign_to_unit(mai, policy, date(2025, 9, 1))
    complete_course(mai, make_course(hours="6"), at(2025, 2, 10, 9, 0))
    complete_course(mai, make_course(hours="4"), at(2025, 6, 10, 9, 0))  # while away
    complete_course(mai, make_course(hours="5"), at(2025, 10, 10, 9, 0))
    db.session.commit()
    report = roster(date(2024, 1, 1), date(2026, 12, 31))
    assert [(r.since, r.until, r.hours_earned) for r in report.rows] == [
        (date(2025, 1, 1), date(2025, 3, 31), Decimal("6.00")),
        (date(2025, 9, 1), date(2026, 12, 31), Decimal("5.00")),
    ]
    (unit,) = report.subtotals
    assert (unit.people, unit.hours) == (1, Decimal("11.00"))
    assert [r.head for r in report.rows] == [False, True]
    # Her own total has the June course too: it is hers, though no unit's.
    assert report.rows[1].person.figures.earned_tiet == Decimal("15.00")


def test_units_add_up_to_the_year_in_the_summary_and_the_roster(org_2025):
    _root, policy, office = org_2025
    mover = make_person("mover", "Lý Văn Chuyển", unit=policy, since=date(2025, 1, 1))
    org.assign_to_unit(mover, office, date(2025, 7, 1))
    leaver = make_person("leaver", "Triệu Thị Nghỉ", unit=office, since=date(2025, 1, 1))
    org.end_membership(leaver.memberships[0], date(2025, 5, 1))  # last day 30/04
    stayer = make_person("stayer", "Hoàng Văn Ở", unit=office, since=date(2025, 1, 1))
    complete_course(mover, make_course(hours="8"), at(2025, 3, 1, 9, 0))
    complete_course(mover, make_course(hours="12"), at(2025, 8, 1, 9, 0))
    complete_course(leaver, make_course(hours="10"), at(2025, 8, 15, 9, 0))  # after leaving
    complete_course(stayer, make_course(hours="7.5"), at(2025, 11, 1, 9, 0))
    approve_plan(mover, 2025)
    db.session.commit()
    report = roster(date(2025, 1, 1), date(2025, 12, 31))
    by_unit = {s.unit_code: s for s in report.subtotals}
    assert (by_unit["CSDT"].people, by_unit["CSDT"].hours) == (0, Decimal("8.00"))
    assert (by_unit["HCTH"].people, by_unit["HCTH"].hours) == (3, Decimal("19.50"))
    assert sum(r.hours_earned for r in report.rows) == Decimal("27.50")
    total = queries.total_of(report.subtotals, "Tổng")
    assert (total.people, total.hours, total.approved) == (3, Decimal("27.50"), 1)
    year = summary(queries.Period(date(2025, 1, 1), date(2025, 12, 31)), TODAY)
    assert sum(line.members for line in year.rows) == year.years[0].members == 3
    assert sum(line.hours for line in year.rows) == year.years[0].hours == Decimal("27.50")
    assert sum(line.approved for line in year.rows) == year.years[0].approved == 1


def test_a_half_year_counts_only_its_own_days(org_2025):
    _root, policy, _office = org_2025
    hoa = make_person("hoa", "Đinh Thị Hoa", unit=policy, since=date(2025, 1, 1))
    complete_course(hoa, make_course(hours="20"), at(2026, 6, 30, 23, 30))
    complete_course(hoa, make_course(hours="8"), at(2026, 7, 1, 0, 30))
    course = make_course(hours="4")
    for due in (date(2026, 5, 31), date(2026, 9, 30)):
        db.session.add(
            UnitAssignment(
                unit_id=policy.id,
                course_id=course.id,
                year=2026,
                kind=AssignmentKind.REQUIRED,
                due_on=due,
            )
        )
    db.session.commit()
    (row,) = roster(date(2026, 1, 1), date(2026, 6, 30)).rows
    # 181 of 365 days of 40 tiết: 19,84; the course of 01/07 00:30 is the next half's.
    assert (row.hours_earned, row.hours_target, row.percent) == (
        Decimal("20.00"),
        Decimal("19.84"),
        101,
    )
    assert (row.required_done, row.required_total) == (0, 1)  # September's is not due yet


def test_hours_convert_with_the_minutes_in_force_on_their_day(org_2025):
    _root, policy, _office = org_2025
    tam = make_person("tam", "Hà Văn Tâm", unit=policy, since=date(2025, 1, 1))
    rules.add_rule_version(
        code="CONGCHUC-2025",
        amount="30",
        unit="hour",
        minutes_per_tiet=60,
        legal_basis="x",
        employment_kinds=[EmploymentKind.CONG_CHUC],
        effective_from="2026-01-01",
    )
    for year in (2025, 2026):
        add_activity(
            ExternalActivity(
                person_id=tam.id,
                year=year,
                kind="training",
                title="Lớp bồi dưỡng",
                organiser="Trường Chính trị",
                starts_on=date(year, 3, 1),
                ends_on=date(year, 3, 2),
                hours=Decimal(6),
                status=ActivityStatus.VERIFIED,
            )
        )
    db.session.commit()
    (row,) = roster(date(2025, 1, 1), date(2026, 12, 31)).rows
    # 6 h of 2025 at 45 min a tiết = 8 tiết; 6 h of 2026 at 60 min = 6 tiết. The target: 40
    # tiết (2025) and 30 h at 60 min = 30 tiết (2026).
    assert (row.hours_earned, row.hours_target, row.target_unit) == (
        Decimal("14.00"),
        Decimal("70.00"),
        "tiet",
    )
    (figures,) = people_figures(
        {tam.id: "cong_chuc"}, date(2026, 1, 1), date(2026, 12, 31), TODAY
    ).values()
    assert (figures.earned, figures.target_amount, figures.unit) == (
        Decimal("6.00"),
        Decimal("30.00"),
        "hour",
    )


def test_a_plan_under_revision_counts_its_approved_version(org_2025, client, login):
    _root, policy, _office = org_2025
    thu = make_person("thu", "Nguyễn Thị Thu", unit=policy, roles=())
    version = approve_plan(thu, 2026)
    db.session.add(PlanVersion(plan_id=version.plan_id, number=2, status=PlanStatus.DRAFT))
    db.session.commit()
    (row,) = roster(date(2026, 1, 1), date(2026, 12, 31)).rows
    assert (row.plan_status, row.approved_years) == ("approved_revising", 1)
    assert row.person.approved
    plan = db.session.scalar(db.select(StudyPlan).where(StudyPlan.person_id == thu.id))
    assert plan.latest.status == PlanStatus.DRAFT


def test_a_unit_roster_keeps_a_moved_unit_only_for_its_days_in_the_subtree(org_2025):
    root, policy, office = org_2025
    team = make_unit("TO1", "Tổ Một", parent=policy, valid_from=date(2026, 1, 1))
    member = make_person("mato", "Mã Văn Tổ", unit=team, since=date(2026, 1, 1))
    org.move_unit(team, office, date(2026, 6, 1))
    complete_course(member, make_course(hours="5"), at(2026, 3, 1, 9, 0))
    complete_course(member, make_course(hours="7"), at(2026, 8, 1, 9, 0))
    db.session.commit()
    (row,) = roster(date(2026, 1, 1), date(2026, 12, 31), unit_id=policy.id).rows
    assert (row.since, row.until, row.hours_earned) == (
        date(2026, 1, 1),
        date(2026, 5, 31),
        Decimal("5.00"),
    )
    (row,) = roster(date(2026, 1, 1), date(2026, 12, 31), unit_id=office.id).rows
    assert (row.since, row.until, row.hours_earned) == (
        date(2026, 6, 1),
        date(2026, 12, 31),
        Decimal("7.00"),
    )
    whole = roster(date(2026, 1, 1), date(2026, 12, 31), unit_id=root.id)
    assert [r.hours_earned for r in whole.rows] == [Decimal("12.00")]


def test_a_unit_roster_counts_each_person_on_their_last_row_in_the_subtree(org_2025):
    """Who is counted where (the head row) depends on the person's own memberships, though
    people of the same unit and days share the working out."""
    _root, policy, office = org_2025
    team = make_unit("TO2", "Tổ Hai", parent=policy, valid_from=date(2026, 1, 1))
    first = make_person("toa", "Hà Văn A", unit=team, since=date(2026, 1, 1))
    second = make_person("tob", "Hà Văn B", unit=team, since=date(2026, 1, 1))
    mover = make_person("toc", "Hà Văn C", unit=team, since=date(2026, 2, 1))
    leaver = make_person("tod", "Hà Văn D", unit=team, since=date(2026, 1, 1))
    org.assign_to_unit(mover, policy, date(2026, 4, 1))
    org.assign_to_unit(leaver, office, date(2026, 4, 1))  # out of the sub-tree
    # In the unit, then out of the sub-tree, then in the team once it has left it too: the
    # team's last days are the others', but none of them are this person's in the sub-tree.
    late = make_person("toe", "Hà Văn E", unit=policy, since=date(2026, 1, 1))
    org.assign_to_unit(late, office, date(2026, 4, 1))
    org.move_unit(team, office, date(2026, 6, 1))
    org.assign_to_unit(late, team, date(2026, 7, 1))
    db.session.commit()
    rows = roster(date(2026, 1, 1), date(2026, 12, 31), unit_id=policy.id).rows
    found = sorted((r.person_id, r.unit_code, r.since, r.until, r.head) for r in rows)
    assert found == sorted(
        [
            (first.id, "TO2", date(2026, 1, 1), date(2026, 5, 31), True),
            (second.id, "TO2", date(2026, 1, 1), date(2026, 5, 31), True),
            (mover.id, "TO2", date(2026, 2, 1), date(2026, 3, 31), False),
            (mover.id, "CSDT", date(2026, 4, 1), date(2026, 12, 31), True),
            (leaver.id, "TO2", date(2026, 1, 1), date(2026, 3, 31), True),
            (late.id, "CSDT", date(2026, 1, 1), date(2026, 3, 31), True),
        ]
    )


def test_percentages_round_half_up(org_2025):
    _root, policy, _office = org_2025
    person = make_person("pct", "Lê Văn Phần", unit=policy, since=date(2025, 1, 1))
    complete_course(person, make_course(hours="31.83"), at(2026, 2, 1, 9, 0))
    db.session.commit()
    (row,) = roster(date(2026, 1, 1), date(2026, 12, 31)).rows
    assert row.percent == 80  # 79,575 %: the old code showed 79


def test_the_engine_reads_a_batch_in_a_fixed_number_of_queries(org_2025, count_queries):
    _root, policy, _office = org_2025
    people = [make_person(unit=policy, since=date(2025, 1, 1)) for _ in range(30)]
    for person in people:
        complete_course(person, make_course(hours="2"), at(2026, 2, 1, 9, 0))
    db.session.commit()
    ids = [p.id for p in people]
    unit_id = policy.id

    def read():
        engine = Engine(date(2026, 1, 1), date(2026, 12, 31), TODAY)
        credits, spans = engine.credits(ids), engine.memberships(ids)
        PlanStates(engine).of(ids)
        for person_id in ids:
            engine.person("cong_chuc", spans[person_id], credits.get(person_id))
        assert Span(ids[0], unit_id, date(2026, 1, 1), date(2026, 12, 31)) in spans[ids[0]]

    assert count_queries(read) <= 8


def test_a_past_roster_shows_the_position_held_then(org_2025):
    from lms.accounts import services as accounts

    _root, policy, office = org_2025
    hien = make_person("hien", "Đàm Thị Hiền", unit=policy, position="Chuyên viên")
    org.assign_to_unit(hien, office, date(2026, 3, 1))
    accounts.change_position(hien, "Phó Trưởng phòng", date(2026, 3, 1))
    db.session.commit()
    (row,) = roster(date(2025, 1, 1), date(2025, 12, 31)).rows
    assert row.position == "Chuyên viên"  # the 2026 promotion is not 2025's
    rows = roster(date(2026, 1, 1), date(2026, 12, 31)).rows
    assert [(r.unit_code, r.position) for r in rows] == [
        ("CSDT", "Chuyên viên"),
        ("HCTH", "Phó Trưởng phòng"),
    ]


def test_a_half_year_roster_does_not_count_a_plan_approved_after_it(org_2025):
    _root, policy, _office = org_2025
    lam = make_person("lam", "Nông Văn Lâm", unit=policy)
    approve_plan(lam, 2026, on=datetime(2026, 9, 1, 3, tzinfo=UTC))
    db.session.commit()
    (row,) = roster(date(2026, 1, 1), date(2026, 6, 30)).rows
    assert (row.plan_status, row.approved_years) == ("submitted", 0)  # awaited on 30/06
    (row,) = roster(date(2026, 1, 1), date(2026, 12, 31)).rows
    assert (row.plan_status, row.approved_years) == ("approved", 1)


def test_a_mover_who_finishes_a_required_course_later_has_it_done(org_2025):
    _root, policy, office = org_2025
    course = make_course(hours="4")
    db.session.add(
        UnitAssignment(
            unit_id=policy.id,
            course_id=course.id,
            year=2025,
            kind=AssignmentKind.REQUIRED,
            due_on=date(2025, 3, 31),
        )
    )
    mover = make_person("chuyen", "Lý Văn Chuyển", unit=policy, since=date(2025, 1, 1))
    org.assign_to_unit(mover, office, date(2025, 5, 1))
    stayer = make_person("oyen", "Hoàng Thị Ở", unit=policy, since=date(2025, 1, 1))
    for person in (mover, stayer):
        complete_course(person, course, at(2025, 6, 1, 9, 0))
    db.session.commit()
    report = roster(date(2025, 1, 1), date(2025, 12, 31))
    rows = {(r.person_id, r.unit_code): r for r in report.rows}
    # The CSDT row: not done while there; the person: done, as their colleague who stayed.
    assert (rows[(mover.id, "CSDT")].required_done, rows[(mover.id, "CSDT")].required_total) == (
        0,
        1,
    )
    person = queries.as_person(rows[(mover.id, "HCTH")])
    assert (person.required_done, person.required_total) == (1, 1)
    assert (rows[(stayer.id, "CSDT")].required_done, rows[(stayer.id, "CSDT")].required_total) == (
        1,
        1,
    )


def test_initiatives_and_flags_stand_once_on_the_row_where_a_person_is_counted(org_2025):
    from lms.awards.models import Initiative, InitiativeAuthor, InitiativeStatus

    _root, policy, office = org_2025
    mover = make_person("sangkien", "Vi Văn Kiến", unit=policy, since=date(2025, 1, 1))
    org.assign_to_unit(mover, office, date(2025, 7, 1))
    initiative = Initiative(
        title="Số hóa", unit_id=office.id, year=2025, status=InitiativeStatus.APPROVED
    )
    initiative.authors = [InitiativeAuthor(person_id=mover.id, position=1)]
    db.session.add(initiative)
    db.session.commit()
    report = roster(date(2025, 1, 1), date(2025, 12, 31))
    assert [(r.unit_code, r.head, r.initiatives) for r in report.rows] == [
        ("CSDT", False, 0),
        ("HCTH", True, 1),
    ]
    assert queries.as_person(report.rows[0]).initiatives == 1
