"""The roster: one row per person and unit, names as they were, same rows in every format."""

from __future__ import annotations

import csv
import gc
import io
import re
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from lms.db import db
from lms.i18n import local_today
from lms.org.models import Unit
from lms.reports import queries
from lms.reports.document import document
from tests.factories import make_person

# Hand-computed from the fixture, 40 tiết a year prorated by the days of each row (2024 has 366):
# - An, in CSDT 01/01-30/09 (274 days: 29,95 tiết): his completions of 31/12 came after he left,
#   so they count for no unit; the required item due 15/06 was not done while he was there.
# - Mai, CSDT 01/01-30/06 (182 days: 19,89) with her 12 tiết of March, then HCTH 01/07-31/12
#   (184 days: 20,11); her two targets add up to the year's 40. The CSDT item was due in her
#   CSDT months and is not done; HCTH had no item for her.
EXPECTED_2024 = [
    ["1", "Nông Văn An", "", "Chuyên viên", "Phòng Chính sách dân tộc", "Chưa lập", "0", "1",
     "0", "29,95", "tiết", "0%", "CBCCVC-2018 v1", "0", "0", "0", "0", "0", "—", ""],
    ["2", "Lò Thị Mai", "05/02/1990", "", "Phòng Chính sách dân tộc", "Chưa lập", "0", "1",
     "12", "19,89", "tiết", "60%", "CBCCVC-2018 v1", "0", "0", "1", "0", "0", "—", ""],
    ["3", "=Hoàng Văn Bình", "", "+Trưởng phòng", "Phòng Hành chính - Tổng hợp", "Đã duyệt",
     "0", "0", "0", "40", "tiết", "0%", "CBCCVC-2018 v1", "0", "0", "0", "0", "0", "—", ""],
    ["4", "Lò Thị Mai", "05/02/1990", "", "Phòng Hành chính - Tổng hợp", "Chưa lập", "0", "0",
     "0", "20,11", "tiết", "0%", "CBCCVC-2018 v1", "0", "0", "0", "0", "0", "—", ""],
]  # fmt: skip
# The same rows as the XLSX holds them: numbers, percentages and dates as such.
EXPECTED_2024_CELLS = [
    [1, "Nông Văn An", None, "Chuyên viên", "Phòng Chính sách dân tộc", "Chưa lập", 0, 1,
     0, 29.95, "tiết", 0, "CBCCVC-2018 v1", 0, 0, 0, 0, 0, "—", None],
    [2, "Lò Thị Mai", datetime(1990, 2, 5), None, "Phòng Chính sách dân tộc", "Chưa lập", 0, 1,
     12, 19.89, "tiết", 0.6, "CBCCVC-2018 v1", 0, 0, 1, 0, 0, "—", None],
    [3, "'=Hoàng Văn Bình", None, "'+Trưởng phòng", "Phòng Hành chính - Tổng hợp", "Đã duyệt",
     0, 0, 0, 40, "tiết", 0, "CBCCVC-2018 v1", 0, 0, 0, 0, 0, "—", None],
    [4, "Lò Thị Mai", datetime(1990, 2, 5), None, "Phòng Hành chính - Tổng hợp", "Chưa lập", 0, 0,
     0, 20.11, "tiết", 0, "CBCCVC-2018 v1", 0, 0, 0, 0, 0, "—", None],
]  # fmt: skip


def roster_2024(**kwargs):
    period = queries.Period(date(2024, 1, 1), date(2024, 12, 31))
    return queries.roster(period, local_today(), **kwargs)


def as_text(rows):
    return [[str(value) for value in row] for row in rows]


def page_rows(html: str) -> list[list[str]]:
    body = html.split('class="report-roster"', 1)[1].split("</table>", 1)[0]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>", 1)[1], re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([re.sub(r"<[^>]+>.*", "", cell).strip() for cell in cells])
    return [[cell.replace("&#43;", "+").replace("&#61;", "=") for cell in r] for r in rows]


def test_rows_follow_history_tree_and_name_order(agency):
    report = roster_2024()
    doc = document(report, date(2024, 4, 5))
    assert as_text(doc.text_rows()) == EXPECTED_2024
    assert report.agency_name == "Ban Dân tộc tỉnh Bắc Giang"
    # People are counted under the unit of their last day: An in CSDT, Mai and Bình in HCTH.
    assert [(s.unit_code, s.people, s.approved_percent) for s in report.subtotals] == [
        ("CSDT", 1, 0),
        ("HCTH", 2, 50),
    ]
    assert [str(s.hours) for s in report.subtotals] == ["12.00", "0.00"]


