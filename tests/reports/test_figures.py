"""The roster's batch figures agree with the plans' own progress, person by person, year by year."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from lms.accounts.models import Person
from lms.courses.format import CATEGORIES as CATEGORY_NAMES
from lms.courses.models import Course
from lms.db import db
from lms.i18n import local_today
from lms.org import services as org
from lms.plans import services as plans
from lms.plans.models import (
    ActivityStatus,
    AssignmentKind,
    ExternalActivity,
    PlanStatus,
    PlanVersion,
    UnitAssignment,
)
from lms.plans.queries import ItemState, progress_for_years
from lms.reports.figures import Context, batch_figures
from tests.factories import approve_plan, complete_course, make_course, make_person, make_unit

YEARS = [2024, 2025]


def test_batch_figures_equal_progress_for_years(agency):
    # More than the fixture: a required course due in 2025 that one person finished, one did
    # not, one joined after it fell due; verified and unverified external hours.
    late = make_person("muon", "Triệu Văn Muộn", unit=agency.office, since=date(2025, 9, 1))
    doer = make_person("lam", "Chu Thị Làm", unit=agency.office)
    course = make_course("foreign-language", "6")
    db.session.add(
        UnitAssignment(
            unit_id=agency.agency.id, course_id=course.id, year=2025,
            kind=AssignmentKind.REQUIRED, due_on=date(2025, 6, 30), include_subunits=True,
        )
    )  # fmt: skip
    complete_course(doer, course, datetime(2025, 5, 1, tzinfo=UTC))
    for status in (ActivityStatus.VERIFIED, ActivityStatus.PENDING):
        db.session.add(
            ExternalActivity(
                person_id=doer.id, year=2025, kind="refresher", title="Bồi dưỡng",
                organiser="Trường Chính trị", starts_on=date(2025, 3, 1),
                ends_on=date(2025, 3, 2), hours=Decimal(8), status=status,
            )
        )  # fmt: skip
    db.session.commit()
    people = {p.id: p.employment_kind for p in db.session.query(Person).all()}
    progress = progress_for_years(people, YEARS, local_today())
    batch = batch_figures(people, Context(YEARS, date(2024, 1, 1), date(2025, 12, 31)))
    for year in YEARS:
        for person_id, found in progress[year].items():
            kind = people[person_id]
            pairs, target, _unit, _bits = batch.context.rules_for(kind, (year,))
            assert (pairs[0][1] if pairs else None) == found.rule
            assert target == (found.rule.amount if found.rule else None)
            assert batch.totals(person_id, kind, (year,)).earned == found.earned
            required = [i for i in found.items if i.is_required]
            counted = [i for i in required if i.state != ItemState.NOT_APPLICABLE]
            done = sum(1 for i in counted if i.state == ItemState.DONE)
            totals = batch.totals(person_id, kind, (year,))
            assert (totals.done, totals.total) == (done, len(counted)), (person_id, year)
            assert (year in batch.present.get(person_id, set())) == bool(found.spans)
    assert batch.totals(doer.id, doer.employment_kind, (2025,)).done == 1
    assert batch.required[doer.id][2025] == (1, 1)
    assert 2025 not in batch.required.get(late.id, {})  # due before they came: not theirs
    assert batch.courses[doer.id][2025] == [0, 1, 0]
    assert batch.courses[agency.an.id][2024] == [1, 0, 0]  # 23:30 on 31/12 counts in 2024
    assert batch.courses[agency.an.id][2025] == [0, 0, 1]  # 00:30 on 01/01 in 2025
    both = batch.totals(agency.an.id, agency.an.employment_kind, (2024, 2025))
    assert both.courses == (1, 0, 1)
    # A period from 1 June: Mai's course of 1 March still earns its tiết in 2024, but is not
    # counted among the courses completed in the period.
    june = batch_figures(people, Context(YEARS, date(2024, 6, 1), date(2025, 12, 31)))
    mai = agency.mai
    assert june.totals(mai.id, mai.employment_kind, (2024,)).courses == (0, 0, 0)
    assert batch.totals(mai.id, mai.employment_kind, (2024,)).courses == (0, 1, 0)
    assert june.totals(mai.id, mai.employment_kind, (2024,)).earned == Decimal(12)
    assert june.totals(agency.an.id, agency.an.employment_kind, (2024, 2025)).courses == (1, 0, 1)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_batch_figures_equal_progress_for_years_on_a_shuffled_history(app, seed):
    """Random moves, leavings, returns, gaps, assignments up and down a unit tree, completions
    before, inside and after the years: the batch still agrees with the plans' progress."""
    plans.seed_default_rules()
    chance = random.Random(seed)
    top = make_unit(valid_from=date(2020, 1, 1))
    middle = [make_unit(parent=top, valid_from=date(2020, 1, 1)) for _ in range(2)]
    units = [top, *middle, *[make_unit(parent=chance.choice(middle)) for _ in range(3)]]
    courses = [
        make_course(chance.choice(list(CATEGORY_NAMES)), str(chance.randint(1, 9))) for _ in "abcde"
    ]
    # More assignments than courses (a course assigned twice), some due outside their year.
    for _ in range(14):
        db.session.add(
            UnitAssignment(
                unit_id=chance.choice(units).id,
                course_id=chance.choice(courses).id,
                year=chance.choice(YEARS),
                kind=chance.choice([AssignmentKind.REQUIRED, AssignmentKind.RECOMMENDED]),
                due_on=date(
                    chance.randint(2023, 2026), chance.randint(1, 12), chance.randint(1, 28)
                ),
                include_subunits=chance.random() < 0.5,
            )
        )
    # Shared start days (people alike in unit and days share their counts), half of them
    # before the years, so that whole years in one unit are common.
    starts = [date(2023, 1, 1), date(2023, 9, 1), date(2024, 3, 15), date(2025, 7, 1)]
    people = []
    for _ in range(40):
        day = chance.choice(starts)
        person = make_person(unit=chance.choice(units), since=day, password=None)
        for _move in range(chance.choice([0, 0, 0, 1, 2, 3])):
            day += timedelta(days=chance.randint(1, 300))
            if chance.random() < 0.3:
                org.end_membership(person.memberships[-1], day)
                day += timedelta(days=chance.randint(1, 60))
            elif person.memberships[-1].valid_until is not None:
                break
            org.assign_to_unit(person, chance.choice(units), day)
        for course in chance.sample(courses, chance.randint(0, len(courses))):
            moment = datetime(2023, 10, 1, tzinfo=UTC) + timedelta(hours=chance.randint(0, 24000))
            complete_course(person, course, moment)
        people.append(person)
    db.session.commit()
    kinds = {p.id: p.employment_kind for p in people}
    progress = progress_for_years(kinds, YEARS, local_today())
    batch = batch_figures(kinds, Context(YEARS, date(2024, 1, 1), date(2025, 12, 31)))
    counted_any = 0
    for year in YEARS:
        for person_id, found in progress[year].items():
            required = [i for i in found.items if i.is_required]
            counted = [i for i in required if i.state != ItemState.NOT_APPLICABLE]
            done = sum(1 for i in counted if i.state == ItemState.DONE)
            totals = batch.totals(person_id, kinds[person_id], (year,))
            assert (totals.done, totals.total) == (done, len(counted)), (seed, person_id, year)
            assert batch.totals(person_id, kinds[person_id], (year,)).earned == found.earned
            assert (year in batch.present.get(person_id, set())) == bool(found.spans)
            counted_any += len(counted)
    assert counted_any  # the shuffle did give people required items to count


