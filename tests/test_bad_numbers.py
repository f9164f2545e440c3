"""Numbers typed or forged into URLs and forms: never a 500, whatever the digits."""

import pytest

from lms.db import db, parse_count, parse_id
from lms.roles import Role
from tests.factories import make_person, make_unit

ODD_NUMBERS = ["²", "٣", "99999999999999999999999", "-1", "0", " ", "1e3"]


@pytest.mark.parametrize("text, expected", [("42", 42), (" 7 ", 7), ("0", None), ("²", None)])
def test_parse_id_accepts_only_plain_positive_ids(text, expected):
    assert parse_id(text) == expected


def test_parse_count_caps_huge_numbers():
    assert parse_count("99999999999999999999", limit=100) == 100
    assert parse_count("٣") is None


@pytest.fixture
def admin(app, login):
    unit = make_unit("PHCTH", "Phòng Hành chính - Tổng hợp")
    make_person("quantri", "Triệu Thị Trị", unit=unit, roles=(Role.ADMIN,))
    db.session.commit()
    login("quantri")
    return unit


@pytest.mark.parametrize("value", ODD_NUMBERS)
def test_odd_numbers_in_forms_get_an_answer_not_an_error(client, admin, value):
    answers = [
        client.post("/plans/2026/courses", data={"course": value, "planned": "m1"}),
        client.post(
            "/admin/units/new",
            data={
                "code": "X1",
                "name": "Tổ X",
                "kind": "division",
                "parent_id": value,
                "valid_from": "01/01/2024",
            },
        ),
        client.get(f"/plans/2026?version={value}"),
        client.get(f"/plans/units/{admin.id}/2026?page={value}"),
        client.post(f"/plans/units/{admin.id}/2026/decide", data={"plan": f"{value}:1:1"}),
    ]
    assert [answer.status_code for answer in answers if answer.status_code >= 500] == []


@pytest.mark.parametrize("year", [99999, 1000, 1999])
def test_years_no_plan_can_have_are_not_found(client, admin, year):
    assert client.get(f"/plans/units/{admin.id}/{year}").status_code == 404
    assert client.get(f"/plans/{year}").status_code == 404
