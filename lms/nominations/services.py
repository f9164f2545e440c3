"""Writes for nomination lists: forms of commendation, building, editing and freezing a list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from lms.accounts.models import Person
from lms.awards import queries as awards
from lms.awards.criteria import CriteriaSpec
from lms.db import db, parse_id, utcnow
from lms.errors import UserError
from lms.i18n import gettext as _
from lms.nominations import document, queries
from lms.nominations.models import (
    CommendationForm,
    ListStatus,
    NominationEntry,
    NominationList,
    NominationSnapshot,
)
from lms.org.models import Unit
from lms.text import fold

DEFAULT_FORMS = (
    "Giấy khen của Giám đốc Sở",
    "Bằng khen của Chủ tịch UBND tỉnh",
    "Biểu dương",
)
NAME_LIMIT = 200
SUMMARY_LIMIT = 4000
REASON_LIMIT = 1000


class NominationError(UserError):
    """A change a nomination list cannot take; the message is shown to the user."""


# ---------------------------------------------------------------------------------------------
# Forms of commendation


def seed_default_forms() -> None:
    """Add the default forms when there are none (the migration seeds the same ones)."""
    if db.session.scalar(select(func.count()).select_from(CommendationForm)):
        return
    for position, name in enumerate(DEFAULT_FORMS, start=1):
        db.session.add(CommendationForm(name=name, position=position, is_active=True))
    db.session.flush()


def _form_name(name: str, *, keep: CommendationForm | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise NominationError(_("Tên hình thức khen thưởng không được để trống."))
    if len(name) > NAME_LIMIT:
        raise NominationError(_("Tên hình thức khen thưởng dài tối đa %(n)d ký tự.", n=NAME_LIMIT))
    for form in queries.forms():
        if form is not keep and fold(form.name) == fold(name):
            raise NominationError(_("Đã có hình thức “%(name)s”.", name=form.name))
    return name


def add_form(name: str) -> CommendationForm:
    name = _form_name(name)
    last = db.session.scalar(select(func.max(CommendationForm.position))) or 0
    form = CommendationForm(name=name, position=last + 1, is_active=True)
    db.session.add(form)
    db.session.flush()
    return form


def rename_form(form: CommendationForm, name: str) -> None:
    form.name = _form_name(name, keep=form)


def set_form_active(form: CommendationForm, active: bool) -> None:
    """Deactivate a form (kept on the lists that use it) or bring it back."""
    if not active and form.is_active:
        others = [f for f in queries.forms() if f.is_active and f is not form]
        if not others:
            raise NominationError(_("Cần giữ ít nhất một hình thức khen thưởng đang dùng."))
    form.is_active = active


def move_form(form: CommendationForm, direction: str) -> None:
    """Move a form one place up or down; the first active form is every new entry's default."""
    if direction not in ("up", "down"):
        raise NominationError(_("Hướng di chuyển không hợp lệ."))
    ordered = queries.forms()
    index = ordered.index(form)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered, start=1):
        item.position = position


# ---------------------------------------------------------------------------------------------
# Building a list


@dataclass(frozen=True)
class Refreshed:
    added: int
    dropped: int


def _editable(nomination: NominationList) -> None:
    if nomination.status == ListStatus.FROZEN:
        raise NominationError(
            _("Danh sách “%(name)s” đã chốt, không thể sửa.", name=nomination.name)
        )


def _sound_spec(set_id: int) -> CriteriaSpec:
    try:
        return awards.usable_spec(set_id)
    except LookupError as error:
        raise NominationError(str(error)) from None


def create_list(
    *, name: str, criteria_set: str, unit: str, created_by: Person, today: date
) -> NominationList:
    """Make a draft list from the roster evaluated with the set, for its period."""
    name = " ".join(name.split())
    if not name:
        raise NominationError(_("Tên danh sách không được để trống."), field="name")
    if len(name) > NAME_LIMIT:
        raise NominationError(
            _("Tên danh sách dài tối đa %(n)d ký tự.", n=NAME_LIMIT), field="name"
        )
    set_id = parse_id(criteria_set)
    if set_id is None:
        raise NominationError(_("Hãy chọn bộ tiêu chí."), field="criteria_set")
    spec = _sound_spec(set_id)
    unit_id = None
    if unit.strip():
        unit_id = parse_id(unit)
        if unit_id is None or db.session.get(Unit, unit_id) is None:
            raise NominationError(_("Đơn vị đã chọn không tồn tại."), field="unit")
    nomination = NominationList(
        name=name,
        criteria_set_id=set_id,
        unit_id=unit_id,
        status=ListStatus.DRAFT,
        created_by_id=created_by.id,
    )
    db.session.add(nomination)
    db.session.flush()
    _apply(nomination, spec, queries.live(spec, unit_id, today))
    return nomination


def refresh_list(nomination: NominationList, today: date) -> Refreshed:
    """Read the roster again: add people who now pass, flag those who no longer do."""
    _editable(nomination)
    spec = _sound_spec(nomination.criteria_set_id)
    return _apply(nomination, spec, queries.live(spec, nomination.unit_id, today))


