"""Public dictionary pages: the languages, a language's entries with search, one entry."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue

from lms.access import public
from lms.db import parse_count
from lms.dictionary import queries, recordings
from lms.dictionary.services import dictionary_languages

bp = Blueprint("dictionary", __name__, url_prefix="/dictionary", template_folder="templates")


@bp.get("/")
@public
def index() -> ResponseReturnValue:
    return render_template("dictionary/index.html", languages=queries.languages())


@bp.get("/<language>")
@public
def language(language: str) -> ResponseReturnValue:
    name = dictionary_languages().get(language) or abort(404)
    search = request.args.get("q", "").strip()[:100]
    number = parse_count(request.args.get("page", "1"), limit=999_999) or 1
    page = queries.search(language, search, page=number)
    return render_template(
        "dictionary/language.html", language=language, name=name, search=search, page=page
    )


@bp.get("/<language>/<key>")
@public
def entry(language: str, key: str) -> ResponseReturnValue:
    name = dictionary_languages().get(language) or abort(404)
    found = queries.entry(language, key) or abort(404)
    return render_template(
        "dictionary/entry.html",
        language=language,
        name=name,
        entry=found,
        recordings=recordings.published(found.id),
        licences=recordings.LICENCES,
        audio_url=recordings.audio_url,
    )
