"""Views of other people's data are logged where they happen, and shown to administrators."""

from __future__ import annotations

import io

from sqlalchemy import select

from lms.audit.models import AccessLogEntry
from lms.db import db
from lms.i18n import local_today
from lms.plans.models import EvidenceFile, StudyPlan
from tests.factories import make_person
from tests.privacy.conftest import log_rows

YEAR = local_today().year
LOG = "/privacy/access-log"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _mai_writes_a_plan(client, login) -> int:
    login("mai")
    client.post(f"/plans/{YEAR}/note", data={"note": "Học thêm tiếng Tày"})
    client.post("/logout")
    return db.session.scalars(select(StudyPlan.id)).one()


def test_a_managers_view_of_a_members_plan_is_listed_for_administrators(client, login, division):
    plan_id = _mai_writes_a_plan(client, login)
    login("truongphong")
    assert client.get(f"/plans/view/{plan_id}").status_code == 200
    client.post("/logout")
    assert log_rows() == [(division.head.id, division.learner.id, "plans.show", None)]

    login("quantri")
    page = client.get(LOG)
    assert page.status_code == 200
    assert "Nông Văn Quản" in page.text and "Lò Thị Mai" in page.text
    assert "Kế hoạch học tập" in page.text
    client.post("/logout")

    login("mai")
    mine = client.get("/privacy/")
    assert "Dữ liệu cá nhân của tôi" in mine.text
    assert "Nông Văn Quản" in mine.text


def test_looking_at_ones_own_plan_and_data_is_not_logged(client, login, division):
    plan_id = _mai_writes_a_plan(client, login)
    login("mai")
    assert client.get(f"/plans/view/{plan_id}").status_code == 200
    assert client.get(f"/plans/{YEAR}").status_code == 200
    assert client.get("/privacy/my-data.json").status_code == 200
    assert log_rows() == []
    assert "Chưa có ai xem dữ liệu của bạn." in client.get("/privacy/").text


def test_a_refused_view_is_not_logged(client, login, division):
    plan_id = _mai_writes_a_plan(client, login)
    login("truongkhac")  # heads another division
    assert client.get(f"/plans/view/{plan_id}").status_code == 403
    assert log_rows() == []


def test_an_hcth_roster_view_logs_one_row_whatever_the_number_of_people(client, login, division):
    for _ in range(5):
        make_person(unit=division.unit)
    db.session.commit()
    login("tonghop")
    assert client.get("/reports/roster?period=gd1").status_code == 200
    rows = log_rows()
    assert len(rows) == 1
    viewer, person, what, scope = rows[0]
    assert (viewer, person, what) == (division.hcth.id, None, "reports.roster")
    assert scope.startswith("Danh sách tổng hợp: ") and "01/01/2024–31/12/2025" in scope

    assert client.get("/reports/roster?period=gd1&format=csv").status_code == 200
    assert [row[2] for row in log_rows()] == ["reports.roster", "reports.roster.csv"]
    client.post("/logout")
    login("quantri")
    page = client.get(LOG)
    assert "Danh sách tổng hợp (tải csv)" in page.text and "01/01/2024–31/12/2025" in page.text


def test_person_page_edit_form_members_dashboard_and_evidence_are_logged(client, login, division):
    login("mai")
    client.post(
        f"/plans/{YEAR}/activities",
        data={
            "kind": "refresher",
            "title": "Bồi dưỡng kiến thức quốc phòng",
            "organiser": "Trường Chính trị tỉnh",
            "starts_on": f"{YEAR}-01-05",
            "ends_on": f"{YEAR}-01-06",
            "hours": "8",
            "planned": "q1",
            "evidence": (io.BytesIO(PDF), "chung-nhan.pdf"),
        },
        content_type="multipart/form-data",
    )
    token = db.session.scalars(select(EvidenceFile.token)).one()
    client.post("/logout")

    login("truongphong")
    assert client.get(f"/plans/evidence/{token}").status_code == 200
    assert client.get(f"/plans/units/{division.unit.id}/{YEAR}").status_code == 200
    assert client.get(f"/admin/units/{division.unit.id}/members").status_code == 200
    client.post("/logout")
    login("quantri")
    assert client.get(f"/admin/people/{division.learner.id}").status_code == 200
    assert client.get(f"/admin/people/{division.learner.id}/edit").status_code == 200

    head, mai, admin = division.head.id, division.learner.id, division.admin.id
    rows = log_rows()
    assert rows[0] == (head, mai, "plans.evidence", None)
    assert rows[1][:3] == (head, None, "plans.dashboard")
    assert f"Phòng Chính sách dân tộc, năm {YEAR}" in rows[1][3]
    assert rows[2][:3] == (head, None, "org.unit_members")
    assert "CSDT" in rows[2][3]
    assert rows[3:] == [(admin, mai, "accounts.person", None), (admin, mai, "accounts.edit", None)]


