"""Dictionary files: every row checked, then all of them saved or none; and written back out
in the same layout, so an export imports unchanged."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from lms.audit import services as audit
from lms.db import db, utcnow
from lms.dictionary.models import DictionaryEntry, DictionaryWord
from lms.errors import UserError
from lms.i18n import gettext as _
from lms.i18n import lazy_gettext as _l
from lms.languages import LANGUAGES
from lms.sheets import Layout, Problem, RawRow, SheetError, csv_bytes, read_rows, xlsx_bytes
from lms.text import clean_name, fold, nfc

LANGUAGE = "Mã ngôn ngữ"
KEY = "Mã mục từ"
HEADWORD = "Mục từ"
MEANING = "Nghĩa"
PART_OF_SPEECH = "Từ loại"
EXAMPLES = "Ví dụ"
TRANSLATIONS = "Dịch ví dụ"
DIALECT = "Phương ngữ"
TRANSCRIPTION = "Cách ghi"
SOURCE = "Nguồn"
PAGE = "Trang"
COLUMNS = (LANGUAGE, KEY, HEADWORD, MEANING, SOURCE)
OPTIONAL_COLUMNS = (PART_OF_SPEECH, EXAMPLES, TRANSLATIONS, DIALECT, TRANSCRIPTION, PAGE)
# The order an export writes, as the format's description lists them.
EXPORT_COLUMNS = (
    LANGUAGE,
    KEY,
    HEADWORD,
    MEANING,
    PART_OF_SPEECH,
    EXAMPLES,
    TRANSLATIONS,
    DIALECT,
    TRANSCRIPTION,
    SOURCE,
    PAGE,
)
LAYOUT = Layout(COLUMNS, OPTIONAL_COLUMNS, max_rows=50_000, noun=_l("một tệp từ điển"))

PARTS_OF_SPEECH = (
    "danh từ",
    "động từ",
    "tính từ",
    "số từ",
    "đại từ",
    "phó từ",
    "giới từ",
    "liên từ",
    "trợ từ",
    "thán từ",
    "cụm từ",
    "câu",
)
# Languages without a standard script: each entry says which transcription it uses.
UNWRITTEN = frozenset({"x-sandiu"})
# Vietnamese, English and French are the languages meanings are written in, not dictionaries.
NOT_DICTIONARIES = frozenset({"vi", "en", "fr"})
KEY_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MEANING_SEPARATOR = ";"
EXAMPLE_SEPARATOR = "|"
LIMITS = {KEY: 80, HEADWORD: 200, PART_OF_SPEECH: 40, DIALECT: 200, TRANSCRIPTION: 200}
LIMITS |= {SOURCE: 500, PAGE: 300}
MEANING_LIMIT = 500
EXAMPLE_LIMIT = 1000
WORD_LIMIT = 100


def dictionary_languages() -> dict[str, Any]:
    """The languages a dictionary may be kept for (code → name)."""
    return {code: name for code, name in LANGUAGES.items() if code not in NOT_DICTIONARIES}


@dataclass(frozen=True)
class EntryData:
    """A checked row: the entry's fields as they will be saved."""

    number: int
    language: str
    key: str
    headword: str
    meanings: list[str]
    part_of_speech: str
    examples: list[list[str]]
    dialect: str
    transcription: str
    source: str
    source_page: str


@dataclass(frozen=True)
class ImportSummary:
    added: int
    updated: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.added + self.updated + self.unchanged


def _text(row: RawRow, column: str, problems: list[Problem], *, required: bool = False) -> str:
    value = row.cells.get(column, "")
    text = nfc(clean_name(str(value))) if value not in (None, "") else ""
    if required and not text:
        problems.append(Problem(_("không được để trống."), row.number, column))
    limit = LIMITS.get(column)
    if limit and len(text) > limit:
        problems.append(Problem(_("dài quá %(n)d ký tự.", n=limit), row.number, column))
    return text


def _pieces(text: str, separator: str) -> list[str]:
    return [piece.strip() for piece in text.split(separator) if piece.strip()]