def test_new_year_completion_counts_in_2025(agency):
    period = queries.Period(date(2025, 1, 1), date(2025, 12, 31))
    report = queries.roster(period, local_today())
    an_rows = [row for row in report.rows if row.person_id == agency.an.id]
    assert an_rows == []  # An left in 2024
    two_years = queries.roster(queries.Period(date(2024, 1, 1), date(2025, 12, 31)), local_today())
    an = next(row for row in two_years.rows if row.person_id == agency.an.id)
    assert an.courses == (0, 0, 0)  # both completed after he left: no unit's
    assert an.unit_name == "Phòng Chính sách dân tộc"  # the name when An left, before renaming
    stayer = make_person(unit=agency.policy)
    db.session.commit()
    two_years = queries.roster(queries.Period(date(2024, 1, 1), date(2025, 12, 31)), local_today())
    assert next(r for r in two_years.rows if r.person_id == stayer.id).unit_name == (
        "Phòng Chính sách"
    )
    binh = next(row for row in two_years.rows if row.person_id == agency.binh.id)
    assert (binh.approved_years, binh.plan_years, binh.plan_status) == (1, 2, None)


def test_unit_scope_and_search(agency):
    assert [row.full_name for row in roster_2024(unit_id=agency.office.id).rows] == [
        "=Hoàng Văn Bình",
        "Lò Thị Mai",
    ]
    assert [row.unit_id for row in roster_2024(search="lo thi mai").rows] == [
        agency.policy.id,
        agency.office.id,
    ]


def test_page_csv_xlsx_html_agree(agency, client, login):
    login("tonghop")
    page = client.get("/reports/roster?period=2024")
    assert page.status_code == 200
    assert page_rows(page.text) == EXPECTED_2024

    csv_response = client.get("/reports/roster?period=2024&format=csv")
    assert csv_response.status_code == 200
    assert "attachment" in csv_response.headers["Content-Disposition"]
    assert "danh-sach_BDT_2024-01-01_2024-12-31_" in csv_response.headers["Content-Disposition"]
    data = csv_response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data[3:].decode("utf-8"))))
    escaped = [row[:] for row in EXPECTED_2024]
    escaped[2][1], escaped[2][3] = "'=Hoàng Văn Bình", "'+Trưởng phòng"
    assert rows[1:] == escaped

    xlsx = client.get("/reports/roster?period=2024&format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.get_data())).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "BAN DÂN TỘC TỈNH BẮC GIANG"  # no agency profile yet: the unit's name
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in values[0]
    assert "Độc lập - Tự do - Hạnh phúc" in values[1]
    assert any(str(v).startswith("Bắc Giang, ngày ") for v in values[2])
    assert values[3][0] == "DANH SÁCH TỔNG HỢP KẾT QUẢ TỰ HỌC, TỰ BỒI DƯỠNG"
    assert values[5][0] == "STT"
    assert values[6:10] == EXPECTED_2024_CELLS
    assert sheet.freeze_panes == "A7"
    assert sheet["B7"].font.name == "Times New Roman"

    html = client.get("/reports/roster?period=2024&format=html")
    assert "attachment" in html.headers["Content-Disposition"]
    body = html.text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    cells = [
        re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in re.findall(r"<tr>(.*?)</tr>", body)
    ]
    cells = [[c.replace("&#43;", "+").replace("&#61;", "=") for c in row] for row in cells]
    assert cells == EXPECTED_2024
    assert "print.css" in html.text and "style=" not in html.text
    with client.get("/reports/print.css") as stylesheet:
        assert "size: A4 landscape" in stylesheet.text


def test_manager_sees_only_sub_tree(agency, client, login):
    login("quanly")
    assert client.get("/reports/roster?period=2024").status_code == 403
    assert client.get(f"/reports/units/{agency.office.id}/roster").status_code == 403
    own = client.get(f"/reports/units/{agency.policy.id}/roster?period=2024&format=csv")
    rows = list(csv.reader(io.StringIO(own.get_data()[3:].decode("utf-8"))))
    assert [row[1] for row in rows[1:]] == ["Nông Văn An", "Lò Thị Mai"]


def test_learner_is_refused(agency, client, login):
    login("hocvien")
    assert client.get("/reports/roster").status_code == 403
    assert client.get(f"/reports/units/{agency.policy.id}/roster").status_code == 403


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2024-12-31&to=2024-01-01", "Ngày kết thúc phải sau ngày bắt đầu."),
        ("from=2024-02-30&to=2024-12-31", "Ngày bắt đầu và ngày kết thúc phải có dạng"),
        ("period=2024&format=pdf", "Định dạng tải về không hợp lệ"),
    ],
)
def test_bad_input_is_refused(agency, client, login, query, message):
    login("tonghop")
    response = client.get(f"/reports/roster?{query}")
    assert response.status_code == 400
    assert message in response.text


