"""Reads: the access log, and everything held about one person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any

from flask import url_for
from sqlalchemy import (
    Column,
    ColumnElement,
    DateTime,
    LargeBinary,
    RowMapping,
    Table,
    and_,
    false,
    or_,
    select,
)
from sqlalchemy.orm import aliased
from sqlalchemy.orm.util import AliasedClass

from lms.accounts.models import Person
from lms.audit.models import AccessLogEntry, AuditEvent
from lms.auth.models import LoginFailure
from lms.db import UTCDateTime, contains, db
from lms.i18n import agency_zone
from lms.org.models import Unit, UnitVersion
from lms.pagination import Page, paginate
from lms.text import fold

PER_PAGE = 50

# A foreign key to person under one of these names says whose the row is; any other name (actor_id,
# decided_by_id, created_by_id, viewer_id...) says who acted on a row that belongs to someone else.
SUBJECT_COLUMNS = frozenset({"person_id", "owner_id"})
WITHHELD_NOTE = "không xuất"


@dataclass(frozen=True)
class LogRow:
    """One line of the access log, ready to show."""

    id: int
    at: datetime
    viewer_name: str
    viewer_username: str
    person_id: int | None
    person_name: str | None
    what: str
    scope: str | None
    address: str | None


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=agency_zone())


def _log_query():
    viewer = aliased(Person)
    person = aliased(Person)
    query = (
        select(
            AccessLogEntry.id,
            AccessLogEntry.at,
            viewer.full_name,
            viewer.username,
            AccessLogEntry.person_id,
            person.full_name,
            AccessLogEntry.what,
            AccessLogEntry.scope,
            AccessLogEntry.address,
        )
        .join(viewer, viewer.id == AccessLogEntry.viewer_id)
        .outerjoin(person, person.id == AccessLogEntry.person_id)
        .order_by(AccessLogEntry.at.desc(), AccessLogEntry.id.desc())
    )
    return query, viewer, person


def _name_matches(model: type[Person] | AliasedClass[Person], search: str) -> ColumnElement[bool]:
    terms = fold(search).split()
    return and_(
        *(or_(contains(model.search_name, term), contains(model.username, term)) for term in terms)
    )


def access_log(
    *,
    viewer: str = "",
    person: str = "",
    first: date | None = None,
    last: date | None = None,
    page: int = 1,
) -> Page[LogRow]:
    """Return the access log newest first, filtered by names (without diacritics) and local days."""
    query, viewer_model, person_model = _log_query()
    if viewer.strip():
        query = query.where(_name_matches(viewer_model, viewer))
    if person.strip():
        query = query.where(_name_matches(person_model, person))
    if first is not None:
        query = query.where(AccessLogEntry.at >= _day_start(first))
    if last is not None:
        query = query.where(AccessLogEntry.at < _day_start(last + timedelta(days=1)))
    found = paginate(query, page=page, per_page=PER_PAGE, scalars=False)
    return Page(
        items=[LogRow(*row) for row in found.items],
        number=found.number,
        per_page=found.per_page,
        total=found.total,
    )


def views_of(person_id: int, *, limit: int | None = None) -> list[LogRow]:
    """Return who viewed this person's data, newest first."""
    query, _viewer, _person = _log_query()
    query = query.where(AccessLogEntry.person_id == person_id)
    if limit is not None:
        query = query.limit(limit)
    return [LogRow(*row) for row in db.session.execute(query)]


# Everything held about one person ------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    return value


# The address a colleague viewed your data from is theirs, not yours.
OTHER_PEOPLES_COLUMNS = {("access_log", "address")}


def _is_withheld(column: Column[Any]) -> bool:
    """Secrets (password and token hashes), file contents and other people's addresses never
    go into the export."""
    return (
        column.name.endswith("_hash")
        or isinstance(column.type, LargeBinary)
        or (column.table.name, column.name) in OTHER_PEOPLES_COLUMNS
    )


def _is_timestamp(column: Column[Any]) -> bool:
    return isinstance(column.type, UTCDateTime | DateTime)


def _row(table: Table, row: RowMapping) -> dict[str, Any]:
    values = {}
    for column in table.columns:
        values[column.name] = WITHHELD_NOTE if _is_withheld(column) else _plain(row[column.name])
    return values


def _person_columns(table: Table) -> list:
    """The columns of table that are foreign keys to person."""
    return [fk.parent for fk in table.foreign_keys if fk.column.table.name == Person.__tablename__]


def person_tables() -> list[Table]:
    """Every table with a foreign key to person, found in the models (so new ones are included)."""
    return [table for table in db.metadata.sorted_tables if _person_columns(table)]


