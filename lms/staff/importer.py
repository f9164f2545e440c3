"""Staff lists (.xlsx or .csv): read, check every row, then apply all rows or none."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.accounts import services as people
from lms.accounts.models import Gender, Person
from lms.db import db
from lms.i18n import gettext as _
from lms.i18n import lazy_gettext as _l
from lms.i18n import local_today, vn_date
from lms.i18n import parse_day as parse_typed_day
from lms.org import services as org
from lms.org.models import Unit, UnitKind
from lms.org.queries import UnitChoice, unit_choices
from lms.sheets import Layout, Problem, RawRow, SheetError
from lms.sheets import read_rows as read_sheet
from lms.text import fold, legacy_font_letters

FULL_NAME = "Họ và tên"
BIRTH_DATE = "Ngày sinh"
GENDER = "Giới tính"
ETHNICITY = "Dân tộc"
POSITION = "Chức vụ"
UNIT_CODE = "Mã đơn vị"
EMAIL = "Email"
USERNAME = "Tên đăng nhập"
POSITION_SINCE = "Ngày giữ chức vụ"
COLUMNS = (FULL_NAME, BIRTH_DATE, GENDER, ETHNICITY, POSITION, UNIT_CODE, EMAIL, USERNAME)
# Columns a file may leave out: lists made before they existed still import.
OPTIONAL_COLUMNS = (POSITION_SINCE,)
TEMPLATE_COLUMNS = (*COLUMNS, *OPTIONAL_COLUMNS)
# Vietnamese lists usually number their rows; that column carries nothing to import.
IGNORED_COLUMNS = ("STT",)
MAX_ROWS = 20_000
LAYOUT = Layout(
    COLUMNS, OPTIONAL_COLUMNS, IGNORED_COLUMNS, MAX_ROWS, noun=_l("một danh sách cán bộ")
)
# The staff file's own name for a file that cannot be imported (any sheet's: `SheetError`).
StaffImportError = SheetError
EXAMPLE_ROW = (
    "Nguyễn Thị Hoa",
    "05/04/1990",
    "Nữ",
    "Tày",
    "Chuyên viên",
    "PHCTH",
    "hoa.nt@example.gov.vn",
    "hoa.nt",
    "01/07/2025",
)
COLUMN_HINTS = {
    FULL_NAME: _l("bắt buộc"),
    BIRTH_DATE: _l("dd/mm/yyyy, ví dụ 05/04/1990"),
    GENDER: _l("Nam, Nữ hoặc Khác"),
    ETHNICITY: _l("ví dụ Kinh, Tày, Nùng"),
    POSITION: _l("ví dụ Chuyên viên"),
    UNIT_CODE: _l("mã đơn vị đang hoạt động; để trống nếu không đổi"),
    EMAIL: _l("không bắt buộc"),
    USERNAME: _l("bắt buộc; dùng để nhận ra người đã có"),
    POSITION_SINCE: _l(
        "không bắt buộc; dd/mm/yyyy, ngày bắt đầu giữ chức vụ ở cột “Chức vụ”; để trống là "
        "ngày hiệu lực của lần nhập"
    ),
}

_GENDERS = {"nam": Gender.MALE, "nu": Gender.FEMALE, "khac": Gender.OTHER}
_LIMITS = {
    FULL_NAME: people.MAX_LENGTHS["full_name"],
    ETHNICITY: people.MAX_LENGTHS["ethnicity"],
    POSITION: people.MAX_LENGTHS["position"],
    EMAIL: people.MAX_LENGTHS["email"],
}
# Free-text columns, where letters left by a legacy Vietnamese font would be stored as they are.
_WORDS = {FULL_NAME, ETHNICITY, POSITION}
_LOOKUP_CHUNK = 500


@dataclass(frozen=True)
class StaffRow:
    """A checked row, with every value cleaned; None means "leave as it is"."""

    number: int
    username: str
    full_name: str
    date_of_birth: date | None
    gender: Gender | None
    ethnicity: str | None
    position: str | None
    email: str | None
    unit: Unit | None
    position_since: date | None = None

    def person_fields(self) -> dict[str, Any]:
        """Return the fields the file gives a value for, but the position (a dated change).

        Blank cells keep what is stored.
        """
        fields = {
            "full_name": self.full_name,
            "date_of_birth": self.date_of_birth,
            "gender": self.gender,
            "ethnicity": self.ethnicity,
            "email": self.email,
        }
        return {name: value for name, value in fields.items() if value is not None}


@dataclass(frozen=True)
class ImportSummary:
    """What an import did, in rows; a row both updated and moved counts in both."""

    created: int = 0
    updated: int = 0
    moved: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return _(
            "Thêm mới: %(created)d, cập nhật: %(updated)d, chuyển đơn vị: %(moved)d, "
            "không đổi: %(unchanged)d",
            created=self.created,
            updated=self.updated,
            moved=self.moved,
            unchanged=self.unchanged,
        )


@dataclass(frozen=True)
class ImportResult:
    """What an import found: the problems (nothing may be kept) or what it did."""

    problems: list[Problem]
    summary: ImportSummary | None = None


# Reading -------------------------------------------------------------------------------------


def read_rows(filename: str, data: bytes) -> list[RawRow]:
    """Return the data rows of a staff file with their spreadsheet row numbers (header is row 1).

    The kind of file is told by its content, not its name. Raises StaffImportError.
    """
    return read_sheet(filename, data, LAYOUT)


def parse_day(value: Any) -> date | None:
    """Return the date written as dd/mm/yyyy (or given as a spreadsheet date), else None."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return parse_typed_day(str(value), iso=False)  # the column is dd/mm/yyyy, as people type it


