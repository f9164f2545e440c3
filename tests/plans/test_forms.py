"""Refused plan forms: the page again (400), what was typed kept, each message by its field."""

from __future__ import annotations

import html
import io
import re
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from lms.db import db
from lms.i18n import local_today
from lms.plans import assignments, values, workflow
from lms.plans.models import ExternalActivity, PlanStatus, StudyPlan
from lms.progress.models import TargetRule, UnitAssignment
from lms.uploads.models import PendingUpload
from tests.plans.conftest import YEAR, complete, plan_rows, utc

LAST = YEAR - 1

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def error_of(page, element_id: str) -> str:
    """The message shown by the field with this id, or "" when there is none."""
    found = re.search(rf'id="{element_id}-error">(.*?)</p>', page.text, re.S)
    return html.unescape(found[1]) if found else ""


def value_of(page, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*?value="([^"]*)"', page.text, re.S)
    assert found, element_id
    return html.unescape(found[1])


def selected_of(page, element_id: str) -> str:
    select_html = page.text.split(f'id="{element_id}"', 1)[1].split("</select>", 1)[0]
    found = re.search(r'<option value="([^"]*)" selected>', select_html)
    return found[1] if found else ""


# The learner's own plan page -------------------------------------------------------------------


def _external(client, **changes):
    data = {
        "kind": "workshop",
        "title": "Hội thảo chuyển đổi số",
        "organiser": "Sở Thông tin và Truyền thông",
        "starts_on": f"{YEAR}-05-06",
        "ends_on": f"{YEAR}-05-06",
        "hours": "4",
        "planned": "q2",
        **changes,
    }
    return client.post(f"/plans/{YEAR}/activities", data=data)


def kept_token(page) -> str:
    found = re.search(r'name="evidence_pending" value="([^"]+)"', page.text)
    return found[1] if found else ""


def test_a_refused_activity_keeps_what_was_typed_and_the_file_for_the_next_send(
    client, login, division
):
    login("mai")
    client.get(f"/plans/{YEAR}")
    before = plan_rows()
    page = _external(client, hours="30", evidence=(io.BytesIO(PDF), "giấy chứng nhận.pdf"))
    assert page.status_code == 400
    assert "30.00 giờ trong 1 ngày là không thể" in error_of(page, "f-hours")
    assert value_of(page, "f-title") == "Hội thảo chuyển đổi số"
    assert value_of(page, "f-organiser") == "Sở Thông tin và Truyền thông"
    assert value_of(page, "f-starts_on") == f"{YEAR}-05-06"
    assert value_of(page, "f-hours") == "30"
    assert selected_of(page, "f-kind") == "workshop"
    assert "Đã đính kèm: giấy chứng nhận.pdf" in html.unescape(page.text)
    assert error_of(page, "f-evidence") == ""
    assert plan_rows() == before
    # Sent again with the hours put right and no file chosen: the kept file is the evidence.
    token = kept_token(page)
    assert _external(client, hours="4", evidence_pending=token).status_code == 302
    activity = db.session.scalars(select(ExternalActivity)).one()
    assert activity.evidence.original_name == "giấy chứng nhận.pdf"
    assert activity.evidence.data == PDF
    assert db.session.scalars(select(PendingUpload)).all() == []  # used once, then gone
    # The token does not work twice: a second send is told the file is no longer kept.
    again = _external(client, title="Lần hai", evidence_pending=token)
    assert again.status_code == 400
    assert "không còn được giữ" in error_of(again, "f-evidence")


