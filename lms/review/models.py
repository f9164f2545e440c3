"""A learner's review cards and the log of every grading."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Model, UTCDateTime, sort_key_type, utcnow


class ReviewCard(Model):
    """One word in a learner's deck, with its FSRS memory state (state, step, stability,
    difficulty, due, last review: the columns of fsrs.Card). A word is in a deck once per
    language (its folded form decides), whichever lesson or dictionary it was added from."""

    __tablename__ = "review_card"
    __table_args__ = (
        UniqueConstraint("person_id", "language", "word_folded"),
        Index("ix_review_card_person_due", "person_id", "due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    language: Mapped[str] = mapped_column(String(16))
    # The word as written; empty for a spoken-only word (then it is reviewed by ear).
    word: Mapped[str] = mapped_column(String(200))
    word_folded: Mapped[str] = mapped_column(sort_key_type())
    meaning: Mapped[str] = mapped_column(Text)
    audio_url: Mapped[str | None] = mapped_column(String(300))
    audio_synthetic: Mapped[bool] = mapped_column(default=False)
    # Where it came from: a lesson of a course (its review time is that course's engaged
    # time), or a dictionary entry (engaged time only, on the review log).
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id"))
    lesson_id: Mapped[int | None] = mapped_column(ForeignKey("lesson.id"))
    entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("dictionary_entry.id", ondelete="SET NULL")
    )
    state: Mapped[int] = mapped_column(default=1)  # fsrs.State: 1 learning, 2 review, 3 relearning
    step: Mapped[int | None] = mapped_column(default=0)
    stability: Mapped[float | None] = mapped_column(Float)
    difficulty: Mapped[float | None] = mapped_column(Float)
    due: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_review: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviews: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReviewLog(Model):
    """One grading of a card: the rating given, how it was asked, when, and the seconds
    counted as engaged time. The event id (from the form) makes a repeated send harmless."""

    __tablename__ = "review_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    card_id: Mapped[int] = mapped_column(
        ForeignKey("review_card.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id"))
    rating: Mapped[int]  # fsrs.Rating: 1 again, 2 hard, 3 good, 4 easy
    mode: Mapped[str] = mapped_column(String(10))  # listen, speak, type
    answer: Mapped[str] = mapped_column(String(200), default="")
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    seconds: Mapped[int] = mapped_column(default=0)
    due_after: Mapped[datetime] = mapped_column(UTCDateTime)
