"""Spaced review: words added once, graded by FSRS (the package's own scheduler), replays
harmless, review time counted as the course's engaged time and never as credit."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from fsrs import Card, Rating, Scheduler, State
from sqlalchemy import func, select

from lms.db import db, utcnow
from lms.learning.models import CourseProgress, LearningEvent, LessonProgress
from lms.progress.models import Credit
from lms.review import services
from lms.review.models import ReviewCard, ReviewLog
from lms.review.services import AGAIN, GOOD, HARD, LISTEN, SPEAK, TYPE, ReviewError
from tests.factories import make_person
from tests.review.content import WORDS, make_vocab_course


@pytest.fixture
def lesson(app, tmp_path):
    return make_vocab_course(tmp_path / "courses", synthetic_audio=True)


@pytest.fixture
def learner(app):
    person = make_person("mai", "Lò Thị Mai")
    db.session.commit()
    return person


def cards(person) -> dict[str, ReviewCard]:
    return {
        card.word: card
        for card in db.session.scalars(select(ReviewCard).where(ReviewCard.person_id == person.id))
    }


def answer(person, card, *, mode=SPEAK, rating="3", text="", stamp="", event=None):
    with_stamp = stamp or services.card_stamp(card, utcnow() - timedelta(seconds=20))
    graded = services.answer_card(
        person,
        card,
        mode=mode,
        answer=text,
        rating=rating,
        event_id=event or str(uuid.uuid4()),
        stamp=with_stamp,
    )
    db.session.commit()
    return graded


def test_a_lessons_words_are_added_once_with_their_audio(lesson, learner):
    items = services.lesson_items(lesson)
    assert [(item.word, item.meaning) for item in items] == WORDS
    assert all(item.audio_url.startswith("/media/tu-vung-tay/") for item in items)

    assert services.add_items(learner, items, language="tyz", lesson=lesson) == len(WORDS)
    db.session.commit()
    # Again, or written otherwise (case, the kind of apostrophe): nothing more.
    again = [services.Item("ĐEO", "một"), services.Item("Slam", "ba"), services.Item("t’ua", "con")]
    assert services.add_items(learner, [*again, *items], language="tyz", lesson=lesson) == 0
    # Words told apart by their tone marks only are two words.
    apart = [services.Item("bân", "trời"), services.Item("bản", "làng")]
    assert services.add_items(learner, apart, language="tyz", lesson=lesson) == 2
    db.session.commit()
    deck = cards(learner)
    assert len(deck) == len(WORDS) + 2
    assert deck["t'ua"].audio_synthetic is True
    assert (deck["kin"].course_id, deck["kin"].lesson_id) == (lesson.course_id, lesson.id)


def test_grading_follows_fsrs_itself(lesson, learner):
    services.add_items(learner, services.lesson_items(lesson), language="tyz", lesson=lesson)
    db.session.commit()
    card = cards(learner)["kin"]
    expected = Card(card_id=card.id, due=card.due)
    scheduler = Scheduler(enable_fuzzing=False)
    for rating in ("3", "3", "1", "4"):
        graded = answer(learner, card, rating=rating)
        log = db.session.scalars(select(ReviewLog).order_by(ReviewLog.id.desc())).first()
        expected, _log = scheduler.review_card(
            expected, Rating(int(rating)), review_datetime=log.reviewed_at
        )
        assert graded.rating == int(rating)
        assert (card.due, card.state, card.step) == (
            expected.due,
            int(expected.state),
            expected.step,
        )
        assert card.stability == pytest.approx(expected.stability)
        assert log.due_after == card.due
    assert card.reviews == 4
    assert State(card.state) == State.Review


def test_again_brings_a_card_back_within_minutes_and_good_moves_it_on(lesson, learner):
    services.add_items(learner, services.lesson_items(lesson)[:2], language="tyz", lesson=lesson)
    db.session.commit()
    forgotten, known = cards(learner)["đeo"], cards(learner)["slong"]
    answer(learner, forgotten, rating="1")
    answer(learner, known, rating="4")
    assert forgotten.due - utcnow() < timedelta(minutes=2)
    assert known.due - utcnow() > timedelta(days=1)


def test_a_repeated_send_is_graded_once(lesson, learner):
    services.add_items(learner, services.lesson_items(lesson)[:1], language="tyz", lesson=lesson)
    db.session.commit()
    card = cards(learner)["đeo"]
    event = str(uuid.uuid4())
    first = answer(learner, card, rating="3", event=event)
    due = card.due
    again = answer(learner, card, rating="1", event=event)
    assert (first.is_replay, again.is_replay) == (False, True)
    assert card.due == due and card.reviews == 1
    assert db.session.scalar(select(func.count()).select_from(ReviewLog)) == 1


@pytest.mark.parametrize(
    ("mode", "text", "rating"),
    [
        (TYPE, "t'ua", GOOD),
        (TYPE, "T’UA", GOOD),  # case and the kind of apostrophe do not matter
        (TYPE, "tua", HARD),  # right but for the apostrophe
        (TYPE, "tuà", HARD),  # right but for a mark
        (TYPE, "mác", AGAIN),
        (LISTEN, "con (loại từ)", GOOD),
        (LISTEN, "quả", AGAIN),
    ],
)
def test_typed_and_chosen_answers_map_to_ratings(lesson, learner, mode, text, rating):
    services.add_items(learner, services.lesson_items(lesson), language="tyz", lesson=lesson)
    db.session.commit()
    graded = answer(learner, cards(learner)["t'ua"], mode=mode, text=text, rating=None)
    assert graded.rating == rating


@pytest.mark.parametrize(
    ("mode", "text", "rating", "message"),
    [
        (SPEAK, "", None, "Hãy tự chấm"),
        (SPEAK, "", "5", "Hãy tự chấm"),
        (TYPE, "  ", None, "Hãy gõ từ cần nhớ."),
        (LISTEN, "", None, "Hãy chọn một nghĩa."),
        ("draw", "", "3", "Cách ôn này không dùng được"),
    ],
)
def test_an_answer_without_what_it_needs_changes_nothing(
    lesson, learner, mode, text, rating, message
):
    services.add_items(learner, services.lesson_items(lesson)[:1], language="tyz", lesson=lesson)
    db.session.commit()
    card = cards(learner)["đeo"]
    with pytest.raises(ReviewError, match=message):
        answer(learner, card, mode=mode, text=text, rating=rating)
    db.session.rollback()
    assert card.reviews == 0
    assert db.session.scalar(select(func.count()).select_from(ReviewLog)) == 0


def test_review_time_is_the_courses_engaged_time_and_never_credit(app, lesson, learner):
    services.add_items(learner, services.lesson_items(lesson), language="tyz", lesson=lesson)
    db.session.commit()
    deck = cards(learner)
    now = utcnow()
    # Shown 20 s ago: 20 s count; shown an hour ago: the cap per answer.
    answer(
        learner, deck["kin"], stamp=services.card_stamp(deck["kin"], now - timedelta(seconds=20))
    )
    answer(learner, deck["nòn"], stamp=services.card_stamp(deck["nòn"], now - timedelta(hours=1)))
    # A forged or another card's stamp: nothing counts, the grading still does.
    answer(learner, deck["pây"], stamp=services.card_stamp(deck["kin"], now))
    cap = app.config["REVIEW_MAX_SECONDS"]
    progress = db.session.scalars(select(LessonProgress)).one()
    assert progress.seconds_spent in (20 + cap, 21 + cap)
    assert progress.completed_at is None
    events = db.session.scalars(select(LearningEvent.kind)).all()
    assert events == ["reviewed", "reviewed"]
    course = db.session.scalars(select(CourseProgress)).one()
    assert course.completed_at is None and course.hours_credited is None
    assert db.session.scalar(select(func.count()).select_from(Credit)) == 0
    seconds = db.session.scalars(select(ReviewLog.seconds).order_by(ReviewLog.id)).all()
    assert seconds[1:] == [cap, 0] and seconds[0] in (20, 21)


def test_a_dictionary_entry_is_reviewed_without_a_course(app, learner):
    from lms.dictionary import services as dictionary
    from lms.dictionary.models import DictionaryEntry
    from tests.dictionary.files import dictionary_csv, entry_line

    dictionary.import_file("tyz.csv", dictionary_csv(entry_line("kin", "kin", "ăn; uống")))
    entry = db.session.scalars(select(DictionaryEntry)).one()
    assert services.add_items(learner, [services.entry_item(entry)], language="tyz") == 1
    db.session.commit()
    card = cards(learner)["kin"]
    assert (card.meaning, card.entry_id, card.course_id) == ("ăn; uống", entry.id, None)
    assert services.modes_of(card) == (SPEAK, TYPE)  # no recording: not by ear
    answer(learner, card)
    assert db.session.scalar(select(ReviewLog.seconds)) in (20, 21)
    assert db.session.scalar(select(func.count()).select_from(LearningEvent)) == 0
