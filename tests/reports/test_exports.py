"""Roster and summary files as an office files them: typed cells, print setup, letterhead from
the agency profile, the counting note and the signers, in the XLSX and the print alike."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook

from lms.agency.services import save_profile
from lms.db import db
from lms.reports import queries
from lms.reports.document import document
from lms.reports.queries import COUNTING_NOTE, UNITS_NOTE
from lms.roles import Role
from lms.web import BLOCK_BYTES, buffered
from tests.agency.conftest import BAC_NINH
from tests.factories import make_person
from tests.reports.conftest import complete, make_course

NOTE = (
    "Cách tính: mỗi dòng chỉ tính phần học tập trong những ngày người đó là thành viên đơn vị "
    "trong kỳ; mỗi người-ngày được tính một lần, nên tổng các dòng bằng tổng đơn vị và tổng "
    "toàn cơ quan. Số người được tính ở đơn vị của ngày cuối cùng trong kỳ."
)
EARNED, TARGET, UNIT, PERCENT = 8, 9, 10, 11  # roster columns, from 0


@pytest.fixture
def half(agency):
    """Someone with 2,5 tiết: a figure with a decimal part."""
    person = make_person("half", "Vi Thị Nửa", unit=agency.office, date_of_birth=date(1985, 12, 1))
    complete(person, make_course("foreign-language", "2.5"), datetime(2024, 5, 6, 3, tzinfo=UTC))
    db.session.commit()
    return person


@pytest.fixture
def bac_ninh(agency):
    """The agency profile as an administrator filled it in after the 2025 merger."""
    admin = make_person("quantri", "Trần Quản Trị", roles=(Role.ADMIN,))
    db.session.flush()
    save_profile(BAC_NINH, actor_id=admin.id)
    db.session.commit()


def workbook(client, url: str):
    response = client.get(url)
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.get_data())).active


def all_values(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def texts(sheet) -> list[str]:
    return [str(value) for row in sheet.iter_rows(values_only=True) for value in row if value]


def test_roster_xlsx_cells_are_numbers_percentages_and_dates(agency, half, client, login):
    login("tonghop")
    sheet = workbook(client, "/reports/roster?period=2024&format=xlsx")
    header = [cell.value for cell in sheet[6]]
    assert header[EARNED : PERCENT + 1] == ["Đã đạt", "Chỉ tiêu", "Đơn vị tính", "Mức hoàn thành"]
    rows = {row[1].value: row for row in sheet.iter_rows(min_row=7) if row[0].value}
    nua, mai = rows["Vi Thị Nửa"], rows["Lò Thị Mai"]

    assert nua[EARNED].value == 2.5 and nua[EARNED].number_format == "#,##0.##"
    assert nua[TARGET].value == 40 and nua[TARGET].number_format == "#,##0"  # not "40,"
    assert nua[UNIT].value == "tiết"
    assert nua[PERCENT].value == 0.06 and nua[PERCENT].number_format == "0%"  # 6,25 % → 6 %
    assert mai[2].value == datetime(1990, 2, 5) and mai[2].number_format == "dd/mm/yyyy"
    assert isinstance(nua[0].value, int) and isinstance(nua[6].value, int)


def test_csv_and_print_write_the_figures_as_the_page(agency, half, client, login):
    login("tonghop")
    data = client.get("/reports/roster?period=2024&format=csv").get_data()
    rows = list(csv.reader(io.StringIO(data[3:].decode("utf-8"))))
    nua = next(row for row in rows if row[1] == "Vi Thị Nửa")
    assert nua[2] == "01/12/1985"
    assert nua[EARNED : PERCENT + 1] == ["2,5", "40", "tiết", "6%"]

    html = client.get("/reports/roster?period=2024&format=html").text
    printed = re.search(r"<tr><td[^>]*>\d+</td><td>Vi Thị Nửa</td>(.*?)</tr>", html).group(1)
    assert '<td class="figure">2,5</td><td class="figure">40</td><td>tiết</td>' in printed
    page = client.get("/reports/roster?period=2024").text
    assert "2,5" in page.split("Vi Thị Nửa", 1)[1].split("</tr>", 1)[0]


def test_roster_xlsx_prints_a4_landscape_one_page_wide_with_labels_and_page_numbers(
    agency, client, login
):
    login("tonghop")
    sheet = workbook(client, "/reports/roster?period=2024&format=xlsx")
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == 9  # A4
    assert int(sheet.page_setup.fitToWidth) == 1
    assert int(sheet.page_setup.fitToHeight) == 0  # as many pages down as the rows need
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert sheet.print_title_rows == "$6:$6"  # the column labels on every page
    assert sheet.oddFooter.center.text == "Trang &P/&N"
    assert sheet.freeze_panes == "A7"
    assert sheet.conditional_formatting  # the table's grid


def test_roster_shows_the_counting_note_and_blank_signers_until_the_profile_is_set(
    agency, client, login
):
    login("tonghop")
    sheet = workbook(client, "/reports/roster?period=2024&format=xlsx")
    values = texts(sheet)
    assert NOTE in values
    assert "NGƯỜI LẬP BIỂU" in values and "THỦ TRƯỞNG CƠ QUAN" in values
    assert values[0] == "BAN DÂN TỘC TỈNH BẮC GIANG"  # the agency unit's name
    assert any(value.startswith("Bắc Giang, ngày ") for value in values)
    html = client.get("/reports/roster?period=2024&format=html").text
    assert NOTE in html and "NGƯỜI LẬP BIỂU" in html


def test_the_profile_heads_and_signs_roster_and_summary_files_and_prints(
    agency, bac_ninh, client, login
):
    login("tonghop")
    for url in ("/reports/roster?period=2024", "/reports/summary?period=2024"):
        sheet = workbook(client, url + "&format=xlsx")
        rows = all_values(sheet)
        assert rows[0][0] == "UBND TỈNH BẮC NINH"
        assert rows[1][0] == "SỞ DÂN TỘC VÀ TÔN GIÁO"
        place = [value for value in rows[2] if value]
        assert len(place) == 1 and place[0].startswith("Bắc Ninh, ngày ")
        signers = [[value for value in row if value] for row in rows[-7:]]
        assert signers[0] == ["NGƯỜI LẬP BIỂU", "GIÁM ĐỐC"]
        assert signers[-1] == ["Lê Thị Hoa", "Nguyễn Văn Thắng"]
        assert "Bắc Giang" not in " ".join(texts(sheet))

        html = client.get(url + "&format=html").text
        heading = html.split("</table>", 1)[0]
        assert "UBND TỈNH BẮC NINH<br><strong>SỞ DÂN TỘC VÀ TÔN GIÁO</strong>" in heading
        assert re.search(r'class="place-and-date">Bắc Ninh, ngày \d\d tháng \d+ năm \d{4}<', html)
        signatures = html.split('class="signers"', 1)[1]
        assert signatures.index("NGƯỜI LẬP BIỂU") < signatures.index("GIÁM ĐỐC")
        assert "Lê Thị Hoa" in signatures and "Nguyễn Văn Thắng" in signatures


def test_a_blank_signer_name_leaves_a_line_to_sign_on(agency, bac_ninh, client, login):
    admin = make_person("quantri2", roles=(Role.ADMIN,))
    save_profile({**BAC_NINH, "preparer_name": ""}, actor_id=admin.id)
    db.session.commit()
    login("tonghop")
    rows = all_values(workbook(client, "/reports/roster?period=2024&format=xlsx"))
    assert [value for value in rows[-1] if value] == ["Nguyễn Văn Thắng"]


def test_a_saved_profile_heads_the_very_next_print(agency, client, login):
    # The printed profile is kept while the reference data are unchanged: saving it is a
    # change, so the next document, in the same process, is headed by it.
    make_person("quantri", "Trần Quản Trị", roles=(Role.ADMIN,))
    db.session.commit()
    login("tonghop")
    before = client.get("/reports/roster?period=2024&format=html").text
    assert "Bắc Giang, ngày " in before and "NGƯỜI LẬP BIỂU" in before
    login("quantri")
    assert client.post("/admin/agency/", data=BAC_NINH).status_code == 302
    login("tonghop")
    after = client.get("/reports/roster?period=2024&format=html").text
    assert "Bắc Ninh, ngày " in after and "Bắc Giang, ngày " not in after
    assert "UBND TỈNH BẮC NINH" in after and "Lê Thị Hoa" in after


def test_document_carries_the_note_then_notes_passed_in(agency):
    period = queries.Period(date(2024, 1, 1), date(2024, 12, 31))
    roster = queries.roster(period, date(2025, 1, 10))
    doc = document(roster, date(2025, 1, 10), notes=["Số liệu tạm tính."])
    assert doc.notes == [NOTE, str(UNITS_NOTE), "Số liệu tạm tính."]
    assert str(COUNTING_NOTE) == NOTE
    assert doc.place_and_date == "Bắc Giang, ngày 10 tháng 01 năm 2025"


def test_print_stylesheet_numbers_pages(client):
    with client.get("/reports/print.css") as stylesheet:
        assert "size: A4 landscape" in stylesheet.text
        assert 'content: "Trang " counter(page) "/" counter(pages)' in stylesheet.text


def test_a_printable_roster_is_streamed_in_blocks_not_template_fragments(
    agency, half, client, login
):
    login("tonghop")
    response = client.get("/reports/roster?period=2024&format=html", buffered=False)
    assert response.is_streamed
    blocks = list(response.response)
    response.close()
    body = b"".join(blocks)
    assert body.decode("utf-8").startswith("<!doctype html>")
    # A few dozen rows: the whole page in one or two blocks, each fragment no longer its own.
    assert 1 <= len(blocks) <= max(2, len(body) // BLOCK_BYTES + 1)


def test_buffered_joins_pieces_into_blocks_and_keeps_every_byte():
    pieces = ["ă" * 10, b"x" * 5, "", "đ" * 3]
    assert list(buffered(pieces, size=1_000)) == [
        ("ă" * 10).encode() + b"x" * 5 + ("đ" * 3).encode()
    ]
    blocks = list(buffered(("a" * 7 for _ in range(10)), size=20))
    assert [len(block) for block in blocks] == [21, 21, 21, 7]
    assert list(buffered([])) == []


def test_printed_rows_escape_text_keep_numbers_and_mark_figure_columns():
    from lms.reports.exports import row_block

    html = row_block([[1, "Lò <Văn> & Sáng", "12,50"], [2, 'Hà "Thị" Mai', ""]], {0, 2})
    assert str(html) == (
        '\n    <tr><td class="figure">1</td><td>Lò &lt;Văn&gt; &amp; Sáng</td>'
        '<td class="figure">12,50</td></tr>\n  '
        '\n    <tr><td class="figure">2</td><td>Hà &#34;Thị&#34; Mai</td>'
        '<td class="figure"></td></tr>\n  '
    )


def test_printed_rows_read_as_escaping_each_cell_would_whatever_the_cells_hold():
    """row_block escapes a block's text in one call between control characters: cells that
    hold those characters, empty rows and empty cells come out as a cell at a time would."""
    from markupsafe import escape

    from lms.reports.exports import row_block

    def each_cell(block, figures):
        return "".join(
            "\n    <tr>"
            + "".join(
                f'<td class="figure">{escape(v)}</td>' if i in figures else f"<td>{escape(v)}</td>"
                for i, v in enumerate(row)
            )
            + "</tr>\n  "
            for row in block
        )

    cells = [0, 17, "", "Lò <Văn> & 'Sáng'", 'a"b', "x\x1fy", "\x1e", "\x1f\x1f", "{}", "{0}"]
    blocks = [
        [],
        [[]],
        [[1, "An"], [], [2, "Bình", "12,50"]],
        [[cell, cell] for cell in cells],
        [cells, list(reversed(cells)), cells[:3]],
    ]
    for block in blocks:
        for figures in (set(), {0}, {1, 2}):
            assert str(row_block(block, figures)) == each_cell(block, figures)
