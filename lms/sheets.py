"""Tables people keep in spreadsheets (.xlsx or .csv): read by content, not by name, within
bounds, with exact headers and every data row numbered as the spreadsheet numbers it.

A foundation: the staff list and the dictionaries read their files here, then check their own
rows (all or nothing). What a file must hold is its `Layout`.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from collections.abc import Generator, Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from lms.errors import UserError
from lms.i18n import gettext as _
from lms.i18n import vn_date
from lms.text import clean_name, fold
from lms.zipparts import LongerThanDeclared, declared_chunks

# Bounds on what openpyxl is given, checked in the zip before it reads anything: it keeps every
# shared string in memory, parses a row's cells all at once and pads a row up to its last
# column, so the cost follows these counts, not the size of the upload.
MAX_COLUMNS = 50
MAX_CELLS = 500_000
MAX_SHARED_STRINGS = 250_000
MAX_SHEET_BYTES = 64 * 1024 * 1024
MAX_PART_BYTES = 4 * 1024 * 1024  # any other part: styles, workbook, relations...
MAX_UNZIPPED_BYTES = 96 * 1024 * 1024  # all parts together
MAX_CSV_LINE = 64 * 1024  # a row of a staff list or a dictionary is well under 4 KB
_XML_CHUNK = 1024 * 1024
_ROW_TAG_RE = re.compile(rb"<(?:\w+:)?row[\s/>]")
_CELL_TAG_RE = re.compile(rb"<(?:\w+:)?c[\s/>]")
_STRING_TAG_RE = re.compile(rb"<(?:\w+:)?si[\s/>]")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A cell starting so would run as a formula in a spreadsheet: written out behind an apostrophe
# (safe_cell), which reading takes off again (_cell), so an exported file imports unchanged.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file, located by spreadsheet row and column when known."""

    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        if self.row is not None and self.column is not None:
            return _(
                "Dòng %(row)d, cột “%(column)s”: %(message)s",
                row=self.row,
                column=self.column,
                message=self.message,
            )
        if self.row is not None:
            return _("Dòng %(row)d: %(message)s", row=self.row, message=self.message)
        return self.message


class SheetError(UserError):
    """A file that cannot be imported; problems says every reason, with rows."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


@dataclass(frozen=True)
class RawRow:
    """A data row as read from the file: its spreadsheet row number and its cells by column."""

    number: int
    cells: dict[str, Any]


@dataclass(frozen=True)
class Layout:
    """What a kind of file holds: the columns it must have, those it may have, those ignored;
    how many data rows at most; and what it is called in messages ("một danh sách cán bộ")."""

    columns: tuple[str, ...]
    optional: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ("STT",)  # Vietnamese lists usually number their rows
    max_rows: int = 20_000
    noun: str = ""

    @property
    def known(self) -> tuple[str, ...]:
        return (*self.columns, *self.optional)


# Excel 97-2003 (.xls) and encrypted .xlsx files are OLE2 compound documents.
_OLE2_SIGNATURE = bytes.fromhex("d0cf11e0a1b11ae1")


def _not_a_spreadsheet(filename: str) -> SheetError:
    return SheetError(
        [Problem(_("Tệp “%(file)s” không phải bảng tính .xlsx hoặc .csv (UTF-8).", file=filename))]
    )


def _zip_names(data: bytes) -> set[str] | None:
    """Return the names inside a zip archive, or None if data is not one."""
    if not data.startswith(b"PK"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return None


def _xlsx_rows(
    data: bytes, filename: str, layout: Layout
) -> Generator[tuple[Any, ...], None, None]:
    from openpyxl import load_workbook

    _check_xlsx_shape(data, filename, layout)
    try:
        # Warnings about features openpyxl cannot read (data validation, ...) are not
        # the user's concern: the cell values still come through.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged workbook
        raise _not_a_spreadsheet(filename) from error
    try:
        if not workbook.worksheets:
            raise _not_a_spreadsheet(filename)
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers store a wrong sheet size; read what is there
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                yield from sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
            except Exception as error:
                raise _not_a_spreadsheet(filename) from error
    finally:
        workbook.close()


def _check_xlsx_shape(data: bytes, filename: str, layout: Layout) -> None:
    """Refuse a workbook whose parts would cost far more to read than such a list can need."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        total = sum(info.file_size for info in archive.infolist())
        if total > MAX_UNZIPPED_BYTES:
            raise _too_large(
                layout,
                filename,
                _(
                    "khi giải nén tệp lớn %(mb)d MB, quá %(limit)d MB",
                    mb=total // (1024 * 1024),
                    limit=MAX_UNZIPPED_BYTES // (1024 * 1024),
                ),
            )
        for info in archive.infolist():
            name = info.filename
            is_sheet = name.startswith("xl/worksheets/") and name.endswith(".xml")
            is_strings = name == "xl/sharedStrings.xml"
            limit = MAX_SHEET_BYTES if is_sheet or is_strings else MAX_PART_BYTES
            if info.file_size > limit:
                raise _too_large(
                    layout,
                    filename,
                    _(
                        "phần “%(part)s” khi giải nén lớn %(mb)d MB, quá %(limit)d MB",
                        part=name,
                        mb=info.file_size // (1024 * 1024),
                        limit=limit // (1024 * 1024),
                    ),
                )
            if is_strings:
                (strings,) = _count_tags(archive, info, filename, _STRING_TAG_RE)
                if strings > MAX_SHARED_STRINGS:
                    raise _too_large(
                        layout,
                        filename,
                        _(
                            "bảng chuỗi dùng chung (xl/sharedStrings.xml) có %(n)s chuỗi, quá "
                            "%(limit)s",
                            n=thousands(strings),
                            limit=thousands(MAX_SHARED_STRINGS),
                        ),
                    )
            elif is_sheet:
                rows, cells = _count_tags(archive, info, filename, _ROW_TAG_RE, _CELL_TAG_RE)
                if rows > layout.max_rows + 1:
                    raise _too_many_rows(layout, filename)
                if cells > MAX_CELLS:
                    raise _too_large(
                        layout,
                        filename,
                        _(
                            "trang tính “%(part)s” có %(n)s ô, quá %(limit)s",
                            part=name,
                            n=thousands(cells),
                            limit=thousands(MAX_CELLS),
                        ),
                    )


