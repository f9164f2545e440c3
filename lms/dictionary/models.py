"""A dictionary entry of one language, and the folded words it is found by."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import Model, UTCDateTime, sort_key_type, utcnow


class DictionaryEntry(Model):
    """A headword of one language with its Vietnamese meanings, examples and source.

    key names the entry within its language for good (lessons and re-imports refer to it); the
    headword is kept as written (NFC), its folded form orders and finds it. Recordings of the
    entry will point here (entry_id)."""

    __tablename__ = "dictionary_entry"
    __table_args__ = (
        UniqueConstraint("language", "key"),
        Index("ix_dictionary_entry_language_folded", "language", "headword_folded"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    language: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(80))
    headword: Mapped[str] = mapped_column(String(200))
    headword_folded: Mapped[str] = mapped_column(sort_key_type())
    # Vietnamese meanings in order; examples as [sentence, translation] pairs.
    meanings: Mapped[list[str]] = mapped_column(JSON)
    examples: Mapped[list[Any]] = mapped_column(JSON, default=list)
    part_of_speech: Mapped[str] = mapped_column(String(40), default="")
    dialect: Mapped[str] = mapped_column(String(200), default="")
    transcription: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(String(500))
    source_page: Mapped[str] = mapped_column(String(300), default="")
    is_published: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    words: Mapped[list[DictionaryWord]] = relationship(
        back_populates="entry", cascade="all, delete-orphan"
    )


class DictionaryWord(Model):
    """One folded word of an entry's headword or meanings: searches read this index, by
    prefix, rather than every entry's text. It carries what a search filters and orders by
    (the entry's folded headword, whether it is published), so a search reads the entries of
    its page only."""

    __tablename__ = "dictionary_word"
    __table_args__ = (Index("ix_dictionary_word_language_word", "language", "word"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("dictionary_entry.id", ondelete="CASCADE"), index=True
    )
    language: Mapped[str] = mapped_column(String(16))
    word: Mapped[str] = mapped_column(sort_key_type())
    is_headword: Mapped[bool] = mapped_column(default=False)
    headword_folded: Mapped[str] = mapped_column(sort_key_type())
    is_published: Mapped[bool] = mapped_column(default=True)

    entry: Mapped[DictionaryEntry] = relationship(back_populates="words")


class Speaker(Model):
    """A person whose voice is recorded: maybe no civil servant and no user of the platform.
    Their written consent (the consent text's version they signed, the day, and a scan of
    the signed form or who witnessed it) comes before any recording; withdrawn, it stops
    every recording of theirs at once (Nghị định 13/2023)."""

    __tablename__ = "speaker"

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(String(200))
    locality: Mapped[str] = mapped_column(String(200), default="")
    birth_year: Mapped[int | None]
    contact: Mapped[str] = mapped_column(String(200), default="")
    consent_version: Mapped[str] = mapped_column(String(20))
    consent_on: Mapped[date]
    consent_document: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    consent_document_type: Mapped[str] = mapped_column(String(40), default="")
    consent_witness: Mapped[str] = mapped_column(String(300), default="")
    withdrawn_on: Mapped[date | None]
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RecordingStatus(StrEnum):
    PENDING = "pending"  # waits for an editor
    APPROVED = "approved"  # published with its entry
    RETURNED = "returned"  # sent back with a comment, to record again
    WITHDRAWN = "withdrawn"  # the speaker withdrew consent: never served, deleted later


class Recording(Model):
    """A recording of an entry's headword or one of its examples, by a speaker who consented,
    under a licence; published only once an editor approves it."""

    __tablename__ = "recording"
    __table_args__ = (Index("ix_recording_entry_status", "entry_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("dictionary_entry.id", ondelete="CASCADE"))
    # "headword", or "example-N" for the entry's N-th example (1-based).
    part: Mapped[str] = mapped_column(String(20), default="headword")
    speaker_id: Mapped[int] = mapped_column(ForeignKey("speaker.id"), index=True)
    contributor_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    licence: Mapped[str] = mapped_column(String(20))
    locality: Mapped[str] = mapped_column(String(200), default="")
    recorded_on: Mapped[date]
    content_type: Mapped[str] = mapped_column(String(20))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    milliseconds: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    status: Mapped[RecordingStatus] = mapped_column(String(12), default=RecordingStatus.PENDING)
    review_comment: Mapped[str] = mapped_column(String(500), default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when consent is withdrawn: `flask dictionary purge-recordings` deletes it after.
    delete_after: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    speaker: Mapped[Speaker] = relationship()
    entry: Mapped[DictionaryEntry] = relationship()
