"""Installable and offline, in Chromium: the app is installable; a learner downloads a course,
loses the connection (every request aborted, the service worker's too), studies two lessons and
answers a quiz; back online, the server holds exactly those events, once."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select, update

from lms import shell
from lms.accounts.models import Person
from lms.auth.models import UserSession
from lms.courses.models import Lesson
from lms.db import db, utcnow
from lms.learning import services as learning
from lms.learning.models import LearningEvent, LessonProgress, QuizAttempt
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PASSWORD, sign_in, sign_out, wait_for
from tests.browser.steps import answer_greetings, tay_course_and_learner
from tests.factories import make_person, make_unit
from tests.learning.content import TAY
from tests.learning.steps import QUIZ_OF, RIGHT_ANSWERS

pytestmark = pytest.mark.browser


@pytest.fixture
def courses(app, tmp_path):
    tay_course_and_learner(tmp_path / "courses")


def browser_path() -> str:
    return str(CHROMIUM)


def counted() -> tuple[int, int, int]:
    db.session.expire_all()
    return (
        db.session.scalar(select(func.count()).select_from(LearningEvent)) or 0,
        db.session.scalar(
            select(func.count())
            .select_from(LessonProgress)
            .where(LessonProgress.completed_at.is_not(None))
        )
        or 0,
        db.session.scalar(select(func.count()).select_from(QuizAttempt)) or 0,
    )


def controlled(page: Page) -> None:
    """Wait until the service worker is active and controls the page."""
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller")


def settled(page: Page, expression: str, arg: object = None) -> None:
    """Wait until expression, a function of arg resolving a promise, resolves true. Playwright's
    wait_for_function takes the promise itself for true and returns at once."""
    wait_for(lambda: page.evaluate(expression, arg) is True)


def open_signed_in(page: Page, path: str) -> None:
    """Mai signed in, at path, in a page the service worker controls (it installs on the first
    visit and controls the pages loaded after)."""
    sign_in(page, "mai")
    page.goto(path)
    page.reload()
    controlled(page)


def test_the_app_is_installable(browser, live_server, courses, tmp_path):
    """As Chromium judges it, in a profile of its own (not incognito, as test contexts are)."""
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=browser_path(),
        headless=True,
        args=CHROMIUM_ARGS,
        base_url=live_server,
    )
    try:
        page = context.new_page()
        page.goto("/")
        settled(page, "() => navigator.serviceWorker.ready.then(() => true)")
        page.reload()
        controlled(page)
        session = context.new_cdp_session(page)
        errors = session.send("Page.getInstallabilityErrors")["installabilityErrors"]
        assert errors == []
        manifest = page.request.get("/manifest.webmanifest").json()
        assert manifest["display"] == "standalone" and manifest["lang"] == "vi"
    finally:
        context.close()


def outbox(page: Page) -> list[dict]:
    return page.evaluate("JSON.parse(localStorage.getItem('lms-outbox') || '[]')")


def test_a_course_studied_offline_reaches_the_server_once(page: Page, courses):
    open_signed_in(page, f"/courses/{TAY}")
    page.get_by_role("button", name="Tải về để học không cần mạng").click()
    status = page.locator(".offline-download [data-status]")
    expect(status).to_contain_text("Đã tải về máy")
    expect(page.get_by_role("button", name="Xóa bản tải về")).to_be_visible()
    wait_for(lambda: outbox(page) == [])
    before = counted()

    # No connection: every request fails, the service worker's own fetches included.
    page.context.route("**/*", lambda route: route.abort("internetdisconnected"))
    page.goto(f"/courses/{TAY}/chao-hoi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Chào hỏi")
    answer_greetings(page)
    expect(page.locator("#quiz-on-tap-chao-hoi .offline-note")).to_contain_text(
        "bài làm đã lưu trên máy"
    )
    page.goto(f"/courses/{TAY}/doc-them")  # the second lesson, read offline
    expect(page.get_by_role("heading", level=1)).to_have_text("Đọc thêm")
    page.get_by_role("button", name="Đánh dấu hoàn thành").click()
    expect(page.locator(".complete-box .offline-note")).to_contain_text("đã lưu trên máy")
    page.goto(f"/courses/{TAY}")
    expect(page.locator("#outbox-banner")).to_contain_text("việc học đã lưu trên máy")
    waiting = outbox(page)
    labels = [item["label"] for item in waiting]
    assert labels.count("quiz") == 1 and labels.count("complete") == 1
    ids = [dict(item["fields"])["event_id"] for item in waiting]
    assert len(set(ids)) == len(ids)
    assert counted() == before  # nothing reached the server

    # Back online: the next page sends what waited, in order, and the banner goes.
    page.context.unroute("**/*")
    page.goto("/")
    wait_for(lambda: outbox(page) == [])
    expect(page.locator("#outbox-banner")).to_have_count(0)
    after = counted()
    db.session.expire_all()
    logged = list(db.session.scalars(select(LearningEvent.client_event_id)))
    assert all(logged.count(event_id) == 1 for event_id in ids)  # each item kept, once
    # One event per item, and the quiz's outcome (passed) as an event of its own.
    assert after[0] - before[0] == len(waiting) + 1
    assert (after[1] - before[1], after[2] - before[2]) == (1, 1)  # Đọc thêm; the quiz attempt
    db.session.expire_all()
    assert db.session.scalar(select(QuizAttempt.is_passed)) is True

    # The same items sent again (an answer lost on the way back) count nothing more.
    page.evaluate("(items) => localStorage.setItem('lms-outbox', JSON.stringify(items))", waiting)
    page.reload()
    wait_for(lambda: outbox(page) == [])
    assert counted() == after


def test_an_update_while_a_course_is_stored_keeps_it_whole(page: Page, courses, monkeypatch):
    open_signed_in(page, f"/courses/{TAY}")
    page.get_by_role("button", name="Tải về để học không cần mạng").click()
    expect(page.locator(".offline-download [data-status]")).to_contain_text("Đã tải về máy")
    old_shell = page.evaluate("caches.keys().then((k) => k.filter((n) => n.startsWith('shell-')))")

    # A release: the worker's files change, so a new worker replaces the old one's cache.
    monkeypatch.setattr(shell, "SHELL_FILES", (*shell.SHELL_FILES, "favicon.ico"))
    page.goto("/")
    settled(
        page,
        """(old) => caches.keys().then((names) =>
            names.some((n) => n.startsWith("shell-") && !old.includes(n))
            && !names.some((n) => old.includes(n)))""",
        old_shell,
    )

    # Offline, the stored lesson still opens with the styles it was stored with.
    page.context.route("**/*", lambda route: route.abort("internetdisconnected"))
    page.goto(f"/courses/{TAY}/doc-them")
    expect(page.get_by_role("heading", level=1)).to_have_text("Đọc thêm")
    assert page.evaluate(
        "document.styleSheets.length > 0 && document.styleSheets[0].cssRules.length > 50"
    )


def test_an_offline_attempt_the_server_will_not_count_is_kept_with_its_reason(page: Page, courses):
    open_signed_in(page, f"/courses/{TAY}/chao-hoi")
    page.context.route("**/*", lambda route: route.abort("internetdisconnected"))
    answer_greetings(page)
    expect(page.locator("#quiz-on-tap-chao-hoi .offline-note")).to_be_visible()
    # Meanwhile, on another device, she passed that quiz: a further attempt is not needed.
    mai = db.session.scalar(select(Person).where(Person.username == "mai"))
    lesson = db.session.scalar(select(Lesson).where(Lesson.slug == "chao-hoi"))
    fields = {name[2:]: [value] for name, value in RIGHT_ANSWERS["chao-hoi"].items()}
    outcome = learning.submit_quiz(
        mai, lesson, QUIZ_OF["chao-hoi"], fields, event_id=str(uuid.uuid4()), seconds=30
    )
    assert outcome.attempt.is_passed
    db.session.commit()
    attempts = counted()[2]

    page.context.unroute("**/*")
    page.goto("/")
    wait_for(lambda: outbox(page) == [])
    refused = page.locator("#outbox-refused")
    expect(refused).to_contain_text("không được tính")
    expect(refused).to_contain_text("Bạn đã đạt bài kiểm tra")
    assert counted()[2] == attempts  # kept on the device, not counted
    refused.get_by_role("button", name="Đã hiểu").click()
    expect(refused).to_have_count(0)


def test_a_download_that_fails_keeps_nothing_and_says_so(page: Page, courses):
    open_signed_in(page, f"/courses/{TAY}")
    # The recording cannot be fetched (storage full or the connection lost half-way).
    page.context.route("**/media/**", lambda route: route.abort("internetdisconnected"))
    page.get_by_role("button", name="Tải về để học không cần mạng").click()
    status = page.locator(".offline-download [data-status]")
    expect(status).to_contain_text("Không tải về được")
    assert page.evaluate(f"caches.has('course-{TAY}')") is False
    expect(page.get_by_role("button", name="Xóa bản tải về")).to_be_hidden()
    assert page.evaluate("JSON.parse(localStorage.getItem('lms-offline-courses') || '[]')") == []


def test_the_offline_page_kept_on_a_shared_phone_names_no_one(page: Page, courses):
    """The service worker keeps the offline page from its install until the next release. One
    installed while Mai was signed in must not show her name and menu to whoever uses the
    phone next without a connection: it is fetched as a visitor's."""
    # Signed in before the phone ever ran the worker (as after clearing the site's storage).
    form = page.request.get("/login").text()
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token is not None
    page.request.post(
        "/login", form={"csrf_token": token[1], "username": "mai", "password": PASSWORD}
    )
    page.goto("/")
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    settled(page, "() => navigator.serviceWorker.ready.then(() => true)")
    sign_out(page)

    page.context.route("**/*", lambda route: route.abort("internetdisconnected"))
    page.goto("/plans/")  # never kept on the phone: the offline page answers
    expect(page.get_by_role("heading", level=1)).to_have_text("Không có mạng")
    expect(page.locator("body")).not_to_contain_text("Lò Thị Mai")
    expect(page.get_by_role("button", name="Đăng xuất")).to_have_count(0)


