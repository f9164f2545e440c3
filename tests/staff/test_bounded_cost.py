"""Staff files whose reading would cost far more than a staff list needs are refused first."""

from __future__ import annotations

import html
import io
import zipfile

import pytest

from tests.staff.files import HEADERS, csv_bytes, db_counts, staff_row, xlsx_bytes
from tests.staff.test_upload_page import admin, post_file  # noqa: F401 (a fixture)

SPREADSHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def with_parts(**parts: str) -> bytes:
    """A workbook with the header row and one good row, some of its parts replaced."""
    base = xlsx_bytes([staff_row("hoa.nt", "Nguyễn Thị Hoa")])
    names = {key.replace("__", "/").replace("_xml", ".xml"): value for key, value in parts.items()}
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info.filename, names.get(info.filename) or source.read(info))
        for name in names.keys() - set(source.namelist()):
            target.writestr(name, names[name])
    return out.getvalue()


def sheet(rows: str) -> str:
    cells = "".join(
        f'<c r="{chr(65 + index)}1" t="inlineStr"><is><t>{name}</t></is></c>'
        for index, name in enumerate(HEADERS)
    )
    data = f'<sheetData><row r="1">{cells}</row>{rows}</sheetData>'
    return f'<worksheet xmlns="{SPREADSHEET_NS}">{data}</worksheet>'


def shared_strings(count: int) -> str:
    strings = "<si><t>a</t></si>" * count  # compresses well: the upload stays small
    return f'<sst xmlns="{SPREADSHEET_NS}" count="{count}" uniqueCount="{count}">{strings}</sst>'


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        pytest.param(
            with_parts(xl__sharedStrings_xml=shared_strings(300_000)),
            "ds.xlsx",
            "Tệp “ds.xlsx” không đọc được vì bảng chuỗi dùng chung (xl/sharedStrings.xml) có "
            "300.000 chuỗi, quá 250.000",
            id="shared-strings",
        ),
        pytest.param(
            with_parts(
                xl__worksheets__sheet1_xml=sheet(
                    "".join(f'<row r="{n}"/>' for n in range(2, 30_000))
                )
            ),
            "ds.xlsx",
            "Tệp “ds.xlsx” có hơn 20.000 dòng dữ liệu (kể cả dòng trống)",
            id="blank-rows",
        ),
        pytest.param(
            with_parts(
                xl__worksheets__sheet1_xml=sheet(
                    '<row r="1048576"><c r="A1048576"><v>1</v></c></row>'
                )
            ),
            "ds.xlsx",
            "Tệp “ds.xlsx” có hơn 20.000 dòng dữ liệu (kể cả dòng trống)",
            id="rows-skipped-to-the-last",
        ),
        pytest.param(
            with_parts(
                xl__worksheets__sheet1_xml=sheet(
                    '<row r="2">' + "<c><v>1</v></c>" * 600_000 + "</row>"
                )
            ),
            "ds.xlsx",
            "trang tính “xl/worksheets/sheet1.xml” có 600.008 ô, quá 500.000",
            id="cells",
        ),
        pytest.param(
            with_parts(xl__styles_xml="<styleSheet>" + "<xf/>" * 1_000_000 + "</styleSheet>"),
            "ds.xlsx",
            "phần “xl/styles.xml” khi giải nén lớn 4 MB, quá 4 MB",
            id="styles",
        ),
        pytest.param(
            with_parts(
                xl__worksheets__sheet2_xml=" " * (50 * 1024 * 1024),
                xl__worksheets__sheet3_xml=" " * (50 * 1024 * 1024),
            ),
            "ds.xlsx",
            "khi giải nén tệp lớn 100 MB, quá 96 MB",
            id="unpacked-size",
        ),
        pytest.param(
            csv_bytes([staff_row("hoa.nt", "Nguyễn Thị Hoa")] + [[]] * 30_000),
            "ds.csv",
            "Tệp “ds.csv” có hơn 20.000 dòng dữ liệu (kể cả dòng trống)",
            id="csv-blank-lines",
        ),
        pytest.param(
            csv_bytes([staff_row("hoa.nt", "Nguyễn Thị Hoa"), ["a"] * 40_000]),
            "ds.csv",
            "Tệp “ds.csv”, dòng 3: dài quá 65.536 ký tự",
            id="csv-wide-row",
        ),
    ],
)
def test_costly_files_are_refused_before_they_are_read(client, admin, content, name, message):  # noqa: F811
    before = db_counts()

    response = post_file(client, content, name, check_only="1")

    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert message in page
    assert db_counts() == before


def test_a_wide_row_is_read_only_up_to_the_columns_a_list_can_use(client, admin):  # noqa: F811
    row = '<row r="2">' + "".join(
        f'<c r="{chr(65 + index)}2" t="inlineStr"><is><t>{value}</t></is></c>'
        for index, value in enumerate(staff_row("hoa.nt", "Nguyễn Thị Hoa"))
    )
    content = with_parts(xl__worksheets__sheet1_xml=sheet(row + '<c r="XFD2"><v>1</v></c></row>'))

    response = post_file(client, content, "ds.xlsx", check_only="1")

    assert response.status_code == 200
    assert "Thêm mới: 1" in response.get_data(as_text=True)
