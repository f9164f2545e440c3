"""Reads for awards: criteria sets as specs, approved initiatives per person, manual points."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.awards.criteria import CriteriaSpec, spec_of
from lms.awards.models import (
    CriteriaSet,
    Criterion,
    Initiative,
    InitiativeAuthor,
    InitiativeStatus,
    PointsEntry,
)
from lms.db import db


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
    """Every set, newest period first."""
    return list(
        db.session.scalars(
            select(CriteriaSet).order_by(
                CriteriaSet.last_day.desc(), CriteriaSet.first_day.desc(), CriteriaSet.id.desc()
            )
        )
    )


def set_for_period(first: date, last: date) -> int | None:
    """The set whose period covers first..last most tightly (the newest on a tie), if any."""
    rows = db.session.execute(
        select(CriteriaSet.id, CriteriaSet.first_day, CriteriaSet.last_day).where(
            CriteriaSet.first_day <= first, CriteriaSet.last_day >= last
        )
    ).all()
    if not rows:
        return None
    return min(rows, key=lambda row: (row.last_day - row.first_day, -row.id)).id


def approved_initiatives(
    person_ids: Iterable[int], first_year: int, last_year: int
) -> dict[int, list[tuple[int, int]]]:
    """Each person's approved initiatives in the years, as (year, initiative id)."""
    result: dict[int, list[tuple[int, int]]] = defaultdict(list)
    ids = list(person_ids)
    if not ids:
        return result
    for person_id, year, initiative_id in db.session.execute(
        select(InitiativeAuthor.person_id, Initiative.year, Initiative.id)
        .join(Initiative, Initiative.id == InitiativeAuthor.initiative_id)
        .where(
            InitiativeAuthor.person_id.in_(ids),
            Initiative.status == InitiativeStatus.APPROVED,
            Initiative.year >= first_year,
            Initiative.year <= last_year,
        )
    ):
        result[person_id].append((year, initiative_id))
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