def test_learning_kept_offline_waits_for_its_learner_to_sign_in_again(page: Page, courses):
    """Studying offline can outlast the session (a day without a connection). What was kept on
    the phone waits for its learner: not taken by the sign-in page the server answers with, not
    sent from a visitor's page nor by someone else signed in on the phone, and counted, hers,
    once she signs in again (with her new session's token)."""
    make_person("lan", "Hà Thị Lan", unit=make_unit("VP", "Văn phòng"))
    db.session.commit()
    open_signed_in(page, f"/courses/{TAY}/chao-hoi")
    page.context.route("**/*", lambda route: route.abort("internetdisconnected"))
    answer_greetings(page)
    expect(page.locator("#quiz-on-tap-chao-hoi .offline-note")).to_be_visible()
    attempts = counted()[2]

    def quizzes_kept() -> int:
        return sum(1 for item in outbox(page) if item["label"] == "quiz")

    # Meanwhile her session ends: the server signs her out.
    db.session.execute(update(UserSession).values(revoked_at=utcnow()))
    db.session.commit()
    page.context.unroute("**/*")
    # Back online on her page: the server answers the quiz with the sign-in page.
    with page.expect_response(lambda response: "/login" in response.url):
        page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_timeout(300)  # time enough for the answer to be read
    assert quizzes_kept() == 1 and counted()[2] == attempts

    page.goto("/")  # a visitor's page: nothing is sent from it
    expect(page.get_by_role("button", name="Đăng xuất")).to_have_count(0)
    sign_in(page, "lan")  # a colleague borrows the phone
    page.goto("/")
    expect(page.locator("#outbox-banner")).to_contain_text("khi người học đã lưu chúng đăng nhập")
    page.wait_for_timeout(300)  # time enough to send, were it sent
    assert quizzes_kept() == 1 and counted()[2] == attempts
    sign_out(page)

    sign_in(page, "mai")
    wait_for(lambda: quizzes_kept() == 0)
    wait_for(lambda: counted()[2] == attempts + 1)
    expect(page.locator("#outbox-refused")).to_have_count(0)
    db.session.expire_all()
    mai = db.session.scalar(select(Person).where(Person.username == "mai"))
    assert db.session.scalar(select(QuizAttempt.person_id)) == mai.id


