"""Writers for a document: CSV with a BOM, streamed XLSX, printable HTML. They know no query."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterator
from datetime import datetime

from flask import stream_template

from lms.i18n import agency_zone
from lms.reports.document import Document

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
FONT = "Times New Roman"
CHUNK = 64 * 1024


def file_name(*parts: str, extension: str) -> str:
    """An ASCII download name: the parts (an empty unit code reads "all") joined by "_", then
    the agency's local time of the export."""
    moment = datetime.now(agency_zone()).strftime("%Y%m%d-%H%M")
    clean = [
        "".join(ch for ch in part if ch.isascii() and (ch.isalnum() or ch in "-_")) or "all"
        for part in parts
    ]
    return "_".join([*clean, moment]) + f".{extension}"


def safe_cell(value):
    """Keep a spreadsheet from running a cell that looks like a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_chunks(doc: Document) -> Iterator[str]:
    """Yield the CSV text in pieces, starting with the BOM Excel needs to read UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow(doc.headers)
    starts = FORMULA_STARTS
    for count, row in enumerate(doc.rows, start=1):
        # safe_cell, inlined: it is called for every cell of a hundred thousand rows.
        writer.writerow(
            ["'" + value if isinstance(value, str) and value.startswith(starts) else value
             for value in row]
        )  # fmt: skip
        if count % 200 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def write_csv(doc: Document, stream) -> None:
    for chunk in csv_chunks(doc):
        stream.write(chunk.encode("utf-8"))


def write_xlsx(doc: Document, stream) -> None:
    """Write one document as a workbook of one sheet."""
    write_xlsx_sheets([("Danh sach", doc)], stream)


def write_xlsx_sheets(sheets: list[tuple[str, Document]], stream) -> None:
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
    book._fonts = IndexedList([Font(name=FONT, size=12)])
    for title, doc in sheets:
        _write_sheet(book.create_sheet(title), doc)
    book.save(stream)


def _write_sheet(sheet, doc: Document) -> None:
    """The Nghị định 30 header block, the frozen column labels, then the rows."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Font, Side

    columns = len(doc.headers)
    for index, width in enumerate(doc.widths, start=1):
        sheet.column_dimensions[_letter(index)].width = width
    plain = Font(name=FONT, size=12)
    bold = Font(name=FONT, size=12, bold=True)
    italic = Font(name=FONT, size=12, italic=True)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    right_start = max(columns - 6, 1)

    def cell(value, font=plain, alignment=None, border=None):
        written = WriteOnlyCell(sheet, value=safe_cell(value))
        written.font = font or plain
        if alignment is not None:
            written.alignment = alignment
        if border is not None:
            written.border = border
        return written

    def split_row(left, right, left_font, right_font):
        row = [cell(left, left_font, centre)] + [cell(None) for _ in range(right_start - 2)]
        return row + [cell(right, right_font, centre)]

    sheet.freeze_panes = "A7"
    sheet.append(split_row(doc.agency, NATIONAL_TITLE, bold, bold))
    sheet.append(split_row(None, MOTTO, None, bold))
    sheet.append(split_row(None, doc.place_and_date, None, italic))
    sheet.append([cell(doc.title, bold)])
    sheet.append([cell(doc.period, italic)])
    sheet.append([cell(label, bold, centre, box) for label in doc.headers])
    for values in doc.rows:
        sheet.append([safe_cell(value) for value in values])


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


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


def html_chunks(doc: Document) -> Iterator[str]:
    """The printable page, rendered as the rows are read."""
    return stream_template("reports/print.html", doc=doc)
