"""Reads for nomination lists: who passes today, their evidence, a list's data, the differences."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import force_locale
from sqlalchemy import and_, func, select
from sqlalchemy.orm import selectinload

from lms.accounts.models import Person
from lms.accounts.queries import positions_on
from lms.awards.criteria import CriteriaSpec
from lms.awards.models import (
    RECOGNITION_LABELS,
    CriteriaSet,
    Initiative,
    InitiativeAuthor,
    InitiativeStatus,
)
from lms.db import db
from lms.i18n import gettext as _
from lms.i18n import local_day, vn_date
from lms.learning.models import Certificate
from lms.nominations import document
from lms.nominations.models import (
    CommendationForm,
    ListStatus,
    NominationEntry,
    NominationList,
    NominationSnapshot,
)
from lms.org.models import Unit
from lms.plans.models import PlanStatus, PlanVersion, StudyPlan
from lms.reports.queries import Period, Roster, RosterRow, as_person, roster


@contextmanager
def vietnamese() -> Iterator[None]:
    """A list is an administrative document: its text is Vietnamese whatever the reader's
    language, so that a frozen list does not depend on who froze it."""
    with force_locale("vi"):
        yield


# ---------------------------------------------------------------------------------------------
# Forms of commendation


def forms() -> list[CommendationForm]:
    return list(
        db.session.scalars(
            select(CommendationForm).order_by(CommendationForm.position, CommendationForm.id)
        )
    )


def default_form() -> CommendationForm | None:
    return db.session.scalar(
        select(CommendationForm)
        .where(CommendationForm.is_active.is_(True))
        .order_by(CommendationForm.position, CommendationForm.id)
        .limit(1)
    )


# ---------------------------------------------------------------------------------------------
# Lists


@dataclass(frozen=True)
class ListSummary:
    id: int
    name: str
    status: str
    criteria_set: str
    first: date
    last: date
    unit: str | None
    people: int
    refreshed_at: datetime
    frozen_at: datetime | None


def list_summaries() -> list[ListSummary]:
    """Every list, newest first, with its number of people: one query."""
    people = (
        select(NominationEntry.list_id, func.count().label("people"))
        .where(NominationEntry.removed_at.is_(None))
        .group_by(NominationEntry.list_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            NominationList.id,
            NominationList.name,
            NominationList.status,
            CriteriaSet.name.label("set_name"),
            CriteriaSet.first_day,
            CriteriaSet.last_day,
            Unit.code,
            func.coalesce(people.c.people, 0).label("people"),
            NominationList.refreshed_at,
            NominationSnapshot.frozen_at,
        )
        .join(CriteriaSet, CriteriaSet.id == NominationList.criteria_set_id)
        .outerjoin(Unit, Unit.id == NominationList.unit_id)
        .outerjoin(people, people.c.list_id == NominationList.id)
        .outerjoin(NominationSnapshot, NominationSnapshot.list_id == NominationList.id)
        .order_by(NominationList.id.desc())
    )
    return [
        ListSummary(
            row.id,
            row.name,
            row.status,
            row.set_name,
            row.first_day,
            row.last_day,
            row.code,
            row.people,
            row.refreshed_at,
            row.frozen_at,
        )
        for row in rows
    ]


def nomination_list(list_id: int) -> NominationList | None:
    return db.session.scalar(
        select(NominationList)
        .where(NominationList.id == list_id)
        .options(
            selectinload(NominationList.entries).selectinload(NominationEntry.person),
            selectinload(NominationList.entries).selectinload(NominationEntry.form),
            selectinload(NominationList.snapshot),
            selectinload(NominationList.criteria_set),
            selectinload(NominationList.unit),
        )
    )


# ---------------------------------------------------------------------------------------------
# Who passes today


@dataclass(frozen=True)
class Candidate:
    """A person who meets the criteria: one per person, under the unit they ended the period in."""

    person_id: int
    order: int
    unit_id: int
    unit_name: str
    row: RosterRow  # the person's figures over the whole period (reports.queries.as_person)


@dataclass(frozen=True)
class Live:
    roster: Roster
    candidates: dict[int, Candidate]


def live(spec: CriteriaSpec, unit_id: int | None, today: date) -> Live:
    """Evaluate the roster of the unit (or the organisation) for the set's period."""
    with vietnamese():
        report = roster(Period(spec.first, spec.last), today, unit_id=unit_id, criteria=spec)
    rows_of: dict[int, list[tuple[int, RosterRow]]] = defaultdict(list)
    for order, row in enumerate(report.rows):
        rows_of[row.person_id].append((order, row))
    candidates: dict[int, Candidate] = {}
    for person_id, rows in rows_of.items():
        passing = [item for item in rows if item[1].result is not None and item[1].result.passed]
        if not passing:
            continue
        last_order, last = max(rows, key=lambda item: (item[1].until, item[1].since))
        candidates[person_id] = Candidate(
            person_id, last_order, last.unit_id, last.unit_name, as_person(last)
        )
    ordered = dict(sorted(candidates.items(), key=lambda item: item[1].order))
    return Live(report, ordered)


