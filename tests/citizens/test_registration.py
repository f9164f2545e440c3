"""Citizens register on their own for the open courses: what they must give, the limits that
stop a flood, recovery codes, e-mail confirmation, and what they may not see."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import func, select

from lms.accounts.models import Person
from lms.audit.models import AuditEvent
from lms.citizens import services
from lms.citizens.models import CitizenProfile, Commune, Registration
from lms.db import db
from lms.outbox.models import OutgoingMail
from lms.roles import Role
from tests.factories import PASSWORD, make_citizen
from tests.learning.content import OPEN, TAY, make_open_course
from tests.learning.steps import finish_lesson

NEW_PASSWORD = "Hoc-mai-mai-2026"


@pytest.fixture
def communes(app):
    services.import_communes("code,name\nX-01,Xã Sơn Động\nX-02,Phường Kinh Bắc\n")
    db.session.commit()
    return {c.code: c.id for c in db.session.scalars(select(Commune))}


def form(communes, **changes) -> dict:
    data = {
        "full_name": "Hoàng Thị Mai",
        "username": "hoangthimai",
        "password": "Hoc-tap-2026",
        "confirm_password": "Hoc-tap-2026",
        "email": "",
        "commune": str(communes["X-01"]),
        "consent": "y",
        "website": "",
    }
    data.update(changes)
    return data


def people() -> int:
    return db.session.scalar(select(func.count()).select_from(Person)) or 0


def test_a_citizen_registers_gets_recovery_codes_once_and_is_signed_in(client, communes):
    page = client.get("/register")
    assert page.status_code == 200 and "Xã Sơn Động" in page.text
    done = client.post("/register", data=form(communes))
    assert done.status_code == 200
    assert done.headers["Cache-Control"] == "no-store"
    codes = re.findall(r"<code>([a-z0-9]{4}-[a-z0-9]{4})</code>", done.text)
    assert len(codes) == 10 and len(set(codes)) == 10
    person = db.session.scalar(select(Person).where(Person.username == "hoangthimai"))
    assert person.is_citizen and person.roles == {Role.CITIZEN}
    profile = db.session.get(CitizenProfile, person.id)
    assert profile.commune_id == communes["X-01"] and profile.notice_version == "2026-12"
    assert db.session.scalar(
        select(AuditEvent.action).where(AuditEvent.action == "citizen.register")
    )
    home = client.get("/")
    assert home.status_code == 200 and "Kế hoạch năm nay" not in home.text
    assert "Kế hoạch của tôi" not in home.text  # no plan in the menu
    account = client.get("/account")
    assert "Còn 10 mã chưa dùng." in account.text


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"password": "ngan", "confirm_password": "ngan"},
            "password",
            "Mật khẩu phải có ít nhất 10 ký tự.",
        ),
        (
            {"confirm_password": "khac-han-2026"},
            "confirm_password",
            "Hai lần nhập mật khẩu không khớp.",
        ),
        (
            {"consent": ""},
            "consent",
            "Hãy đọc và đồng ý với thông báo về dữ liệu cá nhân để đăng ký.",
        ),
        ({"commune": ""}, "commune", "Hãy chọn xã, phường nơi bạn sống trong danh sách."),
        ({"commune": "999999"}, "commune", "Hãy chọn xã, phường nơi bạn sống trong danh sách."),
        ({"email": "khong-phai-email"}, "email", "Email “khong-phai-email” không hợp lệ."),
        ({"full_name": ""}, "full_name", "Hãy nhập họ và tên."),
    ],
)
def test_a_refused_registration_says_why_by_the_field_and_makes_nothing(
    client, communes, changes, field, message
):
    before = people()
    refused = client.post("/register", data=form(communes, **changes))
    assert refused.status_code == 400
    # The message stands by its own field, not only somewhere on the page.
    shown = re.search(rf'<p class="field-error" id="f-{field}-error">(.*?)</p>', refused.text, re.S)
    assert shown is not None and message in shown.group(1)
    assert people() == before
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_a_taken_username_is_refused(client, communes):
    make_citizen("hoangthimai")
    db.session.commit()
    refused = client.post("/register", data=form(communes))
    assert refused.status_code == 400
    assert "Tên đăng nhập hoangthimai đã có người dùng." in refused.text


def test_the_honeypot_refuses_a_bot_and_counts_against_its_address(client, communes):
    before = people()
    refused = client.post("/register", data=form(communes, website="http://spam.example"))
    assert refused.status_code == 400
    assert "Không thể đăng ký lúc này." in refused.text
    assert people() == before
    assert db.session.scalar(select(Registration.refused)) is True


def test_limits_per_address_and_per_day(app, client, communes):
    app.config.update(CITIZENS_PER_ADDRESS_DAY=2, CITIZENS_PER_DAY=3)
    hall = {"REMOTE_ADDR": "203.0.113.7"}
    for number in range(2):
        done = client.post(
            "/register", data=form(communes, username=f"dan{number}"), environ_base=hall
        )
        assert done.status_code == 200
        client.post("/logout")
    third = client.post("/register", data=form(communes, username="dan2"), environ_base=hall)
    assert third.status_code == 400
    assert "Hôm nay đã có 2 tài khoản được đăng ký từ mạng này" in third.text
    elsewhere = {"REMOTE_ADDR": "198.51.100.9"}
    assert (
        client.post(
            "/register", data=form(communes, username="dan3"), environ_base=elsewhere
        ).status_code
        == 200
    )
    client.post("/logout")
    capped = client.post(
        "/register", data=form(communes, username="dan4"), environ_base={"REMOTE_ADDR": "192.0.2.1"}
    )
    assert capped.status_code == 400
    assert "đủ số đăng ký tối đa trong ngày" in capped.text
    assert db.session.scalar(select(func.count()).select_from(Person).where(Person.is_citizen)) == 3


def test_a_recovery_code_sets_a_new_password_once(client, login, communes):
    codes = re.findall(
        r"<code>([a-z0-9-]{9})</code>", client.post("/register", data=form(communes)).text
    )
    client.post("/logout")
    wrong = client.post(
        "/recover",
        data={
            "username": "hoangthimai",
            "code": "aaaa-bbbb",
            "password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert wrong.status_code == 400 and "mã khôi phục không đúng" in wrong.text
    used = {
        "username": "hoangthimai",
        "code": codes[3].upper(),
        "password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD,
    }
    assert client.post("/recover", data=used).status_code == 302
    assert login("hoangthimai", NEW_PASSWORD).status_code == 302
    client.post("/logout")
    again = client.post(
        "/recover",
        data={**used, "password": "Lan-thu-hai-2026", "confirm_password": "Lan-thu-hai-2026"},
    )
    assert again.status_code == 400
    assert login("hoangthimai", NEW_PASSWORD).status_code == 302


def test_new_codes_replace_the_old_ones(client, communes):
    old = re.findall(
        r"<code>([a-z0-9-]{9})</code>", client.post("/register", data=form(communes)).text
    )
    fresh = client.post("/account/recovery-codes")
    assert fresh.status_code == 200 and fresh.headers["Cache-Control"] == "no-store"
    new = re.findall(r"<code>([a-z0-9-]{9})</code>", fresh.text)
    assert len(new) == 10 and not set(new) & set(old)
    client.post("/logout")
    refused = client.post(
        "/recover",
        data={
            "username": "hoangthimai",
            "code": old[0],
            "password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert refused.status_code == 400


def test_with_smtp_the_email_is_confirmed_by_its_link(app, client, communes, smtp):
    done = client.post("/register", data=form(communes, email="mai@example.vn"))
    assert done.status_code == 200 and "<code>" not in done.text  # no codes with an e-mail
    letter = db.session.scalar(select(OutgoingMail))
    assert letter.to == "mai@example.vn"
    link = re.search(r"(/register/verify/\S+)", letter.body).group(1)
    person = db.session.scalar(select(Person).where(Person.username == "hoangthimai"))
    assert not services.email_verified(person.id)
    assert client.get(link).status_code == 302
    assert services.email_verified(person.id)
    assert client.get("/register/verify/" + "x" * 40).status_code == 302  # a bad link: refused


@pytest.fixture
def courses(app, tmp_path):
    make_open_course(tmp_path / "courses")


def test_a_citizen_studies_open_courses_only_and_sees_no_one(client, login, courses, communes):
    make_citizen("nguoidan")
    db.session.commit()
    assert login("nguoidan").status_code == 302
    catalogue = client.get("/courses/")
    assert "Tin học cho mọi người" in catalogue.text and "Tiếng Tày giao tiếp" not in catalogue.text
    assert client.get(f"/courses/{TAY}").status_code == 404
    assert client.get(f"/courses/{TAY}/chao-hoi").status_code == 404
    assert (
        client.post(f"/courses/{TAY}/complete", data={"event_id": str(uuid.uuid4())}).status_code
        == 404
    )
    for path in (
        "/plans/",
        f"/plans/{2026}",
        "/reports/roster",
        "/reports/citizens",
        "/admin/people/",
    ):
        assert client.get(path).status_code == 403, path
    # The open course: a quiz, both lessons, a certificate.
    for lesson in ("chao-hoi", "so-dem"):
        finish_lesson(client, lesson, course=OPEN)
    course = client.get(f"/courses/{OPEN}")
    assert "/certificates/" in course.text


def test_hcth_sees_figures_per_commune_never_names(client, login, courses, communes):
    citizen = make_citizen("nguoidan", "Lò Văn Bí Mật")
    db.session.commit()
    assert login("nguoidan").status_code == 302
    for lesson in ("chao-hoi", "so-dem"):
        finish_lesson(client, lesson, course=OPEN)
    client.post("/logout")
    from lms.accounts import services as people_services
    from tests.factories import make_person

    hcth = make_person("hcth.user")
    people_services.grant_role(hcth, Role.HCTH)
    db.session.commit()
    assert login("hcth.user").status_code == 302
    page = client.get("/reports/citizens")
    assert page.status_code == 200
    assert citizen.full_name not in page.text and "nguoidan" not in page.text
    from datetime import date

    from lms.citizens.queries import citizen_figures
    from lms.i18n import local_today

    today = local_today()
    found = citizen_figures(date(today.year, 1, 1), today)
    line = next(
        line
        for line in found.communes
        if line.commune_id == db.session.get(CitizenProfile, citizen.id).commune_id
    )
    assert [(title, cell.learners, cell.completions) for title, cell in line.courses] == [
        ("Tin học cho mọi người", 1, 1)
    ]
    assert line.total.tiet > 0 and found.total.tiet == sum(one.total.tiet for one in found.communes)
    csv = client.get("/reports/citizens?format=csv")
    assert csv.status_code == 200 and "Tin học cho mọi người" in csv.text
    assert "Lò Văn Bí Mật" not in csv.text


def test_the_commune_list_loads_all_or_nothing(app, communes):
    with pytest.raises(services.CitizenError, match="Dòng 3: mã X-03 lặp lại"):
        services.import_communes("code,name\nX-03,Xã Mới\nX-03,Xã Khác\n")
    db.session.rollback()
    assert "X-03" not in {c.code for c in services.communes()}
    with pytest.raises(services.CitizenError, match="code,name"):
        services.import_communes("ma,ten\nX-03,Xã Mới\n")
    result = services.import_communes(
        "code,name\nX-01,Xã Sơn Động mới\nX-03,Xã Mới\n", retire_missing=True
    )
    assert (result.added, result.renamed, result.retired) == (1, 1, 1)
    assert [c.name for c in services.communes()] == ["Xã Mới", "Xã Sơn Động mới"]


def test_the_citizen_is_on_no_roster(client, login, communes):
    make_citizen("nguoidan", "Lò Thị Không Có")
    from lms.accounts import services as people_services
    from tests.factories import make_person

    hcth = make_person("hcth.user")
    people_services.grant_role(hcth, Role.HCTH)
    db.session.commit()
    assert login("hcth.user").status_code == 302
    roster = client.get("/reports/roster?format=html")
    assert roster.status_code == 200 and "Lò Thị Không Có" not in roster.text


def test_a_citizen_keeps_her_password_after_a_failed_recovery(client, login, communes):
    make_citizen("nguoidan")
    db.session.commit()
    client.post(
        "/recover",
        data={
            "username": "nguoidan",
            "code": "zzzz-zzzz",
            "password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert login("nguoidan", PASSWORD).status_code == 302
