"""The roster's batch figures agree with the plans' own progress, person by person, year by year."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from lms.accounts.models import Person
from lms.db import db
from lms.i18n import local_today
from lms.plans.models import ActivityStatus, AssignmentKind, ExternalActivity, UnitAssignment
from lms.plans.queries import ItemState, progress_for_years
from lms.reports.figures import batch_figures
from tests.factories import complete_course, make_course, make_person

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
    batch = batch_figures(people, YEARS, date(2024, 1, 1), date(2025, 12, 31))
    for year in YEARS:
        for person_id, found in progress[year].items():
            key = (person_id, year)
            assert batch.rules.get(key) == found.rule
            assert batch.earned.get(key) == found.earned
            required = [i for i in found.items if i.is_required]
            counted = [i for i in required if i.state != ItemState.NOT_APPLICABLE]
            done = sum(1 for i in counted if i.state == ItemState.DONE)
            assert batch.required.get(key, (0, 0)) == (done, len(counted)), (person_id, year)
            assert (year in batch.present.get(person_id, set())) == bool(found.spans)
    assert batch.required[(doer.id, 2025)] == (1, 1)
    assert (late.id, 2025) not in batch.required  # due before they came: not theirs
    assert batch.courses[(doer.id, 2025)] == [0, 1, 0]
    assert batch.courses[(agency.an.id, 2024)] == [1, 0, 0]  # 23:30 on 31/12 counts in 2024
    assert batch.courses[(agency.an.id, 2025)] == [0, 0, 1]  # 00:30 on 01/01 in 2025