def parse_effective_date(text: str) -> date | None:
    """Return the date given as YYYY-MM-DD (a date input, the CLI) or dd/mm/yyyy, else None."""
    return parse_typed_day(text)


def _units_by_code(codes: set[str]) -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    ordered = sorted(codes)
    for start in range(0, len(ordered), _LOOKUP_CHUNK):
        chunk = ordered[start : start + _LOOKUP_CHUNK]
        query = select(Unit).where(Unit.code.in_(chunk))
        units.update((unit.code, unit) for unit in db.session.scalars(query))
    return units


def _text(row: RawRow, column: str, problems: list[Problem]) -> str | None:
    value = row.cells.get(column, "")
    if isinstance(value, date):
        value = vn_date(value)
    if not value:
        return None
    limit = _LIMITS.get(column)
    if limit and len(value) > limit:
        problems.append(Problem(_("dài quá %(n)d ký tự.", n=limit), row.number, column))
    legacy = legacy_font_letters(value) if column in _WORDS else []
    if legacy:
        _offset, found, meant = legacy[0]
        problems.append(
            Problem(
                _(
                    "“%(value)s” có chữ “%(found)s” của phông chữ cũ (có lẽ là “%(meant)s”); "
                    "hãy chuyển sang Unicode rồi nhập lại.",
                    value=value,
                    found=found,
                    meant=meant,
                ),
                row.number,
                column,
            )
        )
    return value


def _check_birth_date(row: RawRow, problems: list[Problem]) -> date | None:
    cell = row.cells.get(BIRTH_DATE, "")
    if not cell:
        return None
    born = parse_day(cell)
    if born is None:
        message = _("“%(value)s” không phải ngày hợp lệ (dd/mm/yyyy).", value=cell)
    elif born > local_today():
        message = _("“%(value)s” là ngày trong tương lai.", value=vn_date(born))
    elif born.year < 1900:
        message = _("“%(value)s” không phải ngày sinh hợp lý.", value=vn_date(born))
    else:
        return born
    problems.append(Problem(message, row.number, BIRTH_DATE))
    return None


def _check_position_since(row: RawRow, problems: list[Problem]) -> date | None:
    cell = row.cells.get(POSITION_SINCE, "")
    if not cell:
        return None
    since = parse_day(cell)
    shown = vn_date(since) if since else cell
    latest = local_today() + timedelta(days=people.POSITION_DAYS_AHEAD)
    if since is None:
        message = _("“%(value)s” không phải ngày hợp lệ (dd/mm/yyyy).", value=cell)
    elif since.year < 1900:
        message = _("“%(value)s” không phải ngày hợp lý.", value=shown)
    elif since > latest:
        message = _(
            "“%(value)s” quá xa: chỉ ghi được chức vụ bắt đầu trước tối đa %(n)d ngày.",
            value=shown,
            n=people.POSITION_DAYS_AHEAD,
        )
    elif not row.cells.get(POSITION):
        message = _("có ngày nhưng cột “%(column)s” để trống.", column=POSITION)
    else:
        return since
    problems.append(Problem(message, row.number, POSITION_SINCE))
    return None


def _check_gender(row: RawRow, problems: list[Problem]) -> Gender | None:
    text = _text(row, GENDER, problems)
    if not text:
        return None
    gender = _GENDERS.get(fold(text))
    if gender is None:
        message = _("“%(value)s” không hợp lệ; hãy ghi Nam, Nữ hoặc Khác.", value=text)
        problems.append(Problem(message, row.number, GENDER))
    return gender