def test_a_kept_file_is_the_senders_own_and_a_new_choice_replaces_it(client, login, division):
    login("mai")
    page = _external(client, hours="30", evidence=(io.BytesIO(PDF), "mai.pdf"))
    token = kept_token(page)
    again = _external(client, hours="31", evidence_pending=token)  # refused again: still kept
    assert again.status_code == 400 and kept_token(again) == token
    replaced = _external(client, hours="32", evidence=(io.BytesIO(PDF + b"%2"), "moi.pdf"))
    assert "Đã đính kèm: moi.pdf" in html.unescape(replaced.text)
    assert db.session.scalars(select(PendingUpload.filename)).all() == ["moi.pdf"]
    client.post("/logout")
    login("hoa")  # someone else sending the token gets no file
    stolen = _external(client, evidence_pending=kept_token(replaced))
    assert stolen.status_code == 400 and "không còn được giữ" in error_of(stolen, "f-evidence")
    assert "moi.pdf" not in html.unescape(stolen.text)
    assert db.session.scalars(select(ExternalActivity)).first() is None
    assert db.session.scalars(select(PendingUpload.filename)).all() == ["moi.pdf"]


def test_activity_fields_are_checked_by_the_form_each_by_its_own(client, login, division):
    login("mai")
    client.get(f"/plans/{YEAR}")
    before = plan_rows()
    page = _external(client, kind="picnic", starts_on="31/02/2026", hours="abc", title="")
    assert page.status_code == 400
    assert error_of(page, "f-kind") == "Hãy chọn loại hoạt động."
    assert error_of(page, "f-starts_on") == "Ngày bắt đầu không hợp lệ: hãy nhập ngày/tháng/năm."
    assert error_of(page, "f-hours") == "Số giờ “abc” không phải là số."
    assert error_of(page, "f-title") == "Chưa nhập tên hoạt động."
    assert error_of(page, "f-evidence") == ""  # no file was chosen: nothing to choose again
    assert plan_rows() == before
    assert _external(client, hours="1,5").status_code == 302  # a decimal comma, as always
    assert db.session.scalars(select(ExternalActivity)).one().hours == Decimal("1.5")


def test_evidence_refused_for_its_content_is_said_by_the_file_field(client, login, division):
    login("mai")
    page = _external(client, evidence=(io.BytesIO(b"MZ" + b"\x00" * 100), "chung-chi.pdf"))
    assert page.status_code == 400
    assert "không phải PDF, PNG, JPEG hay WebP" in error_of(page, "f-evidence")
    assert db.session.scalars(select(ExternalActivity)).first() is None


def test_a_refused_course_shows_why_by_its_field(client, login, division):
    login("mai")
    page = client.post(
        f"/plans/{YEAR}/courses",
        data={"course": division.course2.id, "planned": "q3", "expected_hours": "0"},
    )
    assert page.status_code == 400
    assert error_of(page, "f-expected_hours") == "Số tiết dự kiến phải lớn hơn 0."
    assert selected_of(page, "f-course") == str(division.course2.id)
    assert selected_of(page, "f-planned") == "q3"
    client.post(f"/plans/{YEAR}/courses", data={"course": division.course.id, "planned": "m3"})
    again = client.post(
        f"/plans/{YEAR}/courses", data={"course": division.course.id, "planned": "m5"}
    )
    assert again.status_code == 400
    assert "đã có trong kế hoạch" in error_of(again, "f-course")
    assert error_of(client.post(f"/plans/{YEAR}/courses", data={"course": division.course2.id}),
                    "f-planned") == "Hãy chọn tháng hoặc quý dự kiến thực hiện."  # fmt: skip


# A manager's decisions --------------------------------------------------------------------------


def _submitted(division) -> StudyPlan:
    plan = workflow.plan_for(division.learner, YEAR)
    plan.latest.status = PlanStatus.SUBMITTED
    db.session.commit()
    return plan


def test_returning_without_a_comment_is_said_by_the_comment(client, login, division):
    plan = _submitted(division)
    login("truongphong")
    before = plan_rows()
    data = {"decision": "return", "comment": "  ", "version": 1, "revision": plan.revision}
    page = client.post(f"/plans/view/{plan.id}/decide", data=data)
    assert page.status_code == 400
    assert "hãy ghi nhận xét" in error_of(page, "f-comment")
    assert plan_rows() == before
    unknown = client.post(f"/plans/view/{plan.id}/decide", data=data | {"decision": "maybe"})
    assert unknown.status_code == 400
    assert error_of(unknown, "f-comment") == "Hãy chọn duyệt hoặc trả lại."
    assert plan_rows() == before