def _count_tags(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, filename: str, *tags: re.Pattern
) -> list[int]:
    """Count the elements of each kind in a part, reading no more than its declared size."""
    counts = [0] * len(tags)
    tail = b""
    try:
        for chunk in declared_chunks(archive, info, _XML_CHUNK):
            text = tail + chunk
            # Tags are counted up to the last "<"; the rest may be a tag cut in two.
            cut = text.rfind(b"<")
            cut = len(text) if cut < 0 else cut
            for index, tag in enumerate(tags):
                counts[index] += sum(1 for _match in tag.finditer(text, 0, cut))
            tail = text[cut:]
        for index, tag in enumerate(tags):
            counts[index] += sum(1 for _match in tag.finditer(tail))
    except (
        LongerThanDeclared,
        zipfile.BadZipFile,
        NotImplementedError,
        ValueError,
        OSError,
        EOFError,
    ) as error:
        raise _not_a_spreadsheet(filename) from error
    return counts


def thousands(number: int) -> str:
    """A count as Vietnamese write it: 20.000."""
    return f"{number:,}".replace(",", ".")


def _too_large(layout: Layout, filename: str, reason: str) -> SheetError:
    message = _(
        "Tệp “%(file)s” không đọc được vì %(reason)s; %(list)s không cần lớn như vậy. Hãy chép "
        "riêng bảng danh sách sang một tệp mới.",
        file=filename,
        reason=reason,
        list=layout.noun,
    )
    return SheetError([Problem(message)])


def _too_many_rows(layout: Layout, filename: str) -> SheetError:
    message = _(
        "Tệp “%(file)s” có hơn %(limit)s dòng dữ liệu (kể cả dòng trống); hãy xóa các dòng "
        "trống ở cuối hoặc chia thành nhiều tệp nhỏ hơn.",
        file=filename,
        limit=thousands(layout.max_rows),
    )
    return SheetError([Problem(message)])


def _csv_rows(data: bytes, filename: str, layout: Layout) -> Generator[list[str], None, None]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _not_a_spreadsheet(filename) from None
    if "\x00" in text:
        raise _not_a_spreadsheet(filename)
    end = text.find("\n")
    header_line = text if end < 0 else text[:end]
    # Excel writes ";" where the decimal mark is a comma (Vietnamese regional settings).
    delimiter = max((",", ";", "\t"), key=header_line.count)
    try:
        yield from csv.reader(_csv_lines(text, filename, layout), delimiter=delimiter)
    except csv.Error as error:
        raise _not_a_spreadsheet(filename) from error


def _csv_lines(text: str, filename: str, layout: Layout) -> Iterator[str]:
    """Yield text line by line (no copy of the whole), refusing a line no row of it needs."""
    start = number = 0
    while start < len(text):
        number += 1
        end = text.find("\n", start) + 1 or len(text)
        if end - start > MAX_CSV_LINE:
            message = _(
                "Tệp “%(file)s”, dòng %(row)d: dài quá %(n)s ký tự; một dòng của %(list)s không "
                "cần dài như vậy.",
                file=filename,
                row=number,
                n=thousands(MAX_CSV_LINE),
                list=layout.noun,
            )
            raise SheetError([Problem(message)])
        yield text[start:end]
        start = end