def _check_unit(
    row: RawRow, on: date, units: dict[str, Unit], problems: list[Problem]
) -> Unit | None:
    code = _text(row, UNIT_CODE, problems)
    if not code:
        return None
    unit = units.get(code)
    if unit is None:
        message = _("không có đơn vị nào mã “%(code)s”.", code=code)
    elif not unit.is_open_on(on) and unit.successor is not None and on > unit.valid_from:
        message = _(
            "đơn vị “%(code)s” không hoạt động vào ngày %(day)s (đã sáp nhập vào “%(successor)s”).",
            code=code,
            day=vn_date(on),
            successor=unit.successor.code,
        )
    elif not unit.is_open_on(on):
        message = _(
            "đơn vị “%(code)s” không hoạt động vào ngày %(day)s.", code=code, day=vn_date(on)
        )
    else:
        return unit
    problems.append(Problem(message, row.number, UNIT_CODE))
    return None


def _check_email(row: RawRow, problems: list[Problem]) -> str | None:
    email = _text(row, EMAIL, problems)
    if email and not people.EMAIL_RE.match(email):
        message = _("“%(value)s” không phải địa chỉ email hợp lệ.", value=email)
        problems.append(Problem(message, row.number, EMAIL))
    return email


def _check_username(row: RawRow, problems: list[Problem]) -> str:
    """Return the username as stored (lower case), or "" when missing or invalid."""
    username = _text(row, USERNAME, problems)
    if not username:
        problems.append(Problem(_("không được để trống."), row.number, USERNAME))
        return ""
    try:
        return people.check_username(username)
    except people.PersonError as error:
        problems.append(Problem(str(error), row.number))
        return ""


def _check_row(row: RawRow, on: date, units: dict[str, Unit], problems: list[Problem]) -> StaffRow:
    """Return the row cleaned, adding its problems (in column order) to problems."""
    full_name = _text(row, FULL_NAME, problems)
    if not full_name:
        problems.append(Problem(_("không được để trống."), row.number, FULL_NAME))
    return StaffRow(
        number=row.number,
        full_name=full_name or "",
        date_of_birth=_check_birth_date(row, problems),
        gender=_check_gender(row, problems),
        ethnicity=_text(row, ETHNICITY, problems),
        position=_text(row, POSITION, problems),
        unit=_check_unit(row, on, units, problems),
        email=_check_email(row, problems),
        username=_check_username(row, problems),
        position_since=_check_position_since(row, problems),
    )


def check_rows(raw_rows: list[RawRow], *, on: date) -> tuple[list[StaffRow], list[Problem]]:
    """Check every row; return the cleaned rows and every problem found, in row order."""
    codes = {row.cells.get(UNIT_CODE) for row in raw_rows}
    units = _units_by_code({code for code in codes if code and isinstance(code, str)})
    problems: list[Problem] = []
    rows: list[StaffRow] = []
    first_row_of: dict[str, int] = {}
    for raw in raw_rows:
        found = len(problems)
        row = _check_row(raw, on, units, problems)
        if row.username in first_row_of:
            problems.append(
                Problem(
                    _(
                        "“%(username)s” trùng với dòng %(first)d.",
                        username=row.username,
                        first=first_row_of[row.username],
                    ),
                    raw.number,
                    USERNAME,
                )
            )
        elif row.username:
            first_row_of[row.username] = raw.number
        if len(problems) == found:
            rows.append(row)
    return rows, problems


# Applying ------------------------------------------------------------------------------------


def _people_by_username(usernames: list[str]) -> dict[str, Person]:
    found: dict[str, Person] = {}
    for start in range(0, len(usernames), _LOOKUP_CHUNK):
        chunk = usernames[start : start + _LOOKUP_CHUNK]
        query = (
            select(Person)
            .where(Person.username.in_(chunk))
            .options(selectinload(Person.memberships), selectinload(Person.positions))
        )
        found.update((person.username, person) for person in db.session.scalars(query))
    return found


def _changed_fields(person: Person, fields: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in fields.items() if getattr(person, name) != value}


