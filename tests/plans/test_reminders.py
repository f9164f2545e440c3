"""Notifications on transitions, and `flask plans remind`: idempotent, with e-mail when set up."""

from __future__ import annotations

from sqlalchemy import select

from lms.db import db
from lms.plans import assignments, reminders
from lms.plans.models import Notification


def _assign(division, due):
    assignments.assign_course(
        unit=division.unit,
        course_id=division.course.id,
        year=2026,
        kind="required",
        due_on=due,
        include_subunits=True,
        actor_id=None,
    )
    db.session.commit()


def _notices(person):
    return db.session.scalars(select(Notification).where(Notification.person_id == person.id)).all()


def test_remind_is_idempotent_per_day(runner, division):
    _assign(division, "2026-03-31")
    first = runner.invoke(args=["plans", "remind", "--date", "2026-04-02"])
    assert first.exit_code == 0, first.output
    assert "3 nhắc việc mới" in first.output  # head, learner and colleague: all members
    again = runner.invoke(args=["plans", "remind", "--date", "2026-04-02"])
    assert "0 nhắc việc mới" in again.output
    kinds = [n.kind for n in _notices(division.learner)]
    assert kinds == ["assigned", "overdue"]  # told of the assignment when it was made
    next_day = runner.invoke(args=["plans", "remind", "--date", "2026-04-03"])
    assert "3 nhắc việc mới" in next_day.output


def test_due_soon_reminder_and_email_when_smtp_is_set(runner, division, smtp):
    _assign(division, "2026-03-31")
    result = runner.invoke(args=["plans", "remind", "--date", "2026-03-25"])
    # Only Mai has an e-mail address: the assignment's notice, queued when it was made, and
    # today's reminder go out together, each once.
    assert "2 thư điện tử" in result.output
    assert [m["To"] for m in smtp.sent] == ["mai@example.vn", "mai@example.vn"]
    assert "Đơn vị giao khóa học" in smtp.sent[0].get_content()
    assert "Sắp đến hạn" in smtp.sent[1].get_content()
    assert [n.kind for n in _notices(division.learner)] == ["assigned", "due_soon"]
    again = runner.invoke(args=["plans", "remind", "--date", "2026-03-25"])
    assert "0 thư điện tử" in again.output and len(smtp.sent) == 2


def test_without_smtp_reminders_stay_in_the_app(runner, division, monkeypatch):
    _assign(division, "2026-03-31")
    monkeypatch.setattr("lms.mail.smtplib.SMTP", None)
    result = runner.invoke(args=["plans", "remind", "--date", "2026-04-02"])
    assert result.exit_code == 0 and "0 thư điện tử" in result.output


def test_submit_and_decisions_notify_and_the_header_counts(client, login, division):
    login("mai")
    client.post("/plans/2026/submit")
    client.post("/logout")
    login("truongphong")
    page = client.get("/plans/notifications")
    assert "Lò Thị Mai đã gửi kế hoạch năm 2026 để duyệt." in page.text
    assert '<span class="badge">1</span>' in page.text
    client.post("/plans/notifications/read")
    assert '<span class="badge">1</span>' not in client.get("/plans/notifications").text
    assert [n.kind for n in _notices(division.other_head)] == []


def test_rules_cli(runner, division):
    result = runner.invoke(
        args=[
            "plans",
            "add-rule",
            "--code",
            "CC",
            "--amount",
            "40",
            "--basis",
            "NĐ 171/2025",
            "--from",
            "2025-01-01",
        ]
    )
    assert "Đã lưu chỉ tiêu CC, phiên bản 1." in result.output
    bad = runner.invoke(
        args=[
            "plans",
            "add-rule",
            "--code",
            "CC",
            "--amount",
            "-4",
            "--basis",
            "x",
            "--from",
            "2025-01-01",
        ]
    )
    assert bad.exit_code != 0 and "Chỉ tiêu phải lớn hơn 0." in bad.output
    listing = runner.invoke(args=["plans", "rules"])
    assert "CC v1 [hiện hành] 40.00 tiet" in listing.output


