"""Writes for awards: criteria sets, manager-entered points, initiatives and their decisions."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import Flask, current_app
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import Person
from lms.audit import services as audit
from lms.awards.criteria import CriteriaSpec, parse_points, points_text, problems
from lms.awards.models import (
    CriteriaSet,
    Criterion,
    Indicator,
    IndicatorSource,
    Initiative,
    InitiativeAuthor,
    InitiativeStatus,
    PointsEntry,
    RecognitionLevel,
)
from lms.db import db, parse_id, utcnow
from lms.errors import UserError
from lms.i18n import gettext as _
from lms.i18n import parse_day, vn_date
from lms.org.models import Unit
from lms.text import fold, nfc

FIRST_YEAR = 2000
MAX_TITLE = 500
MAX_SUMMARY = 20000
MAX_EVIDENCE = 5000
MAX_NOTE = 2000
MAX_AUTHORS = 20
SET_FIELDS = ("name", "description", "first_day", "last_day")
INITIATIVE_FIELDS = (
    "title",
    "unit_id",
    "year",
    "recognition_level",
    "recognised_on",
    "status",
    "decision_note",
)
# Tables of this feature: a row elsewhere that points at a set, criterion or indicator (a
# nomination list, say) means the set is in use and must not be deleted.
OWN_TABLES = {"criteria_set", "criterion", "indicator", "points_entry"}


class AwardError(UserError):
    """A change that breaks an awards rule; every message is shown to the user."""

    def __init__(self, messages: str | Iterable[str], *, field: str | None = None) -> None:
        listed = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("\n".join(listed), field=field)
        self.messages = listed


# Criteria sets ---------------------------------------------------------------------------------


def save_set(
    criteria_set: CriteriaSet | None,
    spec: CriteriaSpec,
    *,
    description: str = "",
    read_problems: Iterable[str] = (),
    actor_id: int | None = None,
) -> CriteriaSet:
    """Create a set (criteria_set None) or replace an existing set's rules with spec.

    Every problem, those found reading the form and those of criteria.problems(), is raised
    together; nothing changes then. An indicator keeps its id (and the points entered on it)
    when the form sends that id back.
    """
    found = list(read_problems) + problems(spec)
    name = nfc(spec.name.strip())
    if len(name) > 200:
        found.append(_("Tên bộ tiêu chí dài tối đa 200 ký tự."))
    same_name = select(CriteriaSet.id).where(CriteriaSet.name == name)
    if criteria_set is not None:
        same_name = same_name.where(CriteriaSet.id != criteria_set.id)
    if name and db.session.scalar(same_name) is not None:
        found.append(_("Đã có bộ tiêu chí tên “%(name)s”.", name=name))
    kept = _indicators_by_id(criteria_set)
    sent = {i.id for c in spec.criteria for i in c.indicators if i.id is not None}
    for foreign in sorted(sent - set(kept)):
        found.append(_("Chỉ số mã %(id)d không thuộc bộ tiêu chí này.", id=foreign))
    removed = set(kept) - sent
    scored = _scored_counts(removed)
    for indicator_id, people in scored.items():
        found.append(
            _(
                "Không thể bỏ chỉ số “%(name)s”: đã chấm điểm cho %(n)d người.",
                name=kept[indicator_id].name,
                n=people,
            )
        )
    if found:
        raise AwardError(found)

    before = audit.snapshot(criteria_set, SET_FIELDS) if criteria_set else None
    before_rules = _rules_text(criteria_set) if criteria_set else None
    if criteria_set is None:
        criteria_set = CriteriaSet(created_by_id=actor_id)
        db.session.add(criteria_set)
    criteria_set.name = name
    criteria_set.description = nfc(description.strip())[:5000]
    criteria_set.first_day = spec.first
    criteria_set.last_day = spec.last

    # The criteria rows are written anew; indicators that stay move to the new rows in the
    # same flush (so delete-orphan does not take them) and keep their ids and points.
    for criterion in list(criteria_set.criteria):
        for indicator in list(criterion.indicators):
            if indicator.id in sent:
                criterion.indicators.remove(indicator)
    criteria_set.criteria.clear()
    for position, item in enumerate(spec.criteria, start=1):
        criterion = Criterion(
            position=position,
            kind=item.kind,
            percent=item.percent,
            count=item.count,
            category=item.category,
            threshold=item.threshold,
        )
        criteria_set.criteria.append(criterion)
        for number, part in enumerate(item.indicators, start=1):
            indicator = (kept.get(part.id) if part.id is not None else None) or Indicator()
            indicator.position = number
            indicator.name = nfc(part.name)[:300]
            indicator.max_points = part.max_points
            indicator.min_points = part.min_points
            indicator.source = IndicatorSource(part.source)  # checked by criteria.problems
            indicator.target = part.target
            indicator.category = part.category
            criterion.indicators.append(indicator)
    db.session.flush()
    after = audit.snapshot(criteria_set, SET_FIELDS)
    after_rules = _rules_text(criteria_set)
    if before is None:
        audit.record(
            "criteria_set.create",
            criteria_set,
            _("Tạo bộ tiêu chí “%(name)s”", name=name),
            after={**after, "rules": after_rules},
        )
    elif before != after or before_rules != after_rules:
        audit.record(
            "criteria_set.update",
            criteria_set,
            _("Sửa bộ tiêu chí “%(name)s”", name=name),
            before={**before, "rules": before_rules},
            after={**after, "rules": after_rules},
        )
    return criteria_set


# Who a set passes is read on the roster, which the reports keep (they sit above awards): they
# register how to count it when the app starts (lms.reports.init_app), and the set form asks.
PassingCount = Callable[[CriteriaSpec, date], tuple[int, int]]
PASSING_COUNT = "lms.awards.passing_count"


def count_passing_with(app: Flask, counter: PassingCount) -> None:
    """Say how to count who passes a set: (people passing, people on the roster)."""
    app.extensions[PASSING_COUNT] = counter


def set_warnings(spec: CriteriaSpec, today: date) -> list[str]:
    """What would surprise in a set about to be saved: nobody on the roster passes it with
    the figures so far (for a period already begun; a later one has no figures yet)."""
    counter: PassingCount | None = current_app.extensions.get(PASSING_COUNT)
    if counter is None or spec.first > today:
        return []
    passing, total = counter(spec, today)
    if passing or not total:
        return []
    return [
        _(
            "Với số liệu đến hôm nay, không ai trong %(n)d người của danh sách kỳ "
            "%(first)s – %(last)s đạt bộ tiêu chí này: hãy xem lại các ngưỡng.",
            n=total,
            first=vn_date(spec.first),
            last=vn_date(spec.last),
        )
    ]


def _indicators_by_id(criteria_set: CriteriaSet | None) -> dict[int, Indicator]:
    if criteria_set is None:
        return {}
    return {i.id: i for c in criteria_set.criteria for i in c.indicators}


def _scored_counts(indicator_ids: set[int]) -> dict[int, int]:
    if not indicator_ids:
        return {}
    return dict(
        db.session.execute(
            select(PointsEntry.indicator_id, func.count(PointsEntry.id))
            .where(PointsEntry.indicator_id.in_(indicator_ids))
            .group_by(PointsEntry.indicator_id)
        ).all()
    )


def _rules_text(criteria_set: CriteriaSet) -> list[str]:
    """The rules as short lines, for the audit log's before and after."""
    lines = []
    for criterion in criteria_set.criteria:
        parts: list[str] = [criterion.kind]
        for name in ("percent", "count", "category"):
            if getattr(criterion, name) is not None:
                parts.append(f"{name}={getattr(criterion, name)}")
        if criterion.threshold is not None:
            parts.append(f"threshold={points_text(criterion.threshold)}")
        for indicator in criterion.indicators:
            parts.append(
                f"[{indicator.name}: {points_text(indicator.min_points)}–"
                f"{points_text(indicator.max_points)} {indicator.source}]"
            )
        lines.append(" ".join(parts))
    return lines


