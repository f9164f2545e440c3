"""Target rules applied to days: each version governs from its start until the next version's.

A rule (its code) has versions. Version n governs the days from its effective date until the
day before version n+1 starts (or until its own end date, if earlier): a new version from a date
never changes the days before it. A target for a span of days is the sum, over the versions
governing those days, of the version's yearly amount prorated by days (365 or 366 a year),
unless the version is "full year", which asks its whole amount for every year it governs the
last day of. Totals are rounded half up to two places at the end.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property

from sqlalchemy import Row, select

from lms.db import read
from lms.numbers import two_places
from lms.progress.models import TargetRule, TargetUnit

# Minutes per tiết when no rule at all says otherwise (the common reading: 45-minute tiết).
DEFAULT_MINUTES_PER_TIET = 45
SIXTY = Decimal(60)


@dataclass(frozen=True)
class RuleVersion:
    """One version of a rule, with the days it governs."""

    id: int
    code: str
    version: int
    amount: Decimal
    unit: TargetUnit
    minutes_per_tiet: int
    legal_basis: str
    employment_kinds: tuple[str, ...]
    full_year: bool
    starts: date  # the first day it governs
    ends: date | None  # the last day it governs; None: until further notice

    @property
    def label(self) -> str:
        return f"{self.code} v{self.version}"

    def amount_in(self, unit: TargetUnit) -> Decimal:
        """The yearly amount in unit, converted with this version's minutes per tiết."""
        return to_unit(self.amount, self.unit, unit, self.minutes_per_tiet)


def to_unit(amount: Decimal, source: str, unit: str, minutes_per_tiet: int) -> Decimal:
    """Convert amount from one unit (tiết or clock hours) to another."""
    if source == unit:
        return Decimal(amount)
    if unit == TargetUnit.TIET:
        return Decimal(amount) * SIXTY / minutes_per_tiet
    return Decimal(amount) * minutes_per_tiet / SIXTY


def _days_in_year(year: int) -> int:
    return (date(year + 1, 1, 1) - date(year, 1, 1)).days


# What a rule book reads of each rule, as plain rows (every page with figures loads the book).
_RULES = select(
    TargetRule.id,
    TargetRule.code,
    TargetRule.version,
    TargetRule.amount,
    TargetRule.unit,
    TargetRule.minutes_per_tiet,
    TargetRule.legal_basis,
    TargetRule.employment_kinds,
    TargetRule.full_year,
    TargetRule.effective_from,
    TargetRule.effective_until,
)


def governed_versions(rules: Iterable[TargetRule | Row]) -> list[RuleVersion]:
    """Each version with the days it governs: until the next version of its code starts.
    rules: the rules, or rows of their columns (`_RULES`)."""
    by_code: dict[str, list[TargetRule | Row]] = defaultdict(list)
    for rule in rules:
        by_code[rule.code].append(rule)
    result = []
    for versions in by_code.values():
        versions.sort(key=lambda rule: (rule.effective_from, rule.version))
        for index, rule in enumerate(versions):
            ends = rule.effective_until
            if index + 1 < len(versions):
                before_next = versions[index + 1].effective_from - timedelta(days=1)
                ends = before_next if ends is None else min(ends, before_next)
            if ends is not None and ends < rule.effective_from:
                continue  # wholly replaced by a later version from the same day
            result.append(
                RuleVersion(
                    rule.id,
                    rule.code,
                    rule.version,
                    Decimal(rule.amount),
                    TargetUnit(rule.unit),
                    rule.minutes_per_tiet,
                    rule.legal_basis,
                    tuple(rule.employment_kinds),
                    bool(rule.full_year),
                    rule.effective_from,
                    ends,
                )
            )
    result.sort(key=lambda version: (version.starts, version.code))
    return result


@dataclass(frozen=True)
class Target:
    """What some days asked of a person, in tiết and in the unit of its versions: exact, so
    that targets of several spans add up exactly; rounded (half up, two places) to be shown."""

    exact_tiet: Decimal
    exact_amount: Decimal  # in unit
    unit: TargetUnit  # hours only when every version governing the days counts in hours
    versions: tuple[RuleVersion, ...]

    @cached_property
    def tiet(self) -> Decimal:
        return two_places(self.exact_tiet)

    @cached_property
    def amount(self) -> Decimal:
        return two_places(self.exact_amount)

    @cached_property
    def labels(self) -> str:
        """The versions it came from, as a roster names them: "CONGCHUC-2025 v1, …"."""
        return ", ".join(version.label for version in self.versions)


