"""The roster's award columns: approved initiatives and the criteria result with its reasons."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from lms.awards.models import (
    CriteriaSet,
    Criterion,
    CriterionKind,
    Initiative,
    InitiativeAuthor,
    InitiativeStatus,
)
from lms.awards.queries import spec
from lms.db import db
from lms.i18n import local_today
from lms.reports import queries
from lms.reports.document import document

PASSING = (
    "✓ Đạt 25% chỉ tiêu giờ học: 12/40 tiết; ✓ Ít nhất 1 sáng kiến được công nhận: 1 sáng kiến"
)


def make_set(first=date(2024, 1, 1), last=date(2024, 12, 31), name="Năm 2024") -> CriteriaSet:
    criteria_set = CriteriaSet(name=name, first_day=first, last_day=last)
    criteria_set.criteria = [
        Criterion(position=1, kind=CriterionKind.HOURS, percent=25),
        Criterion(position=2, kind=CriterionKind.INITIATIVES, count=1),
    ]
    db.session.add(criteria_set)
    db.session.flush()
    return criteria_set


def add_initiative(agency, author, status=InitiativeStatus.APPROVED, year=2024) -> None:
    initiative = Initiative(
        title="Số hóa hồ sơ", unit_id=agency.office.id, year=year, status=status
    )
    initiative.authors = [InitiativeAuthor(person_id=author.id, position=1)]
    db.session.add(initiative)


def test_result_and_reasons_hand_computed(agency):
    criteria_set = make_set()
    add_initiative(agency, agency.mai)
    add_initiative(agency, agency.binh, status=InitiativeStatus.PENDING)
    add_initiative(agency, agency.an, year=2025)
    db.session.commit()
    period = queries.Period(date(2024, 1, 1), date(2024, 12, 31))
    report = queries.roster(period, local_today(), criteria=spec(criteria_set.id))
    tail = [cells[-3:] for cells in document(report, date(2024, 4, 5)).rows]
    # An is judged on all his credits of the period (the 8 tiết of 31/12 came after he left,
    # so no unit's row has them, but they are his) against the target of his 274 days.
    assert tail == [
        [
            0,
            "Chưa đạt",
            "✓ Đạt 25% chỉ tiêu giờ học: 8/29,95 tiết; "
            "✗ Ít nhất 1 sáng kiến được công nhận: 0 sáng kiến",
        ],
        # Mai's initiative stands once, on the row of her last unit (HCTH).
        [0, "Đạt", PASSING],
        [
            0,
            "Chưa đạt",
            "✗ Đạt 25% chỉ tiêu giờ học: 0/40 tiết; "
            "✗ Ít nhất 1 sáng kiến được công nhận: 0 sáng kiến",
        ],
        [1, "Đạt", PASSING],
    ]
    # Mai passes once, counted under HCTH, her unit on her last day of the period.
    assert [s.passing for s in report.subtotals] == [0, 1]


def test_page_and_csv_use_the_set_made_for_the_period(agency, client, login):
    make_set()
    make_set(date(2024, 1, 1), date(2025, 12, 31), name="Giai đoạn 1")
    add_initiative(agency, agency.mai)
    db.session.commit()
    login("tonghop")
    page = client.get("/reports/roster?period=2024")
    assert "Năm 2024" in page.text and PASSING in page.text
    data = client.get("/reports/roster?period=2024&format=csv").get_data()
    rows = list(csv.reader(io.StringIO(data[3:].decode("utf-8"))))
    assert rows[0][-3:] == [
        "Sáng kiến được công nhận",
        "Kết quả tiêu chí",
        "Lý do theo từng tiêu chí",
    ]
    assert [row[-2] for row in rows[1:]] == ["Chưa đạt", "Đạt", "Chưa đạt", "Đạt"]
    without = client.get("/reports/roster?period=2024&criteria=none&format=csv").get_data()
    assert [r[-2] for r in csv.reader(io.StringIO(without[3:].decode()))][1:] == ["—"] * 4
    assert client.get("/reports/roster?period=2024&criteria=999999").status_code == 404


def test_cli_takes_a_criteria_set(agency, runner, tmp_path):
    criteria_set = make_set()
    add_initiative(agency, agency.mai)
    db.session.commit()
    output = tmp_path / "r.csv"
    result = runner.invoke(
        args=["reports", "roster", "--from", "01/01/2024", "--to", "31/12/2024",
              "--format", "csv", "--criteria", str(criteria_set.id), "--output", str(output)]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(output.read_bytes()[3:].decode())))
    assert [row[-2] for row in rows[1:]] == ["Chưa đạt", "Đạt", "Chưa đạt", "Đạt"]
    missing = runner.invoke(
        args=["reports", "roster", "--from", "01/01/2024", "--to", "31/12/2024",
              "--criteria", "424242", "--output", str(tmp_path / "x.xlsx")]
    )  # fmt: skip
    assert missing.exit_code == 1 and "Không có bộ tiêu chí mã số 424242" in missing.output


def test_points_scheme_derived_from_the_data(agency):
    from lms.awards.models import Indicator, IndicatorSource

    criteria_set = CriteriaSet(name="Công dân học tập", first_day=date(2024, 1, 1),
                               last_day=date(2024, 12, 31))  # fmt: skip
    points = Criterion(position=1, kind=CriterionKind.POINTS, threshold=Decimal(20))
    points.indicators = [
        Indicator(position=1, name="Giờ học", max_points=Decimal(50), min_points=Decimal(5),
                  source=IndicatorSource.HOURS),
        Indicator(position=2, name="Khóa học", max_points=Decimal(50), min_points=Decimal(0),
                  source=IndicatorSource.COURSES, target=2),
    ]  # fmt: skip
    criteria_set.criteria = [points]
    db.session.add(criteria_set)
    db.session.commit()
    period = queries.Period(date(2024, 1, 1), date(2024, 12, 31))
    report = queries.roster(period, local_today(), criteria=spec(criteria_set.id))
    facts = {row.full_name: row.result.outcomes[0].fact for row in report.rows}
    passed = {row.full_name: row.result.passed for row in report.rows}
    # An: 8/29,95 tiết → 13,36 points, 1 of 2 courses → 25: 38,36 ≥ 20.
    assert facts["Nông Văn An"] == "38,36/100 điểm"
    # Bình: nothing, and hours 0 < 5 minimum.
    assert facts["=Hoàng Văn Bình"] == "0/100 điểm, “Giờ học” 0 < 5"
    assert passed == {"Nông Văn An": True, "=Hoàng Văn Bình": False, "Lò Thị Mai": True}


def test_a_person_who_moved_is_judged_once_over_the_whole_period(agency):
    from datetime import UTC, datetime

    from lms.org import services as org
    from tests.factories import complete_course, make_course, make_person

    criteria_set = CriteriaSet(name="GĐ1", first_day=date(2024, 1, 1), last_day=date(2025, 12, 31))
    criteria_set.criteria = [Criterion(position=1, kind=CriterionKind.COURSES, count=2)]
    db.session.add(criteria_set)
    mover = make_person("chuyen", "Hà Văn Chuyển", unit=agency.policy)
    org.assign_to_unit(mover, agency.office, date(2025, 1, 1))
    complete_course(mover, make_course(), datetime(2024, 5, 1, tzinfo=UTC))
    complete_course(mover, make_course(), datetime(2025, 5, 1, tzinfo=UTC))
    db.session.commit()
    period = queries.Period(date(2024, 1, 1), date(2025, 12, 31))
    report = queries.roster(period, local_today(), criteria=spec(criteria_set.id))
    rows = [row for row in report.rows if row.person_id == mover.id]
    # One course in each unit's row, two over the period: the person passes, in both rows.
    assert [sum(row.courses) for row in rows] == [1, 1]
    assert [row.result.passed for row in rows] == [True, True]
    assert rows[0].result.outcomes[0].fact == "2 khóa"


def test_subtotals_count_a_returning_person_once(agency):
    from lms.org import services as org
    from tests.factories import make_person

    returner = make_person("quaylai", "Đàm Thị Quay", unit=agency.office)
    org.assign_to_unit(returner, agency.policy, date(2024, 3, 1))
    org.assign_to_unit(returner, agency.office, date(2024, 9, 1))
    db.session.commit()
    period = queries.Period(date(2024, 1, 1), date(2024, 12, 31))
    report = queries.roster(period, local_today())
    office = next(s for s in report.subtotals if s.unit_code == "HCTH")
    assert sum(1 for row in report.rows if row.person_id == returner.id) == 3
    assert office.people == 3  # Bình, Mai and the returner, once


def test_a_two_year_set_is_not_applied_to_one_year(agency, client, login):
    make_set(date(2024, 1, 1), date(2025, 12, 31), name="Giai đoạn 1")
    db.session.commit()
    login("tonghop")
    one_year = client.get("/reports/roster?period=2024&format=csv").get_data()
    assert {r[-2] for r in csv.reader(io.StringIO(one_year[3:].decode()))} - {
        "Kết quả tiêu chí"
    } == {"—"}
    phase = client.get("/reports/roster?period=gd1&format=csv").get_data()
    assert "Chưa đạt" in phase.decode()
