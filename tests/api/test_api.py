"""The read-only JSON API: tokens, rosters and summaries that agree with the pages."""

from __future__ import annotations

import csv
import io

import pytest

from lms.accounts.models import Person
from lms.api import services
from lms.api.models import ApiToken
from lms.db import db
from tests.reports.test_criteria_columns import add_initiative, make_set


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def secret(agency) -> str:
    _token, value = services.issue_token(agency.hcth, "Cổng thông tin")
    db.session.commit()
    return value


def test_roster_agrees_with_the_csv_download(agency, client, login, secret):
    make_set()
    add_initiative(agency, agency.mai)
    db.session.commit()
    answer = client.get("/api/v1/roster?period=2024", headers=bearer(secret))
    assert answer.status_code == 200
    data = answer.get_json()
    assert data["total"] == 4 and data["criteria"]["name"] == "Năm 2024"
    login("tonghop")
    download = client.get("/reports/roster?period=2024&format=csv").get_data()
    header, *rows = [
        [cell[1:] if cell[:2] in ("'=", "'+", "'-", "'@") else cell for cell in row]
        for row in list(csv.reader(io.StringIO(download[3:].decode("utf-8"))))
    ]  # the CSV escapes formula-like cells; the API gives the text as it is
    initiatives, reasons_column = header.index("Sáng kiến được công nhận"), len(header) - 1
    assert [(r["number"], r["full_name"], r["unit"]["name"]) for r in data["rows"]] == [
        (int(row[0]), row[1], row[4]) for row in rows
    ]
    # Each row holds its own days: An's 8 tiết came after he left, Mai's 12 while in CSDT.
    assert [r["hours_earned"] for r in data["rows"]] == ["0", "12", "0", "0"]
    assert [r["counted_here"] for r in data["rows"]] == [True, False, True, True]
    assert data["rows"][1]["rule_versions"] == "CBCCVC-2018 v1"
    assert [r["initiatives"] for r in data["rows"]] == [int(row[initiatives]) for row in rows]
    reasons = [
        "; ".join(
            f"{'✓' if c['passed'] else '✗'} {c['label']}: {c['fact']}"
            for c in r["result"]["criteria"]
        )
        for r in data["rows"]
    ]
    assert reasons == [row[reasons_column] for row in rows]
    assert data["rows"][1]["result"]["criteria"][0]["fact"] == "12/40 tiết"


def test_roster_pages_and_unit_scope(agency, client, secret):
    first = client.get("/api/v1/roster?period=2024&per_page=3", headers=bearer(secret))
    second = client.get("/api/v1/roster?period=2024&per_page=3&page=2", headers=bearer(secret))
    assert [r["number"] for r in first.get_json()["rows"]] == [1, 2, 3]
    assert [r["number"] for r in second.get_json()["rows"]] == [4]
    office = client.get("/api/v1/roster?period=2024&unit=HCTH", headers=bearer(secret))
    assert {r["unit"]["code"] for r in office.get_json()["rows"]} == {"HCTH"}


def test_summary_matches_the_page_figures(agency, client, secret):
    data = client.get("/api/v1/summary?period=2024", headers=bearer(secret)).get_json()
    assert data["years"][0] | {"criteria": None} == {
        "year": 2024, "members": 3, "approved": 1, "completion_percent": 0, "hours": "12",
        "passing": None, "initiatives": 0, "criteria": None,
    }  # fmt: skip
    # Mai is counted once, in HCTH (her last unit of the year): the units add up to the year.
    assert [(u["unit"]["code"], u["members"]) for u in data["units"]] == [("CSDT", 1), ("HCTH", 2)]


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer hts_wrong", "Basic dXNlcjpwYXNz", "Bearer " + "x" * 5000],
)
def test_bad_tokens_are_refused(agency, client, header):
    headers = {"Authorization": header} if header else {}
    answer = client.get("/api/v1/roster", headers=headers)
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert "Khóa API không hợp lệ" in answer.get_json()["error"]