def test_rejecting_an_activity_without_a_reason_is_said_by_its_reason(client, login, division):
    login("mai")
    _external(client, evidence=(io.BytesIO(PDF), "a.pdf"))
    activity = db.session.scalars(select(ExternalActivity)).one()
    client.post("/logout")
    login("truongphong")
    before = plan_rows()
    page = client.post(f"/plans/activities/{activity.id}/verify", data={"decision": "reject"})
    assert page.status_code == 400
    assert error_of(page, f"reason-{activity.id}") == "Hãy ghi lý do từ chối."
    assert plan_rows() == before


def test_a_bulk_decision_needs_a_known_decision(client, login, division):
    plan = _submitted(division)
    login("truongphong")
    before = plan_rows()
    page = client.post(
        f"/plans/units/{division.unit.id}/{YEAR}/decide",
        data={"decision": "whatever", "plan": f"{plan.id}:1:{plan.revision}"},
        follow_redirects=True,
    )
    assert "Hãy chọn duyệt hoặc trả lại." in page.text
    assert plan_rows() == before


# Assignments and rules ---------------------------------------------------------------------------


def test_a_refused_assignment_keeps_what_was_typed(client, login, division):
    login("truongphong")
    before = plan_rows()
    page = client.post(
        f"/plans/units/{division.unit.id}/2026/assignments",
        data={"course": division.course2.id, "kind": "recommended", "due_on": "2027-01-15"},
    )
    assert page.status_code == 400
    assert error_of(page, "f-due_on") == "Hạn hoàn thành 15/01/2027 không thuộc năm 2026."
    assert value_of(page, "f-due_on") == "2027-01-15"
    assert selected_of(page, "f-course") == str(division.course2.id)
    assert selected_of(page, "f-kind") == "recommended"
    assert 'name="include_subunits" value="1" checked' not in page.text  # left unticked
    assert plan_rows() == before


def test_an_assignment_already_due_is_said_and_kept_only_once_confirmed(
    app, client, login, division
):
    app.config["ASSIGNMENT_OVERDUE_WARNING"] = 2
    complete(division.colleague, division.course, utc(LAST, 2, 1, 3))  # done in time: not overdue
    db.session.commit()
    login("truongphong")
    before = plan_rows()
    url = f"/plans/units/{division.unit.id}/{LAST}/assignments"
    data = {
        "course": division.course.id,
        "kind": "required",
        "due_on": f"{LAST}-03-31",
        "include_subunits": "1",
    }
    page = client.post(url, data=data)
    assert page.status_code == 200
    said = html.unescape(page.text)
    assert f"Hạn hoàn thành 31/03/{LAST} đã qua (hôm nay là " in said
    # The head and Mai of the division have not done it; Hoa of the team below has.
    assert "chưa học khóa này sẽ bị tính quá hạn" not in said  # 2 is not more than 2
    assert value_of(page, "f-due_on") == f"{LAST}-03-31"
    assert plan_rows() == before
    key = re.search(r'name="confirmed" value="([0-9a-f]+)"', page.text)[1]

    app.config["ASSIGNMENT_OVERDUE_WARNING"] = 1
    other = client.post(url, data={**data, "confirmed": key})  # now it warns of more: ask again
    assert other.status_code == 200
    assert "2 người chưa học khóa này sẽ bị tính quá hạn ngay khi giao." in html.unescape(
        other.text
    )
    assert plan_rows() == before
    key = re.search(r'name="confirmed" value="([0-9a-f]+)"', other.text)[1]
    assert client.post(url, data={**data, "confirmed": key}).status_code == 302
    assignment = db.session.scalars(select(UnitAssignment)).one()
    assert assignment.due_on == date(LAST, 3, 31)


def test_an_assignment_due_later_needs_no_confirmation(client, login, division):
    login("truongphong")
    due = date(YEAR, 12, 31)
    page = client.post(
        f"/plans/units/{division.unit.id}/{YEAR}/assignments",
        data={"course": division.course.id, "kind": "required", "due_on": due.isoformat()},
    )
    assert page.status_code == 302