def references_to(criteria_set: CriteriaSet) -> int:
    """Count rows of other features (nomination lists, …) that point at this set or its parts.

    Found through the foreign keys in the metadata, so a feature added later is counted
    without this module knowing it.
    """
    ids = {
        "criteria_set": [criteria_set.id],
        "criterion": [c.id for c in criteria_set.criteria],
        "indicator": [i.id for c in criteria_set.criteria for i in c.indicators],
    }
    total = 0
    for table in db.metadata.sorted_tables:
        if table.name in OWN_TABLES:
            continue
        for key in table.foreign_keys:
            target = key.column.table.name
            if target in ids and ids[target]:
                total += (
                    db.session.scalar(
                        select(func.count()).select_from(table).where(key.parent.in_(ids[target]))
                    )
                    or 0
                )
    return total


def delete_set(criteria_set: CriteriaSet) -> None:
    """Delete a set with its points; refuse while another record (a nomination list) uses it."""
    if references_to(criteria_set):
        raise AwardError(
            _(
                "Không thể xóa bộ tiêu chí “%(name)s”: đã có danh sách đề nghị dùng nó.",
                name=criteria_set.name,
            )
        )
    indicator_ids = [i.id for c in criteria_set.criteria for i in c.indicators]
    audit.record(
        "criteria_set.delete",
        criteria_set,
        _("Xóa bộ tiêu chí “%(name)s”", name=criteria_set.name),
        before={**audit.snapshot(criteria_set, SET_FIELDS), "rules": _rules_text(criteria_set)},
    )
    try:
        with db.session.begin_nested():
            if indicator_ids:
                db.session.execute(
                    delete(PointsEntry).where(PointsEntry.indicator_id.in_(indicator_ids))
                )
            db.session.delete(criteria_set)
            db.session.flush()
    except IntegrityError as error:
        # A reference this check could not see (a table outside the metadata): keep the set.
        raise AwardError(
            _("Không thể xóa bộ tiêu chí “%(name)s”: đang được dùng.", name=criteria_set.name)
        ) from error


