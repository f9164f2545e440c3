"""The daily review session, and the buttons that add a lesson's words or a dictionary entry
to one's deck."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from lms.access import signed_in
from lms.db import db, utcnow
from lms.dictionary import queries as dictionary_queries
from lms.i18n import agency_zone, vn_moment
from lms.i18n import gettext as _
from lms.learning import queries as learning_queries
from lms.review import queries, services
from lms.review.services import LISTEN, ReviewError
from lms.web import saving

bp = Blueprint("review", __name__, template_folder="templates")


def _labels() -> dict[int, str]:
    return {
        services.AGAIN: _("Quên"),
        services.HARD: _("Khó"),
        services.GOOD: _("Nhớ"),
        services.EASY: _("Dễ"),
    }


def _session_page(card_error: str | None = None, status: int = 200) -> ResponseReturnValue:
    now = utcnow()
    deck = queries.deck(current_user.id, now, services.end_of_day(now, agency_zone()))
    card = queries.next_card(current_user.id, now)
    mode = options = None
    if card is not None:
        mode = services.mode_of(card)
        if mode == LISTEN:
            options = queries.choices(card)
            if len(options) < 2:  # nothing to tell it from yet: say it aloud instead
                mode, options = services.SPEAK, None
    return (
        render_template(
            "review/session.html",
            deck=deck,
            card=card,
            mode=mode,
            options=options,
            stamp=services.card_stamp(card, now) if card else None,
            event_id=str(uuid.uuid4()),
            ratings=_labels(),
            error=card_error,
        ),
        status,
    )


@bp.get("/review/")
@signed_in
def session() -> ResponseReturnValue:
    return _session_page()


@bp.post("/review/cards/<int:card_id>")
@signed_in
def answer(card_id: int) -> ResponseReturnValue:
    card = queries.card_of(current_user.id, card_id) or abort(404)
    form = request.form
    with saving(show=False) as saved:
        graded = services.answer_card(
            current_user,
            card,
            mode=form.get("mode", "")[:10],
            answer=form.get("answer", "")[: services.MAX_WORD],
            rating=form.get("rating"),
            event_id=form.get("event_id"),
            stamp=form.get("stamp"),
        )
    if not saved:
        error = saved.error.message if saved.error else _("Chưa ghi được câu trả lời.")
        if isinstance(saved.error, ReviewError) and queries.next_card(current_user.id, utcnow()):
            return _session_page(error, 400)
        flash(error, "error")
        return redirect(url_for("review.session"))
    if graded.is_replay:
        flash(_("Câu trả lời này đã được ghi nhận trước đó."), "info")
        return redirect(url_for("review.session"))
    word = card.word or card.meaning
    verdict = {
        services.AGAIN: _("Chưa nhớ “%(word)s”: thẻ sẽ hỏi lại sớm.", word=word),
        services.HARD: _("“%(word)s”: gần đúng (chú ý dấu).", word=word),
    }.get(graded.rating, _("Đúng: “%(word)s”.", word=word))
    flash(
        _(
            "%(verdict)s Lần ôn tới: %(when)s.",
            verdict=verdict,
            when=vn_moment(card.due),
        ),
        "success" if graded.rating >= services.GOOD else "info",
    )
    return redirect(url_for("review.session"))


def _added_message(added: int) -> str:
    if added:
        return _("Đã thêm %(n)d từ vào thẻ ôn tập của bạn.", n=added)
    return _("Các từ này đã có trong thẻ ôn tập của bạn.")


@bp.post("/courses/<course_slug>/<lesson_slug>/review-deck")
@signed_in
def add_lesson(course_slug: str, lesson_slug: str) -> ResponseReturnValue:
    lesson = learning_queries.lesson_for_action(course_slug, lesson_slug) or abort(404)
    if lesson.is_retired or lesson.course.is_retired or not lesson.course.open_to(current_user):
        abort(404)
    items = services.lesson_items(lesson)
    added = services.add_items(current_user, items, language=lesson.course.language, lesson=lesson)
    db.session.commit()
    flash(_added_message(added) if items else _("Bài này không có bảng từ vựng."), "success")
    return redirect(
        url_for("learning.lesson", course_slug=course_slug, lesson_slug=lesson_slug)
        + "#review-deck"
    )


@bp.post("/dictionary/<language>/<key>/review-deck")
@signed_in
def add_entry(language: str, key: str) -> ResponseReturnValue:
    entry = dictionary_queries.entry(language, key) or abort(404)
    added = services.add_items(current_user, [services.entry_item(entry)], language=language)
    db.session.commit()
    flash(_added_message(added), "success")
    return redirect(url_for("dictionary.entry", language=language, key=key))
