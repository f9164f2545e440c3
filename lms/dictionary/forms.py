"""The dictionary editor's forms: an entry typed in, and a dictionary file to import. What an
entry may hold is lms.dictionary.services' to check, by the rules a file's rows are checked by."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, StringField, TextAreaField

from lms.dictionary import services
from lms.dictionary.models import DictionaryEntry
from lms.forms import Form, cut
from lms.sheets import Problem
from lms.uploads.services import Kept


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class EntryForm(Form):
    """An entry: meanings one a line, examples one a line with their translations in the same
    order one a line (in a file they are one cell each, separated by “;” and “|”)."""

    key = StringField(filters=[cut(80)])
    headword = StringField(filters=[cut(200)])
    meanings = TextAreaField(filters=[cut(5_000)])
    part_of_speech = StringField(filters=[cut(40)])
    examples = TextAreaField(filters=[cut(20_000)])
    translations = TextAreaField(filters=[cut(20_000)])
    dialect = StringField(filters=[cut(200)])
    transcription = StringField(filters=[cut(200)])
    source = StringField(filters=[cut(500)])
    source_page = StringField(filters=[cut(300)])
    published = BooleanField(false_values=("", "0"), default=True)

    # The file's column each field is checked as, so a message lands by its field.
    COLUMNS = {
        services.KEY: "key",
        services.HEADWORD: "headword",
        services.MEANING: "meanings",
        services.PART_OF_SPEECH: "part_of_speech",
        services.EXAMPLES: "examples",
        services.TRANSLATIONS: "translations",
        services.DIALECT: "dialect",
        services.TRANSCRIPTION: "transcription",
        services.SOURCE: "source",
        services.PAGE: "source_page",
    }

    def cells(self, language: str) -> dict[str, str]:
        """What was typed, as a dictionary file's row holds it."""
        cells = {services.LANGUAGE: language}
        for column, name in self.COLUMNS.items():
            cells[column] = (self[name].data or "").strip()
        cells[services.MEANING] = f"{services.MEANING_SEPARATOR} ".join(_lines(self.meanings.data))
        for column, name in (
            (services.EXAMPLES, "examples"),
            (services.TRANSLATIONS, "translations"),
        ):
            cells[column] = f" {services.EXAMPLE_SEPARATOR} ".join(_lines(self[name].data))
        return cells

    def show(self, problems: list[Problem]) -> None:
        """Put each problem by its field (the language's, which no field holds, by the key)."""
        for problem in problems:
            field = self[self.COLUMNS.get(problem.column or "", "key")]
            message = problem.message[:1].upper() + problem.message[1:]
            field.errors = [*field.errors, message]

    @classmethod
    def of(cls, entry: DictionaryEntry) -> EntryForm:
        """The form filled in with a saved entry."""
        return cls(
            formdata=None,
            key=entry.key,
            headword=entry.headword,
            meanings="\n".join(entry.meanings),
            part_of_speech=entry.part_of_speech,
            examples="\n".join(sentence for sentence, _t in entry.examples),
            translations="\n".join(translation for _s, translation in entry.examples),
            dialect=entry.dialect,
            transcription=entry.transcription,
            source=entry.source,
            source_page=entry.source_page,
            published=entry.is_published,
        )


class ImportForm(Form):
    """A dictionary file (.csv or .xlsx) and whether only to check it; a checked file is kept
    (lms.uploads) so importing it needs no second choice."""

    file = FileField()
    file_pending = HiddenField()
    kept: Kept | None = None
    check_only = BooleanField(false_values=("", "0"))