def test_revoked_deactivated_and_demoted_tokens_stop_working(agency, client, login, secret):
    assert client.get("/api/v1/roster", headers=bearer(secret)).status_code == 200
    person = db.session.get(Person, agency.hcth.id)
    person.is_active = False
    db.session.commit()
    assert client.get("/api/v1/roster", headers=bearer(secret)).status_code == 401
    person.is_active = True
    for grant in list(person.role_grants):
        db.session.delete(grant)
    db.session.commit()
    assert client.get("/api/v1/roster", headers=bearer(secret)).status_code == 401


def test_a_signed_in_browser_does_not_open_the_api(agency, client, login):
    login("tonghop")
    assert client.get("/api/v1/roster").status_code == 401


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("from=2024-12-31&to=2024-01-01", 400, "Ngày kết thúc phải sau ngày bắt đầu."),
        ("unit=KHONG-CO", 404, "Không có đơn vị mã KHONG-CO."),
        ("criteria=424242", 404, "Không có bộ tiêu chí mã số 424242."),
        ("per_page=5000", 400, "per_page"),
        ("page=0", 400, "page"),
        ("page=%C2%B2", 400, "page"),
    ],
)
def test_bad_parameters_answer_json(agency, client, secret, query, status, message):
    answer = client.get(f"/api/v1/roster?{query}", headers=bearer(secret))
    assert answer.status_code == status
    assert message in answer.get_json()["error"]


def test_openapi_document_describes_both_endpoints(client):
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    assert set(spec["paths"]) == {"/api/v1/roster", "/api/v1/summary"}
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    row = spec["components"]["schemas"]["RosterRow"]["properties"]
    assert {"full_name", "unit", "hours_earned", "initiatives", "result"} <= set(row)


def test_token_page_shows_the_secret_once_and_revokes(agency, client, login):
    login("tonghop")
    created = client.post("/account/api-tokens", data={"name": "Cổng thông tin"})
    assert created.status_code == 201 and created.headers["Cache-Control"] == "no-store"
    token = db.session.query(ApiToken).one()
    secret = created.text.split('id="new-secret" class="secret" type="text" readonly value="')[1]
    secret = secret.split('"')[0]
    assert services.digest(secret) == token.token_hash and secret not in token.token_hash
    listing = client.get("/account/api-tokens")
    assert token.prefix in listing.text and secret not in listing.text
    assert client.get("/api/v1/summary", headers=bearer(secret)).status_code == 200
    client.post(f"/account/api-tokens/{token.id}/revoke")
    assert client.get("/api/v1/summary", headers=bearer(secret)).status_code == 401
    assert "Đã thu hồi" in client.get("/account/api-tokens").text


def test_only_report_readers_get_tokens(agency, client, login):
    with pytest.raises(services.TokenError):
        services.issue_token(agency.learner, "x")
    with pytest.raises(services.TokenError, match="Hãy đặt tên"):
        services.issue_token(agency.hcth, "   ")
    login("hocvien")
    assert client.post("/account/api-tokens", data={"name": "x"}).status_code == 403
    assert db.session.query(ApiToken).count() == 0


def test_someone_elses_token_cannot_be_revoked(agency, client, login, secret):
    token = db.session.query(ApiToken).one()
    with pytest.raises(services.TokenError):
        services.revoke_token(agency.learner, token.id)
    assert token.revoked_at is None


def test_api_reads_are_in_the_access_log(agency, client, secret):
    from lms.audit.models import AccessLogEntry

    client.get("/api/v1/roster?period=2024", headers=bearer(secret))
    client.get("/api/v1/summary?period=2024", headers=bearer(secret))
    client.get("/api/v1/roster?unit=KHONG-CO", headers=bearer(secret))  # refused: not logged
    entries = db.session.query(AccessLogEntry).order_by(AccessLogEntry.id).all()
    assert [(e.viewer_id, e.what) for e in entries] == [
        (agency.hcth.id, "api.roster"),
        (agency.hcth.id, "api.summary"),
    ]
    assert entries[0].scope == "API danh sách tổng hợp: BDT, 01/01/2024–31/12/2024"


@pytest.mark.parametrize("period", ["9999", "0001", "1999", "2101-h1"])
def test_years_outside_the_campaign_range_are_a_400(agency, client, secret, period):
    answer = client.get(f"/api/v1/roster?period={period}", headers=bearer(secret))
    assert answer.status_code == 400
    assert "2000–2100" in answer.get_json()["error"]
