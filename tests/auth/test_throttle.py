"""The sign-in throttle through the form: guessers wait, the innocent sign in."""

from __future__ import annotations

from lms.db import db
from tests.factories import make_person

WRONG = "Tên đăng nhập hoặc mật khẩu không đúng."
WAIT = "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau"
ADDRESS_WAITS = "Đăng nhập sai quá nhiều lần từ địa chỉ mạng này. Vui lòng thử lại sau"
ATTACKER = "203.0.113.9"
OFFICE = "10.20.30.40"


def said(response) -> str:
    return response.get_data(as_text=True)


def test_owner_from_a_clean_address_signs_in_while_an_attacker_guesses(clock, owner, sign_in_from):
    guesses = [sign_in_from(ATTACKER, "hoangmai", f"doan-{n}") for n in range(8)]
    assert [WRONG in said(r) for r in guesses] == [True] * 5 + [False] * 3
    assert all(WAIT in said(r) for r in guesses[5:])
    assert sign_in_from("10.0.0.7", "hoangmai").status_code == 302
    # The owner's success does not wipe the attacker's count at the attacker's address.
    assert WAIT in said(sign_in_from(ATTACKER, "hoangmai", "doan-9"))


def test_an_office_behind_one_address_is_not_blocked_by_colleagues_mistyping(app, sign_in_from):
    colleagues = [make_person(f"dongnghiep{n}") for n in range(21)]
    db.session.commit()
    for colleague in colleagues[:20]:
        response = sign_in_from(OFFICE, colleague.username, "go-nham-mat-khau")
        assert WRONG in said(response)
    assert sign_in_from(OFFICE, colleagues[20].username).status_code == 302
    # And each of the twenty, typing it right the second time, gets in too.
    for colleague in colleagues[:20]:
        assert sign_in_from(OFFICE, colleague.username).status_code == 302


def test_spraying_many_accounts_from_one_address_makes_that_address_wait(
    app, clock, owner, sign_in_from
):
    tried = app.config["LOGIN_MAX_ACCOUNTS_PER_ADDRESS"]
    for n in range(tried):
        assert WRONG in said(sign_in_from(ATTACKER, f"nguoi{n}", "Matkhau@123"))
    refused = sign_in_from(ATTACKER, "hoangmai")  # even the right password
    assert refused.status_code == 401
    assert f"{ADDRESS_WAITS} 24 giờ." in said(refused)
    # The same words whether or not the account exists.
    assert f"{ADDRESS_WAITS} 24 giờ." in said(sign_in_from(ATTACKER, "khongco", "Matkhau@123"))
    # Another address is not concerned, nor is the owner.
    assert sign_in_from("10.0.0.7", "hoangmai").status_code == 302


def test_each_further_failure_from_one_address_doubles_the_wait(app, clock, owner, sign_in_from):
    for _ in range(app.config["LOGIN_FAILURES_BEFORE_DELAY"]):
        assert WRONG in said(sign_in_from(ATTACKER, "hoangmai", "doan-sai"))
    for wait, text in [(30, "30 giây"), (60, "1 phút"), (120, "2 phút"), (240, "4 phút"),
                       (480, "8 phút"), (900, "15 phút"), (900, "15 phút")]:  # fmt: skip
        assert f"{WAIT} {text}." in said(sign_in_from(ATTACKER, "hoangmai", "doan-sai"))
        clock.advance(seconds=wait - 1)
        assert WAIT in said(sign_in_from(ATTACKER, "hoangmai", "doan-sai"))
        clock.advance(seconds=1)
        assert WRONG in said(sign_in_from(ATTACKER, "hoangmai", "doan-sai"))
    clock.advance(minutes=15)
    assert sign_in_from(ATTACKER, "hoangmai").status_code == 302


def test_guessing_over_many_addresses_hits_the_account_ceiling_for_those_addresses(
    app, clock, owner, sign_in_from
):
    ceiling = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    botnet = [f"198.51.100.{n}" for n in range(1, ceiling + 2)]
    for address in botnet[:ceiling]:
        assert WRONG in said(sign_in_from(address, "hoangmai", "doan-sai"))
    # Each address that failed now waits, even with the right password, until the day's
    # failures stop counting.
    for address in botnet[:3]:
        refused = sign_in_from(address, "hoangmai")
        assert refused.status_code == 401
        assert f"{WAIT} 24 giờ." in said(refused)
    # A new address gets its one guess, then waits too.
    assert WRONG in said(sign_in_from(botnet[ceiling], "hoangmai", "doan-sai"))
    assert WAIT in said(sign_in_from(botnet[ceiling], "hoangmai", "doan-sai"))
    # The owner from an address that never failed signs in.
    assert sign_in_from("10.0.0.7", "hoangmai").status_code == 302