# Points entered by managers ---------------------------------------------------------------------


@dataclass(frozen=True)
class Scorable:
    """A person whose points may be entered, and how to name them in a message."""

    person_id: int
    full_name: str


def enter_points(
    criteria_set: CriteriaSet,
    people: Iterable[Scorable],
    typed: Mapping[tuple[int, int], str],
    *,
    actor_id: int | None = None,
) -> int:
    """Save the points typed per (person, manual indicator); a blank removes an entry.

    Only the people given (those the actor may score) and the set's manual indicators are
    accepted. Every bad value is listed, with person and indicator; nothing is saved then.
    Returns the number of entries changed.
    """
    indicators = {
        i.id: i
        for c in criteria_set.criteria
        for i in c.indicators
        if i.source == IndicatorSource.MANUAL
    }
    names = {p.person_id: p.full_name for p in people}
    found: list[str] = []
    wanted: dict[tuple[int, int], Decimal | None] = {}
    for (person_id, indicator_id), text in typed.items():
        if person_id not in names or indicator_id not in indicators:
            found.append(_("Có ô điểm không thuộc danh sách được chấm; hãy tải lại trang."))
            continue
        indicator = indicators[indicator_id]
        where = _(
            "%(name)s, chỉ số “%(indicator)s”", name=names[person_id], indicator=indicator.name
        )
        text = str(text).strip()
        if not text:
            wanted[(person_id, indicator_id)] = None
            continue
        value = parse_points(text)
        if value is None:
            found.append(
                _(
                    "%(where)s: “%(text)s” không phải là số (ví dụ 7,5).",
                    where=where,
                    text=text[:20],
                )
            )
        elif not 0 <= value <= indicator.max_points:
            found.append(
                _(
                    "%(where)s: %(value)s ngoài khoảng 0 đến %(top)s.",
                    where=where,
                    value=points_text(value),
                    top=points_text(indicator.max_points),
                )
            )
        else:
            wanted[(person_id, indicator_id)] = value
    if found:
        raise AwardError(dict.fromkeys(found))
    if not wanted:
        return 0
    existing = {
        (entry.person_id, entry.indicator_id): entry
        for entry in db.session.scalars(
            select(PointsEntry).where(
                PointsEntry.indicator_id.in_({key[1] for key in wanted}),
                PointsEntry.person_id.in_({key[0] for key in wanted}),
            )
        )
    }
    changed = 0
    for key, value in wanted.items():
        entry = existing.get(key)
        if value is None:
            if entry is not None:
                db.session.delete(entry)
                changed += 1
        elif entry is None:
            db.session.add(
                PointsEntry(
                    person_id=key[0], indicator_id=key[1], points=value, entered_by_id=actor_id
                )
            )
            changed += 1
        elif entry.points != value:
            entry.points = value
            entry.entered_by_id = actor_id
            changed += 1
    if changed:
        db.session.flush()
        audit.record(
            "points.enter",
            criteria_set,
            _(
                "Chấm điểm bộ tiêu chí “%(name)s”: %(n)d ô thay đổi",
                name=criteria_set.name,
                n=changed,
            ),
        )
    return changed