# ---------------------------------------------------------------------------------------------
# Evidence


LEVELS = RECOGNITION_LABELS


def evidence(person_ids: Iterable[int], first: date, last: date) -> dict[int, str]:
    """What each person's figures can be checked against: certificate codes, recognised
    initiatives and plan approvals in the period. Three queries."""
    ids = list(person_ids)
    found: dict[int, list[str]] = defaultdict(list)
    if not ids:
        return {}
    for person_id, code, title, day in db.session.execute(
        select(
            Certificate.person_id,
            Certificate.code,
            Certificate.course_title,
            Certificate.completed_on,
        )
        .where(
            Certificate.person_id.in_(ids),
            Certificate.completed_on >= first,
            Certificate.completed_on <= last,
        )
        .order_by(Certificate.completed_on, Certificate.code)
    ):
        found[person_id].append(
            _("Chứng nhận %(code)s (%(title)s, %(day)s)", code=code, title=title, day=vn_date(day))
        )
    for person_id, title, level, recognised_on, year in db.session.execute(
        select(
            InitiativeAuthor.person_id,
            Initiative.title,
            Initiative.recognition_level,
            Initiative.recognised_on,
            Initiative.year,
        )
        .join(Initiative, Initiative.id == InitiativeAuthor.initiative_id)
        .where(
            InitiativeAuthor.person_id.in_(ids),
            Initiative.status == InitiativeStatus.APPROVED,
            Initiative.year >= first.year,
            Initiative.year <= last.year,
        )
        .order_by(Initiative.year, Initiative.id)
    ):
        details = [str(LEVELS[level])] if level in LEVELS else []
        details.append(vn_date(recognised_on) if recognised_on else _("năm %(year)d", year=year))
        found[person_id].append(
            _("Sáng kiến “%(title)s” (%(details)s)", title=title, details=", ".join(details))
        )
    latest = (
        select(PlanVersion.plan_id, func.max(PlanVersion.number).label("number"))
        .group_by(PlanVersion.plan_id)
        .subquery()
    )
    for person_id, year, decided_at in db.session.execute(
        select(StudyPlan.person_id, StudyPlan.year, PlanVersion.decided_at)
        .join(latest, latest.c.plan_id == StudyPlan.id)
        .join(
            PlanVersion,
            and_(PlanVersion.plan_id == StudyPlan.id, PlanVersion.number == latest.c.number),
        )
        .where(
            StudyPlan.person_id.in_(ids),
            StudyPlan.year >= first.year,
            StudyPlan.year <= last.year,
            PlanVersion.status == PlanStatus.APPROVED,
        )
        .order_by(StudyPlan.year)
    ):
        if decided_at is None:
            found[person_id].append(_("Kế hoạch năm %(year)d đã duyệt", year=year))
        else:
            found[person_id].append(
                _(
                    "Kế hoạch năm %(year)d duyệt ngày %(day)s",
                    year=year,
                    day=vn_date(local_day(decided_at)),
                )
            )
    return {person_id: "; ".join(items) for person_id, items in found.items()}


# ---------------------------------------------------------------------------------------------
# A list's data (see document.py for its shape)


def data_of(nomination: NominationList, today: date) -> dict:
    """The list's data: its snapshot once frozen, otherwise its entries and the live roster."""
    if nomination.status == ListStatus.FROZEN and nomination.snapshot is not None:
        return json.loads(nomination.snapshot.data)
    from lms.awards.queries import spec

    criteria = spec(nomination.criteria_set_id)
    assert criteria is not None  # awards.services.delete_set refuses a set a list uses
    return draft_data(nomination, criteria, live(criteria, nomination.unit_id, today), today)


def active_entries(nomination: NominationList) -> list[NominationEntry]:
    entries = [entry for entry in nomination.entries if not entry.is_removed]
    return sorted(entries, key=lambda entry: (entry.position, entry.person.sort_key))


