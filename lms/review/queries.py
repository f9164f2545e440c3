"""Reading a learner's deck: what is due, the next card, the meanings to choose among."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BindParameter, bindparam, func, select

from lms.db import db, read
from lms.review.models import ReviewCard

MAX_CHOICES = 4

_PERSON: BindParameter[int] = bindparam("person_id")
_UNTIL: BindParameter[datetime] = bindparam("until")
# Built once: the home page runs it on every visit; the (person, due) index answers it.
_DUE_COUNT = select(func.count()).where(ReviewCard.person_id == _PERSON, ReviewCard.due <= _UNTIL)


def due_count(person_id: int, until: datetime) -> int:
    """How many of the person's cards are due by until."""
    return read(_DUE_COUNT, {"person_id": person_id, "until": until}).scalar() or 0


@dataclass(frozen=True)
class Deck:
    total: int
    due_now: int
    due_today: int


def deck(person_id: int, now: datetime, end_of_day: datetime) -> Deck:
    total, due_now, due_today = db.session.execute(
        select(
            func.count(),
            func.count().filter(ReviewCard.due <= now),
            func.count().filter(ReviewCard.due <= end_of_day),
        ).where(ReviewCard.person_id == person_id)
    ).one()
    return Deck(total, due_now, due_today)


def next_card(person_id: int, now: datetime) -> ReviewCard | None:
    """The person's card that has waited longest among those due now."""
    return db.session.scalar(
        select(ReviewCard)
        .where(ReviewCard.person_id == person_id, ReviewCard.due <= now)
        .order_by(ReviewCard.due, ReviewCard.id)
        .limit(1)
    )


def card_of(person_id: int, card_id: int) -> ReviewCard | None:
    """The card if it is the person's."""
    return db.session.scalar(
        select(ReviewCard).where(ReviewCard.id == card_id, ReviewCard.person_id == person_id)
    )


def choices(card: ReviewCard) -> list[str]:
    """The meanings to choose among when the card is heard: its own and up to three others of
    the learner's words in the language, in an order fixed for this review of the card."""
    others = db.session.scalars(
        select(ReviewCard.meaning)
        .where(
            ReviewCard.person_id == card.person_id,
            ReviewCard.language == card.language,
            ReviewCard.id != card.id,
            ReviewCard.meaning != card.meaning,
        )
        .distinct()
        .order_by(ReviewCard.meaning)
        .limit(50)
    ).all()
    seed = int.from_bytes(hashlib.sha256(f"{card.id}/{card.reviews}".encode()).digest()[:8])
    shuffle = random.Random(seed)
    picked = shuffle.sample(others, min(len(others), MAX_CHOICES - 1))
    options = [card.meaning, *picked]
    shuffle.shuffle(options)
    return options