# Initiatives ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InitiativeInput:
    """An initiative as typed in the form, not yet checked."""

    title: str = ""
    author_ids: tuple[str, ...] = ()
    unit_id: str = ""
    year: str = ""
    summary: str = ""
    evidence: str = ""
    recognition_level: str = ""
    recognised_on: str = ""


# Who of the given people the recorder may name as authors for a year (lms.org.scope).
AuthorReach = Callable[[set[int], int], set[int]]


def _checked(
    data: InitiativeInput,
    latest_year: int,
    allowed_units: set[int] | None,
    author_reach: AuthorReach | None = None,
) -> dict:
    found: list[str] = []
    title = nfc(" ".join(data.title.split()))
    if not title:
        found.append(_("Tên sáng kiến, giải pháp: không được để trống."))
    elif len(title) > MAX_TITLE:
        found.append(
            _(
                "Tên sáng kiến, giải pháp dài %(n)d ký tự; tối đa %(max)d.",
                n=len(title),
                max=MAX_TITLE,
            )
        )
    author_ids: list[int] = []
    for text in data.author_ids:
        if not str(text).strip():
            continue
        person_id = parse_id(text)
        if person_id is None:
            found.append(_("Tác giả: lựa chọn không hợp lệ."))
        elif person_id not in author_ids:
            author_ids.append(person_id)
    if not author_ids:
        found.append(_("Tác giả: cần chọn ít nhất một người."))
    elif len(author_ids) > MAX_AUTHORS:
        found.append(_("Tác giả: tối đa %(n)d người.", n=MAX_AUTHORS))
    else:
        known = set(db.session.scalars(select(Person.id).where(Person.id.in_(author_ids))))
        if known != set(author_ids):
            found.append(_("Tác giả: có người không tồn tại."))
            author_ids = []
    unit_id = parse_id(data.unit_id)
    if unit_id is None or db.session.get(Unit, unit_id) is None:
        found.append(_("Đơn vị: chưa chọn hoặc không tồn tại."))
    elif allowed_units is not None and unit_id not in allowed_units:
        found.append(_("Đơn vị: bạn chỉ ghi nhận sáng kiến của đơn vị mình quản lý."))
    year = parse_id(data.year)
    if year is None or not FIRST_YEAR <= year <= latest_year:
        found.append(
            _(
                "Năm: “%(text)s” phải là năm từ %(first)d đến %(last)d.",
                text=str(data.year).strip()[:10],
                first=FIRST_YEAR,
                last=latest_year,
            )
        )
    if (
        author_reach is not None
        and author_ids
        and year is not None
        and FIRST_YEAR <= year <= latest_year
    ):
        outside = set(author_ids) - author_reach(set(author_ids), year)
        for name in db.session.scalars(
            select(Person.full_name).where(Person.id.in_(outside)).order_by(Person.sort_key)
        ):
            found.append(
                _(
                    "Tác giả: %(name)s không thuộc đơn vị bạn quản lý trong năm %(year)d; "
                    "chỉ ghi được tác giả là người bạn quản lý trong năm của sáng kiến.",
                    name=name,
                    year=year,
                )
            )
    summary = nfc(data.summary.strip())
    if len(summary) > MAX_SUMMARY:
        found.append(_("Tóm tắt: dài tối đa %(n)d ký tự.", n=MAX_SUMMARY))
    evidence = nfc(data.evidence.strip())
    if len(evidence) > MAX_EVIDENCE:
        found.append(_("Minh chứng: dài tối đa %(n)d ký tự.", n=MAX_EVIDENCE))
    level = data.recognition_level or None
    if level is not None and level not in set(RecognitionLevel):
        found.append(_("Cấp công nhận: lựa chọn không hợp lệ."))
    recognised_on = None
    if data.recognised_on.strip():
        recognised_on = parse_day(data.recognised_on)
        if recognised_on is None:
            found.append(
                _(
                    "Ngày công nhận “%(text)s” không đúng dạng dd/mm/yyyy.",
                    text=data.recognised_on.strip()[:20],
                )
            )
        elif level is None:
            found.append(_("Ngày công nhận: cần chọn cả cấp công nhận."))
        elif recognised_on > date(latest_year, 12, 31):
            found.append(_("Ngày công nhận không thể ở tương lai xa."))
    if found:
        raise AwardError(found)
    return {
        "title": title,
        "search_title": fold(title),
        "unit_id": unit_id,
        "year": year,
        "summary": summary,
        "evidence": evidence,
        "recognition_level": level,
        "recognised_on": recognised_on,
        "author_ids": author_ids,
    }


