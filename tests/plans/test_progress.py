"""Hours in the agency's calendar year, the rule in force, assignments and moved people."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from lms.accounts.models import EmploymentKind
from lms.db import db
from lms.org import services as org
from lms.plans import assignments, queries, rules, values, workflow
from lms.plans.models import ActivityStatus, ExternalActivity
from tests import factories
from tests.plans.conftest import complete, make_course, utc


def _progress(person, year, today=date(2026, 6, 1)):
    return queries.person_year(person.id, person.employment_kind, year, today)


def test_a_completion_counts_in_the_vietnamese_calendar_year(division, forty_tiet):
    # 17:30 UTC on 31 December is 00:30 on 1 January in Hà Nội.
    complete(division.learner, division.course, utc(2025, 12, 31, 17, 30))
    # 16:59 UTC is still 23:59 on 31 December.
    complete(division.learner, division.course2, utc(2025, 12, 31, 16, 59))
    db.session.commit()
    assert _progress(division.learner, 2026).course_tiet == Decimal(8)
    assert _progress(division.learner, 2025).course_tiet == Decimal(12)


def test_figures_say_which_rule_they_used_and_rules_keep_their_history(division, forty_tiet):
    complete(division.learner, division.course, utc(2026, 3, 1, 3))
    complete(division.learner, division.course2, utc(2025, 3, 1, 3))
    db.session.commit()
    progress = _progress(division.learner, 2026)
    assert [v.label for v in progress.versions] == ["CONGCHUC-2025 v1"]
    assert (progress.earned, progress.percent) == (Decimal("8.00"), 20)
    assert [v.code for v in _progress(division.learner, 2024).versions] == ["CBCCVC-2018"]

    rules.add_rule_version(
        code="CONGCHUC-2025",
        amount="30",
        unit="hour",
        minutes_per_tiet=45,
        legal_basis="Nghị định 171/2025/NĐ-CP",
        employment_kinds=[EmploymentKind.CONG_CHUC],
        effective_from="2026-01-01",
    )
    db.session.commit()
    progress = _progress(division.learner, 2026)
    assert [(v.version, v.amount) for v in progress.versions] == [(2, Decimal(30))]
    assert progress.earned == Decimal("6.00")  # 8 tiết of 45 minutes are 6 hours
    assert progress.unit == "hour"
    # A new version from 2026 never changes 2025: its figures keep version 1.
    last_year = _progress(division.learner, 2025)
    assert [v.label for v in last_year.versions] == ["CONGCHUC-2025 v1"]
    assert (last_year.earned, last_year.target_amount) == (Decimal("12.00"), Decimal("40.00"))
    versions = [(r.code, r.version, r.replaced_at is None) for r in queries.rule_history()]
    assert ("CONGCHUC-2025", 1, False) in versions and ("CONGCHUC-2025", 2, True) in versions


def test_without_a_rule_there_is_no_made_up_number(client, login, division):
    login("mai")
    page = client.get("/plans/2026")
    assert "Chưa có chỉ tiêu cho năm 2026" in page.text
    assert _progress(division.learner, 2026).percent is None


def test_overlapping_rules_for_the_same_people_are_refused(division, forty_tiet):
    try:
        rules.add_rule_version(
            code="KHAC",
            amount="20",
            unit="tiet",
            minutes_per_tiet=45,
            legal_basis="x",
            employment_kinds=[EmploymentKind.CONG_CHUC],
            effective_from="2026-01-01",
        )
    except values.PlanError as error:
        assert "cũng áp dụng cho loại cán bộ này" in str(error)
    else:
        raise AssertionError("overlap accepted")


def test_only_verified_external_hours_count(division, forty_tiet):
    for status in (ActivityStatus.PENDING, ActivityStatus.REJECTED, ActivityStatus.VERIFIED):
        factories.add_activity(
            ExternalActivity(
                person_id=division.learner.id,
                year=2026,
                kind="training",
                title=status,
                organiser="Trường Chính trị tỉnh",
                starts_on=date(2026, 4, 1),
                ends_on=date(2026, 4, 2),
                hours=Decimal(6),
                status=status,
            )
        )
    db.session.commit()
    progress = _progress(division.learner, 2026)
    assert progress.activity_hours == Decimal(6)
    assert progress.earned == Decimal("8.00")  # 6 hours are 8 tiết of 45 minutes


def _assign(unit, course, due, *, subunits=True, kind="required"):
    assignment = assignments.assign_course(
        unit=unit,
        course_id=course.id,
        year=2026,
        kind=kind,
        due_on=due,
        include_subunits=subunits,
        actor_id=None,
    )
    db.session.commit()
    return assignment


def test_assignments_reach_sub_units_and_track_done_pending_overdue(division):
    _assign(division.unit, division.course, "2026-03-31")
    _assign(division.unit, division.course2, "2026-06-10")
    complete(division.colleague, division.course, utc(2026, 2, 1))
    db.session.commit()
    progress = _progress(division.colleague, 2026, today=date(2026, 6, 1))
    states = {item.course_id: item.state for item in progress.items}
    assert states == {division.course.id: "done", division.course2.id: "due_soon"}
    progress = _progress(division.learner, 2026, today=date(2026, 6, 1))
    assert (progress.required_done, progress.required_pending, progress.required_overdue) == (
        0,
        1,
        1,
    )
    assert _progress(division.outsider, 2026).items == []


def test_without_sub_units_the_team_is_not_reached(division):
    _assign(division.unit, division.course, "2026-03-31", subunits=False)
    assert _progress(division.colleague, 2026).items == []


def test_a_person_who_moves_in_june_sees_both_units_for_their_months(division, forty_tiet):
    _assign(division.unit, division.course, "2026-03-31")
    _assign(division.other, division.course2, "2026-10-31", subunits=False)
    early = _assign(division.other, make_course("Luật Thi đua, khen thưởng", "4"), "2026-02-28")
    org.assign_to_unit(division.learner, division.other, date(2026, 6, 1))
    db.session.commit()
    items = {
        item.assignment_id: item.state
        for item in _progress(division.learner, 2026, date(2026, 7, 1)).items
    }
    # Due before she joined the other unit: not hers, so not listed at all.
    assert early.id not in items
    assert sorted(items.values()) == ["overdue", "pending"]

    first = queries.dashboard(division.unit.id, 2026, date(2026, 7, 1))
    second = queries.dashboard(division.other.id, 2026, date(2026, 7, 1))
    spans = lambda board: [  # noqa: E731
        (s.first, s.last)
        for r in board.rows
        if r.person_id == division.learner.id
        for s in r.spans_here
    ]
    assert spans(first) == [(date(2026, 1, 1), date(2026, 5, 31))]
    assert spans(second) == [(date(2026, 6, 1), date(2026, 12, 31))]


def test_withdrawing_keeps_what_people_did(client, login, division):
    assignment = _assign(division.unit, division.course, "2026-03-31")
    complete(division.learner, division.course, utc(2026, 2, 1))
    db.session.commit()
    login("truongphong")
    page = client.post(f"/plans/assignments/{assignment.id}/withdraw", follow_redirects=True)
    assert "kết quả đã đạt của mọi người vẫn được giữ" in page.text
    db.session.expire_all()
    assert assignment.withdrawn_at is not None
    assert _progress(division.learner, 2026).course_tiet == Decimal(8)
    assert _progress(division.learner, 2026).items == []


def test_assignment_due_outside_the_year_is_refused(client, login, division):
    login("truongphong")
    from tests.plans.conftest import plan_rows

    before = plan_rows()
    page = client.post(
        f"/plans/units/{division.unit.id}/2026/assignments",
        data={"course": division.course.id, "kind": "required", "due_on": "2027-01-15"},
        follow_redirects=True,
    )
    assert "Hạn hoàn thành 15/01/2027 không thuộc năm 2026." in page.text
    assert plan_rows() == before


def test_managers_see_completions_far_below_their_nominal_time(client, login, division):
    rushed = complete(division.learner, division.course, utc(2026, 3, 1, 3))
    rushed.engaged_seconds, rushed.nominal_minutes, rushed.is_rule_applied = 5, 80, True
    db.session.commit()
    login("truongphong")
    board = client.get(f"/plans/units/{division.unit.id}/2026")
    assert "1 khóa hoàn thành quá nhanh" in board.text
    workflow.plan_for(division.learner, 2026)
    db.session.commit()
    plan_id = queries.plan_of(division.learner.id, 2026).id
    page = client.get(f"/plans/view/{plan_id}")
    assert "Khóa học hoàn thành quá nhanh so với thời lượng" in page.text
    assert "0/80 phút (0%)" in page.text
    # Still counted: a flag is for the manager to look at, not a verdict.
    assert _progress(division.learner, 2026).course_tiet == Decimal(8)
    from lms.reports import queries as reports

    report = reports.roster(reports.Period(date(2026, 1, 1), date(2026, 12, 31)), date(2026, 6, 1))
    flags = {row.person_id: row.flagged for row in report.rows}
    assert flags[division.learner.id] == 1 and flags[division.colleague.id] == 0


def test_someone_in_no_unit_is_told_why_there_is_no_target(client, login, division, forty_tiet):
    from tests.factories import make_person

    loner = make_person("motminh", "Ma Thị Một")
    complete(loner, division.course, utc(2026, 3, 1, 3))
    db.session.commit()
    login("motminh")
    page = client.get("/plans/2026")
    assert "chưa thuộc đơn vị nào của cơ quan trong năm này" in page.text
    assert "Đã có: 8 tiết khóa học" in page.text  # still theirs, though no unit's
