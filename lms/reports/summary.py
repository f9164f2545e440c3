"""The campaign summary (sơ kết / tổng kết): per unit and year, what the rosters add up to.

Each year is read as that year's roster (with the criteria set covering the year), a batch of
people at a time, and folded into counters; nothing holds the whole organisation's rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from lms.awards import queries as award_queries
from lms.awards.models import Initiative, InitiativeStatus
from lms.db import db
from lms.reports.queries import Period, roster_plan


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
    hours: Decimal = Decimal(0)
    judged: bool = False
    passing: int = 0
    initiatives: int = 0
    _people: set[int] = field(default_factory=set, repr=False)

    @property
    def completion_percent(self) -> int | None:
        """Share of members with a target who reached it."""
        return int(self.completed * 100 / self.with_target) if self.with_target else None

    @property
    def approved_percent(self) -> int | None:
        return int(self.approved * 100 / self.members) if self.members else None


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


@dataclass(frozen=True)
class Summary:
    period: Period
    agency_name: str
    unit_code: str
    rows: list[SummaryRow]
    years: list[YearTotal]


def summary(period: Period, today: date, *, unit_id: int | None = None) -> Summary:
    """Return the summary of each year of period, per unit of the roster, then per year."""
    rows: dict[tuple[int, int], SummaryRow] = {}
    totals: list[YearTotal] = []
    agency_name = unit_code = ""
    for year in period.years:
        first = max(date(year, 1, 1), period.first)
        last = min(date(year, 12, 31), period.last)
        _set_id, criteria = award_queries.resolve("", first, last)
        plan = roster_plan(Period(first, last), today, unit_id=unit_id, criteria=criteria)
        agency_name, unit_code = plan.agency_name, plan.unit_code
        orders = {m.unit_id: m.unit_order for m in plan.members}
        people_in_year: set[int] = set()
        approved_people: set[int] = set()
        target_people: set[int] = set()
        completed_people: set[int] = set()
        passing_people: set[int] = set()
        hours = Decimal(0)
        for row in plan.rows():
            key = (year, row.unit_id)
            entry = rows.get(key)
            if entry is None:
                entry = rows[key] = SummaryRow(
                    year, row.unit_id, row.unit_code, row.unit_name, orders[row.unit_id]
                )
            entry.unit_name = row.unit_name
            if row.person_id in entry._people:
                continue
            entry._people.add(row.person_id)
            entry.members += 1
            approved = row.approved_years == row.plan_years
            entry.approved += approved
            if row.hours_target:
                entry.with_target += 1
                entry.completed += (row.percent or 0) >= 100
            entry.hours += row.hours_earned or Decimal(0)
            if row.result is not None:
                entry.judged = True
                entry.passing += row.result.passed
            if row.person_id not in people_in_year:
                people_in_year.add(row.person_id)
                hours += row.hours_earned or Decimal(0)
            if approved:
                approved_people.add(row.person_id)
            if row.hours_target:
                target_people.add(row.person_id)
                if (row.percent or 0) >= 100:
                    completed_people.add(row.person_id)
            if row.result is not None and row.result.passed:
                passing_people.add(row.person_id)
        initiatives = _initiatives_per_unit(year, set(orders))
        for uid, count in initiatives.items():
            if (year, uid) in rows:
                rows[(year, uid)].initiatives = count
        totals.append(
            YearTotal(
                year=year,
                members=len(people_in_year),
                approved=len(approved_people),
                completion_percent=int(len(completed_people) * 100 / len(target_people))
                if target_people
                else None,
                hours=hours,
                passing=len(passing_people) if criteria is not None else None,
                initiatives=sum(initiatives.values()),
                criteria_name=criteria.name if criteria is not None else None,
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
