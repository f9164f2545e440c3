"""What HCTH may know of citizens: figures per commune and course, never who.

For a period: learners (citizens who studied the course on a day of it), completions (courses
completed on a day of it) and tiết (their credits in the ledger on days of it). A commune's line
is the sum of its course lines, and the total the sum of the communes' lines: a citizen who
studies two courses is two learners there (enrolments); the registered column counts people.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import and_, func, select

from lms.accounts.models import Person
from lms.citizens.models import CitizenProfile, Commune
from lms.courses.models import Course
from lms.db import db
from lms.i18n import agency_zone
from lms.learning.models import CourseProgress
from lms.numbers import two_places
from lms.progress.models import Credit, CreditUnit

ZERO = Decimal("0.00")


@dataclass
class Figures:
    learners: int = 0
    completions: int = 0
    tiet: Decimal = ZERO

    def add(self, other: Figures) -> None:
        self.learners += other.learners
        self.completions += other.completions
        self.tiet += other.tiet


@dataclass
class CommuneLine:
    commune_id: int
    code: str
    name: str
    registered: int = 0
    courses: list[tuple[str, Figures]] = field(default_factory=list)
    total: Figures = field(default_factory=Figures)


@dataclass
class CitizenFigures:
    first: date
    last: date
    communes: list[CommuneLine]
    registered: int
    total: Figures


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=agency_zone())


def citizen_figures(first: date, last: date) -> CitizenFigures:
    """The figures of first..last, per commune (in name order) and course (in title order)."""
    start, end = _moment(first), _moment(last + timedelta(days=1))
    citizen = and_(Person.is_citizen.is_(True), CitizenProfile.person_id == Person.id)
    cells: dict[tuple[int, int], Figures] = defaultdict(Figures)
    for commune_id, course_id, learners, completions in db.session.execute(
        select(
            CitizenProfile.commune_id,
            CourseProgress.course_id,
            func.count(),
            func.count(CourseProgress.completed_at).filter(
                CourseProgress.completed_at >= start, CourseProgress.completed_at < end
            ),
        )
        .join(Person, CourseProgress.person_id == Person.id)
        .join(CitizenProfile, citizen)
        .where(CourseProgress.started_at < end, CourseProgress.last_activity_at >= start)
        .group_by(CitizenProfile.commune_id, CourseProgress.course_id)
    ):
        cells[(commune_id, course_id)].learners += learners
        cells[(commune_id, course_id)].completions += completions
    for commune_id, credited_course, tiet in db.session.execute(
        select(CitizenProfile.commune_id, Credit.course_id, func.sum(Credit.amount))
        .join(Person, Credit.person_id == Person.id)
        .join(CitizenProfile, citizen)
        .where(
            Credit.unit == str(CreditUnit.TIET),
            Credit.course_id.is_not(None),
            Credit.day >= first,
            Credit.day <= last,
        )
        .group_by(CitizenProfile.commune_id, Credit.course_id)
    ):
        # Whole hundredths: SQLite sums NUMERIC as a float.
        if credited_course is not None:  # always: the query asks for course credits
            cells[(commune_id, credited_course)].tiet += two_places(Decimal(str(tiet or 0)))
    registered = dict(
        db.session.execute(
            select(CitizenProfile.commune_id, func.count())
            .join(Person, CitizenProfile.person_id == Person.id)
            .where(Person.is_citizen.is_(True), CitizenProfile.consented_at < end)
            .group_by(CitizenProfile.commune_id)
        ).all()
    )
    titles = dict(db.session.execute(select(Course.id, Course.title)).all())
    lines = []
    for commune in db.session.scalars(select(Commune).order_by(Commune.name, Commune.code)):
        line = CommuneLine(commune.id, commune.code, commune.name, registered.get(commune.id, 0))
        found = [
            (titles.get(course_id, "?"), figures)
            for (commune_id, course_id), figures in cells.items()
            if commune_id == commune.id
        ]
        for title, figures in sorted(found, key=lambda item: item[0]):
            line.courses.append((title, figures))
            line.total.add(figures)
        if line.registered or line.courses or commune.is_active:
            lines.append(line)
    total = Figures()
    for line in lines:
        total.add(line.total)
    return CitizenFigures(first, last, lines, sum(line.registered for line in lines), total)