def _cell(value: Any) -> Any:
    """Return a cell as NFC text without outer blanks, keeping dates as they came; the
    apostrophe safe_cell put before a formula-like text is taken off."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = clean_name(str(value))
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def _header_problems(headers: list[str], layout: Layout) -> list[Problem]:
    problems = []
    missing = [name for name in layout.columns if name not in headers]
    unknown = [h for h in headers if h and h not in layout.known and h not in layout.ignored]
    repeated = sorted({h for h in headers if h and headers.count(h) > 1}, key=headers.index)
    expected = ", ".join(f"“{name}”" for name in layout.columns)
    for name in missing:
        problems.append(Problem(_("thiếu cột “%(column)s”.", column=name), row=1))
    for name in unknown:
        meant = next((c for c in layout.known if fold(c) == fold(name)), None)
        if meant:
            message = _(
                "cột “%(column)s” không có trong mẫu (có phải “%(meant)s”?).",
                column=name,
                meant=meant,
            )
        else:
            message = _("cột “%(column)s” không có trong mẫu.", column=name)
        problems.append(Problem(message, row=1))
    for name in repeated:
        problems.append(Problem(_("cột “%(column)s” có hơn một lần.", column=name), row=1))
    if problems:
        message = _(
            "Dòng đầu tiên của tệp phải là dòng tiêu đề với các cột: %(columns)s.", columns=expected
        )
        problems.append(Problem(message))
    return problems


def read_rows(filename: str, data: bytes, layout: Layout) -> list[RawRow]:
    """Return the data rows of a file laid out as layout says, with their spreadsheet row
    numbers (the header is row 1).

    The kind of file is told by its content, not its name. Raises SheetError.
    """
    if not data.strip():
        raise SheetError([Problem(_("Tệp “%(file)s” trống.", file=filename))])
    if data.startswith(_OLE2_SIGNATURE):
        raise SheetError(
            [
                Problem(
                    _(
                        "Tệp “%(file)s” là bảng tính Excel 97–2003 (.xls): hãy mở bằng Excel "
                        "và lưu lại dưới dạng .xlsx.",
                        file=filename,
                    )
                )
            ]
        )
    zip_names = _zip_names(data)
    rows: Generator[Sequence[Any], None, None]
    if zip_names is None:
        rows = _csv_rows(data, filename, layout)
    elif {"[Content_Types].xml", "xl/workbook.xml"} <= zip_names:
        rows = _xlsx_rows(data, filename, layout)
    else:
        raise _not_a_spreadsheet(filename)  # .docx, .ods, a plain .zip...
    with closing(rows):
        return _data_rows(filename, enumerate(rows, start=1), layout)


def _data_rows(
    filename: str, records: Iterable[tuple[int, Sequence[Any]]], layout: Layout
) -> list[RawRow]:
    headers: list[str] | None = None
    raw_rows: list[RawRow] = []
    for number, values in records:
        # Blank rows count too: reading them is the cost, and a sheet can hold a million.
        if number > layout.max_rows + 1:
            raise _too_many_rows(layout, filename)
        cells = [_cell(value) for value in values[:MAX_COLUMNS]]
        if headers is None:
            headers = [cell if isinstance(cell, str) else vn_date(cell) for cell in cells]
            if not any(headers):
                break
            problems = _header_problems(headers, layout)
            if problems:
                raise SheetError(problems)
            continue
        if not any(cells):
            continue
        by_column = {
            header: cells[index] if index < len(cells) else ""
            for index, header in enumerate(headers)
            if header in layout.known
        }
        raw_rows.append(RawRow(number, by_column))
    if headers is None or not any(headers):
        raise SheetError(
            [Problem(_("Tệp “%(file)s” không có dòng tiêu đề ở dòng 1.", file=filename))]
        )
    if not raw_rows:
        message = _("Tệp “%(file)s” không có dòng dữ liệu nào.", file=filename)
        raise SheetError([Problem(message)])
    return raw_rows


# Checking ------------------------------------------------------------------------------------


# Writing -------------------------------------------------------------------------------------


def safe_cell(value: Any) -> Any:
    """Keep a spreadsheet from running a cell that looks like a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(rows: Iterable[Sequence[Any]]) -> bytes:
    """Rows as a UTF-8 CSV with the mark Excel needs to read it so, formula-like text kept
    from running."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows([safe_cell(value) for value in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(rows: Iterable[Sequence[Any]], title: str) -> bytes:
    """Rows as a workbook of one sheet (header row bold and frozen), every cell text: nothing
    typed in is taken for a number, a date or a formula, so the file imports unchanged."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    for number, row in enumerate(rows):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=str(value))
            cell.data_type = "s"
            if number == 0:
                cell.font = bold
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
