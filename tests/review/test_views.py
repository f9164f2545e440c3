"""The review pages through the Flask client: adding a lesson's words, the session by each way
of asking, refusals, other people's cards, the due count on the home page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lms.db import db
from lms.review.models import ReviewCard
from tests.factories import make_person
from tests.review.content import SLUG, WORDS, make_vocab_course

LESSON = f"/courses/{SLUG}/tu-vung"


@pytest.fixture
def lesson(app, tmp_path):
    return make_vocab_course(tmp_path / "courses")


@pytest.fixture
def learner(app, login, lesson):
    person = make_person("mai", "Lò Thị Mai")
    db.session.commit()
    login("mai")
    return person


def form_fields(page: str) -> dict[str, str]:
    fields = dict(re.findall(r'name="(event_id|stamp|mode)" value="([^"]*)"', page))
    fields["card"] = re.search(r'action="/review/cards/(\d+)"', page).group(1)
    return fields


def test_a_lessons_words_are_added_from_its_page_once(client, learner):
    page = client.get(LESSON).text
    assert "Thêm các từ của bài vào thẻ ôn tập" in page
    added = client.post(f"{LESSON}/review-deck", follow_redirects=True)
    assert f"Đã thêm {len(WORDS)} từ vào thẻ ôn tập của bạn." in added.text
    again = client.post(f"{LESSON}/review-deck", follow_redirects=True)
    assert "Các từ này đã có trong thẻ ôn tập của bạn." in again.text
    assert db.session.scalar(select(db.func.count()).select_from(ReviewCard)) == len(WORDS)
    home = client.get("/").text
    assert f"{len(WORDS)} thẻ cần ôn hôm nay" in home


def test_the_session_asks_grades_and_says_when_next(client, learner):
    client.post(f"{LESSON}/review-deck")
    page = client.get("/review/").text
    assert f"Cần ôn hôm nay: {len(WORDS)} thẻ" in page
    # A new card is asked from its meaning first: say it aloud, reveal, grade oneself.
    assert "Nói to từ có nghĩa là" in page and "<details" in page
    fields = form_fields(page)
    assert fields["mode"] == "speak"
    answered = client.post(
        f"/review/cards/{fields['card']}", data={**fields, "rating": "4"}, follow_redirects=True
    )
    assert re.search(r"Đúng: “đeo”\. Lần ôn tới: \d\d/\d\d/\d{4} \d\d:\d\d\.", answered.text)
    card = db.session.get(ReviewCard, int(fields["card"]))
    assert card.reviews == 1


def test_a_card_is_asked_by_ear_and_by_typing_in_turn(client, learner):
    client.post(f"{LESSON}/review-deck")
    card = db.session.scalars(select(ReviewCard).order_by(ReviewCard.id)).first()
    card.reviews = 1  # its second review: by ear
    db.session.commit()
    page = client.get("/review/").text
    assert "Nghe rồi chọn nghĩa" in page
    options = re.findall(r'name="answer" value="([^"]*)"', page)
    assert len(options) == 4 and "một" in options
    fields = form_fields(page)
    wrong = next(option for option in options if option != "một")
    answered = client.post(
        f"/review/cards/{card.id}", data={**fields, "answer": wrong}, follow_redirects=True
    )
    assert "Chưa nhớ “đeo”: thẻ sẽ hỏi lại sớm." in answered.text

    db.session.refresh(card)
    card.reviews, card.due = 2, card.due.replace(year=2000)
    db.session.commit()
    page = client.get("/review/").text
    assert "Gõ từ có nghĩa là" in page
    answered = client.post(
        f"/review/cards/{card.id}",
        data={**form_fields(page), "answer": "Deo"},
        follow_redirects=True,
    )
    assert "“đeo”: gần đúng (chú ý dấu)." in answered.text


def test_an_answer_without_a_grade_is_refused_and_the_card_stays(client, learner):
    client.post(f"{LESSON}/review-deck")
    fields = form_fields(client.get("/review/").text)
    refused = client.post(f"/review/cards/{fields['card']}", data=fields)
    assert refused.status_code == 400
    assert "Hãy tự chấm: Quên, Khó, Nhớ hoặc Dễ." in refused.text
    assert f'action="/review/cards/{fields["card"]}"' in refused.text
    assert db.session.get(ReviewCard, int(fields["card"])).reviews == 0


def test_someone_elses_card_is_not_found(client, login, learner):
    client.post(f"{LESSON}/review-deck")
    fields = form_fields(client.get("/review/").text)
    make_person("thuha", "Nông Thu Hà")
    db.session.commit()
    login("thuha")
    response = client.post(f"/review/cards/{fields['card']}", data={**fields, "rating": "3"})
    assert response.status_code == 404
    assert db.session.get(ReviewCard, int(fields["card"])).reviews == 0


def test_the_session_page_needs_the_same_queries_for_any_deck(
    client, learner, lesson, count_queries, tmp_path
):
    client.post(f"{LESSON}/review-deck")
    client.get("/review/")  # the reference data, read once while unchanged (lms.reference)
    many = count_queries(lambda: client.get("/review/"))
    db.session.execute(db.delete(ReviewCard).where(ReviewCard.word != "đeo"))
    db.session.commit()
    one = count_queries(lambda: client.get("/review/"))
    assert one == many


def test_an_empty_deck_says_how_to_fill_it(client, learner):
    page = client.get("/review/").text
    assert "Bộ thẻ của bạn chưa có từ nào." in page
    assert "thẻ cần ôn hôm nay" not in client.get("/").text


def test_a_dictionary_entry_is_added_from_its_page(client, learner):
    from lms.dictionary import services as dictionary
    from tests.dictionary.files import dictionary_csv, entry_line

    dictionary.import_file("tyz.csv", dictionary_csv(entry_line("kin", "kin", "ăn")))
    db.session.commit()
    assert "Thêm vào thẻ ôn tập" in client.get("/dictionary/tyz/kin").text
    added = client.post("/dictionary/tyz/kin/review-deck", follow_redirects=True)
    assert "Đã thêm 1 từ vào thẻ ôn tập của bạn." in added.text
    assert client.post("/dictionary/tyz/khong-co/review-deck").status_code == 404
