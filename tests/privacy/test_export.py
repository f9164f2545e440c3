"""My data as JSON: everything held about me, nothing about anyone else, no secrets."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

from sqlalchemy import select

from lms.auth.models import LoginFailure
from lms.db import db
from lms.i18n import local_today
from lms.plans.models import EvidenceFile
from lms.privacy.queries import person_tables
from tests.plans.conftest import complete

YEAR = local_today().year
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _activity(client, title: str) -> None:
    client.post(
        f"/plans/{YEAR}/activities",
        data={
            "kind": "refresher",
            "title": title,
            "organiser": "Trường Chính trị tỉnh",
            "starts_on": f"{YEAR}-01-05",
            "ends_on": f"{YEAR}-01-06",
            "hours": "8",
            "planned": "q1",
            "evidence": (io.BytesIO(PDF), "chung-nhan.pdf"),
        },
        content_type="multipart/form-data",
    )


def _export(client) -> dict:
    response = client.get("/privacy/my-data.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"_{local_today().isoformat()}.json" in disposition
    return json.loads(response.data)


def _setup(client, login, division) -> None:
    for username, note, title in [
        ("mai", "Ghi chú của Mai", "Hoạt động của Mai"),
        ("hoa", "Ghi chú của Hoa", "Hoạt động của Hoa"),
    ]:
        login(username)
        client.post(f"/plans/{YEAR}/note", data={"note": note})
        _activity(client, title)
        client.post("/logout")
    complete(division.learner, division.course, datetime(YEAR, 1, 10, tzinfo=UTC))
    complete(division.colleague, division.course2, datetime(YEAR, 1, 11, tzinfo=UTC))
    db.session.commit()
    login("truongphong")
    plan_id = db.session.execute(
        select(db.metadata.tables["study_plan"].c.id).where(
            db.metadata.tables["study_plan"].c.person_id == division.learner.id
        )
    ).scalar_one()
    client.get(f"/plans/view/{plan_id}")
    client.post("/logout")


def test_the_export_holds_my_data_and_nothing_of_another_person(client, login, division):
    _setup(client, login, division)
    login("mai")
    db.session.add(LoginFailure(username="mai", address="10.1.1.1"))
    db.session.add(LoginFailure(username="hoa", address="10.2.2.2"))
    db.session.commit()
    data = _export(client)
    text = json.dumps(data, ensure_ascii=False)

    assert data["person"]["full_name"] == "Lò Thị Mai"
    assert data["person"]["email"] == "mai@example.vn"
    assert data["person"]["password_hash"].startswith("không xuất")
    assert "scrypt" not in text
    tables = data["tables"]
    assert [row["note"] for row in tables["plan_version"]] == ["Ghi chú của Mai"]
    assert [row["title"] for row in tables["external_activity"]] == ["Hoạt động của Mai"]
    assert len(tables["plan_item"]) == 1 and len(tables["plan_event"]) >= 1
    assert [row["course_id"] for row in tables["course_progress"]] == [division.course.id]
    assert len(tables["membership"]) == 1
    assert data["units"][str(division.unit.id)]["names"] == ["Phòng Chính sách dân tộc"]
    assert all(row["token_hash"] == "không xuất" for row in tables["user_session"])
    assert len(tables["user_session"]) >= 1
    (evidence,) = tables["evidence_file"]
    assert evidence["data"] == "không xuất"
    token = db.session.scalars(
        select(EvidenceFile.token).where(EvidenceFile.owner_id == division.learner.id)
    ).one()
    assert evidence["download_path"] == f"/plans/evidence/{token}"
    assert client.get(evidence["download_path"]).data == PDF
    assert data["login_failures"][0]["address"] == "10.1.1.1"
    assert [row["viewer"] for row in data["viewed_by"]] == ["Nông Văn Quản"]
    assert any(event["entity_id"] == division.learner.id for event in data["audit_events"])

    for foreign in ("Hoàng Thị Hoa", "Ghi chú của Hoa", "Hoạt động của Hoa", "10.2.2.2"):
        assert foreign not in text
    assert division.course2.id not in [row["course_id"] for row in tables["course_progress"]]


def test_every_table_with_a_foreign_key_to_person_is_in_the_export(client, login, division):
    login("mai")
    data = _export(client)
    listed = set(data["tables"]) | {key.split(".")[0] for key in data["actions_on_other_records"]}
    expected = {table.name for table in person_tables()}
    assert expected - listed == set()
    assert {"membership", "study_plan", "access_log", "user_session"} <= expected


def test_a_managers_export_names_their_decisions_but_not_their_content(client, login, division):
    _setup(client, login, division)
    login("truongphong")
    data = _export(client)
    text = json.dumps(data, ensure_ascii=False)
    assert "Ghi chú của Mai" not in text and "Lò Thị Mai" not in text
    (viewed,) = data["actions_on_other_records"]["access_log.viewer_id"]
    assert set(viewed) == {"id", "at"}
    assert data["managed_units"] == [division.unit.id]


def test_the_address_a_colleague_viewed_me_from_is_not_mine_to_download(client, login, division):
    _setup(client, login, division)
    entry = db.session.scalars(
        select(db.metadata.tables["access_log"].c.address).where(
            db.metadata.tables["access_log"].c.person_id == division.learner.id
        )
    ).first()
    assert entry  # the manager's view was logged, with their address
    login("mai")
    data = _export(client)
    assert data["viewed_by"] and "address" not in data["viewed_by"][0]
    assert entry not in json.dumps(data["tables"]["access_log"])
