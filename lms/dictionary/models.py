"""A dictionary entry of one language, and the folded words it is found by."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
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
