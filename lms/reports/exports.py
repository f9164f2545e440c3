"""Writers for a document: CSV with a BOM, streamed XLSX, printable HTML. They know no query."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import IO, TYPE_CHECKING

from flask import stream_template
from markupsafe import Markup, escape

from lms.i18n import agency_zone
from lms.i18n import gettext as _
from lms.numbers import DATE_FORMAT, DECIMAL_FORMAT, PERCENT_FORMAT, WHOLE_FORMAT
from lms.reports.document import Document, Kind
from lms.sheets import FORMULA_STARTS, safe_cell

if TYPE_CHECKING:
    from openpyxl.cell import Cell
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.worksheet import Worksheet

BOM = "\ufeff"
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
FONT = "Times New Roman"
CHUNK = 64 * 1024
# Rows above the table (letterhead, title, period); the column labels are the next row, and
# are printed again at the top of every page.
HEADING_ROWS = 5
# Excel's page-number fields: "Trang 2/5".
FOOTER = "Trang &P/&N"
# Nghị định 30/2020 margins for A4, in inches: top and bottom 20 mm, left 30 mm, right 15 mm.
MARGINS = {"top": 0.79, "bottom": 0.79, "left": 1.18, "right": 0.59, "header": 0.3, "footer": 0.3}
SIGNING_ROWS = 4  # blank rows left to sign in
PAPER_A4 = 9  # the paper size code of A4 in SpreadsheetML


def file_name(*parts: str, extension: str) -> str:
    """An ASCII download name: the parts (an empty unit code reads "all") joined by "_", then
    the agency's local time of the export."""
    moment = datetime.now(agency_zone()).strftime("%Y%m%d-%H%M")
    clean = [
        "".join(ch for ch in part if ch.isascii() and (ch.isalnum() or ch in "-_")) or "all"
        for part in parts
    ]
    return "_".join([*clean, moment]) + f".{extension}"