def _check_row(row: RawRow, languages: dict[str, Any], problems: list[Problem]) -> EntryData:
    language = _text(row, LANGUAGE, problems, required=True)
    if language and language not in languages:
        known = ", ".join(sorted(languages))
        message = _(
            "mã “%(code)s” không phải mã ngôn ngữ nào (%(known)s).", code=language, known=known
        )
        problems.append(Problem(message, row.number, LANGUAGE))
    key = _text(row, KEY, problems, required=True)
    if key and not KEY_RE.fullmatch(key):
        message = _(
            "mã “%(key)s” chỉ được gồm chữ thường không dấu, chữ số và dấu gạch nối, ví dụ "
            "pi-noong.",
            key=key,
        )
        problems.append(Problem(message, row.number, KEY))
    headword = _text(row, HEADWORD, problems, required=True)
    meanings = _pieces(_text(row, MEANING, problems, required=True), MEANING_SEPARATOR)
    if any(len(meaning) > MEANING_LIMIT for meaning in meanings):
        message = _("mỗi nghĩa dài tối đa %(n)d ký tự.", n=MEANING_LIMIT)
        problems.append(Problem(message, row.number, MEANING))
    part = _text(row, PART_OF_SPEECH, problems)
    if part and part.casefold() not in PARTS_OF_SPEECH:
        message = _(
            "“%(part)s” không phải từ loại nào (%(known)s).",
            part=part,
            known=", ".join(PARTS_OF_SPEECH),
        )
        problems.append(Problem(message, row.number, PART_OF_SPEECH))
    sentences = _pieces(_text(row, EXAMPLES, problems), EXAMPLE_SEPARATOR)
    translations = _pieces(_text(row, TRANSLATIONS, problems), EXAMPLE_SEPARATOR)
    if len(sentences) != len(translations):
        message = _(
            "có %(examples)d ví dụ nhưng %(translations)d bản dịch: mỗi ví dụ cần một bản dịch, "
            "cách nhau bằng dấu “|”.",
            examples=len(sentences),
            translations=len(translations),
        )
        problems.append(Problem(message, row.number, TRANSLATIONS))
    if any(len(text) > EXAMPLE_LIMIT for text in (*sentences, *translations)):
        message = _("mỗi ví dụ hoặc bản dịch dài tối đa %(n)d ký tự.", n=EXAMPLE_LIMIT)
        problems.append(Problem(message, row.number, EXAMPLES))
    transcription = _text(row, TRANSCRIPTION, problems)
    if language in UNWRITTEN and not transcription:
        message = _(
            "tiếng này chưa có chữ viết chuẩn: hãy ghi cách ghi mục từ đã dùng (ví dụ phiên âm "
            "theo chữ Quốc ngữ)."
        )
        problems.append(Problem(message, row.number, TRANSCRIPTION))
    source = _text(row, SOURCE, problems)
    if not source:
        message = _(
            "mỗi mục từ cần nguồn: tên tài liệu (tác giả, nơi xuất bản, năm) hoặc trang web và "
            "địa chỉ, hoặc “Người nói: tên, nơi ở”."
        )
        problems.append(Problem(message, row.number, SOURCE))
    return EntryData(
        number=row.number,
        language=language,
        key=key,
        headword=headword,
        meanings=meanings,
        part_of_speech=part.casefold(),
        examples=[[s, t] for s, t in zip(sentences, translations, strict=False)],
        dialect=_text(row, DIALECT, problems),
        transcription=transcription,
        source=source,
        source_page=_text(row, PAGE, problems),
    )


def check_rows(raw_rows: list[RawRow]) -> tuple[list[EntryData], list[Problem]]:
    """Check every row; a key twice in a language is refused on its second row."""
    problems: list[Problem] = []
    languages = dictionary_languages()
    rows = [_check_row(row, languages, problems) for row in raw_rows]
    first_of: dict[tuple[str, str], int] = {}
    for row in rows:
        if not row.key:
            continue
        seen = first_of.setdefault((row.language, row.key), row.number)
        if seen != row.number:
            message = _("mã “%(key)s” đã có ở dòng %(row)d.", key=row.key, row=seen)
            problems.append(Problem(message, row.number, KEY))
    problems.sort(key=lambda problem: problem.row or 0)
    return rows, problems


def search_words(headword: str, meanings: list[str]) -> list[tuple[str, bool]]:
    """The folded words an entry is found by (apostrophes dropped: t'ua is tua), each once."""
    found: dict[str, bool] = {}
    for text, is_headword in ((headword, True), *((meaning, False) for meaning in meanings)):
        for word in re.split(r"[^\w]+", fold(text).replace("'", "")):
            if word and len(word) <= WORD_LIMIT:
                found[word] = found.get(word, False) or is_headword
    return list(found.items())


def headword_key(headword: str) -> str:
    """The folded headword an entry is ordered and matched by."""
    return " ".join(fold(headword).replace("'", "").split())


def _apply(entry: DictionaryEntry, row: EntryData) -> None:
    entry.headword = row.headword
    entry.headword_folded = headword_key(row.headword)
    entry.meanings = row.meanings
    entry.part_of_speech = row.part_of_speech
    entry.examples = row.examples
    entry.dialect = row.dialect
    entry.transcription = row.transcription
    entry.source = row.source
    entry.source_page = row.source_page
    entry.words = [
        DictionaryWord(
            language=row.language,
            word=word,
            is_headword=is_headword,
            headword_folded=entry.headword_folded,
            is_published=entry.is_published is not False,
        )
        for word, is_headword in search_words(row.headword, row.meanings)
    ]


