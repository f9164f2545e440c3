"""Periods mean their dates: presets, typed days, and years that cannot be are a 400."""

from __future__ import annotations

from datetime import date

import pytest

from lms.reports import queries


@pytest.mark.parametrize("url", ["/reports/roster", "/reports/summary"])
@pytest.mark.parametrize("period", ["9999", "0001", "1999", "9999-h1"])
def test_impossible_years_answer_400_with_a_reason(agency, client, login, url, period):
    login("tonghop")
    page = client.get(f"{url}?period={period}")
    assert page.status_code == 400
    assert "Kỳ báo cáo phải nằm trong các năm 2000–2100." in page.text


def test_presets_include_each_first_half_year(app):
    today = date(2026, 12, 4)
    choices = dict(queries.period_choices(today))
    assert choices["2026-h1"] == "6 tháng đầu năm 2026"
    assert choices["gd1"] == "Giai đoạn 1 (2024–2025)"
    period, key = queries.period_from_args({"period": "2026-h1"}, today)
    assert (period.first, period.last, key) == (date(2026, 1, 1), date(2026, 6, 30), "2026-h1")
    period, key = queries.period_from_args(
        {"period": "", "from": "2026-03-15", "to": "2026-09-30"}, today
    )
    assert (period.first, period.last, key) == (date(2026, 3, 15), date(2026, 9, 30), "")


def test_the_form_offers_dates_and_presets_and_states_the_counting_rule(agency, client, login):
    login("tonghop")
    page = client.get("/reports/roster?period=&from=2024-01-01&to=2024-06-30")
    assert page.status_code == 200
    assert 'name="from" type="date" value="2024-01-01"' in page.text
    assert 'name="to" type="date" value="2024-06-30"' in page.text
    assert '<option value="2024-h1"' in page.text
    assert "mỗi người-ngày được tính một lần" in page.text
    summary = client.get("/reports/summary?period=2024-h1")
    assert summary.status_code == 200 and "30/06/2024" in summary.text


def test_the_page_total_is_the_sum_of_its_units(agency, client, login):
    login("tonghop")
    page = client.get("/reports/roster?period=2024")
    foot = page.text.split("<tfoot>", 1)[1].split("</tfoot>", 1)[0]
    # CSDT: An (1 person, 12 tiết with Mai's March), HCTH: Mai and Bình (2, 0 tiết).
    assert "Cộng các đơn vị trên trang" in foot and "<td>3</td><td>12</td>" in foot
