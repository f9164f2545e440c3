"""Reading the dictionaries: the languages with published entries, a search both ways (headword
and Vietnamese meaning) through the folded-word index, one entry."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from math import ceil

from sqlalchemy import ColumnElement, and_, case, func, literal, select, true

from lms.db import db
from lms.dictionary.audio import recording_path
from lms.dictionary.models import (
    DictionaryEntry,
    DictionaryWord,
    Recording,
    RecordingStatus,
    Speaker,
)
from lms.dictionary.services import dictionary_languages, headword_key, search_words
from lms.pagination import Page, paginate

PER_PAGE = 30
MEANINGS_JOINER = "; "
# The highest character a folded word can hold: word >= w and word < w + TOP is "starts with w",
# a range the (language, word) index answers on both databases.
TOP = "\U0010ffff"


def languages() -> list[tuple[str, str, int]]:
    """The languages with published entries: (code, name, count), in the format's order."""
    counts = dict(
        db.session.execute(
            select(DictionaryEntry.language, func.count())
            .where(DictionaryEntry.is_published.is_(True))
            .group_by(DictionaryEntry.language)
        ).all()
    )
    return [
        (code, str(name), counts[code])
        for code, name in dictionary_languages().items()
        if counts.get(code)
    ]


@dataclass(frozen=True)
class EntryText:
    """What a lesson's vocabulary row naming an entry shows of it."""

    headword: str
    meaning: str  # its meanings in one line
    # The entry's newest approved recording of its headword, and who speaks it.
    audio_url: str | None = None
    speaker: str = ""


def entry_texts(language: str, keys: Iterable[str]) -> dict[str, EntryText]:
    """The published entries of language among keys, by key, as vocabulary rows show them."""
    rows = db.session.execute(
        select(
            DictionaryEntry.id,
            DictionaryEntry.key,
            DictionaryEntry.headword,
            DictionaryEntry.meanings,
        ).where(
            DictionaryEntry.language == language,
            DictionaryEntry.key.in_(list(keys)),
            DictionaryEntry.is_published.is_(True),
        )
    )
    found = {
        entry_id: (key, headword, MEANINGS_JOINER.join(meanings))
        for entry_id, key, headword, meanings in rows
    }
    voices = _native_voices(list(found))
    return {
        key: EntryText(headword, meaning, *voices.get(entry_id, (None, "")))
        for entry_id, (key, headword, meaning) in found.items()
    }


def _native_voices(entry_ids: list[int]) -> dict[int, tuple[str, str]]:
    """Each entry's newest approved recording of its headword: (its address, the speaker)."""
    if not entry_ids:
        return {}
    rows = db.session.execute(
        select(Recording.entry_id, Recording.id, Recording.content_type, Speaker.full_name)
        .join(Speaker, Speaker.id == Recording.speaker_id)
        .where(
            Recording.entry_id.in_(entry_ids),
            Recording.status == RecordingStatus.APPROVED,
            Recording.part == "headword",
        )
        .order_by(Recording.reviewed_at.desc(), Recording.id.desc())
    )
    voices: dict[int, tuple[str, str]] = {}
    for entry_id, recording_id, content_type, speaker in rows:
        voices.setdefault(entry_id, (recording_path(recording_id, content_type), speaker))
    return voices


def entry_count(language: str) -> int:
    """How many published entries the language's dictionary has."""
    return (
        db.session.scalar(
            select(func.count()).where(
                DictionaryEntry.language == language, DictionaryEntry.is_published.is_(True)
            )
        )
        or 0
    )


def search(
    language: str,
    text: str,
    *,
    page: int = 1,
    per_page: int = PER_PAGE,
    unpublished: bool = False,
) -> Page:
    """The published entries of language (with unpublished: every entry, as editors see them)
    whose words start with every word of text, folded (no diacritics, no case, apostrophes
    dropped), best first: the headword itself, a headword that starts so, a word of the
    headword, then a word of a meaning; then by headword. An empty text lists every entry by
    headword."""
    entries = select(DictionaryEntry).where(DictionaryEntry.language == language)
    if not unpublished:
        entries = entries.where(DictionaryEntry.is_published.is_(True))
    wanted = [word for word, _is_headword in search_words(text, [])]
    if not wanted:
        return paginate(
            entries.order_by(DictionaryEntry.headword_folded, DictionaryEntry.key),
            page=page,
            per_page=per_page,
        )
    whole = headword_key(text)

    def starting(word: str) -> ColumnElement[bool]:
        return and_(
            DictionaryWord.language == language,
            DictionaryWord.word >= word,
            DictionaryWord.word < word + TOP,
            true() if unpublished else DictionaryWord.is_published.is_(True),
        )

    # Each word of the search must start a word of the entry; the entry's best word decides
    # whether the headword matched (rank 2) or only a meaning (rank 3). Ranked, counted and
    # paged on the word index alone; then the page's entries are read.
    matched = (
        select(
            DictionaryWord.entry_id,
            func.max(case((DictionaryWord.is_headword.is_(True), 1), else_=0)).label("in_head"),
            func.min(DictionaryWord.headword_folded).label("headword"),
        )
        .where(starting(wanted[0]))
        .group_by(DictionaryWord.entry_id)
    )
    for word in wanted[1:]:
        matched = matched.where(
            DictionaryWord.entry_id.in_(select(DictionaryWord.entry_id).where(starting(word)))
        )
    found = matched.subquery()
    total = db.session.scalar(select(func.count()).select_from(found)) or 0
    number = max(1, min(page, max(1, ceil(total / per_page))))
    rank = case(
        (found.c.headword == whole, 0),
        (found.c.headword.startswith(whole, autoescape=True), 1),
        (found.c.in_head == 1, 2),
        else_=literal(3),
    )
    order = db.session.scalars(
        select(found.c.entry_id)
        .order_by(rank, found.c.headword, found.c.entry_id)
        .limit(per_page)
        .offset((number - 1) * per_page)
    ).all()
    by_id = {
        entry.id: entry
        for entry in db.session.scalars(
            select(DictionaryEntry).where(DictionaryEntry.id.in_(order))
        )
    }
    return Page([by_id[i] for i in order if i in by_id], number, per_page, total)


def entry(language: str, key: str, *, unpublished: bool = False) -> DictionaryEntry | None:
    """A published entry (with unpublished: any entry), or None."""
    found = select(DictionaryEntry).where(
        DictionaryEntry.language == language, DictionaryEntry.key == key
    )
    if not unpublished:
        found = found.where(DictionaryEntry.is_published.is_(True))
    return db.session.scalar(found)


def editor_languages() -> list[tuple[str, str, int, int]]:
    """Every language a dictionary may be kept for: (code, name, published, unpublished)."""
    counts = {
        (language, published): count
        for language, published, count in db.session.execute(
            select(DictionaryEntry.language, DictionaryEntry.is_published, func.count()).group_by(
                DictionaryEntry.language, DictionaryEntry.is_published
            )
        )
    }
    return [
        (code, str(name), counts.get((code, True), 0), counts.get((code, False), 0))
        for code, name in dictionary_languages().items()
    ]