def _rule_form(**changes):
    return {
        "code": "CONGCHUC-2025",
        "amount": "32,5",
        "unit": "hour",
        "minutes_per_tiet": "50",
        "legal_basis": "Nghị định 171/2025/NĐ-CP",
        "employment_kinds": ["cong_chuc"],
        "effective_from": "2026-01-01",
        **changes,
    }


def test_a_refused_rule_keeps_what_was_typed(client, login, division, forty_tiet):
    rule = db.session.scalar(db.select(TargetRule).filter_by(code="CONGCHUC-2025"))
    login("quantri")
    offered = client.get(f"/plans/rules?edit={rule.id}")  # its figures, to change
    assert (value_of(offered, "f-code"), value_of(offered, "f-amount")) == ("CONGCHUC-2025", "40")
    assert value_of(offered, "f-effective_from") == local_today().isoformat()  # from today
    page = client.post("/plans/rules", data=_rule_form(effective_from="2025-01-01"))
    assert page.status_code == 400
    assert "phải có hiệu lực sau ngày 01/01/2025" in error_of(page, "f-effective_from")
    assert "Phiên bản mới của chỉ tiêu CONGCHUC-2025" in page.text
    assert value_of(page, "f-code") == "CONGCHUC-2025"
    assert value_of(page, "f-amount") == "32,5"
    assert value_of(page, "f-minutes_per_tiet") == "50"
    assert selected_of(page, "f-unit") == "hour"
    assert 'value="cong_chuc" checked' in page.text
    assert 'value="vien_chuc" checked' not in page.text
    assert db.session.scalar(db.select(db.func.count(TargetRule.id))) == 3


def test_rule_figures_are_checked_by_the_form(client, login, division, forty_tiet):
    login("quantri")
    page = client.post(
        "/plans/rules",
        data=_rule_form(
            amount="500", minutes_per_tiet="abc", employment_kinds=[], effective_until="xx"
        ),
    )
    assert page.status_code == 400
    assert error_of(page, "f-amount") == "Chỉ tiêu 500 quá lớn (tối đa 400)."
    assert error_of(page, "f-minutes_per_tiet") == "Số phút mỗi tiết phải từ 1 đến 120."
    assert error_of(page, "f-employment_kinds") == "Hãy chọn ít nhất một loại cán bộ áp dụng."
    assert error_of(page, "f-effective_until") == "Ngày hết hiệu lực không hợp lệ."
    too_many = client.post("/plans/rules", data=_rule_form(minutes_per_tiet="121"))
    assert error_of(too_many, "f-minutes_per_tiet") == "Số phút mỗi tiết phải từ 1 đến 120."
    assert db.session.scalar(db.select(db.func.count(TargetRule.id))) == 3


def test_an_unconfirmed_correction_keeps_what_was_typed(client, login, division, forty_tiet):
    rule = db.session.scalar(db.select(TargetRule).filter_by(code="CONGCHUC-2025"))
    login("quantri")
    page = client.post(
        f"/plans/rules/{rule.id}/correct",
        data={"amount": "38", "unit": "tiet", "minutes_per_tiet": "45", "legal_basis": "NĐ 171"},
    )
    assert page.status_code == 400
    assert "Hãy xác nhận các năm này" in error_of(page, "f-confirmed_years")
    assert "Đính chính chỉ tiêu CONGCHUC-2025, phiên bản 1" in page.text
    assert value_of(page, "f-amount") == "38"
    assert ">NĐ 171</textarea>" in page.text
    db.session.expire_all()
    assert rule.amount == Decimal(40)


# Defaults from today -----------------------------------------------------------------------------


def test_planned_month_defaults_to_this_month_or_the_next_late_in_the_month():
    assert values.planned_default(2026, date(2026, 12, 4)) == "m12"
    assert values.planned_default(2026, date(2026, 3, 21)) == "m4"
    assert values.planned_default(2026, date(2026, 12, 28)) == "m12"  # no 13th month
    assert values.planned_default(2027, date(2026, 12, 28)) == "m1"
    assert values.planned_default(2025, date(2026, 2, 1)) == "m12"


