"""The manager's dashboard: a fixed number of queries, sorting, filters, bulk decisions."""

from __future__ import annotations

from datetime import date

from sqlalchemy import insert, select

from lms.accounts.models import Person
from lms.db import db
from lms.org import services as org
from lms.org.models import Membership, Unit
from lms.plans import assignments, queries, workflow
from lms.plans.models import PlanStatus, PlanVersion, StudyPlan
from lms.progress.engine import Engine
from lms.text import fold, person_sort_key
from tests import factories
from tests.plans.conftest import complete, utc


def add_members(unit_id: int, count: int, start: int = 0, prefix: str = "so") -> None:
    """Add many members at once, straight into the tables (the services are slow for a crowd)."""
    names = [f"Nguyễn Văn Số{n}" for n in range(start, start + count)]
    rows = [
        dict(
            username=f"{prefix}{n}",
            full_name=name,
            given_name=name.split()[-1],
            family_and_middle="Nguyễn Văn",
            sort_key=person_sort_key(name),
            search_name=fold(name),
            employment_kind="cong_chuc",
        )
        for n, name in zip(range(start, start + count), names, strict=True)
    ]
    db.session.execute(insert(Person), rows)
    ids = db.session.scalars(
        select(Person.id).where(Person.username.in_([r["username"] for r in rows]))
    )
    db.session.execute(
        insert(Membership),
        [dict(person_id=i, unit_id=unit_id, valid_from=date(2020, 1, 1)) for i in ids],
    )
    db.session.commit()


def require_the_course(division) -> None:
    """The division's course, required of it and its teams by 31/03/2026."""
    assignments.assign_course(
        unit=division.unit,
        course_id=division.course.id,
        year=2026,
        kind="required",
        due_on="2026-03-31",
        include_subunits=True,
        actor_id=None,
    )
    db.session.commit()


def test_the_dashboard_costs_the_same_queries_for_10_and_1000_members(
    client, login, division, forty_tiet, count_queries
):
    require_the_course(division)
    login("truongphong")
    url = f"/plans/units/{division.unit.id}/2026?sort=percent"
    unit_id = division.unit.id
    add_members(unit_id, 10)
    client.get(url)  # the reference data, read once while unchanged (lms.reference)
    few = count_queries(lambda: client.get(url))
    add_members(unit_id, 990, start=10)
    many = count_queries(lambda: client.get(url))
    assert few == many
    assert "1003 người" in client.get(url).text


def test_the_dashboard_names_its_units_from_reference_data_read_once(
    client, login, division, sql_statements
):
    """The units' names of the year are read once while the units are unchanged, not on every
    view; a unit renamed this year reads by its new name at once."""
    login("truongphong")
    unit_id = division.unit.id
    url = f"/plans/units/{unit_id}/2026"
    assert "Phòng Chính sách dân tộc" in client.get(url).text
    statements = sql_statements(lambda: client.get(url))
    assert [s for s in statements if "unit_version" in s or "FROM unit " in s] == []
    unit = db.session.get(Unit, unit_id)
    org.rename_unit(unit, "Phòng Dân tộc thiểu số", date(2026, 6, 1))
    db.session.commit()
    page = client.get(url).text
    assert "Phòng Dân tộc thiểu số" in page and "Phòng Chính sách dân tộc" not in page


def test_a_unit_without_a_name_that_year_is_named_by_its_code_and_a_missing_one_not_found(
    client, login, division
):
    """A unit opened later than the year asked for had no name then: its code heads the
    page. A unit that does not exist is not found (HCTH may open any unit's dashboard)."""
    later = factories.make_unit(
        "TOMOI", "Tổ mới lập", parent=division.unit, valid_from=date(2027, 1, 1)
    )
    db.session.commit()
    later_id = later.id
    login("tonghop")
    page = client.get(f"/plans/units/{later_id}/2026").text
    assert "Kế hoạch tự học năm 2026 — TOMOI" in page and "Tổ mới lập" not in page
    assert "Tổ mới lập" in client.get(f"/plans/units/{later_id}/2027").text
    assert client.get(f"/plans/units/{later_id + 1000}/2026").status_code == 404


