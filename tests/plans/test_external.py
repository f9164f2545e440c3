"""External activities: bad input, evidence checked by content, served only to the right people."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from sqlalchemy import select

from lms.db import db
from lms.plans.models import ActivityStatus, EvidenceFile, ExternalActivity
from tests.plans.conftest import plan_rows

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200


def _activity(client, **changes):
    data = {
        "kind": "refresher",
        "title": "Bồi dưỡng kiến thức quốc phòng",
        "organiser": "Trường Chính trị tỉnh",
        "starts_on": "2026-04-01",
        "ends_on": "2026-04-03",
        "hours": "24",
        "planned": "q2",
        **changes,
    }
    return client.post("/plans/2026/activities", data=data, follow_redirects=True)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"hours": "-3"}, "Số giờ phải lớn hơn 0."),
        ({"hours": "5000"}, "Số giờ 5000 quá lớn (tối đa 400)"),
        ({"hours": "abc"}, "Số giờ “abc” không phải là số."),
        ({"hours": "100"}, "100.00 giờ trong 3 ngày là không thể"),
        ({"starts_on": "2025-12-30"}, "Ngày bắt đầu 30/12/2025 không thuộc năm 2026."),
        ({"ends_on": "2027-01-02"}, "Ngày kết thúc 02/01/2027 không thuộc năm 2026."),
        ({"ends_on": "2026-03-01"}, "Ngày kết thúc phải từ ngày bắt đầu trở đi."),
        ({"title": "  "}, "Chưa nhập tên hoạt động."),
    ],
)
def test_bad_activity_input_is_refused_and_changes_nothing(
    client, login, division, changes, message
):
    login("mai")
    client.get("/plans/2026")
    before = plan_rows()
    page = _activity(client, **changes)
    assert message in page.text
    assert plan_rows() == before


def test_an_executable_renamed_pdf_is_refused(client, login, division):
    login("mai")
    before = plan_rows()
    page = _activity(client, evidence=(io.BytesIO(EXE), "chung-chi.pdf"))
    assert "không phải PDF, PNG, JPEG hay WebP" in page.text
    assert plan_rows() == before


def test_evidence_is_served_as_an_attachment_to_the_right_people(client, login, division):
    login("mai")
    page = _activity(client, evidence=(io.BytesIO(PDF), "giấy chứng nhận.pdf"))
    assert "Đã thêm hoạt động ngoài nền tảng" in page.text
    evidence = db.session.scalars(select(EvidenceFile)).one()
    assert (evidence.content_type, evidence.size, evidence.original_name) == (
        "application/pdf",
        len(PDF),
        "giấy chứng nhận.pdf",
    )
    url = f"/plans/evidence/{evidence.token}"
    for username, status in [
        ("mai", 200),
        ("truongphong", 200),
        ("tonghop", 200),
        ("quantri", 200),
        ("hoa", 403),
        ("truongkhac", 403),
    ]:
        client.post("/logout")
        login(username)
        response = client.get(url)
        assert response.status_code == status, username
        if status == 200:
            assert response.data == PDF
            assert response.headers["Content-Disposition"].startswith("attachment;")
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert response.headers["Cache-Control"] == "private, no-store"


def test_hours_count_only_once_verified_and_rejection_needs_a_reason(
    client, login, division, forty_tiet
):
    login("mai")
    _activity(client, evidence=(io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"0" * 50), "anh.png"))
    activity = db.session.scalars(select(ExternalActivity)).one()
    client.post("/logout")
    login("truongphong")
    before = plan_rows()
    page = client.post(
        f"/plans/activities/{activity.id}/verify",
        data={"decision": "reject"},
        follow_redirects=True,
    )
    assert "Hãy ghi lý do từ chối." in page.text
    assert plan_rows() == before
    client.post(f"/plans/activities/{activity.id}/verify", data={"decision": "verify"})
    db.session.expire_all()
    assert activity.status == ActivityStatus.VERIFIED
    client.post("/logout")
    login("mai")
    page = client.get("/plans/2026")
    assert "hoạt động ngoài đã xác nhận: 24 giờ" in page.text
    assert Decimal(activity.hours) == Decimal(24)


def test_the_learner_cannot_verify_their_own_activity(client, login, division):
    login("mai")
    _activity(client, evidence=(io.BytesIO(PDF), "a.pdf"))
    activity = db.session.scalars(select(ExternalActivity)).one()
    assert (
        client.post(
            f"/plans/activities/{activity.id}/verify", data={"decision": "verify"}
        ).status_code
        == 403
    )