def csv_chunks(doc: Document) -> Iterator[str]:
    """Yield the CSV text in pieces, starting with the BOM Excel needs to read UTF-8: the
    column labels, then each row as the page shows it (figures as text, the same digits)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow(doc.headers)
    starts = FORMULA_STARTS
    # Only text columns carry what people typed; figures, dates and percentages are written
    # by the platform. A document without kinds (a list frozen before them): every column.
    text = [i for i, kind in enumerate(doc.kinds) if kind == Kind.TEXT] if doc.kinds else None
    for count, row in enumerate(doc.text_rows(), start=1):
        # safe_cell, inlined: it is called for the cells of a hundred thousand rows.
        for index in range(len(row)) if text is None else text:
            value = row[index]
            if isinstance(value, str) and value.startswith(starts):
                row[index] = "'" + value
        writer.writerow(row)
        if count % 200 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def write_csv(doc: Document, stream: IO[bytes]) -> None:
    for chunk in csv_chunks(doc):
        stream.write(chunk.encode("utf-8"))


def write_xlsx(doc: Document, stream: str | IO[bytes]) -> None:
    """Write one document as a workbook of one sheet."""
    write_xlsx_sheets([("Danh sach", doc)], stream)


def write_xlsx_sheets(sheets: list[tuple[str, Document]], stream: str | IO[bytes]) -> None:
    """Write each document on its own sheet, in write-only mode: rows stream out, memory stays
    flat. Sheet titles must be unique, at most 31 characters."""
    # Imported here: a tenth of a second at every start of the app and of each command,
    # paid only by those who write a workbook.
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils.indexed_list import IndexedList

    book = Workbook(write_only=True)
    # The document's font is the workbook's default, so table cells need no style of their
    # own: styling each of a hundred thousand rows' cells cost more than writing them.
    book._fonts = IndexedList([Font(name=FONT, size=12)])  # type: ignore[attr-defined]  # no public API
    for title, doc in sheets:
        _write_sheet(book.create_sheet(title), doc)
    book.save(stream)


def _split(widths: list[int]) -> int:
    """How many columns, from the left, the agency's block of the letterhead spans: about two
    fifths of the table's width, the rest is the national title's."""
    columns = len(widths)
    if columns < 2:
        return columns
    total, reached = sum(widths), 0
    for index, width in enumerate(widths, start=1):
        reached += width
        if reached * 5 >= total * 2:
            return min(index, columns - 1)
    return columns - 1


def _write_sheet(sheet: Worksheet, doc: Document) -> None:  # write-only: it passes these on
    """The Nghị định 30 letterhead, the column labels (frozen, repeated on every printed page),
    the rows with numbers and dates as such, the notes, then the signers; A4 landscape, fitted
    to the page's width, page numbers in the footer."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    columns = len(doc.headers)
    # What the sheet's head holds is written with the first row: set it before any.
    for index, width in enumerate(doc.widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = f"A{HEADING_ROWS + 2}"
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    plain = Font(name=FONT, size=12)
    bold = Font(name=FONT, size=12, bold=True)
    italic = Font(name=FONT, size=12, italic=True)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left = Alignment(horizontal="left", vertical="top", wrap_text=True)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    split = _split(doc.widths)
    row_number = 0

    def cell(value, font=plain, alignment=None, border=None):
        written = WriteOnlyCell(sheet, value=safe_cell(value))
        written.font = font
        if alignment is not None:
            written.alignment = alignment
        if border is not None:
            written.border = border
        return written

    def merge(first: int, last: int) -> None:
        if last > first:
            sheet.merged_cells.add(
                f"{get_column_letter(first)}{row_number}:{get_column_letter(last)}{row_number}"
            )

    def append(row: list, height: float | None = None) -> None:
        nonlocal row_number
        row_number += 1
        if height is not None:
            sheet.row_dimensions[row_number].height = height
        sheet.append(row)

    def two_blocks(left_cell: Cell, right_cell: Cell, height: float | None = None) -> None:
        """A row in two halves: the agency's (or first signer's) and the national title's."""
        if columns < 2:
            append([left_cell], height)
            return
        append([left_cell] + [None] * (split - 1) + [right_cell], height)
        merge(1, split)
        merge(split + 1, columns)

    def across(
        value: str, font: Font, alignment: Alignment = centre, height: float | None = None
    ) -> None:
        append([cell(value, font, alignment)], height)
        merge(1, columns)

    # Left: parent body, then the agency in bold (or the agency alone); right: Quốc hiệu,
    # Tiêu ngữ, the date line.
    lines = [(doc.parent, plain), (doc.agency, bold)] if doc.parent else [(doc.agency, bold)]
    lines += [("", plain)] * (3 - len(lines))
    right = [(NATIONAL_TITLE, bold), (MOTTO, bold), (doc.place_and_date, italic)]
    for (left_text, left_font), (right_text, right_font) in zip(lines, right, strict=True):
        two_blocks(cell(left_text, left_font, centre), cell(right_text, right_font, centre))
    across(doc.title, bold)
    across(doc.period, italic)
    # Excel and LibreOffice leave a row at one line unless told: as many as the longest label.
    pairs = zip(doc.headers, doc.widths, strict=False)
    label_lines = max((-(-len(label) // max(width - 2, 1)) for label, width in pairs), default=1)
    append([cell(label, bold, centre, box) for label in doc.headers], 16.0 * label_lines + 4)
    heading_row = row_number  # HEADING_ROWS + 1

    for values in _typed_rows(doc, sheet, WriteOnlyCell):
        append(values)
    if row_number > heading_row:
        # The table's grid as one conditional format, not a border on each of its cells:
        # styling every cell of a hundred thousand rows would cost more than writing them.
        grid = f"A{heading_row + 1}:{get_column_letter(columns)}{row_number}"
        sheet.conditional_formatting.add(grid, FormulaRule(formula=["TRUE"], border=box))

    total_width = sum(doc.widths) or 1
    for note in doc.notes:
        # Excel does not grow a merged row to fit its text: about one line per table width.
        lines_needed = max(1, -(-len(note) * 11 // (total_width * 10)))
        across(note, italic, left, height=16.0 * lines_needed + 2)
    if doc.signers:
        append([])
        _signature_block(doc.signers, two_blocks, append, cell, bold, italic, centre)

    sheet.print_title_rows = f"{heading_row}:{heading_row}"
    setup = sheet.page_setup
    setup.orientation = "landscape"
    setup.paperSize = PAPER_A4
    setup.fitToWidth = 1
    setup.fitToHeight = 0  # as many pages as the rows need
    sheet.print_options.horizontalCentered = True
    for side, inches in MARGINS.items():
        setattr(sheet.page_margins, side, inches)
    footer = sheet.oddFooter
    if footer is not None:  # a new sheet has one
        footer.center.text = FOOTER
        footer.center.font = f"{FONT},Regular"
        footer.center.size = 11


def _signature_block(
    signers: Sequence[tuple[str, str]],
    two_blocks: Callable[[Cell, Cell], None],
    append: Callable[[list[Cell], float], None],
    cell: Callable[[str, Font, Alignment], Cell],
    bold: Font,
    italic: Font,
    centre: Alignment,
) -> None:
    """Each signer's title, a hint, room to sign, then the name: the first signer on the left,
    the second on the right (Nghị định 30: the signer's title in capitals, the name in bold)."""
    first, second = (list(signers) + [("", "")])[:2]
    hints = (_("(Ký, ghi rõ họ tên)"), _("(Ký tên, đóng dấu)"))
    two_blocks(cell(first[0], bold, centre), cell(second[0], bold, centre))
    two_blocks(cell(hints[0], italic, centre), cell(hints[1], italic, centre))
    for _row in range(SIGNING_ROWS):
        append([], 18.0)
    two_blocks(cell(first[1], bold, centre), cell(second[1], bold, centre))


def _typed_rows(
    doc: Document, sheet: Worksheet, new_cell: Callable[[Worksheet], Cell]
) -> Iterator[list[object]]:
    """Each row's values as spreadsheet cells: numbers, percentages and dates as such, with a
    number format per column kind; text formula-escaped.

    One styled cell per numeric column (two for decimals: whole, fractional) is reused for
    every row: the writer writes a row's cells before the next row is made, and a new styled
    cell per value cost a third of the workbook's time.
    """

    def styled_cell(number_format: str) -> Cell:
        prototype = new_cell(sheet)
        prototype.number_format = number_format
        return prototype

    formats: dict[str, str] = {Kind.PERCENT: PERCENT_FORMAT, Kind.DATE: DATE_FORMAT}
    decimals: dict[int, tuple[Cell, Cell]] = {}
    others: dict[int, tuple[str, Cell]] = {}
    for index, kind in enumerate(doc.kinds):
        if kind == Kind.DECIMAL:
            decimals[index] = (styled_cell(WHOLE_FORMAT), styled_cell(DECIMAL_FORMAT))
        elif kind in formats:
            others[index] = (kind, styled_cell(formats[kind]))
    hundredth = Decimal("0.01")
    starts = FORMULA_STARTS
    for row in doc.rows:
        # An empty text is no cell at all: a blank position or reason costs nothing to write.
        out: list[object]
        out = [(("'" + value if value.startswith(starts) else value) if value else None)
               if isinstance(value, str) else value
               for value in row]  # fmt: skip
        for index, (whole, fractional) in decimals.items():
            value = out[index]
            if isinstance(value, Decimal | int):
                written = whole if value % 1 == 0 else fractional
                written.value = value
                out[index] = written
        for index, (kind, written) in others.items():
            value = out[index]
            if kind == Kind.PERCENT and isinstance(value, int | Decimal):
                written.value = Decimal(value) * hundredth  # 79 is 0.79, shown "79%"
                out[index] = written
            elif kind == Kind.DATE and isinstance(value, date):
                written.value = value
                out[index] = written
        yield out


def xlsx_chunks(doc: Document) -> Iterator[bytes]:
    """Write the workbook to a temporary file (openpyxl needs one) and yield it in chunks."""
    return xlsx_sheets_chunks([("Danh sach", doc)])


def xlsx_sheets_chunks(sheets: list[tuple[str, Document]]) -> Iterator[bytes]:
    """Like xlsx_chunks, for a workbook of several sheets."""
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        write_xlsx_sheets(sheets, path)
        with open(path, "rb") as file:
            while chunk := file.read(CHUNK):
                yield chunk
    finally:
        os.unlink(path)


# The narrowest a column prints, in spreadsheet widths: a date or a figure stays on one line
# in the print's smaller type; long text wraps within at most PRINT_TEXT_MOST.
PRINT_MINIMUM: dict[str, int] = {Kind.DATE: 16, Kind.DECIMAL: 11, Kind.PERCENT: 8, Kind.INTEGER: 7}
PRINT_TEXT_MOST = 32
FIGURES = frozenset(PRINT_MINIMUM)


def print_shares(doc: Document) -> list[float]:
    """Each column's share of the printed table's width, in per cent."""
    kinds = list(doc.kinds) + [Kind.TEXT] * (len(doc.widths) - len(doc.kinds))
    widths = [
        max(width, PRINT_MINIMUM[kind]) if kind in FIGURES else min(max(width, 8), PRINT_TEXT_MOST)
        for width, kind in zip(doc.widths, kinds, strict=False)
    ]
    total = sum(widths) or 1
    return [round(width * 100 / total, 1) for width in widths]


def figure_columns(doc: Document) -> set[int]:
    """The columns of numbers and dates: printed right-aligned, on one line."""
    return {index for index, kind in enumerate(doc.kinds) if kind in FIGURES}


# Between the rows and the cells of a block while it is escaped as one text: control
# characters no cell should hold (a block whose cells do is written a cell at a time).
_ROW, _CELL = "\x1e", "\x1f"


def row_block(block: Iterable[Sequence[str | int]], figures: Collection[int]) -> Markup:
    """A block of the printable table's rows as HTML: written here rather than by a template
    loop, whose call and escape per cell cost more than the rest of a 500-row page.

    The cells are plain text (the CSV writes the same ones), escaped as the template would:
    the block's text in one call, between separators, rather than a call per cell."""
    rows = [[str(value) for value in row] for row in block]
    if not rows:
        return Markup("")
    text = _ROW.join([_CELL.join(row) for row in rows])
    separators = sum(len(row) - 1 for row in rows)
    if text.count(_CELL) != separators or text.count(_ROW) != len(rows) - 1:
        return _cell_by_cell(rows, figures)
    formats: dict[int, str] = {}
    parts = []
    for line in str(escape(text)).split(_ROW):
        cells = line.split(_CELL)
        form = formats.get(len(cells))
        if form is None:
            form = formats[len(cells)] = _row_format(len(cells), figures)
        parts.append(form.format(*cells))
    return Markup("".join(parts))


def _row_format(length: int, figures: Collection[int]) -> str:
    """A row of length cells as a format string, each cell a {} to fill with its text."""
    cells = ('<td class="figure">{}</td>' if i in figures else "<td>{}</td>" for i in range(length))
    return "\n    <tr>" + "".join(cells) + "</tr>\n  "


def _cell_by_cell(rows: list[list[str]], figures: Collection[int]) -> Markup:
    """row_block for rows whose cells hold its separators: each cell escaped on its own."""
    return Markup(
        "".join(
            _row_format(len(row), figures).format(*(escape(value) for value in row)) for row in rows
        )
    )


def html_chunks(doc: Document) -> Iterator[str]:
    """The printable page, rendered as the rows are read."""
    return html_sheets_chunks([doc])


def html_sheets_chunks(docs: list[Document]) -> Iterator[str]:
    """One printable page for several documents: the first one's letterhead, each table with
    its title, period and notes, then the last one's signers."""
    return stream_template(
        "reports/print.html",
        first=docs[0],
        last=docs[-1],
        tables=[(doc, doc.text_rows(), print_shares(doc), figure_columns(doc)) for doc in docs],
        national_title=NATIONAL_TITLE,
        motto=MOTTO,
        row_block=row_block,
    )