def set_published(entry: DictionaryEntry, published: bool) -> None:
    """Publish an entry or take it back: its page and its search words follow at once."""
    entry.is_published = published
    entry.updated_at = utcnow()
    for word in entry.words:
        word.is_published = published


def _fields(entry: DictionaryEntry | EntryData) -> tuple:
    """What an import may change of an entry, to tell an unchanged row from an update."""
    return (
        entry.headword,
        entry.meanings,
        entry.part_of_speech,
        entry.examples,
        entry.dialect,
        entry.transcription,
        entry.source,
        entry.source_page,
    )


def check_entry(cells: dict[str, str]) -> tuple[EntryData, list[Problem]]:
    """Check one entry typed in a form (its cells by the file's column names) by the very rules
    a file's rows are checked by."""
    rows, problems = check_rows([RawRow(0, cells)])
    return rows[0], problems


def save_entry(row: EntryData, *, published: bool, new: bool) -> DictionaryEntry:
    """Save an entry typed in a form: a new one (refused if its key is taken) or an edit of the
    one with its key; published or not. Recorded in the audit log; nothing committed here."""
    existing = db.session.scalar(
        select(DictionaryEntry).where(
            DictionaryEntry.language == row.language, DictionaryEntry.key == row.key
        )
    )
    if new and existing is not None:
        raise UserError(
            _("Mã “%(key)s” đã là mã của mục từ “%(word)s”.", key=row.key, word=existing.headword),
            field="key",
        )
    before = None if existing is None else _snapshot(existing)
    entry = existing or DictionaryEntry(language=row.language, key=row.key)
    if existing is None or _fields(existing) != _fields(row):
        _apply(entry, row)
        entry.updated_at = utcnow()
    db.session.add(entry)
    if entry.is_published is not published:
        set_published(entry, published)
    db.session.flush()
    action = "dictionary.entry.add" if existing is None else "dictionary.entry.update"
    summary = _("Mục từ %(language)s/%(key)s", language=row.language, key=row.key)
    audit.record(action, entry, summary, before=before, after=_snapshot(entry))
    return entry


AUDITED = (
    *("headword", "meanings", "part_of_speech", "examples", "dialect", "transcription"),
    *("source", "source_page", "is_published"),
)


def _snapshot(entry: DictionaryEntry) -> dict[str, Any]:
    return audit.snapshot(entry, AUDITED)


def save_rows(rows: list[EntryData]) -> ImportSummary:
    """Add the new entries and update those with the same language and key. Nothing is
    committed here."""
    existing = {
        (entry.language, entry.key): entry
        for language in {row.language for row in rows}
        for entry in db.session.scalars(
            select(DictionaryEntry).where(
                DictionaryEntry.language == language,
                DictionaryEntry.key.in_([row.key for row in rows if row.language == language]),
            )
        )
    }
    added = updated = unchanged = 0
    for row in rows:
        entry = existing.get((row.language, row.key))
        if entry is None:
            entry = DictionaryEntry(language=row.language, key=row.key)
            _apply(entry, row)
            db.session.add(entry)
            added += 1
            continue
        if _fields(entry) == _fields(row):
            unchanged += 1
            continue
        _apply(entry, row)
        entry.updated_at = utcnow()
        updated += 1
    return ImportSummary(added, updated, unchanged)


def import_file(filename: str, data: bytes) -> ImportSummary:
    """Read, check and save a dictionary file: every row or none. Raises SheetError naming
    every problem with its row; nothing is committed here."""
    rows, problems = check_rows(read_rows(filename, data, LAYOUT))
    if problems:
        raise SheetError(problems)
    return save_rows(rows)


def export_rows(language: str) -> list[list[str]]:
    """The language's entries as rows of the import layout, headers first, in headword order."""
    entries = db.session.scalars(
        select(DictionaryEntry)
        .where(DictionaryEntry.language == language)
        .order_by(DictionaryEntry.headword_folded, DictionaryEntry.key)
    )
    rows = [list(EXPORT_COLUMNS)]
    for entry in entries:
        rows.append(
            [
                entry.language,
                entry.key,
                entry.headword,
                f" {MEANING_SEPARATOR} ".join(entry.meanings),
                entry.part_of_speech,
                f" {EXAMPLE_SEPARATOR} ".join(sentence for sentence, _t in entry.examples),
                f" {EXAMPLE_SEPARATOR} ".join(translation for _s, translation in entry.examples),
                entry.dialect,
                entry.transcription,
                entry.source,
                entry.source_page,
            ]
        )
    return rows


def export_csv(language: str) -> bytes:
    """The language's dictionary as a UTF-8 CSV in the import layout."""
    return csv_bytes(export_rows(language))


def export_xlsx(language: str) -> bytes:
    """The language's dictionary as an .xlsx workbook in the import layout."""
    return xlsx_bytes(export_rows(language), language)