def test_a_course_assigned_twice_counts_twice_for_a_whole_year(agency):
    # CSDT must take the digital course by 15/06/2024 (fixture); the agency now requires it of
    # every unit by 30/11/2024 as well. Thảo, in CSDT all year, finished it: two items, both
    # done. Bình, in HCTH all year, is reached by the agency's only and did not finish it.
    digital = db.session.scalar(
        select(UnitAssignment.course_id).where(UnitAssignment.unit_id == agency.policy.id)
    )
    db.session.add(
        UnitAssignment(
            unit_id=agency.agency.id, course_id=digital, year=2024, kind=AssignmentKind.REQUIRED,
            due_on=date(2024, 11, 30), include_subunits=True,
        )
    )  # fmt: skip
    thao = make_person("thao", "Hà Thị Thảo", unit=agency.policy, password=None)
    complete_course(thao, db.session.get(Course, digital), datetime(2024, 8, 1, tzinfo=UTC))
    db.session.commit()
    people = {p.id: p.employment_kind for p in (thao, agency.binh, agency.an)}
    batch = batch_figures(people, Context([2024], date(2024, 1, 1), date(2024, 12, 31)))
    progress = progress_for_years(people, [2024], local_today())[2024]
    for person_id, kind in people.items():
        required = [i for i in progress[person_id].items if i.is_required]
        counted = [i for i in required if i.state != ItemState.NOT_APPLICABLE]
        done = sum(1 for i in counted if i.state == ItemState.DONE)
        totals = batch.totals(person_id, kind, (2024,))
        assert (totals.done, totals.total) == (done, len(counted)), person_id
    assert batch.required[thao.id][2024] == (2, 2)
    assert batch.required[agency.binh.id][2024] == (0, 1)


def test_plans_count_by_their_latest_version(agency):
    # Bình: approved in 2024 (fixture); 2025 approved, then reopened as a draft.
    binh = agency.binh
    reopened = approve_plan(binh, 2025)
    db.session.add(PlanVersion(plan_id=reopened.plan_id, number=2, status=PlanStatus.DRAFT))
    db.session.commit()
    people = {binh.id: binh.employment_kind, agency.mai.id: agency.mai.employment_kind}
    batch = batch_figures(people, Context(YEARS, date(2024, 1, 1), date(2025, 12, 31)), [binh.id])
    assert batch.totals(binh.id, binh.employment_kind, (2024, 2025)).approved == 1
    assert batch.totals(binh.id, binh.employment_kind, (2025,)).approved == 0
    assert batch.statuses[binh.id] == {2024: PlanStatus.APPROVED, 2025: PlanStatus.DRAFT}
    assert agency.mai.id not in batch.statuses  # not asked for
    assert batch.totals(agency.mai.id, agency.mai.employment_kind, (2024, 2025)).approved == 0