def draft_data(
    nomination: NominationList,
    criteria: CriteriaSpec,
    current: Live,
    today: date,
    *,
    frozen_at: datetime | None = None,
    frozen_by: Person | None = None,
) -> dict:
    """Assemble the data of a draft list, in Vietnamese; freezing stores exactly this."""
    with vietnamese():
        people_head, units_head = document.heading(current.roster.agency_name, criteria, today)
        entries = active_entries(nomination)
        # The position held at the end of the set's period, not today's.
        held = positions_on([entry.person_id for entry in entries], criteria.last)
        rows = []
        for n, entry in enumerate(entries, start=1):
            person = entry.person
            flag = "" if entry.is_passing else _("Không còn đạt tiêu chí")
            rows.append(
                document.person_cells(
                    n,
                    full_name=person.full_name,
                    date_of_birth=person.date_of_birth,
                    ethnicity=person.ethnicity,
                    position=held[entry.person_id],
                    unit_name=entry.unit_name,
                    form=entry.form.name if entry.form else "",
                    summary=entry.summary,
                    evidence=entry.evidence,
                    note="; ".join(part for part in (flag, entry.note) if part),
                )
            )
        people = document.people_sheet(people_head, rows)
        units = document.units_sheet(
            units_head, document.unit_rows(*unit_counts(current.roster, entries))
        )
        removed = [
            {
                "person_id": entry.person_id,
                "full_name": entry.person.full_name,
                "reason": entry.removal_reason or "",
                "removed_at": entry.removed_at.isoformat() if entry.removed_at else None,
            }
            for entry in nomination.entries
            if entry.is_removed
        ]
    return {
        "schema": document.SCHEMA,
        "list": {
            "id": nomination.id,
            "name": nomination.name,
            "unit_id": nomination.unit_id,
            "unit_code": nomination.unit.code if nomination.unit else None,
        },
        "criteria": criteria.to_json(),
        "people": people,
        "units": units,
        "entries": [
            {
                "person_id": entry.person_id,
                "unit_id": entry.unit_id,
                "form": entry.form.name if entry.form else None,
                "facts": entry.facts.get("columns", []),
            }
            for entry in entries
        ],
        "removed": removed,
        "frozen_at": frozen_at.isoformat() if frozen_at else None,
        "frozen_by": {"id": frozen_by.id, "name": frozen_by.full_name} if frozen_by else None,
    }


def unit_counts(
    report: Roster, entries: list[NominationEntry]
) -> tuple[list[tuple[str, int, int, int]], tuple[int, int, int]]:
    """Per unit of the roster: members, members who pass, people nominated; and the totals.

    A person is counted once, under the unit of their last day in the period (their head row),
    so that the units add up to the totals."""
    members: dict[int, set[int]] = {}
    passing: dict[int, set[int]] = defaultdict(set)
    names: dict[int, str] = {}
    for row in report.rows:
        names[row.unit_id] = row.unit_name
        people = members.setdefault(row.unit_id, set())
        if not row.head:
            continue
        people.add(row.person_id)
        if row.result is not None and row.result.passed:
            passing[row.unit_id].add(row.person_id)
    nominated: dict[int, int] = defaultdict(int)
    for entry in entries:
        nominated[entry.unit_id] += 1
    units = [
        (names[uid], len(people), len(passing[uid]), nominated[uid])
        for uid, people in members.items()
    ]
    return units, (
        sum(len(people) for people in members.values()),
        sum(len(people) for people in passing.values()),
        len(entries),
    )


# ---------------------------------------------------------------------------------------------
# Differences between a list and today


@dataclass(frozen=True)
class Change:
    person_id: int
    full_name: str
    columns: list[tuple[str, str, str]]  # (column, in the list, today)


@dataclass(frozen=True)
class Differences:
    added: list[tuple[int, str, str]]  # (person id, name, unit) who pass but are not listed
    dropped: list[tuple[int, str]]  # listed people who no longer pass
    changed: list[Change]

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.dropped or self.changed)


def differences(data: dict, current: Live) -> Differences:
    """Compare the entries of a list's data with who passes today, column by column."""
    listed = {entry["person_id"]: entry for entry in data["entries"]}
    removed = {entry["person_id"] for entry in data["removed"]}
    added = [
        (person_id, candidate.row.full_name, candidate.unit_name)
        for person_id, candidate in current.candidates.items()
        if person_id not in listed and person_id not in removed
    ]
    dropped: list[tuple[int, str]] = []
    changed: list[Change] = []
    with vietnamese():
        for person_id, entry in listed.items():
            old = [tuple(pair) for pair in entry["facts"]]
            name = old[0][1] if old else str(person_id)
            candidate = current.candidates.get(person_id)
            if candidate is None:
                dropped.append((person_id, name))
                continue
            new = [tuple(pair) for pair in document.facts(candidate.row)]
            new_values = {pair[0]: pair[1] for pair in new}  # label → value
            old_values = dict(old)
            columns = [
                (label, old_values.get(label, "—"), value)
                for label, value in new
                if old_values.get(label) != value
            ]
            columns.extend((label, value, "—") for label, value in old if label not in new_values)
            if columns:
                changed.append(Change(person_id, name, columns))
    return Differences(added, dropped, changed)


def frozen_spec(data: dict) -> CriteriaSpec:
    return CriteriaSpec.from_json(data["criteria"])


def integrity(snapshot: NominationSnapshot) -> bool:
    """Whether the stored text still matches the checksum written when the list was frozen."""
    try:
        data = json.loads(snapshot.data)
    except ValueError:
        return False
    return document.checksum(data) == snapshot.checksum