def test_every_view_of_the_dashboard_costs_the_same_queries_for_10_and_1000_members(
    client, login, division, forty_tiet, count_queries
):
    login("truongphong")
    unit_id = division.unit.id
    base = f"/plans/units/{unit_id}/2026"
    views = [
        "",
        "?page=2",
        "?desc=1&page=3",
        "?q=van+so1&status=none",
        "?sort=overdue&page=2",
        "?sort=percent&q=van+so1&status=none",
    ]
    add_members(unit_id, 10)
    client.get(base)  # the reference data, read once while unchanged (lms.reference)
    few = [count_queries(lambda url=base + view: client.get(url)) for view in views]
    add_members(unit_id, 990, start=10)
    many = [count_queries(lambda url=base + view: client.get(url)) for view in views]
    assert few == many


def test_a_page_of_people_from_six_more_teams_costs_no_more_queries(
    client, login, division, forty_tiet, count_queries
):
    """The page's rows count their required items from one read of the completions, not a
    count per unit: members spread over six more teams cost what the division's own do."""
    require_the_course(division)
    login("truongphong")
    unit_id = division.unit.id
    views = ["", "?sort=percent", "?sort=hours"]
    base = f"/plans/units/{unit_id}/2026"
    add_members(unit_id, 12)
    client.get(base)  # the reference data, read once while unchanged (lms.reference)
    before = [count_queries(lambda url=base + view: client.get(url)) for view in views]
    parent = db.session.get(Unit, unit_id)
    teams = [factories.make_unit(parent=parent) for _ in range(6)]
    db.session.commit()
    for index, team in enumerate(teams):
        add_members(team.id, 2, start=100 + 2 * index)
    client.get(base)  # the new teams change the reference data: read once again
    after = [count_queries(lambda url=base + view: client.get(url)) for view in views]
    assert before == after
    page = client.get(base).text
    assert "Số100" in page and "Số111" in page  # the teams' members are on the page


def test_pages_by_name_follow_one_another_in_both_directions(app, division):
    """25 a page in name order either way; equal names keep one order; past the end, the last
    page; the status counts are of everyone, not of the page."""
    unit_id = division.unit.id
    add_members(unit_id, 30)
    # Two more named exactly as Nguyễn Văn Số7 and Số8.
    add_members(unit_id, 2, start=7, prefix="trung")
    ids = db.session.execute(
        select(Person.id, Person.sort_key).where(
            Person.id.in_(select(Membership.person_id).where(Membership.unit_id.in_(
                [unit_id, division.team.id]
            )))
        )
    ).all()  # fmt: skip
    ascending = [i for _key, i in sorted((key, i) for i, key in ids)]
    # Stable: equal names keep the ascending id order when the names are reversed.
    descending = [i for _key, i in sorted(
        sorted((key, i) for i, key in ids), key=lambda pair: pair[0], reverse=True
    )]  # fmt: skip
    assert len(ascending) == 35  # and the head, the learner and the colleague

    def shown(**options) -> list[int]:
        with app.test_request_context():
            found = queries.dashboard(unit_id, 2026, date(2026, 6, 1), **options)
        assert found.total == 35 and found.pages == 2
        assert found.status_counts == {"none": 35}
        return [row.person_id for row in found.rows]

    for order, descending_flag in ((ascending, False), (descending, True)):
        first = shown(descending=descending_flag, page=1)
        second = shown(descending=descending_flag, page=2)
        assert first + second == order
        assert shown(descending=descending_flag, page=9) == second


def test_sorting_filtering_and_searching(client, login, division, forty_tiet):
    complete(division.colleague, division.course2, utc(2026, 2, 1))
    workflow.plan_for(division.learner, 2026).latest.status = PlanStatus.SUBMITTED
    db.session.commit()
    login("truongphong")
    base = f"/plans/units/{division.unit.id}/2026"
    page = client.get(base).text.split("<tbody>")[1]
    # Vietnamese order by given name: Hoa, Mai, Quản.
    assert page.index("Hoàng Thị Hoa") < page.index("Lò Thị Mai") < page.index("Nông Văn Quản")
    page = client.get(base + "?sort=percent&desc=1").text.split("<tbody>")[1]
    assert page.index("Hoàng Thị Hoa") < page.index("Lò Thị Mai")
    assert "30%" in page
    page = client.get(base + "?status=submitted").text.split("<tbody>")[1]
    assert "Lò Thị Mai" in page and "Hoàng Thị Hoa" not in page
    page = client.get(base + "?q=hoang thi").text.split("<tbody>")[1]
    assert "Hoàng Thị Hoa" in page and "Lò Thị Mai" not in page