def apply_rows(rows: list[StaffRow], *, on: date) -> ImportSummary:
    """Create or update each person and place them in their unit from day on.

    A position is held from the row's "Ngày giữ chức vụ", else from day on too; a position
    already held on that day changes nothing. Rows equal to what is stored change nothing.
    Nothing is committed here; raises StaffImportError naming the row of every change a
    service refused.
    """
    existing = _people_by_username([row.username for row in rows])
    counts = {"created": 0, "updated": 0, "moved": 0, "unchanged": 0}
    problems: list[Problem] = []
    for row in rows:
        try:
            person = existing.get(row.username)
            fields = row.person_fields()
            position_since = row.position_since or on
            if person is None:
                if row.position is not None:
                    fields.update(position=row.position, position_since=position_since)
                person = people.create_person(username=row.username, **fields)
                counts["created"] += 1
                if row.unit is not None:
                    org.assign_to_unit(person, row.unit, on)
                continue
            changed = _changed_fields(person, fields)
            updated = bool(changed) and people.update_person(person, **changed)
            if row.position is not None:
                updated = people.change_position(person, row.position, position_since) or updated
            current = person.membership_on(on)
            moved = row.unit is not None and (current is None or current.unit_id != row.unit.id)
            if moved and row.unit is not None:
                org.assign_to_unit(person, row.unit, on)
            counts["updated"] += updated
            counts["moved"] += moved
            counts["unchanged"] += not (updated or moved)
        except (people.PersonError, org.OrgError) as error:
            problems.append(Problem(str(error), row.number))
    if problems:
        raise StaffImportError(problems)
    return ImportSummary(**counts)


def import_staff(filename: str, data: bytes, *, on: date) -> ImportResult:
    """Read, check and apply a staff file in the current transaction.

    The caller commits only when the result has no problems, and rolls back otherwise.
    """
    try:
        raw_rows = read_rows(filename, data)
        rows, problems = check_rows(raw_rows, on=on)
        if problems:
            return ImportResult(problems)
        return ImportResult([], apply_rows(rows, on=on))
    except StaffImportError as error:
        return ImportResult(error.problems)


# The template --------------------------------------------------------------------------------


def _example_row(today: date, units: list[UnitChoice]) -> tuple[str, ...]:
    """EXAMPLE_ROW made true of the live organisation: a unit open today (a division rather
    than the agency itself), a username and e-mail nobody has, a position held since the start
    of this year; so that the template, imported as downloaded, adds one new person."""
    kinds = {uid: kind for uid, kind in db.session.execute(select(Unit.id, Unit.kind))}
    unit = next((u for u in units if kinds.get(u.unit_id) != UnitKind.AGENCY), None)
    unit = unit or (units[0] if units else None)
    base = EXAMPLE_ROW[COLUMNS.index(USERNAME)]
    taken = set(
        db.session.scalars(
            select(Person.username).where(Person.username.startswith(base, autoescape=True))
        )
    )
    username = next(
        f"{base}{n or ''}" for n in range(len(taken) + 1) if f"{base}{n or ''}" not in taken
    )
    values = dict(zip(TEMPLATE_COLUMNS, EXAMPLE_ROW, strict=True))
    values[UNIT_CODE] = unit.code if unit else ""
    values[USERNAME] = username
    values[EMAIL] = f"{username}@example.gov.vn"
    values[POSITION_SINCE] = vn_date(date(today.year, 1, 1))
    return tuple(values[column] for column in TEMPLATE_COLUMNS)


def template_workbook(today: date) -> bytes:
    """Return an .xlsx with the header row and one example row that its own import accepts
    unchanged (_example_row), and a second sheet of the unit codes open today to choose from
    (the import reads the first sheet only)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    units = unit_choices(today)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = "Danh sách"
    sheet.append(TEMPLATE_COLUMNS)
    sheet.append(_example_row(today, units))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEFGHI", (28, 14, 10, 12, 24, 14, 28, 18, 18), strict=True):
        sheet.column_dimensions[letter].width = width
    # Text cells keep "05/04/1990" and usernames like "0123" as typed instead of converting them.
    for letter in ("B", "F", "H", "I"):
        sheet.column_dimensions[letter].number_format = "@"
        for cell in sheet[letter]:
            cell.number_format = "@"
    sheet.freeze_panes = "A2"
    codes = workbook.create_sheet(_("Mã đơn vị"))
    codes.append([UNIT_CODE, _("Tên đơn vị (ngày %(day)s)", day=vn_date(today))])
    for cell in codes[1]:
        cell.font = Font(bold=True)
    for choice in units:
        codes.append([choice.code, choice.name])
        codes.cell(codes.max_row, 1).number_format = "@"
    codes.column_dimensions["A"].width = 16
    codes.column_dimensions["B"].width = 48
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
