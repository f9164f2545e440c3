"""A learner in Chromium adds a lesson's words to the review deck and reviews 20 cards by
keyboard alone; the next due dates are those fsrs computes for the grades given. At phone and
desktop size, axe clean, by ear too."""

from __future__ import annotations

import pytest
from fsrs import Card, Rating, Scheduler
from playwright.sync_api import Page, expect
from sqlalchemy import select

from lms.db import db
from lms.i18n import vn_moment
from lms.review.models import ReviewCard, ReviewLog
from tests.browser.conftest import DESKTOP, PHONE, accessible, fits_the_screen, sign_in
from tests.factories import make_person
from tests.review.content import SLUG, WORDS, make_vocab_course

pytestmark = pytest.mark.browser

GRADES = "1234" * 5  # Again, Hard, Good, Easy: twenty cards


@pytest.fixture
def learner(app, tmp_path):
    make_vocab_course(tmp_path / "courses", synthetic_audio=True)
    make_person("mai", "Lò Thị Mai")
    db.session.commit()


@pytest.mark.parametrize("screen", [DESKTOP, PHONE], ids=lambda screen: screen.name)
def test_a_learner_reviews_twenty_cards_by_keyboard(page: Page, learner, axe, app):
    sign_in(page, "mai")
    page.goto(f"/courses/{SLUG}/tu-vung")
    page.get_by_role("button", name="Thêm các từ của bài vào thẻ ôn tập").click()
    expect(page.get_by_text(f"Đã thêm {len(WORDS)} từ vào thẻ ôn tập của bạn.")).to_be_visible()
    page.goto("/")
    page.get_by_role("link", name=f"{len(WORDS)} thẻ cần ôn hôm nay").click()

    for number, grade in enumerate(GRADES):
        expect(
            page.get_by_role("heading", name="Nói to từ có nghĩa là", exact=False)
        ).to_be_visible()
        if number == 0:
            fits_the_screen(page)
            accessible(axe, page)
        page.keyboard.press("Enter")  # reveal the answer
        expect(page.locator(".review-word")).to_be_visible()
        expect(page.get_by_text("giọng đọc tổng hợp", exact=False).first).to_be_visible()
        if number == 0:
            accessible(axe, page)
        page.keyboard.press(grade)
        expect(page.get_by_text("Lần ôn tới:", exact=False)).to_be_visible()

    # Every grading's next due date is what fsrs itself gives for that grade at that moment.
    db.session.expire_all()
    logs = db.session.scalars(select(ReviewLog).order_by(ReviewLog.id)).all()
    assert [log.rating for log in logs] == [int(grade) for grade in GRADES]
    scheduler = Scheduler(enable_fuzzing=False)
    for log in logs:
        card = db.session.get(ReviewCard, log.card_id)
        expected, _log = scheduler.review_card(
            Card(card_id=card.id, due=card.created_at), Rating(log.rating), log.reviewed_at
        )
        assert (card.due, log.due_after) == (expected.due, expected.due)
    last = db.session.get(ReviewCard, logs[-1].card_id)
    expect(page.get_by_text(f"Lần ôn tới: {vn_moment(last.due)}.")).to_be_visible()

    # A card asked by ear: choose the meaning with its number key, send with Enter.
    card = db.session.scalars(select(ReviewCard).where(ReviewCard.reviews == 0)).first()
    card.reviews = 1
    db.session.commit()
    page.goto("/review/")
    expect(page.get_by_role("heading", name="Nghe rồi chọn nghĩa")).to_be_visible()
    fits_the_screen(page)
    accessible(axe, page)
    options = page.locator('input[name="answer"]')
    right = next(
        index
        for index in range(options.count())
        if options.nth(index).get_attribute("value") == card.meaning
    )
    page.keyboard.press(str(right + 1))
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"Đúng: “{card.word}”.", exact=False)).to_be_visible()
