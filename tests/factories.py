"""Factory functions that build valid records through the real services."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import cache
from itertools import count

from sqlalchemy import select

from lms.accounts import services as people
from lms.accounts.models import Person
from lms.auth import services as auth
from lms.courses.models import Course
from lms.db import db
from lms.learning.models import Certificate, CourseProgress
from lms.org import services as org
from lms.org.models import Unit, UnitKind
from lms.plans import rules
from lms.plans.models import ActivityStatus, ExternalActivity, PlanStatus, PlanVersion, StudyPlan
from lms.progress import ledger
from lms.progress.models import TargetRule
from lms.roles import Role

PASSWORD = "Mat-khau-2024"
START = date(2020, 1, 1)
_numbers = count(1)


@cache
def _hash(password: str) -> str:
    """Hash each test password once per run; scrypt is slow on purpose."""
    return auth.hash_password(password)


def make_unit(
    code: str | None = None,
    name: str | None = None,
    *,
    parent: Unit | None = None,
    kind: UnitKind = UnitKind.DIVISION,
    valid_from: date = START,
) -> Unit:
    number = next(_numbers)
    unit = org.create_unit(
        code=code or f"U{number:03d}",
        name=name or f"Phòng số {number}",
        kind=kind,
        parent=parent,
        valid_from=valid_from,
    )
    db.session.flush()
    return unit


def make_citizen(username: str = "nguoidan", full_name: str = "Lò Thị Dân") -> Person:
    """A citizen registered on her own, in a commune made for her if none exists."""
    from lms.citizens import services as citizens
    from lms.citizens.models import Commune

    commune = db.session.scalar(select(Commune).limit(1))
    if commune is None:
        commune = Commune(code="X-01", name="Xã Thử Nghiệm")
        db.session.add(commune)
        db.session.flush()
    person = citizens.make_citizen(full_name, username, PASSWORD, commune)
    db.session.flush()
    return person


def make_person(
    username: str | None = None,
    full_name: str | None = None,
    *,
    unit: Unit | None = None,
    since: date = START,
    roles: tuple[Role, ...] = (),
    manages: Unit | None = None,
    password: str | None = PASSWORD,
    **fields,
) -> Person:
    number = next(_numbers)
    if fields.get("position"):
        # Held since they joined, as the migration recorded everyone's position.
        fields.setdefault("position_since", since)
    person = people.create_person(
        username=username or f"nguoi{number}",
        full_name=full_name or f"Nguyễn Văn Thử {number}",
        **fields,
    )
    if password:
        person.password_hash = _hash(password)
    db.session.flush()
    if unit is not None:
        org.assign_to_unit(person, unit, since)
    # Granted since START, like the units: a manager reaches only the days of their grant.
    for role in roles:
        people.grant_role(person, role, valid_from=START)
    if manages is not None:
        people.grant_role(person, Role.MANAGER, manages, valid_from=START)
    db.session.flush()
    return person


def make_course(category: str = "digital-skills", hours: str = "8", *, title: str = "") -> Course:
    """A course row as an import would leave it, without lessons: enough for figures."""
    number = next(_numbers)
    course = Course(
        slug=f"khoa-{number}",
        title=title or f"Khóa {category} {number}",
        category=category,
        language="vi",
        level="beginner",
        hours=Decimal(hours),
        summary="",
        authors=[],
        sources=[],
        version="1",
        intro_html="",
    )
    db.session.add(course)
    db.session.flush()
    return course


def complete_course(
    person: Person, course: Course, at: datetime, code: str | None = None
) -> CourseProgress:
    """Record person finishing course at the moment at; with code, also their certificate."""
    progress = CourseProgress(
        person_id=person.id,
        course_id=course.id,
        started_at=at,
        last_activity_at=at,
        completed_at=at,
        hours_credited=course.hours,
    )
    db.session.add(progress)
    db.session.flush()
    ledger.credit_course(progress)
    if code:
        db.session.add(
            Certificate(
                code=code,
                course_progress_id=progress.id,
                person_id=person.id,
                course_id=course.id,
                holder_name=person.full_name,
                course_title=course.title,
                hours=course.hours,
                completed_on=at.date(),
                issuer_name="Sở Dân tộc và Tôn giáo",
            )
        )
    return progress


def add_activity(activity: ExternalActivity) -> ExternalActivity:
    """Add an external activity as it stands; a verified one earns its credit, as on the site."""
    db.session.add(activity)
    db.session.flush()
    if activity.status == ActivityStatus.VERIFIED:
        ledger.credit_activity(activity)
    return activity


def add_verified_activity(
    person: Person, day: date, hours: str, *, title: str = "Lớp bồi dưỡng"
) -> ExternalActivity:
    """A one-day training of hours, verified: it earns its credit on day."""
    return add_activity(
        ExternalActivity(
            person_id=person.id,
            year=day.year,
            kind="training",
            title=title,
            organiser="Trường Chính trị tỉnh",
            starts_on=day,
            ends_on=day,
            hours=Decimal(hours),
            status=ActivityStatus.VERIFIED,
        )
    )


def correct_target(code: str, today: date, *, amount: str, full_year: bool = False) -> None:
    """Correct version 1 of a target rule, confirming the years it changes, as an admin would."""
    rule = db.session.scalar(db.select(TargetRule).filter_by(code=code, version=1))
    rules.correct_rule_version(
        rule,
        amount=amount,
        unit=rule.unit,
        minutes_per_tiet=rule.minutes_per_tiet,
        legal_basis=rule.legal_basis,
        full_year=full_year,
        confirmed_years=",".join(str(y) for y in rules.years_governed(rule, today)),
        actor_id=None,
        today=today,
    )


def approve_plan(person: Person, year: int, on: datetime | None = None) -> PlanVersion:
    """Give person an approved plan (version 1) for year."""
    plan = StudyPlan(person_id=person.id, year=year)
    db.session.add(plan)
    db.session.flush()
    version = PlanVersion(plan_id=plan.id, number=1, status=PlanStatus.APPROVED, decided_at=on)
    db.session.add(version)
    return version