def _apply(nomination: NominationList, spec: CriteriaSpec, current: queries.Live) -> Refreshed:
    found = queries.evidence(current.candidates, spec.first, spec.last)
    default = queries.default_form()
    entries = {entry.person_id: entry for entry in nomination.entries}
    added = dropped = 0
    with queries.vietnamese():
        for person_id, candidate in current.candidates.items():
            entry = entries.get(person_id)
            if entry is None:
                entry = NominationEntry(person_id=person_id, form=default)
                nomination.entries.append(entry)
                added += 1
            entry.unit_id = candidate.unit_id
            entry.unit_name = candidate.unit_name
            entry.position = candidate.order
            entry.facts = {"columns": document.facts(candidate.row)}
            entry.evidence = found.get(person_id, "")
            entry.is_passing = True
            if not entry.is_summary_edited:
                entry.summary = document.achievements(candidate.row, spec)
        for person_id, entry in entries.items():
            if person_id not in current.candidates and entry.is_passing:
                entry.is_passing = False
                dropped += not entry.is_removed
    nomination.refreshed_at = utcnow()
    db.session.flush()
    return Refreshed(added, dropped)


# ---------------------------------------------------------------------------------------------
# Editing entries


def update_entry(entry: NominationEntry, *, form: str, summary: str, note: str) -> None:
    """Set an entry's proposed form, summary of achievements and note."""
    _editable(entry.nomination_list)
    form_id = parse_id(form)
    chosen = db.session.get(CommendationForm, form_id) if form_id else None
    if chosen is None or (not chosen.is_active and chosen is not entry.form):
        raise NominationError(_("Hãy chọn một hình thức khen thưởng đang dùng."), field="form")
    summary = summary.strip()
    if not summary:
        raise NominationError(_("Tóm tắt thành tích không được để trống."), field="summary")
    if len(summary) > SUMMARY_LIMIT:
        raise NominationError(
            _("Tóm tắt thành tích dài tối đa %(n)d ký tự.", n=SUMMARY_LIMIT), field="summary"
        )
    note = note.strip()
    if len(note) > REASON_LIMIT:
        raise NominationError(_("Ghi chú dài tối đa %(n)d ký tự.", n=REASON_LIMIT), field="note")
    entry.form = chosen
    if summary != entry.summary:
        entry.summary = summary
        entry.is_summary_edited = True
    entry.note = note


def remove_entry(entry: NominationEntry, reason: str, removed_by: Person) -> None:
    """Take a person off a draft list; the entry and the reason are kept."""
    _editable(entry.nomination_list)
    if entry.is_removed:
        raise NominationError(_("Người này đã được bỏ khỏi danh sách."))
    reason = reason.strip()
    if not reason:
        raise NominationError(_("Hãy ghi lý do bỏ người này khỏi danh sách."))
    if len(reason) > REASON_LIMIT:
        raise NominationError(_("Lý do dài tối đa %(n)d ký tự.", n=REASON_LIMIT))
    entry.removed_at = utcnow()
    entry.removed_by_id = removed_by.id
    entry.removal_reason = reason


def restore_entry(entry: NominationEntry) -> None:
    _editable(entry.nomination_list)
    if not entry.is_removed:
        raise NominationError(_("Người này đang có trong danh sách."))
    entry.removed_at = None
    entry.removed_by_id = None
    entry.removal_reason = None


# ---------------------------------------------------------------------------------------------
# Freezing


def freeze_list(nomination: NominationList, frozen_by: Person, today: date) -> NominationSnapshot:
    """Store the list as it stands, with its checksum; refuse when it is out of date."""
    _editable(nomination)
    if not any(not entry.is_removed for entry in nomination.entries):
        raise NominationError(_("Danh sách chưa có ai: không thể chốt."))
    spec = _sound_spec(nomination.criteria_set_id)
    current = queries.live(spec, nomination.unit_id, today)
    changes = queries.differences(queries.draft_data(nomination, spec, current, today), current)
    if not changes.is_empty:
        raise NominationError(
            _(
                "Chưa thể chốt: danh sách khác số liệu hiện tại (%(added)d người mới đạt, "
                "%(dropped)d người không còn đạt, %(changed)d người thay đổi số liệu). "
                "Hãy cập nhật danh sách và bỏ những người không còn đạt trước khi chốt.",
                added=len(changes.added),
                dropped=len(changes.dropped),
                changed=len(changes.changed),
            )
        )
    moment = utcnow()
    data = queries.draft_data(
        nomination, spec, current, today, frozen_at=moment, frozen_by=frozen_by
    )
    text = document.canonical(data)
    snapshot = NominationSnapshot(
        list_id=nomination.id,
        data=text,
        checksum=document.checksum(data),
        frozen_at=moment,
        frozen_by_id=frozen_by.id,
    )
    db.session.add(snapshot)
    nomination.snapshot = snapshot
    nomination.status = ListStatus.FROZEN
    db.session.flush()
    return snapshot
