"""The database's sums of a person's credits (one unit all along) are the credit-by-credit sums:
exact to the hundredth on SQLite too, whose NUMERIC columns are floats."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from lms.db import db
from lms.plans import rules
from lms.progress.engine import Engine
from tests.factories import (
    add_verified_activity,
    complete_course,
    make_course,
    make_person,
    make_unit,
)

YEAR = 2025


def test_summed_and_listed_credits_agree_to_the_hundredth(app):
    rules.seed_default_rules()
    unit = make_unit("PCS", "Phòng Chính sách")
    person = make_person("mai", "Lò Thị Mai", unit=unit)
    # Amounts a float cannot hold: 0.1 + 0.2 is 0.30000000000000004 in binary.
    for number, hours in enumerate(["0.10", "0.20", "0.35", "1.15", "0.01", "0.01", "0.01"]):
        add_verified_activity(person, date(YEAR, 3, number + 1), hours, title=f"Lớp {number}")
    # Courses of each category, which the database counts packed in one sum.
    completed = [
        ("digital-skills", "1.10"),
        ("digital-skills", "2.20"),
        ("digital-skills", "0.70"),
        ("foreign-language", "0.50"),
        ("ethnic-language", "0.25"),
        ("ethnic-language", "0.25"),
    ]
    for number, (category, tiet) in enumerate(completed):
        complete_course(
            person,
            make_course(category, tiet, title=f"Khóa {number}"),
            datetime(YEAR, 5, number + 1, 3, tzinfo=UTC),
        )
    # A course worth no tiết is completed but earns nothing: no course counted.
    complete_course(
        person, make_course("foreign-language", "0"), datetime(YEAR, 6, 1, 3, tzinfo=UTC)
    )
    # Someone with only activities: no course in any category.
    other = make_person("lan", "Hoàng Thị Lan", unit=unit)
    add_verified_activity(other, date(YEAR, 3, 1), "2.50")
    db.session.commit()
    engine = Engine(date(YEAR, 1, 1), date(YEAR, 12, 31), date(YEAR, 12, 31))
    memberships = engine.memberships([person.id])
    assert engine.whole_period({person.id: person.employment_kind}, memberships) == {person.id}
    summed = engine.credits([person.id], summed_only={person.id})[person.id]
    listed = engine.credits([person.id])[person.id]
    assert summed.hours == listed.hours == Decimal("1.83")
    assert summed.tiet == listed.tiet == Decimal("5.00")
    assert summed.courses == listed.courses == [3, 1, 2]
    assert summed.count == listed.count == 14
    only_activities = engine.credits([other.id], summed_only={other.id})[other.id]
    assert only_activities.courses == [0, 0, 0] and only_activities.hours == Decimal("2.50")
    kind = person.employment_kind
    spans = memberships[person.id]
    by_sum = engine.person(kind, spans, summed)
    by_list = engine.person(kind, spans, listed)
    assert (by_sum.exact_tiet, by_sum.exact_hours) == (by_list.exact_tiet, by_list.exact_hours)


def test_overdue_items_counted_without_listing_them_agree_with_the_list(app):
    """A person who moved unit in the year, completing one course after the move: the count
    the dashboard sorts by is the number of overdue items their page lists."""
    from lms.org import services as org
    from lms.plans import assignments

    rules.seed_default_rules()
    first_unit = make_unit("P1", "Phòng Một")
    second_unit = make_unit("P2", "Phòng Hai")
    courses = [make_course("digital-skills", "4", title=f"Khóa {n}") for n in range(4)]
    for unit, course, due in (
        (first_unit, courses[0], date(YEAR, 2, 28)),
        (first_unit, courses[1], date(YEAR, 4, 30)),
        (second_unit, courses[2], date(YEAR, 9, 30)),
        (second_unit, courses[3], date(YEAR, 11, 30)),
    ):
        assignments.assign_course(
            unit=unit, course_id=course.id, year=YEAR, kind="required", due_on=due,
            include_subunits=True, actor_id=None,
        )  # fmt: skip
    person = make_person("mai", "Lò Thị Mai", unit=first_unit)
    org.assign_to_unit(person, second_unit, date(YEAR, 6, 1))
    # Done late, after the move (counts as done by her last day), and one in the second unit.
    complete_course(person, courses[1], datetime(YEAR, 7, 1, 3, tzinfo=UTC))
    complete_course(person, courses[2], datetime(YEAR, 8, 1, 3, tzinfo=UTC))
    db.session.commit()
    engine = Engine(date(YEAR, 1, 1), date(YEAR, 12, 31), date(YEAR + 1, 1, 15))
    spans = engine.memberships([person.id])[person.id]
    credits = engine.credits([person.id])[person.id]
    counted = engine.person(person.employment_kind, spans, credits)
    listed = engine.person(person.employment_kind, spans, credits, items=True)
    assert len(spans) == 2
    assert listed.required_overdue == 2  # courses 0 and 3
    assert counted.required_overdue == listed.required_overdue
    assert counted.required_done == listed.required_done == 2


def test_figures_without_required_items_earn_the_same_and_read_no_completions(app, count_queries):
    """A sort by tiết or percent asks for figures without required items: the same earnings
    and target, no required item counted, and the completions are not read at all."""
    from lms.plans import assignments
    from lms.progress.engine import people_figures

    rules.seed_default_rules()
    unit = make_unit("PCS", "Phòng Chính sách")
    courses = [make_course("digital-skills", "4", title=f"Khóa {n}") for n in range(2)]
    for course in courses:
        assignments.assign_course(
            unit=unit, course_id=course.id, year=YEAR, kind="required",
            due_on=date(YEAR, 3, 31), include_subunits=True, actor_id=None,
        )  # fmt: skip
    person = make_person("mai", "Lò Thị Mai", unit=unit)
    complete_course(person, courses[0], datetime(YEAR, 2, 1, 3, tzinfo=UTC))
    db.session.commit()
    person_id = person.id
    people = {person_id: person.employment_kind}
    first, last, today = date(YEAR, 1, 1), date(YEAR, 12, 31), date(YEAR, 6, 1)
    whole = people_figures(people, first, last, today)[person_id]
    found: dict = {}
    reads = count_queries(
        lambda: found.update(people_figures(people, first, last, today, required=False))
    )
    earned = found[person_id]
    assert (earned.exact_tiet, earned.percent, earned.target) == (
        whole.exact_tiet,
        whole.percent,
        whole.target,
    )
    assert (whole.required_done, whole.required_total, whole.required_overdue) == (1, 2, 1)
    assert (earned.required_done, earned.required_total, earned.required_overdue) == (0, 0, 0)
    assert reads < count_queries(lambda: people_figures(people, first, last, today))


def test_a_credit_the_request_added_counts_in_the_figures_read_after_it(app):
    """The ledger adds a credit without flushing it; the engine's reads flush it first, as the
    session would, so a page built in the same request counts it."""
    rules.seed_default_rules()
    person = make_person("mai", "Lò Thị Mai", unit=make_unit("PCS", "Phòng Chính sách"))
    db.session.commit()
    engine = Engine(date(YEAR, 1, 1), date(YEAR, 12, 31), date(YEAR, 12, 31))
    add_verified_activity(person, date(YEAR, 3, 2), "2.50")
    assert db.session.new  # the credit is pending, not yet in the database

    summed = engine.credits([person.id], summed_only={person.id})[person.id]

    assert (summed.hours, summed.count) == (Decimal("2.50"), 1)
    db.session.rollback()


def test_items_counted_by_the_database_agree_with_the_listed_items(app):
    """Someone in one unit all year has their required items counted by the database, by how
    many items name each course: a course assigned twice (to the unit and to the one above it)
    counts twice, done or overdue; an item not yet due is neither. The counts are those of the
    listed items."""
    rules.seed_default_rules()
    parent = make_unit("SO", "Sở")
    unit = make_unit("PCS", "Phòng Chính sách", parent=parent)
    courses = [make_course("digital-skills", "4", title=f"Khóa {n}") for n in range(5)]
    _require(
        (parent, courses[0], date(YEAR, 3, 31)),
        (unit, courses[0], date(YEAR, 4, 30)),  # the same course twice: two items
        (parent, courses[1], date(YEAR, 3, 31)),
        (unit, courses[1], date(YEAR, 5, 31)),  # twice, not done: two overdue
        (unit, courses[2], date(YEAR, 3, 31)),  # once, done
        (unit, courses[3], date(YEAR, 4, 30)),  # once, overdue
        (unit, courses[4], date(YEAR, 11, 30)),  # not due yet
    )
    person = make_person("mai", "Lò Thị Mai", unit=unit)
    complete_course(person, courses[0], datetime(YEAR, 2, 1, 3, tzinfo=UTC))
    complete_course(person, courses[2], datetime(YEAR, 2, 1, 3, tzinfo=UTC))
    db.session.commit()
    assert _counted_and_listed(person) == ((3, 3, 7), (3, 3, 7))


def test_items_each_named_once_counted_by_the_database_agree_with_the_listed_items(app):
    """Each course required once: the database counts the done ones among all the courses and
    the overdue ones among those past due (two different sets of courses in one statement)."""
    rules.seed_default_rules()
    unit = make_unit("PCS", "Phòng Chính sách")
    courses = [make_course("digital-skills", "4", title=f"Khóa {n}") for n in range(4)]
    _require(
        (unit, courses[0], date(YEAR, 3, 31)),  # done
        (unit, courses[1], date(YEAR, 4, 30)),  # overdue
        (unit, courses[2], date(YEAR, 10, 31)),  # done before it was due
        (unit, courses[3], date(YEAR, 11, 30)),  # not due yet
    )
    person = make_person("mai", "Lò Thị Mai", unit=unit)
    complete_course(person, courses[0], datetime(YEAR, 2, 1, 3, tzinfo=UTC))
    complete_course(person, courses[2], datetime(YEAR, 5, 1, 3, tzinfo=UTC))
    db.session.commit()
    assert _counted_and_listed(person) == ((2, 1, 4), (2, 1, 4))


def _require(*items) -> None:
    """Require each (unit, course, due day) of the unit and the units below it."""
    from lms.plans import assignments

    for owner, course, due in items:
        assignments.assign_course(
            unit=owner, course_id=course.id, year=YEAR, kind="required", due_on=due,
            include_subunits=True, actor_id=None,
        )  # fmt: skip


def _counted_and_listed(person) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """(done, overdue, total) of the person's required items in YEAR as of 15/06, counted by the
    database and listed one by one."""
    from lms.progress.engine import people_figures

    people = {person.id: person.employment_kind}
    first, last, today = date(YEAR, 1, 1), date(YEAR, 12, 31), date(YEAR, 6, 15)
    counted = people_figures(people, first, last, today)[person.id]
    listed = people_figures(people, first, last, today, items=True)[person.id]
    assert counted.items is None and listed.items is not None  # the two ways were taken
    return (
        (counted.required_done, counted.required_overdue, counted.required_total),
        (listed.required_done, listed.required_overdue, listed.required_total),
    )
