"""The campaign summary (sơ kết / tổng kết): per unit and year, what the rosters add up to.

Each year (cut to the period) is read as that year's roster, with the criteria set covering it,
a batch of people at a time, and folded into counters; nothing holds the whole organisation's
rows. Tiết are the sums of the unit's rows; people, approved plans, targets reached and people
passing are counted on each person's last row of the year. A year's line is the sum of its
units' lines, so the two always agree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from lms.awards import queries as award_queries
from lms.awards.models import Initiative, InitiativeStatus
from lms.db import db
from lms.numbers import percent
from lms.org.scope import User
from lms.progress.engine import ZERO
from lms.reports.queries import Period, roster_plan_all


@dataclass
class SummaryRow:
    year: int
    unit_id: int
    unit_code: str
    unit_name: str
    unit_order: int
    members: int = 0
    approved: int = 0
    with_target: int = 0
    completed: int = 0
    hours: Decimal = ZERO
    judged: bool = False
    passing: int = 0
    initiatives: int = 0

    @property
    def completion_percent(self) -> int | None:
        """Share of members with a target who reached it."""
        return percent(self.completed, self.with_target)

    @property
    def approved_percent(self) -> int | None:
        return percent(self.approved, self.members)


@dataclass(frozen=True)
class YearTotal:
    year: int
    members: int
    approved: int
    completion_percent: int | None
    hours: Decimal
    passing: int | None
    initiatives: int
    criteria_name: str | None
    with_target: int = 0
    completed: int = 0


@dataclass(frozen=True)
class Summary:
    period: Period
    agency_name: str
    unit_code: str
    rows: list[SummaryRow]
    years: list[YearTotal]


def summary(
    period: Period, today: date, *, unit_id: int | None = None, viewer: User | None = None
) -> Summary:
    """Return the summary of each year of period, per unit of the roster, then per year: of
    the people viewer reaches (None: everyone)."""
    rows: dict[tuple[int, int], SummaryRow] = {}
    totals: list[YearTotal] = []
    agency_name = unit_code = ""
    for year in period.years:
        first = max(date(year, 1, 1), period.first)
        last = min(date(year, 12, 31), period.last)
        _set_id, criteria = award_queries.resolve("", first, last)
        plan = roster_plan_all(
            Period(first, last), today, unit_id=unit_id, criteria=criteria, viewer=viewer
        )
        agency_name, unit_code = plan.agency_name, plan.unit_code
        orders = {m.unit_id: m.unit_order for m in plan.members}
        for row in plan.rows():
            key = (year, row.unit_id)
            entry = rows.get(key)
            if entry is None:
                entry = rows[key] = SummaryRow(
                    year, row.unit_id, row.unit_code, row.unit_name, orders[row.unit_id]
                )
            entry.unit_name = row.unit_name
            entry.hours += row.hours_earned or ZERO
            if row.result is not None:
                entry.judged = True
            if not row.head or row.person is None:
                continue
            entry.members += 1
            entry.approved += row.person.approved
            entry.with_target += row.person.has_target
            entry.completed += row.person.reached
            entry.passing += bool(row.result is not None and row.result.passed)
        initiatives = _initiatives_per_unit(year, set(orders))
        for uid, count in initiatives.items():
            if (year, uid) in rows:
                rows[(year, uid)].initiatives = count
        units = [entry for (y, _uid), entry in rows.items() if y == year]
        with_target = sum(entry.with_target for entry in units)
        completed = sum(entry.completed for entry in units)
        totals.append(
            YearTotal(
                year=year,
                members=sum(entry.members for entry in units),
                approved=sum(entry.approved for entry in units),
                completion_percent=percent(completed, with_target),
                hours=sum((entry.hours for entry in units), ZERO),
                passing=sum(entry.passing for entry in units) if criteria is not None else None,
                initiatives=sum(entry.initiatives for entry in units),
                criteria_name=criteria.name if criteria is not None else None,
                with_target=with_target,
                completed=completed,
            )
        )
    ordered = sorted(rows.values(), key=lambda r: (r.year, r.unit_order, r.unit_code))
    return Summary(period, agency_name, unit_code, ordered, totals)


def _initiatives_per_unit(year: int, unit_ids: set[int]) -> dict[int, int]:
    """Approved initiatives of the year, counted once each, under the unit that filed them."""
    if not unit_ids:
        return {}
    counts: dict[int, int] = defaultdict(int)
    for uid, count in db.session.execute(
        select(Initiative.unit_id, func.count(Initiative.id))
        .where(
            Initiative.year == year,
            Initiative.status == InitiativeStatus.APPROVED,
            Initiative.unit_id.in_(unit_ids),
        )
        .group_by(Initiative.unit_id)
    ):
        counts[uid] = count
    return counts
