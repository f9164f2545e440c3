"""Reads for awards: criteria sets as specs, approved initiatives per person, manual points."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, Date, Select, bindparam, or_, select
from sqlalchemy.orm import selectinload

from lms.accounts.models import Person
from lms.awards.criteria import CriteriaSpec, problems, spec_of
from lms.awards.models import (
    CriteriaSet,
    Criterion,
    Indicator,
    IndicatorSource,
    Initiative,
    InitiativeAuthor,
    InitiativeStatus,
    PointsEntry,
)
from lms.db import among, contains, db, id_list, parse_id, read
from lms.i18n import gettext as _
from lms.org.models import Membership, UnitVersion
from lms.org.scope import User, memberships_between, scope_of
from lms.pagination import Page, paginate
from lms.roles import Permission
from lms.text import fold


def criteria_set(set_id: int) -> CriteriaSet | None:
    return db.session.scalar(
        select(CriteriaSet)
        .where(CriteriaSet.id == set_id)
        .options(selectinload(CriteriaSet.criteria).selectinload(Criterion.indicators))
    )


def spec(set_id: int) -> CriteriaSpec | None:
    found = criteria_set(set_id)
    return spec_of(found) if found is not None else None


def criteria_sets() -> list[CriteriaSet]:
    """Every set, newest period first, with its criteria (the list shows how many)."""
    return list(
        db.session.scalars(
            select(CriteriaSet)
            .options(selectinload(CriteriaSet.criteria))
            .order_by(
                CriteriaSet.last_day.desc(), CriteriaSet.first_day.desc(), CriteriaSet.id.desc()
            )
        )
    )


# The roster's reads, built once (a roster page runs them on every request).
_SET_FOR_PERIOD = (
    select(CriteriaSet.id)
    .where(
        CriteriaSet.first_day == bindparam("first", type_=Date),
        CriteriaSet.last_day == bindparam("last", type_=Date),
    )
    .order_by(CriteriaSet.id.desc())
    .limit(1)
)
_AUTHORED = select(InitiativeAuthor.person_id, InitiativeAuthor.initiative_id).where(
    among(InitiativeAuthor.person_id, id_list("ids"))
)
_APPROVED_YEARS = select(Initiative.id, Initiative.year).where(
    among(Initiative.id, id_list("ids")),
    Initiative.status == InitiativeStatus.APPROVED,
    Initiative.year >= bindparam("first_year"),
    Initiative.year <= bindparam("last_year"),
)


def set_for_period(first: date, last: date) -> int | None:
    """The newest set made for exactly this period, if any.

    Only an exact match: a set for 2024–2025 judges two years of figures, and applied to 2024
    alone it would call people passing (or failing) on half of what it asks for.
    """
    return read(_SET_FOR_PERIOD, {"first": first, "last": last}).scalar()


def resolve(wanted: str, first: date, last: date) -> tuple[int | None, CriteriaSpec | None]:
    """The set a request or command names ("" for the period's own set, "none" for none).

    Raise LookupError when it names a set that does not exist.
    """
    if wanted == "none":
        return None, None
    set_id = parse_id(wanted) if wanted else set_for_period(first, last)
    if wanted and set_id is None:
        raise LookupError(wanted)
    found = spec(set_id) if set_id is not None else None
    if set_id is not None and found is None:
        raise LookupError(wanted)
    return set_id, found


def approved_initiatives(
    person_ids: Iterable[int], first_year: int, last_year: int
) -> dict[int, list[tuple[int, int]]]:
    """Each person's approved initiatives in the years, as (year, initiative id).

    Two plain reads joined here: joined in SQL, SQLite walks every approved initiative and
    probes the list of people for each, which grows with both.
    """
    result: dict[int, list[tuple[int, int]]] = defaultdict(list)
    ids = list(person_ids)
    if not ids:
        return result
    authored = read(_AUTHORED, {"ids": ids}).all()
    initiative_ids = sorted({initiative_id for _person, initiative_id in authored})
    if not initiative_ids:  # none of them wrote one: nothing to look up
        return result
    years = dict(
        read(
            _APPROVED_YEARS,
            {"ids": initiative_ids, "first_year": first_year, "last_year": last_year},
        ).all()
    )
    for person_id, initiative_id in authored:
        if initiative_id in years:
            result[person_id].append((years[initiative_id], initiative_id))
    return result


def manual_points(spec: CriteriaSpec, person_ids: Iterable[int]) -> dict[int, dict[int, Decimal]]:
    """Points managers entered on the set's manual indicators: person -> indicator -> points."""
    indicator_ids = [
        indicator.id
        for criterion in spec.criteria
        for indicator in criterion.indicators
        if indicator.id is not None
    ]
    ids = list(person_ids)
    result: dict[int, dict[int, Decimal]] = defaultdict(dict)
    if not indicator_ids or not ids:
        return result
    for person_id, indicator_id, points in db.session.execute(
        select(PointsEntry.person_id, PointsEntry.indicator_id, PointsEntry.points).where(
            PointsEntry.indicator_id.in_(indicator_ids), PointsEntry.person_id.in_(ids)
        )
    ):
        result[person_id][indicator_id] = points
    return result


# ---------------------------------------------------------------------------------------------
# Initiatives and people, for the awards pages


def initiatives_page(
    *,
    page: int,
    per_page: int = 25,
    year: int | None = None,
    unit_id: int | None = None,
    status: str = "",
    search: str = "",
    visible_units: set[int] | None = None,
    author_id: int | None = None,
) -> Page[Initiative]:
    """Initiatives newest first, filtered; visible_units/author_id limit what a reader sees.

    visible_units None means every unit; a reader also sees those they wrote (author_id).
    """
    query = select(Initiative).options(
        selectinload(Initiative.authors).selectinload(InitiativeAuthor.person),
    )
    if visible_units is not None:
        reach: ColumnElement[bool] = Initiative.unit_id.in_(visible_units or [0])
        if author_id is not None:
            written = select(InitiativeAuthor.initiative_id).where(
                InitiativeAuthor.person_id == author_id
            )
            reach = or_(reach, Initiative.id.in_(written))
        query = query.where(reach)
    if year is not None:
        query = query.where(Initiative.year == year)
    if unit_id is not None:
        query = query.where(Initiative.unit_id == unit_id)
    if status in set(InitiativeStatus):
        query = query.where(Initiative.status == status)
    folded = fold(search)
    if folded:
        query = query.where(contains(Initiative.search_title, folded))
    query = query.order_by(Initiative.year.desc(), Initiative.id.desc())
    return paginate(query, page=page, per_page=per_page)


def unit_names_in_years(pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """The name each unit had at the end of each year (or its first name), for (unit, year)."""
    wanted = set(pairs)
    if not wanted:
        return {}
    versions: dict[int, list[tuple[date, str]]] = defaultdict(list)
    for unit_id, valid_from, name in db.session.execute(
        select(UnitVersion.unit_id, UnitVersion.valid_from, UnitVersion.name)
        .where(UnitVersion.unit_id.in_({unit for unit, _year in wanted}))
        .order_by(UnitVersion.valid_from)
    ):
        versions[unit_id].append((valid_from, name))
    result = {}
    for unit_id, year in wanted:
        spans = versions.get(unit_id, [])
        until = date(year, 12, 31)
        named = [name for start, name in spans if start <= until] or [n for _s, n in spans[:1]]
        result[(unit_id, year)] = named[-1] if named else ""
    return result


@dataclass(frozen=True)
class PersonChoice:
    person_id: int
    full_name: str
    username: str


def people_choices(among: Select[tuple[int]] | None = None) -> list[PersonChoice]:
    """Active people in Vietnamese name order, for choosing in a form; among, a select of
    person ids, narrows the list (the honour board offers only people who consent)."""
    query = select(Person.id, Person.full_name, Person.username).where(Person.is_active.is_(True))
    if among is not None:
        query = query.where(Person.id.in_(among))
    rows = db.session.execute(query.order_by(Person.sort_key, Person.id))
    return [PersonChoice(*row) for row in rows]


@dataclass(frozen=True)
class AuthorChoice:
    """A person offered as an initiative's author: their name and unit that year (never their
    username: the picker shows people, not accounts)."""

    person_id: int
    full_name: str
    unit_name: str


AUTHOR_RESULTS = 20


def authors_by_id(person_ids: Iterable[int], year: int) -> list[AuthorChoice]:
    """The chosen authors, in the order given, with their unit in year."""
    ids = list(dict.fromkeys(person_ids))
    names = dict(
        db.session.execute(select(Person.id, Person.full_name).where(Person.id.in_(ids))).all()
    )
    return _with_units([person_id for person_id in ids if person_id in names], names, year)


def _with_units(ids: list[int], names: dict[int, str], year: int) -> list[AuthorChoice]:
    first, last = date(year, 1, 1), date(year, 12, 31)
    spans = memberships_between(ids, first, last)
    last_unit = {person_id: found[-1].unit_id for person_id, found in spans.items() if found}
    unit_names = unit_names_in_years((unit_id, year) for unit_id in last_unit.values())
    return [
        AuthorChoice(
            person_id,
            names[person_id],
            unit_names.get((last_unit[person_id], year), "") if person_id in last_unit else "",
        )
        for person_id in ids
    ]


def author_search(user: User, search: str, year: int, today: date) -> list[AuthorChoice]:
    """People whose name contains search (without diacritics) that user may name as authors
    of an initiative of year: anyone for HCTH and administrators, else the people user reached
    on some day of that year (lms.org.scope)."""
    folded = fold(search)
    if len(folded) < 2:
        return []
    first, last = date(year, 1, 1), date(year, 12, 31)
    scope = scope_of(user, first, last, today, reading=user.can(Permission.MANAGE_AWARDS))
    query = select(Person.id, Person.full_name).where(
        Person.is_active.is_(True), contains(Person.search_name, folded)
    )
    if not scope.everywhere:
        query = query.where(
            Person.id.in_(
                select(Membership.person_id).where(
                    Membership.unit_id.in_(list(scope.units or ())),
                    Membership.valid_from <= last,
                    or_(Membership.valid_until.is_(None), Membership.valid_until >= first),
                )
            )
        )
    names: dict[int, str] = {}
    batch = db.session.execute(query.order_by(Person.sort_key, Person.id).limit(500)).all()
    spans = memberships_between([row.id for row in batch], first, last)
    for person_id, full_name in batch:
        if scope.everywhere or scope.reaches(spans.get(person_id, [])):
            names[person_id] = full_name
        if len(names) == AUTHOR_RESULTS:
            break
    return _with_units(list(names), names, year)


def usable_spec(set_id: int | None) -> CriteriaSpec:
    """The set as a spec, if it exists and can judge anyone; else LookupError with the reason,
    in Vietnamese, for the caller to show."""
    found = spec(set_id) if set_id else None
    if found is None:
        raise LookupError(_("Hãy chọn một bộ tiêu chí có trong hệ thống."))
    wrong = problems(found)
    if wrong:
        raise LookupError(
            _(
                "Bộ tiêu chí “%(name)s” chưa dùng được: %(problem)s",
                name=found.name,
                problem=wrong[0],
            )
        )
    return found


def sets_with_manual_indicators() -> list[CriteriaSet]:
    """Sets that have points for managers to enter, newest period first."""
    with_manual = (
        select(Criterion.set_id)
        .join(Indicator, Indicator.criterion_id == Criterion.id)
        .where(Indicator.source == IndicatorSource.MANUAL)
    )
    return list(
        db.session.scalars(
            select(CriteriaSet)
            .where(CriteriaSet.id.in_(with_manual))
            .order_by(CriteriaSet.last_day.desc(), CriteriaSet.id.desc())
        )
    )
