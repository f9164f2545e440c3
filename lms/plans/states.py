"""The state of people's plans over some days: each plan's latest status and whether it was
ever approved, as the days' last day saw it (a decision taken later was still awaited).

Rosters, the unit dashboard and a person's page read plan states for the days of the progress
engine they use (`PlanStates(engine)`); the figures themselves stay in the engine.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select

from lms.db import among, id_list, read
from lms.i18n import utc_span
from lms.plans.models import PlanStatus, PlanVersion, StudyPlan

if TYPE_CHECKING:
    from lms.progress.engine import Engine

APPROVED = str(PlanStatus.APPROVED)
# A plan approved once and now being revised still counts as approved.
APPROVED_REVISING = "approved_revising"
NO_PLAN = "none"


class PlanState(NamedTuple):
    status: str  # of the latest version; NO_PLAN without a plan
    approved: bool  # some version was approved

    @property
    def label_key(self) -> str:
        """draft, submitted, returned, approved, approved_revising or none."""
        if self.approved and self.status != APPROVED:
            return APPROVED_REVISING
        return self.status


NO_PLAN_STATE = PlanState(NO_PLAN, False)
_STATUS_CODES = tuple(enumerate(PlanStatus))
_STATUS_OF_CODE = {index: str(status) for index, status in _STATUS_CODES}
_STATUS_CODE = {status: index for index, status in _STATUS_CODES}
# Every state a plan can be in, by (status code, ever approved): made once, shared by the rows
# (a five-year roster of a province reads half a million plans).
_STATE_OF = {
    (code, ever): PlanState(status, bool(ever))
    for code, status in _STATUS_OF_CODE.items()
    for ever in (0, 1)
}


def _end_of(last: date) -> datetime:
    """The moment the agency's day last ends (UTC): the statements below are kept per moment,
    so a change of the agency's time zone gets statements of its own."""
    return utc_span(last, last)[1]


def _decided_by(end: datetime) -> ColumnElement[bool]:
    """SQL: a plan version's decision was taken before end, the end of a period's last day (a
    half-year roster does not count a plan approved in September). Without a recorded moment:
    it was."""
    return or_(PlanVersion.decided_at.is_(None), PlanVersion.decided_at < end)


@lru_cache(maxsize=64)
def _state_columns(end: datetime) -> tuple[ColumnElement[int], ColumnElement[int]]:
    """SQL: a version's status code (a decision taken after end: still awaited) and whether
    it was approved by then. Built once per end and process: every page with plan states
    asks for the same few days, and building these CASE expressions costs more than running
    them (SQL expressions are immutable, so sharing them is safe)."""
    decided = _decided_by(end)
    code = case(
        (~decided, _STATUS_CODE[PlanStatus.SUBMITTED]),
        *[(PlanVersion.status == str(status), index) for index, status in _STATUS_CODES],
        else_=0,
    )
    approved = case((and_(PlanVersion.status == APPROVED, decided), 1), else_=0)
    return code, approved


@lru_cache(maxsize=64)
def _rows(end: datetime, first_year: int, last_year: int) -> Select:
    """`PlanStates.rows`, built once per end and years (statements are immutable)."""
    code, approved = _state_columns(end)
    # Several years as a range: one descent of a person's plans rather than one per year (a
    # five-year roster's batch of 2,500 people: 12,500 descents).
    in_years = (
        StudyPlan.year == first_year
        if first_year == last_year
        else StudyPlan.year.between(first_year, last_year)
    )
    return (
        select(
            StudyPlan.person_id,
            StudyPlan.year,
            func.max(PlanVersion.number * 8 + code).label("latest"),
            func.max(approved).label("ever"),
        )
        .join(PlanVersion, PlanVersion.plan_id == StudyPlan.id)
        .where(in_years)
        .group_by(StudyPlan.person_id, StudyPlan.year)
    )


@lru_cache(maxsize=64)
def _rows_of_people(end: datetime, first_year: int, last_year: int) -> Select:
    """`_rows` of some people, given as {"ids": [...]} when run: a home page asks for one."""
    return _rows(end, first_year, last_year).where(among(StudyPlan.person_id, id_list("ids")))


class PlanStates:
    """Plan states over the days of an engine (first..last, and their years)."""

    def __init__(self, days: Engine) -> None:
        self.first: date = days.first
        self.last: date = days.last

    def of(self, person_ids: Collection[int]) -> dict[int, dict[int, PlanState]]:
        """Each person's plan per year of the days: latest status, and whether ever approved.

        One row per plan, summed by the database: the latest version's number and status
        packed in one integer (number × 8 + status), and whether any version was approved."""
        if not person_ids:
            return {}
        states: dict[int, dict[int, PlanState]] = defaultdict(dict)
        statement = _rows_of_people(_end_of(self.last), self.first.year, self.last.year)
        for person_id, year, latest, ever in read(statement, {"ids": list(person_ids)}).all():
            states[person_id][year] = _STATE_OF[latest % 8, ever]
        return states

    def rows(self) -> Select:
        """SQL: (person_id, year, latest, ever) for each plan in the years of the days: the
        latest version's number and status packed in one integer (number × 8 + status), and
        whether any version was approved (1) or not (0)."""
        return _rows(_end_of(self.last), self.first.year, self.last.year)

    @staticmethod
    def label(latest: ColumnElement[Any], ever: ColumnElement[Any]) -> ColumnElement[str]:
        """SQL: PlanState.label_key of rows()' latest and ever (NULL: no plan)."""
        status = case(
            *[(latest % 8 == index, str(status)) for index, status in _STATUS_CODES],
            else_=NO_PLAN,
        )
        return case(
            (latest.is_(None), NO_PLAN),
            (and_(ever == 1, latest % 8 != _STATUS_CODE[PlanStatus.APPROVED]), APPROVED_REVISING),
            else_=status,
        )