def test_query_count_does_not_grow_with_people(agency, count_queries):
    office_id = agency.office.id

    def add_people(n):
        office = db.session.get(Unit, office_id)
        for _ in range(n):
            make_person(unit=office)
        db.session.commit()

    add_people(10)
    roster_2024()  # the reference data, read once while unchanged (lms.reference)
    few = count_queries(roster_2024)
    add_people(190)
    many = count_queries(roster_2024)
    assert len(roster_2024().rows) == 204
    # The reference stamp, the members; per batch their memberships, the credits (summed, and
    # listed where a row holds part of the period), completions of required courses, plan
    # states (with approvals), initiatives authored (their years are a second read only when
    # someone wrote one: nobody here), flags and positions.
    assert few == many == 10


def test_page_is_paginated(agency, client, login):
    for _ in range(60):
        make_person(unit=agency.office)
    db.session.commit()
    login("tonghop")
    first = client.get("/reports/roster?period=2024")
    second = client.get("/reports/roster?period=2024&page=2")
    assert len(page_rows(first.text)) == 50
    assert len(page_rows(second.text)) == 14


def test_rows_read_in_batches_equal_rows_read_at_once(agency):
    for _ in range(7):
        make_person(unit=agency.office)
    db.session.commit()
    period = queries.Period(date(2024, 1, 1), date(2024, 12, 31))
    plan = queries.roster_plan_all(period, local_today())
    at_once = list(plan.rows())
    assert list(plan.rows(batch=2)) == at_once
    assert [row.number for row in plan.rows(3, 6, batch=2)] == [4, 5, 6]
    assert list(plan.rows(3, 6)) == at_once[3:6]
    streamed = queries.roster_plan_stream(period, local_today())
    assert list(streamed.rows(batch=2)) == at_once


def test_a_download_left_half_way_leaves_the_garbage_collector_on(agency):
    for _ in range(5):
        make_person(unit=agency.office)
    db.session.commit()
    period = queries.Period(date(2024, 1, 1), date(2024, 12, 31))
    for plan in (
        queries.roster_plan_all(period, local_today()),
        queries.roster_plan_stream(period, local_today()),
    ):
        rows = plan.rows(batch=2)
        next(rows)
        assert gc.isenabled()  # paused only while a batch is read, never between rows
        rows.close()
        assert gc.isenabled()


def test_a_page_reads_only_the_whole_units_it_shows(agency):
    period = queries.Period(date(2024, 1, 1), date(2024, 12, 31))
    everyone = list(queries.roster_plan_all(period, local_today()).rows())

    def window(start, stop):
        plan = queries.roster_plan_page(period, local_today(), (start, stop))
        return plan.total, plan.first_number, [row.number for row in plan.rows()]

    # Rows 2..3 straddle CSDT (An, Mai) and HCTH (Bình, Mai): both units are read whole.
    assert window(1, 3) == (4, 1, [1, 2, 3, 4])
    assert window(0, 1) == (4, 1, [1, 2])
    assert window(2, 3) == (4, 3, [3, 4])
    assert window(4, 50) == (4, 1, [])
    plan = queries.roster_plan_page(period, local_today(), (2, 3))
    assert list(plan.rows()) == everyone[2:4]


def test_a_page_of_large_units_reads_only_its_rows(agency, client, login, monkeypatch):
    monkeypatch.setattr(queries, "SUBTOTAL_LIMIT", 2)
    period = queries.Period(date(2024, 1, 1), date(2024, 12, 31))
    plan = queries.roster_plan_page(period, local_today(), (1, 3))
    assert (plan.whole_units, plan.total) == (False, 4)
    assert [row.number for row in plan.rows()] == [2, 3]
    login("tonghop")
    page = client.get("/reports/roster?period=2024")
    assert "report-subtotals" not in page.text and "đông người" in page.text
    assert len(page_rows(page.text)) == 4