def _set_authors(initiative: Initiative, author_ids: list[int]) -> None:
    current = {author.person_id: author for author in initiative.authors}
    initiative.authors = [
        current.get(person_id) or InitiativeAuthor(person_id=person_id, position=position)
        for position, person_id in enumerate(author_ids, start=1)
    ]
    for position, author in enumerate(initiative.authors, start=1):
        author.position = position


def record_initiative(
    data: InitiativeInput,
    *,
    latest_year: int,
    allowed_units: set[int] | None,
    actor_id: int | None,
    author_reach: AuthorReach | None = None,
) -> Initiative:
    """Record an initiative, pending a decision; allowed_units None means any unit, and
    author_reach None any author."""
    values = _checked(data, latest_year, allowed_units, author_reach)
    author_ids = values.pop("author_ids")
    initiative = Initiative(**values, created_by_id=actor_id, status=InitiativeStatus.PENDING)
    db.session.add(initiative)
    _set_authors(initiative, author_ids)
    db.session.flush()
    audit.record(
        "initiative.create",
        initiative,
        _("Ghi nhận sáng kiến “%(title)s”", title=initiative.title),
        after={**audit.snapshot(initiative, INITIATIVE_FIELDS), "authors": author_ids},
    )
    return initiative


def edit_initiative(
    initiative: Initiative,
    data: InitiativeInput,
    *,
    latest_year: int,
    allowed_units: set[int] | None,
    author_reach: AuthorReach | None = None,
) -> bool:
    """Change an initiative; one already decided goes back to waiting for a decision."""
    values = _checked(data, latest_year, allowed_units, author_reach)
    author_ids = values.pop("author_ids")
    before = {
        **audit.snapshot(initiative, INITIATIVE_FIELDS),
        "authors": [a.person_id for a in initiative.authors],
        "summary": initiative.summary,
        "evidence": initiative.evidence,
    }
    for name, value in values.items():
        setattr(initiative, name, value)
    _set_authors(initiative, author_ids)
    after_content = {
        **audit.snapshot(initiative, INITIATIVE_FIELDS),
        "authors": author_ids,
        "summary": initiative.summary,
        "evidence": initiative.evidence,
    }
    if after_content == before:
        return False
    if initiative.status != InitiativeStatus.PENDING:
        initiative.status = InitiativeStatus.PENDING
        initiative.decided_by_id = None
        initiative.decided_at = None
    db.session.flush()
    audit.record(
        "initiative.update",
        initiative,
        _("Sửa sáng kiến “%(title)s”", title=initiative.title),
        before=before,
        after={**after_content, "status": initiative.status.value},
    )
    return True


def decide_initiative(
    initiative: Initiative, *, approve: bool, note: str, actor_id: int
) -> Initiative:
    """Approve or reject; an author never decides on their own initiative."""
    if any(author.person_id == actor_id for author in initiative.authors):
        raise AwardError(_("Bạn là tác giả của sáng kiến này nên không thể tự duyệt."))
    note = nfc(note.strip())
    if len(note) > MAX_NOTE:
        raise AwardError(_("Ghi chú dài tối đa %(n)d ký tự.", n=MAX_NOTE), field="note")
    if not approve and not note:
        raise AwardError(_("Khi không công nhận, cần ghi rõ lý do."), field="note")
    status = InitiativeStatus.APPROVED if approve else InitiativeStatus.REJECTED
    before = audit.snapshot(initiative, INITIATIVE_FIELDS)
    initiative.status = status
    initiative.decision_note = note
    initiative.decided_by_id = actor_id
    initiative.decided_at = utcnow()
    audit.record(
        "initiative.approve" if approve else "initiative.reject",
        initiative,
        (
            _("Công nhận sáng kiến “%(title)s”", title=initiative.title)
            if approve
            else _("Không công nhận sáng kiến “%(title)s”", title=initiative.title)
        ),
        before=before,
        after=audit.snapshot(initiative, INITIATIVE_FIELDS),
    )
    return initiative
