"""The campaign summary: per unit and year, hand-computed from the reports fixture."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

from openpyxl import load_workbook

from lms.db import db
from lms.i18n import local_today
from lms.reports import queries
from lms.reports.summary import summary
from tests.factories import make_person
from tests.reports.test_criteria_columns import add_initiative, make_set

# 2024: CSDT has An (nothing while there: his 8 tiết of 31/12 came after he left) and Mai until
# June (12 tiết); HCTH has Bình (plan approved, 0) and Mai from July (0). Each person is counted
# once, under the unit of their last day (An in CSDT, Mai and Bình in HCTH), so the unit lines
# add up to the year's line; 40 tiết a year (prorated by days), nobody reaches it.
EXPECTED = [
    ["2024", "Phòng Chính sách dân tộc", "1", "0", "0%", "12", "0", "0"],
    ["2024", "Phòng Hành chính - Tổng hợp", "2", "1", "0%", "0", "1", "1"],
    ["2024", "Cộng năm 2024", "3", "1", "0%", "12", "1", "1"],
]
# The same lines in the XLSX: numbers as such.
EXPECTED_CELLS = [
    [2024, "Phòng Chính sách dân tộc", 1, 0, 0, 12, 0, 0],
    [2024, "Phòng Hành chính - Tổng hợp", 2, 1, 0, 0, 1, 1],
    [2024, "Cộng năm 2024", 3, 1, 0, 12, 1, 1],
]


def with_awards(agency) -> None:
    make_set()
    add_initiative(agency, agency.mai)
    db.session.commit()


def test_figures_per_unit_and_year(agency):
    with_awards(agency)
    report = summary(queries.Period(date(2024, 1, 1), date(2024, 12, 31)), local_today())
    assert [(r.unit_code, r.members, r.approved, r.completion_percent) for r in report.rows] == [
        ("CSDT", 1, 0, 0),
        ("HCTH", 2, 1, 0),
    ]
    (year,) = report.years
    assert (year.members, year.approved, str(year.hours), year.passing, year.initiatives) == (
        3, 1, "12.00", 1, 1,
    )  # fmt: skip
    assert year.criteria_name == "Năm 2024"


def test_two_years_have_a_line_each_and_no_criteria_where_no_set(agency):
    make_person(unit=agency.policy)
    db.session.commit()
    report = summary(queries.Period(date(2024, 1, 1), date(2025, 12, 31)), local_today())
    assert [t.year for t in report.years] == [2024, 2025]
    assert all(t.passing is None for t in report.years)
    names_2025 = [r.unit_name for r in report.rows if r.year == 2025]
    assert "Phòng Chính sách" in names_2025  # renamed on 01/03/2025


def table_lines(html: str) -> list[list[str]]:
    body = html.split('class="report-summary"', 1)[1].split("<tbody>", 1)[1].split("</table>")[0]
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def test_page_charts_and_downloads_agree(agency, client, login):
    with_awards(agency)
    login("tonghop")
    page = client.get("/reports/summary?period=2024")
    assert page.status_code == 200
    assert table_lines(page.text) == EXPECTED
    charts = re.findall(r'<svg class="chart" role="img".*?</svg>', page.text, re.S)
    assert len(charts) == 3
    assert "<desc" in charts[0] and "Phòng Hành chính - Tổng hợp: 0%" in charts[0]
    assert "2024: 12" in charts[1] and "2024: 1" in charts[2]
    assert "<script" not in page.text.split("<main", 1)[1]

    data = client.get("/reports/summary?period=2024&format=csv").get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data[3:].decode("utf-8"))))
    assert rows[1:] == EXPECTED
    xlsx = client.get("/reports/summary?period=2024&format=xlsx")
    assert "so-ket_BDT_2024-01-01_2024-12-31_" in xlsx.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(xlsx.get_data())).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[3][0] == "BÁO CÁO SƠ KẾT, TỔNG KẾT PHONG TRÀO HỌC TẬP SUỐT ĐỜI"
    assert values[6:9] == EXPECTED_CELLS
    assert values[9] == [None] * 8  # then the signers


def test_unit_filter_bad_input_and_access(agency, client, login):
    login("tonghop")
    office = client.get(f"/reports/summary?period=2024&unit={agency.office.id}")
    assert [line[1] for line in table_lines(office.text)] == [
        "Phòng Hành chính - Tổng hợp",
        "Cộng năm 2024",
    ]
    assert client.get("/reports/summary?from=2024-12-31&to=2024-01-01").status_code == 400
    assert client.get("/reports/summary?unit=999999").status_code == 404
    assert client.get("/reports/summary?format=pdf").status_code == 400
    login("hocvien")
    assert client.get("/reports/summary").status_code == 403