class RuleBook:
    """Every rule version, by kind of employment, to ask what governed a day or a span."""

    def __init__(self, versions: list[RuleVersion]) -> None:
        self.versions = versions
        self._by_kind: dict[str, list[RuleVersion]] = defaultdict(list)
        for version in versions:
            for kind in version.employment_kinds:
                self._by_kind[kind].append(version)
        self._starts = {kind: [v.starts for v in found] for kind, found in self._by_kind.items()}
        self._targets: dict[tuple[str, tuple[tuple[date, date], ...]], Target | None] = {}
        self._constant: dict[str, int | None] = {}
        self._spans: dict[tuple[str, date, date], Target | None] = {}

    @classmethod
    def load(cls) -> RuleBook:
        return cls(governed_versions(read(_RULES)))

    def governing(self, kind: str, first: date, last: date) -> list[tuple[RuleVersion, date, date]]:
        """The versions that governed some of the days first..last, with those days."""
        pieces = []
        for version in self._by_kind.get(kind, ()):
            if version.starts > last:
                break
            ends = version.ends or last
            if ends >= first:
                pieces.append((version, max(version.starts, first), min(ends, last)))
        return pieces

    def minutes_on(self, kind: str, day: date) -> int:
        """Minutes per tiết on day: of the version in force then, else of the nearest version
        of that kind (a credit earned before any rule still converts), else the default."""
        found, starts = self._by_kind.get(kind), self._starts.get(kind)
        if not found or starts is None:
            found, starts = self.versions, [v.starts for v in self.versions]
        if not found:
            return DEFAULT_MINUTES_PER_TIET
        index = bisect_right(starts, day) - 1
        return found[max(index, 0)].minutes_per_tiet

    def constant_minutes(self, kind: str) -> int | None:
        """The minutes per tiết of every day for kind, when all its versions agree (and so
        `minutes_on` gives the same answer for any day); else None."""
        if kind not in self._constant:
            found = {v.minutes_per_tiet for v in self._by_kind.get(kind) or self.versions}
            self._constant[kind] = (
                found.pop() if len(found) == 1 else None if found else DEFAULT_MINUTES_PER_TIET
            )
        return self._constant[kind]

    def target(self, kind: str, first: date, last: date) -> Target | None:
        """The target of first..last for kind (None: no version governed any of those days)."""
        key = (kind, first, last)
        if key not in self._spans:  # not known yet (None is an answer)
            self._spans[key] = self.target_of(kind, ((first, last),))
        return self._spans[key]

    def target_of(self, kind: str, spans: tuple[tuple[date, date], ...]) -> Target | None:
        """The target of the days of some spans (a person's memberships): prorated versions
        by their days, a full-year version once a year (None: no version governed any day)."""
        key = (kind, spans)
        if key in self._targets:
            return self._targets[key]
        pieces = [piece for first, last in spans for piece in self.governing(kind, first, last)]
        found = None
        if pieces:
            unit = (
                TargetUnit.HOUR
                if all(version.unit == TargetUnit.HOUR for version, _a, _b in pieces)
                else TargetUnit.TIET
            )
            tiet = amount = Decimal(0)
            years = sorted({y for _v, a, b in pieces for y in range(a.year, b.year + 1)})
            for year in years:
                in_year = [
                    (version, max(a, date(year, 1, 1)), min(b, date(year, 12, 31)))
                    for version, a, b in pieces
                    if a.year <= year <= b.year
                ]
                # A full-year version asks its whole amount once, when it governs the last
                # of these days in the year; prorated versions their share of days.
                last_version = max(in_year, key=lambda piece: piece[2])[0]
                if last_version.full_year:
                    tiet += last_version.amount_in(TargetUnit.TIET)
                    amount += last_version.amount_in(unit)
                for version, a, b in in_year:
                    if not version.full_year:
                        share = Decimal((b - a).days + 1) / _days_in_year(year)
                        tiet += version.amount_in(TargetUnit.TIET) * share
                        amount += version.amount_in(unit) * share
            found = Target(
                tiet, amount, unit, tuple(dict.fromkeys(version for version, _a, _b in pieces))
            )
        self._targets[key] = found
        return found