def test_bulk_approve_reports_each_plan(client, login, division):
    first = workflow.plan_for(division.learner, 2026)
    second = workflow.plan_for(division.colleague, 2026)
    for plan in (first, second):
        plan.latest.status = PlanStatus.SUBMITTED
    db.session.commit()
    stale = second.revision - 1
    login("truongphong")
    page = client.post(
        f"/plans/units/{division.unit.id}/2026/decide",
        data={
            "decision": "approve",
            "plan": [f"{first.id}:1:{first.revision}", f"{second.id}:1:{stale}"],
        },
        follow_redirects=True,
    )
    assert "Đã duyệt 1 kế hoạch." in page.text
    assert "Kế hoạch của Hoàng Thị Hoa đã thay đổi" in page.text
    db.session.expire_all()
    statuses = {p.person_id: p.latest.status for p in db.session.scalars(select(StudyPlan))}
    assert statuses == {
        division.learner.id: PlanStatus.APPROVED,
        division.colleague.id: PlanStatus.SUBMITTED,
    }


def test_bulk_decision_without_a_known_button_changes_nothing(client, login, division):
    plan = workflow.plan_for(division.learner, 2026)
    plan.latest.status = PlanStatus.SUBMITTED
    db.session.commit()
    login("truongphong")
    page = client.post(
        f"/plans/units/{division.unit.id}/2026/decide",
        data={"decision": "xoa-het", "plan": [f"{plan.id}:1:{plan.revision}"]},
        follow_redirects=True,
    )
    assert "Hãy chọn duyệt hoặc trả lại." in page.text
    db.session.expire_all()
    assert db.session.get(StudyPlan, plan.id).latest.status == PlanStatus.SUBMITTED


