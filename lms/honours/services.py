"""Writes for the honour board: consent, boards, their people and units, publishing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from lms.accounts.models import Person
from lms.awards import queries as awards
from lms.awards.criteria import CriteriaSpec
from lms.db import db, parse_count, parse_id, utcnow
from lms.errors import UserError
from lms.honours import queries
from lms.honours.models import (
    CITATION_LIMIT,
    HonourBoard,
    HonourConsent,
    HonouredPerson,
    HonouredUnit,
)
from lms.i18n import gettext as _
from lms.i18n import parse_day
from lms.nominations import queries as nominations
from lms.nominations.models import NominationList
from lms.org.models import Unit
from lms.text import nfc

TITLE_LIMIT = 200
POSITION_LIMIT = 9999
TOP_UNITS_LIMIT = 50


class HonourError(UserError):
    """A change that breaks an honour-board rule; the message is shown to the user."""


# ---------------------------------------------------------------------------------------------
# Consent


def set_consent(person: Person, given: bool) -> bool:
    """Record that person gives (or withdraws) consent; return False if nothing changed."""
    if queries.has_consented(person.id) == given:
        return False
    db.session.add(HonourConsent(person_id=person.id, is_given=given, at=utcnow()))
    db.session.flush()
    return True


# ---------------------------------------------------------------------------------------------
# Boards


def _title(text: str) -> str:
    title = " ".join(nfc(text).split())
    if not title:
        raise HonourError(_("Tiêu đề bảng vinh danh không được để trống."), field="title")
    if len(title) > TITLE_LIMIT:
        raise HonourError(
            _("Tiêu đề bảng vinh danh dài tối đa %(n)d ký tự.", n=TITLE_LIMIT), field="title"
        )
    return title


def _period(first_text: str, last_text: str) -> tuple[date, date]:
    first = parse_day(first_text)
    if first is None:
        raise HonourError(_("Ngày bắt đầu kỳ phải có dạng dd/mm/yyyy."), field="first_day")
    last = parse_day(last_text)
    if last is None:
        raise HonourError(_("Ngày kết thúc kỳ phải có dạng dd/mm/yyyy."), field="last_day")
    if last < first:
        raise HonourError(_("Ngày kết thúc kỳ phải sau ngày bắt đầu."), field="last_day")
    return first, last


def create_board(*, title: str, first: str, last: str, created_by: Person) -> HonourBoard:
    """Make an unpublished board for a period."""
    clean = _title(title)
    first_day, last_day = _period(first, last)
    board = HonourBoard(
        title=clean,
        first_day=first_day,
        last_day=last_day,
        is_published=False,
        created_by_id=created_by.id,
    )
    db.session.add(board)
    db.session.flush()
    return board


def update_board(board: HonourBoard, *, title: str, first: str, last: str) -> None:
    clean = _title(title)
    board.first_day, board.last_day = _period(first, last)
    board.title = clean


def delete_board(board: HonourBoard) -> None:
    if board.is_published:
        raise HonourError(_("Bảng đang công bố: hãy thôi công bố trước khi xóa."))
    db.session.delete(board)


def publish(board: HonourBoard) -> None:
    if not board.people and not board.units:
        raise HonourError(_("Bảng chưa có người hay đơn vị nào: chưa thể công bố."))
    board.is_published = True
    board.published_at = utcnow()


def unpublish(board: HonourBoard) -> None:
    board.is_published = False


# ---------------------------------------------------------------------------------------------
# Entries


def _citation(text: str) -> str:
    citation = nfc(text).strip()
    if len(citation) > CITATION_LIMIT:
        raise HonourError(
            _(
                "Lời vinh danh dài tối đa %(n)d ký tự (đang có %(have)d).",
                n=CITATION_LIMIT,
                have=len(citation),
            ),
            field="citation",
        )
    return citation


def _position(text: str) -> int | None:
    if not text.strip():
        return None
    number = parse_count(text, limit=POSITION_LIMIT + 1)
    if number is None or not 1 <= number <= POSITION_LIMIT:
        raise HonourError(
            _("Thứ tự phải là số nguyên từ 1 đến %(n)d.", n=POSITION_LIMIT), field="position"
        )
    return number


def _next_position(entries: Iterable[HonouredPerson | HonouredUnit]) -> int:
    return max((entry.position for entry in entries), default=0) + 1


@dataclass(frozen=True)
class Added:
    added: int
    without_consent: int
    already: int


def add_person(board: HonourBoard, person: str, citation: str) -> HonouredPerson:
    """Put one person on the board; only a person who consents now may be added."""
    person_id = parse_id(person)
    found = db.session.get(Person, person_id) if person_id else None
    if found is None:
        raise HonourError(_("Hãy chọn một người có trong hệ thống."), field="person")
    text = _citation(citation)
    if any(entry.person_id == found.id for entry in board.people):
        raise HonourError(_("%(name)s đã có trên bảng này.", name=found.full_name), field="person")
    if not queries.has_consented(found.id):
        raise HonourError(
            _(
                "%(name)s chưa đồng ý xuất hiện trên bảng vinh danh công khai, nên không thể "
                "thêm. Người này có thể tự đồng ý ở trang “Dữ liệu cá nhân của tôi”.",
                name=found.full_name,
            ),
            field="person",
        )
    entry = HonouredPerson(person_id=found.id, citation=text, position=_next_position(board.people))
    board.people.append(entry)
    db.session.flush()
    return entry


def add_people(board: HonourBoard, person_ids: list[int]) -> Added:
    """Put the people who consent on the board, in the given order; count who was left out."""
    present = {entry.person_id for entry in board.people}
    wanted = list(dict.fromkeys(person_ids))
    consents = queries.consenting_ids(wanted)
    position = _next_position(board.people)
    added = without = already = 0
    for person_id in wanted:
        if person_id in present:
            already += 1
        elif person_id not in consents:
            without += 1
        else:
            board.people.append(HonouredPerson(person_id=person_id, citation="", position=position))
            position += 1
            added += 1
    db.session.flush()
    return Added(added, without, already)


def _sound_spec(criteria_set: str) -> CriteriaSpec:
    try:
        return awards.usable_spec(parse_id(criteria_set))
    except LookupError as error:
        raise HonourError(str(error), field="criteria_set") from None


def add_passing(board: HonourBoard, criteria_set: str, today: date) -> Added:
    """Add everyone who meets the criteria set over its period (and consents)."""
    spec = _sound_spec(criteria_set)
    current = nominations.live(spec, None, today)
    return add_people(board, list(current.candidates))


def add_from_list(board: HonourBoard, nomination_list: str) -> Added:
    """Add the people of a nomination list (as frozen, or the draft's entries) who consent."""
    list_id = parse_id(nomination_list)
    found = db.session.get(NominationList, list_id) if list_id else None
    if found is None:
        raise HonourError(_("Hãy chọn một danh sách đề nghị khen thưởng có trong hệ thống."))
    return add_people(board, queries.people_on_list(found))


def update_person(entry: HonouredPerson, *, citation: str, position: str) -> None:
    text = _citation(citation)
    number = _position(position)
    entry.citation = text
    if number is not None:
        entry.position = number


def remove_person(entry: HonouredPerson) -> None:
    entry.board.people.remove(entry)


def _unit_in_period(board: HonourBoard, unit_text: str) -> Unit:
    unit_id = parse_id(unit_text)
    unit = db.session.get(Unit, unit_id) if unit_id else None
    if unit is None:
        raise HonourError(_("Hãy chọn một đơn vị có trong hệ thống."), field="unit")
    if unit.valid_from > board.last_day or (
        unit.valid_until is not None and unit.valid_until < board.first_day
    ):
        raise HonourError(
            _(
                "Đơn vị “%(name)s” không hoạt động trong kỳ của bảng (%(first)s–%(last)s).",
                name=unit.latest_version.name,
                first=board.first_day.strftime("%d/%m/%Y"),
                last=board.last_day.strftime("%d/%m/%Y"),
            ),
            field="unit",
        )
    return unit


def add_unit(board: HonourBoard, unit: str, citation: str) -> HonouredUnit:
    found = _unit_in_period(board, unit)
    text = _citation(citation)
    if any(entry.unit_id == found.id for entry in board.units):
        raise HonourError(
            _("Đơn vị “%(name)s” đã có trên bảng này.", name=found.latest_version.name),
            field="unit",
        )
    entry = HonouredUnit(unit_id=found.id, citation=text, position=_next_position(board.units))
    board.units.append(entry)
    db.session.flush()
    return entry


def add_top_units(board: HonourBoard, criteria_set: str, count: str, today: date) -> Added:
    """Add the units with the highest share of members meeting the criteria set."""
    spec = _sound_spec(criteria_set)
    wanted = parse_count(count, limit=TOP_UNITS_LIMIT + 1)
    if wanted is None or not 1 <= wanted <= TOP_UNITS_LIMIT:
        raise HonourError(
            _("Số đơn vị phải là số nguyên từ 1 đến %(n)d.", n=TOP_UNITS_LIMIT), field="count"
        )
    report = nominations.live(spec, None, today).roster
    shares = [
        (row, row.passing, row.people) for row in report.subtotals if row.passing and row.people
    ]
    ranked = sorted(shares, key=lambda share: (-share[1] / share[2], -share[1]))[:wanted]
    present = {entry.unit_id for entry in board.units}
    position = _next_position(board.units)
    added = already = 0
    for row, passing, people in ranked:
        if row.unit_id in present:
            already += 1
            continue
        citation = _(
            "%(passing)d/%(people)d người đạt “%(name)s” (%(percent)d%%).",
            passing=passing,
            people=people,
            name=spec.name,
            percent=passing * 100 // people,
        )
        board.units.append(
            HonouredUnit(unit_id=row.unit_id, citation=citation[:CITATION_LIMIT], position=position)
        )
        position += 1
        added += 1
    db.session.flush()
    return Added(added, 0, already)


def update_unit(entry: HonouredUnit, *, citation: str, position: str) -> None:
    text = _citation(citation)
    number = _position(position)
    entry.citation = text
    if number is not None:
        entry.position = number


def remove_unit(entry: HonouredUnit) -> None:
    entry.board.units.remove(entry)