def test_an_assignment_is_due_a_month_from_today_within_its_year():
    assert assignments.due_default(2026, date(2026, 3, 1)) == date(2026, 3, 31)
    assert assignments.due_default(2026, date(2026, 12, 4)) == date(2026, 12, 31)
    assert assignments.due_default(2027, date(2026, 12, 4)) == date(2027, 12, 31)


def test_the_plan_and_assignment_forms_start_from_today(client, login, division):
    today = local_today()
    login("mai")
    page = client.get(f"/plans/{YEAR}")
    planned = values.planned_default(YEAR, today)
    assert selected_of(page, "f-planned") == planned  # the course form's, first on the page
    assert value_of(page, "f-starts_on") == today.isoformat()
    assert value_of(page, "f-ends_on") == today.isoformat()
    client.post("/logout")
    login("truongphong")
    page = client.get(f"/plans/units/{division.unit.id}/{YEAR}/assignments")
    assert value_of(page, "f-due_on") == assignments.due_default(YEAR, today).isoformat()


def textarea_of(page, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</textarea>', page.text, re.S)
    assert found, element_id
    return html.unescape(found[1])


def test_a_refused_note_or_assessment_keeps_the_text(client, login, division):
    login("mai")
    long_note = "Học tiếng Tày. " * 300  # over the 4000 characters a text may hold
    page = client.post(f"/plans/{YEAR}/note", data={"note": long_note})
    assert page.status_code == 400
    assert "quá dài (tối đa 4000 ký tự)" in error_of(page, "f-note")
    assert textarea_of(page, "f-note") == long_note
    client.post(f"/plans/{YEAR}/note", data={"note": "Ưu tiên tiếng Tày"})
    page = client.post(f"/plans/{YEAR}/self-assessment", data={"text": long_note})
    assert page.status_code == 400
    assert textarea_of(page, "f-self") == long_note
    assert "quá dài" in error_of(page, "f-self")
    assert db.session.scalars(select(StudyPlan)).one().self_assessment is None
    client.post("/logout")
    login("truongphong")
    plan = db.session.scalars(select(StudyPlan)).one()
    page = client.post(f"/plans/view/{plan.id}/assessment", data={"text": "  "})
    assert page.status_code == 400
    assert error_of(page, "f-mgr") == "Chưa nhập đánh giá của lãnh đạo."


def test_a_kept_file_gone_past_its_day_is_said_not_dropped(client, login, division):
    login("mai")
    page = _external(client, hours="30", evidence=(io.BytesIO(PDF), "cu.pdf"))
    token = kept_token(page)
    db.session.execute(db.delete(PendingUpload))
    db.session.commit()
    again = _external(client, evidence_pending=token)
    assert again.status_code == 400
    assert "không còn được giữ" in error_of(again, "f-evidence")
    assert db.session.scalars(select(ExternalActivity)).first() is None


def test_a_new_file_refused_for_what_it_is_lets_the_kept_one_go(client, login, division):
    login("mai")
    _external(client, hours="30", evidence=(io.BytesIO(PDF), "tot.pdf"))
    page = _external(client, evidence=(io.BytesIO(b"MZ" + b"\x00" * 50), "xau.pdf"))
    assert "không phải PDF" in error_of(page, "f-evidence")
    assert "Đã đính kèm" not in html.unescape(page.text)
    assert db.session.scalars(select(PendingUpload)).all() == []


def test_the_warned_form_sends_its_own_button_first(app, client, login, division):
    """Enter in a field sends the first submit button: never the confirmation."""
    login("truongphong")
    page = client.post(
        f"/plans/units/{division.unit.id}/{LAST}/assignments",
        data={"course": division.course.id, "kind": "required", "due_on": f"{LAST}-03-31"},
    )
    form = page.text.split('action="/plans/units/', 1)[1].split("</form>", 1)[0]
    buttons = re.findall(r'<button type="submit"[^>]*>', form)
    assert 'name="confirmed"' not in buttons[0] and 'name="confirmed"' in buttons[-1]