def test_every_figure_sort_pages_as_the_engines_figures_order_them(
    app, division, forty_tiet, few_units
):
    """Percent, tiết and overdue items, both ways, 7 a page: the pages put together are the
    people in the order of the engine's own figures (ties by name the same way, then by id),
    with people who completed one, two or no course, a required course overdue for some, a
    member who left mid-year and completed a course after, two who moved to a team (one of them
    completing the required course there), one who moved out of the division's reach, and equal
    names; the reach's people looked up by id or read in bulk."""
    unit_id = division.unit.id
    add_members(unit_id, 14)
    add_members(unit_id, 2, start=3, prefix="trung")  # two more named as Số3 and Số4
    assignments.assign_course(
        unit=division.unit,
        course_id=division.course.id,
        year=2026,
        kind="required",
        due_on="2026-03-31",
        include_subunits=True,
        actor_id=None,
    )
    people = db.session.scalars(
        select(Person).join(Membership).where(Membership.unit_id == unit_id).order_by(Person.id)
    ).all()
    second = factories.make_course("Tiếng Tày cơ bản", "4")
    for index, person in enumerate(people):
        if index % 3 == 0:
            complete(person, division.course, utc(2026, 2, 1, 9, 0))
        if index % 4 == 0:
            complete(person, second, utc(2026, 5, 1, 9, 0))
    leaver = db.session.scalar(select(Membership).where(Membership.person_id == people[5].id))
    leaver.valid_until = date(2026, 6, 30)
    # A credit on a day in no membership: theirs, though no unit's.
    complete(people[5], second, utc(2026, 8, 1, 9, 0))
    # Two who moved to the division's team in July: two memberships, both within reach; one
    # completes the division's required course there, after its due day.
    org.assign_to_unit(people[3], division.team, date(2026, 7, 1))
    org.assign_to_unit(people[8], division.team, date(2026, 7, 1))
    complete(people[8], division.course, utc(2026, 8, 1, 9, 0))
    # One who moved out of reach: their figures still count their days there.
    org.assign_to_unit(people[10], division.other, date(2026, 7, 1))
    db.session.commit()
    today = date(2026, 9, 1)
    engine = Engine(date(2026, 1, 1), date(2026, 12, 31), today)

    def pages(sort: str, descending: bool) -> tuple[list[int], dict[int, object]]:
        shown, figures = [], {}
        for page in range(1, 10):
            with app.test_request_context():
                found = queries.dashboard(
                    unit_id, 2026, today, sort=sort, descending=descending, page=page, per_page=7
                )
            if page > found.pages:
                break
            shown += [row.person_id for row in found.rows]
            figures.update({row.person_id: row.progress for row in found.rows})
        return shown, figures

    def shown_figures(found) -> tuple:
        return (
            found.exact_tiet,
            found.exact_hours,
            found.percent,
            found.target_amount,
            found.required_done,
            found.required_total,
            found.required_overdue,
        )

    for sort, figure in [
        ("percent", lambda f: -1 if f.percent is None else f.percent),
        ("hours", lambda f: f.earned_tiet),
        ("overdue", lambda f: f.required_overdue),
    ]:
        for descending in (False, True):
            shown, figures = pages(sort, descending)
            keys = {
                row.id: row.sort_key
                for row in db.session.execute(select(Person.id, Person.sort_key).where(
                    Person.id.in_(shown)
                ))
            }  # fmt: skip
            expected = sorted(sorted(shown), key=lambda i: (figure(figures[i]), keys[i]),
                              reverse=descending)  # fmt: skip
            assert shown == expected, (sort, descending)
            assert len(set(shown)) == len(shown) == len(keys)
            # The figures shown are the engine's own, all of them: the rows add what the
            # ranking left out (the required items, or the credits) to what it read.
            spans = engine.memberships(shown)
            credits = engine.credits(shown)
            for person_id in shown:
                own = engine.person(
                    "cong_chuc", spans.get(person_id, []), credits.get(person_id), items=True
                )
                assert figure(own) == figure(figures[person_id])
                assert shown_figures(figures[person_id]) == shown_figures(own), (sort, person_id)


def test_a_figure_sort_keeps_the_filters_totals_and_counts_of_the_name_order(app, division):
    """A sort by figure reads everyone once and filters them itself: the same people, total,
    pages and status counts as the name order, filtered by the database, for every filter; a
    person with two memberships in the year counts once."""
    unit_id = division.unit.id
    add_members(unit_id, 12)
    mover = db.session.scalar(select(Person).where(Person.username == "so3"))
    org.assign_to_unit(mover, division.team, date(2026, 3, 1))
    for index, person_id in enumerate(
        db.session.scalars(
            select(Person.id).where(Person.username.in_(["so1", "so2", "so10", "mai"]))
        )
    ):
        plan = StudyPlan(person_id=person_id, year=2026)
        db.session.add(plan)
        db.session.flush()
        status = PlanStatus.SUBMITTED if index % 2 else PlanStatus.DRAFT
        db.session.add(PlanVersion(plan_id=plan.id, number=1, status=status))
    db.session.commit()

    def board(**options):
        with app.test_request_context():
            return queries.dashboard(unit_id, 2026, date(2026, 6, 1), per_page=5, **options)

    for status in ("", "none", "submitted", "draft", "approved"):
        for search in ("", "so1", "van so", "mai", "khong ai"):
            by_name = board(status=status, search=search)
            everyone = {
                row.person_id
                for page in range(1, by_name.pages + 1)
                for row in board(status=status, search=search, page=page).rows
            }
            for sort in ("percent", "hours", "overdue"):
                by_figure = [
                    board(status=status, search=search, sort=sort, page=page)
                    for page in range(1, by_name.pages + 1)
                ]
                found = by_figure[0]
                assert (found.total, found.pages) == (by_name.total, by_name.pages)
                assert found.status_counts == by_name.status_counts
                assert {row.person_id for b in by_figure for row in b.rows} == everyone
                assert sum(len(b.rows) for b in by_figure) == by_name.total
    assert by_name.status_counts == {"none": 11, "submitted": 2, "draft": 2}