def test_mark_all_read_reaches_past_the_first_page_of_notices(client, login, division):
    for number in range(130):
        reminders.notify(division.learner.id, "overdue", f"Thông báo số {number}", None)
    db.session.commit()
    login("mai")
    assert '<span class="badge">130</span>' in client.get("/plans/notifications").text
    client.post("/plans/notifications/read")
    unread = db.session.scalars(
        select(Notification).where(
            Notification.person_id == division.learner.id, Notification.read_at.is_(None)
        )
    ).all()
    assert unread == []


def test_an_assignment_tells_everyone_it_reaches_once(division, smtp):
    from datetime import date

    from lms.org.models import Membership
    from lms.outbox.models import OutgoingMail
    from tests.factories import make_person

    # Left the unit in March: the assignment, made today, is none of their business.
    gone = make_person("dadi", "Nông Văn Đi", unit=division.unit, email="di@example.vn")
    db.session.scalars(
        select(Membership).where(Membership.person_id == gone.id)
    ).one().valid_until = date(2026, 3, 31)
    db.session.commit()
    _assign(division, "2026-12-30")

    for person in (division.head, division.learner, division.colleague):  # the team included
        (notice,) = _notices(person)
        assert notice.kind == "assigned"
        assert notice.text == (
            "Đơn vị giao khóa học “Kỹ năng số cho công chức” (bắt buộc), hạn 30/12/2026."
        )
        assert notice.link == f"/courses/{division.course.slug}"
    assert _notices(division.outsider) == []
    assert _notices(gone) == []
    # Only Mai has an address: her letter waits for `flask mail send`, nothing went yet.
    queued = db.session.scalars(select(OutgoingMail)).all()
    assert [(mail.to, mail.status) for mail in queued] == [("mai@example.vn", "queued")]
    assert "Kỹ năng số cho công chức" in queued[0].subject
    assert smtp.sent == []


def test_an_assignment_waiting_for_confirmation_tells_nobody(client, login, division):
    login("truongphong")
    response = client.post(
        f"/plans/units/{division.unit.id}/2026/assignments",
        data={
            "course": str(division.course.id),
            "kind": "required",
            "due_on": "01/01/2026",  # already past: the page asks to confirm first
            "include_subunits": "1",
        },
    )
    assert "Hãy xem lại trước khi lưu" in response.text
    assert db.session.scalar(select(db.func.count()).select_from(Notification)) == 0


def test_a_manager_nudges_one_person_or_everyone_without_a_plan_once_a_day(client, login, division):
    from lms.audit.models import AuditEvent

    login("truongphong")
    dashboard = client.get(f"/plans/units/{division.unit.id}/2026").text
    assert "Nhắc mọi người chưa lập kế hoạch" in dashboard
    url = f"/plans/units/{division.unit.id}/2026/nudge"

    one = client.post(url, data={"who": str(division.colleague.id)}, follow_redirects=True)
    assert "Đã nhắc 1 người." in one.text
    (notice,) = _notices(division.colleague)
    assert notice.text == "Nông Văn Quản nhắc: hãy lập kế hoạch tự học năm 2026."
    assert notice.link == "/plans/2026"

    everyone = client.post(url, data={"who": "no_plan"}, follow_redirects=True)
    # Mai and the head have no plan either; the colleague was nudged today already.
    assert "Đã nhắc 2 người." in everyone.text
    again = client.post(url, data={"who": "no_plan"}, follow_redirects=True)
    assert "Những người này đã được nhắc hôm nay rồi." in again.text
    assert _notices(division.outsider) == []
    outsider = client.post(url, data={"who": str(division.outsider.id)}, follow_redirects=True)
    assert "không thuộc đơn vị bạn quản lý" in outsider.text
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action == "plans.nudge")
    ).all()
    assert len(actions) == 3


def test_a_nudge_to_people_behind_names_their_figures(app, client, login, division):
    from lms.plans import rules, workflow

    rules.seed_default_rules()  # the yearly target everyone is measured against
    with app.test_request_context():
        plan = workflow.plan_for(division.learner, 2026)
        workflow.submit(plan, actor=division.learner)
        db.session.commit()
    login("truongphong")
    client.post(f"/plans/units/{division.unit.id}/2026/nudge", data={"who": "behind"})
    texts = [notice.text for notice in _notices(division.learner)]
    assert texts and texts[-1].startswith("Nông Văn Quản nhắc: năm 2026 bạn đã đạt 0/")
    assert _notices(division.colleague) == []  # no plan: not among those behind
