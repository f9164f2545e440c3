"""The pages of first sign-in: issuing codes (sheet, e-mail) and using one to sign in."""

from __future__ import annotations

import re

from sqlalchemy import select

from lms.db import db
from lms.invites.models import SignInCode
from tests.factories import PASSWORD

NEW_PASSWORD = "Hoc-tap-2026"
CODE = re.compile(r'class="one-time-password">([a-z0-9-]+)<')


def _sign_in_admin(login, division):
    assert login(division.admin.username).status_code == 302


def _issue(client, division, channel="sheet", unit=None):
    return client.post(
        "/admin/people/first-sign-in",
        data={"unit_id": (unit or division.unit).id, "channel": channel},
    )


def test_the_people_list_links_to_the_issuing_page(client, login, division):
    _sign_in_admin(login, division)
    page = client.get("/admin/people/").get_data(as_text=True)
    assert "/admin/people/first-sign-in" in page


def test_the_issuing_page_lists_who_waits_in_the_unit_and_sub_units(client, login, division):
    _sign_in_admin(login, division)
    page = client.get(f"/admin/people/first-sign-in?unit_id={division.unit.id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "3 người trong đơn vị này chưa đăng nhập được" in text
    assert "Nguyễn Thị Bình" in text and "Đỗ Văn Cường" not in text and "Vũ Thị Khác" not in text


def test_issuing_prints_a_sheet_per_unit_in_vietnamese_order(client, login, division):
    _sign_in_admin(login, division)
    response = _issue(client, division)
    sheet = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "@page" not in sheet  # the print rules are in the stylesheet
    assert "/static/css/sign-in-codes." in sheet  # under its content hash (lms.assets)
    names = [sheet.index(name) for name in ("Trần Văn An", "Lê Anh", "Nguyễn Thị Bình")]
    assert names == sorted(names)
    assert sheet.index("Tổ Văn thư") > sheet.index("Lê Anh")
    codes = CODE.findall(sheet)
    assert len(codes) == 3 and len(set(codes)) == 3
    assert "tvan" in sheet and "http://localhost/first-sign-in" in sheet
    assert db.session.scalar(select(db.func.count()).select_from(SignInCode)) == 3


def test_the_print_stylesheet_sets_a4(client):
    response = client.get("/static/css/sign-in-codes.css")
    css = response.get_data(as_text=True)
    response.close()
    assert "@page { size: A4" in css


def test_by_email_those_with_an_address_get_a_link_and_the_rest_a_sheet(
    client, login, division, smtp
):
    _sign_in_admin(login, division)
    sheet = _issue(client, division, channel="email").get_data(as_text=True)
    assert [mail["To"] for mail in smtp.sent] == ["binh@example.vn"]
    body = smtp.sent[0].get_content()
    link = re.search(r"http://localhost/first-sign-in\?code=([a-z0-9-]+)", body)
    assert link and "ntbinh" in body
    assert "Đã gửi thư cho 1 người" in sheet
    assert "Nguyễn Thị Bình" not in sheet and "Trần Văn An" in sheet
    client.post("/logout")
    form = client.get(f"/first-sign-in?code={link.group(1)}").get_data(as_text=True)
    assert f'value="{link.group(1)}"' in form


def test_without_smtp_email_is_not_offered_and_everyone_is_on_the_sheet(client, login, division):
    _sign_in_admin(login, division)
    page = client.get(f"/admin/people/first-sign-in?unit_id={division.unit.id}")
    assert 'value="email"' not in page.get_data(as_text=True)
    sheet = _issue(client, division, channel="email").get_data(as_text=True)
    assert len(CODE.findall(sheet)) == 3


def test_a_unit_with_nobody_waiting_or_no_unit_is_refused_by_its_field(client, login, division):
    _sign_in_admin(login, division)
    division.outsider.password_hash = division.old_hand.password_hash
    db.session.commit()
    nobody = _issue(client, division, unit=division.other)
    assert nobody.status_code == 400
    assert "không có ai đang chờ đăng nhập lần đầu" in nobody.get_data(as_text=True)
    missing = client.post("/admin/people/first-sign-in", data={"unit_id": "", "channel": "sheet"})
    assert missing.status_code == 400
    assert "Hãy chọn đơn vị." in missing.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count()).select_from(SignInCode)) == 0


def _code_for(client, login, division, username="tvan"):
    _sign_in_admin(login, division)
    sheet = _issue(client, division).get_data(as_text=True)
    client.post("/logout")
    cards = sheet.split('class="code-card"')[1:]
    (card,) = [card for card in cards if f"<dd>{username}</dd>" in card]
    return CODE.search(card).group(1)


def _redeem(client, code, password=NEW_PASSWORD, confirm=None, address="10.0.0.1"):
    return client.post(
        "/first-sign-in",
        data={"code": code, "new_password": password, "confirm_password": confirm or password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_a_code_sets_the_password_and_signs_the_person_in(client, login, division):
    code = _code_for(client, login, division)
    response = _redeem(client, code)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = client.get("/").get_data(as_text=True)
    assert "Trần Văn An" in home
    client.post("/logout")
    assert login("tvan", NEW_PASSWORD).status_code == 302
    client.post("/logout")
    again = _redeem(client, code, "Mat-khau-khac-9")
    assert again.status_code == 400
    assert "Mã đăng nhập không hợp lệ hoặc đã hết hạn." in again.get_data(as_text=True)


def test_a_weak_password_is_refused_by_its_field_and_the_code_is_kept(client, login, division):
    code = _code_for(client, login, division)
    weak = _redeem(client, code, "1234567890")
    text = weak.get_data(as_text=True)
    assert weak.status_code == 400
    assert 'id="f-new_password-error"' in text and f'value="{code}"' in text
    assert _redeem(client, code).status_code == 302


def test_guessing_codes_from_one_address_is_slowed_but_not_others(app, client, login, division):
    code = _code_for(client, login, division)
    allowed = app.config["LOGIN_FAILURES_BEFORE_DELAY"]
    for _ in range(allowed):
        assert _redeem(client, "abcd-efgh-jkmn", address="10.9.9.9").status_code == 400
    stopped = _redeem(client, code, address="10.9.9.9")
    assert stopped.status_code == 429
    assert "Vui lòng thử lại sau" in stopped.get_data(as_text=True)
    # The real holder, from another address, is not locked out.
    assert _redeem(client, code, address="10.0.0.2").status_code == 302


def test_the_redeem_page_is_public(client):
    page = client.get("/first-sign-in")
    assert page.status_code == 200
    assert "Đăng nhập lần đầu" in page.get_data(as_text=True)


def test_only_those_who_manage_people_may_issue(client, login, division):
    assert login(division.old_hand.username, PASSWORD).status_code == 302
    assert client.get("/admin/people/first-sign-in").status_code == 403
    assert _issue(client, division).status_code == 403