def test_a_learner_manager_or_hcth_cannot_see_the_log(client, login, division):
    for username in ("mai", "truongphong", "tonghop"):
        login(username)
        assert client.get(LOG).status_code == 403, username
        client.post("/logout")


def _entry(viewer, person, day_and_time, what="plans.show"):
    from datetime import datetime

    from lms.i18n import agency_zone

    moment = datetime.fromisoformat(day_and_time).replace(tzinfo=agency_zone())
    db.session.add(AccessLogEntry(viewer_id=viewer.id, person_id=person.id, what=what, at=moment))


def test_the_log_filters_by_viewer_person_without_diacritics_and_local_days(
    client, login, division
):
    _entry(division.head, division.learner, "2025-03-01T00:30")  # 17:30 UTC the day before
    _entry(division.head, division.colleague, "2025-03-02T10:00")
    _entry(division.hcth, division.learner, "2025-03-03T23:30")
    db.session.commit()
    login("quantri")

    def people(query: str) -> list[tuple[str, str]]:
        page = client.get(f"{LOG}?{query}")
        assert page.status_code == 200
        cells = []
        for line in page.text.split("<tr>")[2:]:
            viewer = "Quản" if "Nông Văn Quản" in line else "Hợp" if "Lương Thị Hợp" in line else ""
            person = "Mai" if "Lò Thị Mai" in line else "Hoa" if "Hoàng Thị Hoa" in line else ""
            cells.append((viewer, person))
        return cells

    assert people("") == [("Hợp", "Mai"), ("Quản", "Hoa"), ("Quản", "Mai")]
    assert people("person=lo+thi+mai") == [("Hợp", "Mai"), ("Quản", "Mai")]
    assert people("viewer=NONG+VAN") == [("Quản", "Hoa"), ("Quản", "Mai")]
    assert people("from=01/03/2025&to=01/03/2025") == [("Quản", "Mai")]
    assert people("from=02/03/2025") == [("Hợp", "Mai"), ("Quản", "Hoa")]
    page = client.get(LOG)
    assert "03/03/2025 23:30" in page.text  # the agency's local time, Vietnamese order


def test_a_bad_date_is_explained_and_filters_nothing(client, login, division):
    _entry(division.head, division.learner, "2025-03-01T08:00")
    db.session.commit()
    login("quantri")
    page = client.get(f"{LOG}?from=31/02/2025")
    assert page.status_code == 400
    assert "Từ ngày: “31/02/2025” không phải ngày dạng dd/mm/yyyy." in page.text
    assert "Lò Thị Mai" in page.text
    page = client.get(f"{LOG}?from=05/03/2025&to=01/03/2025")
    assert page.status_code == 400
    assert "Đến ngày phải sau Từ ngày." in page.text


def test_the_log_page_runs_a_fixed_number_of_queries(client, login, division, count_queries):
    login("quantri")
    ids = (division.head.id, division.learner.id, division.colleague.id, division.hcth.id)

    def add(number: int) -> None:
        for index in range(number):
            db.session.add(
                AccessLogEntry(
                    viewer_id=ids[index % 2],
                    person_id=ids[2 + index % 2] if index % 3 else None,
                    what="plans.show",
                    scope=None if index % 3 else "Danh sách tổng hợp: CSDT",
                )
            )
        db.session.commit()

    def load():
        assert client.get(f"{LOG}?viewer=van").status_code == 200

    add(2)
    load()  # the reference data, read once while unchanged (lms.reference)
    few = count_queries(load)
    add(60)
    many = count_queries(load)
    assert few == many
