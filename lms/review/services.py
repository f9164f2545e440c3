"""Adding words to a learner's deck and grading them with FSRS.

The scheduler is the `fsrs` package's, not ours: a card's memory state is stored in the columns
of fsrs.Card and handed back to it at each grading. How a card is asked rotates with its
reviews among what it can be asked by (hear it and choose the meaning, say it aloud from the
meaning and grade oneself, type it); a choice or a typed answer maps to a rating here.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from flask import current_app
from lxml import html as lxml_html
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import Person
from lms.courses.models import Lesson
from lms.courses.queries import lesson_html_now
from lms.db import db, utcnow
from lms.dictionary import queries as dictionary_queries
from lms.dictionary.models import DictionaryEntry
from lms.errors import UserError
from lms.i18n import gettext as _
from lms.learning import services as learning
from lms.learning.rules import page_stamp, read_stamp
from lms.review.models import ReviewCard, ReviewLog
from lms.text import fold, nfc, search_normal

LISTEN, SPEAK, TYPE = "listen", "speak", "type"
MODES = (SPEAK, LISTEN, TYPE)  # a new card is first met with its answer shown
AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4
RATINGS = (AGAIN, HARD, GOOD, EASY)
STAMP_PURPOSE = "review-card"
MAX_WORD = 200


class ReviewError(UserError):
    """A review action refused, with the reason to show."""


@dataclass(frozen=True)
class Item:
    """A word to add to a deck, wherever it comes from."""

    word: str
    meaning: str
    audio_url: str | None = None
    entry_id: int | None = None


def scheduler():
    """The FSRS scheduler with the app's settings (fuzzing off in tests, so due dates can be
    checked against fsrs itself)."""
    from fsrs import Scheduler

    config = current_app.config
    return Scheduler(
        desired_retention=config["REVIEW_DESIRED_RETENTION"],
        enable_fuzzing=config["REVIEW_FUZZING"],
    )


# Adding --------------------------------------------------------------------------------------


def lesson_items(lesson: Lesson) -> list[Item]:
    """The words of the lesson's vocabulary tables, as the learner sees them (rows naming a
    dictionary entry as the dictionary has them today)."""
    if 'class="vocab"' not in lesson.body_html:
        return []
    body = lesson_html_now(lesson)
    tree = lxml_html.fragment_fromstring(body, create_parent="div")
    items = []
    for row in tree.xpath(".//table[contains(@class, 'vocab')]/tbody/tr"):
        cells = row.xpath("./td")
        if len(cells) < 2:
            continue
        word = (cells[0].text or "").strip()
        meaning = (cells[1].text or "").strip()
        sources = cells[2].xpath(".//audio/@src") if len(cells) > 2 else []
        if not meaning:
            continue
        items.append(Item("" if word == "—" else word, meaning, sources[0] if sources else None))
    return items


def entry_item(entry: DictionaryEntry) -> Item:
    """A dictionary entry as a card: with its native recording, once one is approved."""
    shown = dictionary_queries.entry_texts(entry.language, [entry.key]).get(entry.key)
    meaning = shown.meaning if shown else "; ".join(entry.meanings)
    return Item(entry.headword, meaning, shown.audio_url if shown else None, entry.id)


def word_key(item: Item) -> str:
    """What tells two words of a language apart in a deck: the written word with case, Unicode
    form and the kind of apostrophe aside, its tone marks kept (bân "trời" is not bản "làng");
    for a spoken-only word, its meaning."""
    return search_normal(item.word) if item.word else "~" + search_normal(item.meaning)


def add_items(
    person: Person,
    items: Iterable[Item],
    *,
    language: str,
    lesson: Lesson | None = None,
) -> int:
    """Add to the person's deck the items not in it yet (a word is in a deck once per language);
    return how many were added. Nothing is committed here."""
    wanted: dict[str, Item] = {}
    for item in items:
        wanted.setdefault(word_key(item)[:MAX_WORD], item)
    if not wanted:
        return 0
    have = set(
        db.session.scalars(
            select(ReviewCard.word_folded).where(
                ReviewCard.person_id == person.id,
                ReviewCard.language == language,
                ReviewCard.word_folded.in_(list(wanted)),
            )
        )
    )
    now = utcnow()
    added = 0
    for key, item in wanted.items():
        if key in have:
            continue
        db.session.add(
            ReviewCard(
                person_id=person.id,
                language=language,
                word=nfc(item.word)[:MAX_WORD],
                word_folded=key,
                meaning=item.meaning,
                audio_url=item.audio_url,
                # A course's own recordings may be synthetic; a dictionary's never are.
                audio_synthetic=bool(
                    item.audio_url
                    and item.audio_url.startswith("/media/")
                    and lesson
                    and lesson.course.synthetic_audio
                ),
                course_id=lesson.course_id if lesson else None,
                lesson_id=lesson.id if lesson else None,
                entry_id=item.entry_id,
                due=now,
            )
        )
        added += 1
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:  # the same words added at the same moment by another request
        return 0
    return added


# Asking --------------------------------------------------------------------------------------


def modes_of(card: ReviewCard) -> tuple[str, ...]:
    """The ways a card can be asked: by ear needs a recording, typing needs a written word."""
    return tuple(
        mode for mode in MODES if (mode != LISTEN or card.audio_url) and (mode != TYPE or card.word)
    )


def mode_of(card: ReviewCard) -> str:
    """How the card is asked this time: the ways it can be asked, in turn."""
    modes = modes_of(card)
    return modes[card.reviews % len(modes)]


def card_stamp(card: ReviewCard, now: datetime) -> str:
    return page_stamp(card.id, now, STAMP_PURPOSE)


# Grading -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Graded:
    card: ReviewCard
    rating: int
    is_replay: bool
    seconds: int = 0


def rating_of(card: ReviewCard, mode: str, answer: str, rating: str | None) -> int:
    """The FSRS rating an answer earns: the learner's own grade after saying the word aloud;
    a choice of meaning right (Good) or wrong (Again); a typed word exact but for case (Good),
    right but for its diacritics or apostrophes (Hard), else Again."""
    if mode == SPEAK:
        if rating is None or not rating.isdigit() or int(rating) not in RATINGS:
            raise ReviewError(_("Hãy tự chấm: Quên, Khó, Nhớ hoặc Dễ."))
        return int(rating)
    if mode == LISTEN:
        if not answer:
            raise ReviewError(_("Hãy chọn một nghĩa."))
        return GOOD if answer == card.meaning else AGAIN
    if not answer.strip():
        raise ReviewError(_("Hãy gõ từ cần nhớ."))
    if search_normal(answer) == search_normal(card.word):
        return GOOD
    return HARD if fold(answer).replace("'", "") == fold(card.word).replace("'", "") else AGAIN


def answer_card(
    person: Person,
    card: ReviewCard,
    *,
    mode: str,
    answer: str = "",
    rating: str | None = None,
    event_id: str | None,
    stamp: str | None,
) -> Graded:
    """Grade the card once for this event id: FSRS reschedules it, the grading is logged, and
    the seconds since the card was shown (capped) count as engaged time of the course it came
    from. A repeated send of the same event changes nothing."""
    event = learning.parse_event_id(event_id)
    logged = db.session.scalar(select(ReviewLog).where(ReviewLog.event_id == event))
    if logged is not None:
        if logged.card_id != card.id or logged.person_id != person.id:
            raise ReviewError(
                _("Mã sự kiện này đã được dùng cho một việc khác. Hãy tải lại trang.")
            )
        return Graded(card, logged.rating, is_replay=True)
    if mode not in modes_of(card):
        raise ReviewError(_("Cách ôn này không dùng được cho thẻ này. Hãy tải lại trang."))
    given = rating_of(card, mode, answer, rating)
    now = utcnow()
    view = read_stamp(stamp, card.id, now, STAMP_PURPOSE)
    limit = current_app.config["REVIEW_MAX_SECONDS"]
    seconds = min(view.seconds_open, limit) if view is not None else 0
    from fsrs import Card, Rating, State

    memory = Card(
        card_id=card.id,
        state=State(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
    )
    memory, _log = scheduler().review_card(
        memory, Rating(given), review_datetime=now, review_duration=seconds * 1000
    )
    log = ReviewLog(
        event_id=event,
        card_id=card.id,
        person_id=person.id,
        course_id=card.course_id,
        rating=given,
        mode=mode,
        answer=answer[:MAX_WORD],
        reviewed_at=now,
        seconds=seconds,
        due_after=memory.due,
    )
    try:
        with db.session.begin_nested():
            db.session.add(log)
            db.session.flush()
    except IntegrityError:  # the same send, at the same moment
        return Graded(card, given, is_replay=True)
    card.state = int(memory.state)
    card.step = memory.step
    card.stability = memory.stability
    card.difficulty = memory.difficulty
    card.due = memory.due
    card.last_review = memory.last_review
    card.reviews += 1
    if card.lesson_id is not None and seconds:
        lesson = db.session.get(Lesson, card.lesson_id)
        if lesson is not None:
            derived = str(uuid.uuid5(uuid.UUID(event), "review-time"))
            learning.record_review_time(person, lesson, event_id=derived, seconds=seconds)
    db.session.flush()
    return Graded(card, given, is_replay=False, seconds=seconds)


def end_of_day(now: datetime, zone: tzinfo) -> datetime:
    """The end of the agency's day that now falls in: cards due by then are due today."""
    local = now.astimezone(zone)
    return (
        local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    ).astimezone(now.tzinfo)