def test_learning_kept_offline_waits_while_a_password_must_be_changed(page: Page, courses):
    """A password reset meanwhile: the server answers what was sent with the password page (a
    gate), which takes nothing; once the password is changed, it is sent and counted."""
    open_signed_in(page, f"/courses/{TAY}/chao-hoi")
    page.context.route("**/*", lambda route: route.abort("internetdisconnected"))
    answer_greetings(page)
    expect(page.locator("#quiz-on-tap-chao-hoi .offline-note")).to_be_visible()
    attempts = counted()[2]
    db.session.execute(update(Person).values(must_change_password=True))
    db.session.commit()

    page.context.unroute("**/*")
    with page.expect_response(lambda response: "/account/password" in response.url):
        page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_timeout(300)  # time enough for the answer to be read
    assert [item["label"] for item in outbox(page)].count("quiz") == 1
    assert counted()[2] == attempts

    db.session.execute(update(Person).values(must_change_password=False))  # changed meanwhile
    db.session.commit()
    page.goto("/")
    wait_for(lambda: counted()[2] == attempts + 1)
    wait_for(lambda: [item["label"] for item in outbox(page)].count("quiz") == 0)


def test_a_kept_item_the_server_refuses_in_plain_words_is_shown_and_not_sent_again(
    page: Page, courses
):
    """The time beacon's refusals are plain text (a lesson gone or retired): the item is
    shown with that reason and leaves the outbox, not kept to block what comes after it."""
    open_signed_in(page, f"/courses/{TAY}")
    mai = db.session.scalar(select(Person.id).where(Person.username == "mai"))
    gone = {
        "id": "gone",
        "url": "/learning/events",
        "fields": [["csrf_token", "old"], ["course", TAY], ["lesson", "khong-con-nua"]],
        "label": "time",
        "at": "2026-01-05T08:00:00.000Z",
        "person": str(mai),
    }
    page.evaluate("(item) => localStorage.setItem('lms-outbox', JSON.stringify([item]))", gone)
    page.reload()
    wait_for(lambda: outbox(page) == [])
    expect(page.locator("#outbox-refused")).to_contain_text("Không tìm thấy bài học.")


def test_a_colleague_signed_in_on_the_phone_finds_none_of_the_last_learner_s_pages(
    page: Page, courses
):
    """The pages the worker kept for Mai go when someone else signs in on the phone, as her
    signing out would have made them go, though her session ended without it."""
    make_person("lan", "Hà Thị Lan", unit=make_unit("VP", "Văn phòng"))
    db.session.commit()
    open_signed_in(page, f"/courses/{TAY}/chao-hoi")  # kept on the phone, with her name
    db.session.execute(update(UserSession).values(revoked_at=utcnow()))
    db.session.commit()

    sign_in(page, "lan")
    page.goto("/")
    settled(
        page,
        "(path) => caches.match(path, { ignoreVary: true }).then((kept) => !kept)",
        f"/courses/{TAY}/chao-hoi",
    )
    page.context.route("**/*", lambda route: route.abort("internetdisconnected"))
    page.goto(f"/courses/{TAY}/chao-hoi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Không có mạng")
    expect(page.locator("body")).not_to_contain_text("Lò Thị Mai")