def _ownership(person_id: int) -> dict[str, Any]:
    """Return, per table, the SQL condition for the rows that belong to the person.

    A row belongs to the person when a subject column names them, or when it hangs (through a
    foreign key) from a row that belongs to them: a plan's versions, items and events, say.
    """
    conditions: dict[str, Any] = {}
    for table in db.metadata.sorted_tables:  # parents before children
        if table.name == Person.__tablename__:
            continue
        parts = [
            column == person_id
            for column in _person_columns(table)
            if column.name in SUBJECT_COLUMNS
        ]
        for fk in table.foreign_keys:
            parent = fk.column.table
            if parent.name in conditions and fk.column.primary_key:
                parts.append(fk.parent.in_(select(fk.column).where(conditions[parent.name])))
        if parts:
            conditions[table.name] = or_(*parts)
    return conditions


def _extras(table: Table, values: dict[str, Any]) -> dict[str, Any]:
    if table.name == "evidence_file" and values.get("token"):
        values["download_path"] = url_for("plans.evidence", token=values["token"])
    return values


def _unit_names(unit_ids: set[int]) -> dict[int, dict[str, str]]:
    """Return each unit's code and every name it has had, oldest first."""
    if not unit_ids:
        return {}
    rows = db.session.execute(
        select(Unit.id, Unit.code, UnitVersion.name, UnitVersion.valid_from)
        .join(UnitVersion, UnitVersion.unit_id == Unit.id)
        .where(Unit.id.in_(unit_ids))
        .order_by(Unit.id, UnitVersion.valid_from)
    )
    names: dict[int, dict[str, Any]] = {}
    for unit_id, code, name, _since in rows:
        names.setdefault(unit_id, {"code": code, "names": []})["names"].append(name)
    return names


def personal_data(person: Person, *, now: datetime) -> dict[str, Any]:
    """Return everything held about the person, as JSON-ready data."""
    person_table = db.metadata.tables[Person.__tablename__]
    own = db.session.execute(select(person_table).where(person_table.c.id == person.id)).one()
    conditions = _ownership(person.id)
    tables: dict[str, list[dict[str, Any]]] = {}
    actions: dict[str, list[dict[str, Any]]] = {}
    for table in db.metadata.sorted_tables:
        if table.name == person_table.name:
            continue
        condition = conditions.get(table.name)
        if condition is not None:
            rows = db.session.execute(select(table).where(condition).order_by(*table.primary_key))
            tables[table.name] = [_extras(table, _row(table, row._mapping)) for row in rows]
        # What the person did to other people's records: which record and when, not its content.
        for column in _person_columns(table):
            if column.name in SUBJECT_COLUMNS:
                continue
            shown = [c for c in table.columns if c.primary_key or _is_timestamp(c)]
            query = select(*shown).where(column == person.id)
            if condition is not None:
                query = query.where(~condition)
            actions[f"{table.name}.{column.name}"] = [
                {key: _plain(value) for key, value in row._mapping.items()}
                for row in db.session.execute(query.order_by(*table.primary_key))
            ]

    unit_ids = {row["unit_id"] for row in tables.get("membership", [])} | {
        row["unit_id"] for row in tables.get("role_grant", []) if row.get("unit_id")
    }
    membership_ids = [row["id"] for row in tables.get("membership", [])]
    audit = db.session.scalars(
        select(AuditEvent)
        .where(
            or_(
                and_(AuditEvent.entity_type == "person", AuditEvent.entity_id == person.id),
                and_(
                    AuditEvent.entity_type == "membership", AuditEvent.entity_id.in_(membership_ids)
                )
                if membership_ids
                else false(),
            )
        )
        .order_by(AuditEvent.id)
    )
    failures = db.session.scalars(
        select(LoginFailure)
        .where(LoginFailure.username == person.username)
        .order_by(LoginFailure.id)
    )
    return {
        "generated_at": now.isoformat(),
        "about": (
            "Toàn bộ dữ liệu hệ thống Học tập suốt đời lưu về bạn. Mật khẩu, mã phiên đăng nhập "
            "và nội dung tệp minh chứng không được xuất (tải tệp theo download_path)."
        ),
        "person": {
            **_row(person_table, own._mapping),
            "password_hash": "không xuất: mật khẩu chỉ lưu dưới dạng băm",
        },
        "units": {str(key): value for key, value in _unit_names(unit_ids).items()},
        "managed_units": sorted(
            row["unit_id"]
            for row in tables.get("role_grant", [])
            if row.get("role") == "manager" and row.get("unit_id")
        ),
        "tables": tables,
        "actions_on_other_records": actions,
        "audit_events": [
            {
                "at": _plain(event.at),
                "actor_id": event.actor_id,
                "action": event.action,
                "entity_type": event.entity_type,
                "entity_id": event.entity_id,
                "summary": event.summary,
                "before": event.before,
                "after": event.after,
            }
            for event in audit
        ],
        "login_failures": [
            {"at": _plain(failure.at), "address": failure.address} for failure in failures
        ],
        "viewed_by": [
            {
                "at": _plain(row.at),
                "viewer": row.viewer_name,
                "what": row.what,
            }
            for row in views_of(person.id)
        ],
    }
