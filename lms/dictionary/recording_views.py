"""Recording pages: contributors add speakers (with consent) and record or upload words;
editors review, approve or return them, and withdraw a speaker's consent; anyone hears the
approved recordings."""

from __future__ import annotations

import io

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from lms.access import public, requires
from lms.db import db
from lms.dictionary import queries, recordings
from lms.dictionary.audio import EXTENSIONS
from lms.dictionary.models import Recording, RecordingStatus, Speaker
from lms.dictionary.services import dictionary_languages
from lms.i18n import gettext as _
from lms.i18n import local_today, parse_day
from lms.roles import Permission
from lms.web import saving

bp = Blueprint("recordings", __name__, template_folder="templates")

MEDIA_MAX_AGE = 3600  # approved recordings can be withdrawn: not cached for long


def _speakers() -> list[Speaker]:
    return list(
        db.session.scalars(
            select(Speaker).where(Speaker.withdrawn_on.is_(None)).order_by(Speaker.full_name)
        )
    )


@bp.get("/contribute/")
@requires(Permission.RECORD_AUDIO)
def mine() -> ResponseReturnValue:
    """The contributor's recordings with their review, and the speakers who consented."""
    mine = db.session.scalars(
        select(Recording)
        .where(Recording.contributor_id == current_user.id)
        .order_by(Recording.created_at.desc())
        .limit(200)
    ).all()
    return render_template(
        "dictionary/recordings/mine.html",
        recordings=mine,
        speakers=_speakers(),
        languages=dictionary_languages(),
        statuses=_status_labels(),
    )


def _status_labels() -> dict[str, str]:
    return {
        RecordingStatus.PENDING: _("Chờ duyệt"),
        RecordingStatus.APPROVED: _("Đã duyệt, đang công bố"),
        RecordingStatus.RETURNED: _("Bị trả lại"),
        RecordingStatus.WITHDRAWN: _("Người nói đã rút đồng ý"),
    }


@bp.route("/contribute/speakers/new", methods=["GET", "POST"])
@requires(Permission.RECORD_AUDIO)
def new_speaker() -> ResponseReturnValue:
    errors: dict[str, str] = {}
    form = request.form
    if request.method == "POST":
        year = form.get("birth_year", "").strip()
        document = request.files.get("document")
        with saving(show=False) as saved:
            recordings.add_speaker(
                full_name=form.get("full_name", "")[:200],
                locality=form.get("locality", "")[:200],
                birth_year=int(year) if year.isdigit() and len(year) == 4 else None,
                contact=form.get("contact", "")[:200],
                consented=form.get("consented") == "1",
                consent_on=parse_day(form.get("consent_on", "")[:20]),
                document=document.read(recordings.MAX_DOCUMENT_BYTES + 1) if document else None,
                witness=form.get("witness", "")[:300],
                added_by=current_user.id,
            )
        if saved:
            flash(_("Đã thêm người nói; giờ có thể ghi âm giọng của họ."), "success")
            return redirect(request.args.get("next") or url_for("recordings.mine"))
        if saved.error is not None:
            errors[saved.error.field or "full_name"] = saved.error.message
    return (
        render_template(
            "dictionary/recordings/speaker.html",
            form=form,
            errors=errors,
            consent=recordings.CONSENT_TEXT,
            version=recordings.CONSENT_VERSION,
            today=local_today(),
        ),
        400 if errors else 200,
    )


@bp.route("/contribute/record/<language>/<key>", methods=["GET", "POST"])
@requires(Permission.RECORD_AUDIO)
def record(language: str, key: str) -> ResponseReturnValue:
    entry = queries.entry(language, key, unpublished=True) or abort(404)
    speakers = _speakers()
    errors: dict[str, str] = {}
    form = request.form
    if request.method == "POST":
        speaker_id = form.get("speaker", "")
        speaker = db.session.get(Speaker, int(speaker_id)) if speaker_id.isdigit() else None
        audio = request.files.get("audio")
        limit = current_app.config["RECORDING_MAX_BYTES"]
        with saving(show=False) as saved:
            recordings.submit(
                entry,
                part=form.get("part", ""),
                speaker=speaker,
                licence=form.get("licence", ""),
                locality=form.get("locality", "")[:200],
                recorded_on=parse_day(form.get("recorded_on", "")[:20]),
                data=audio.read(limit + 1) if audio else None,
                contributor=current_user.id,
            )
        if saved:
            flash(
                _(
                    "Đã gửi bản ghi “%(word)s”; bản ghi chờ biên tập viên duyệt.",
                    word=entry.headword,
                ),
                "success",
            )
            return redirect(url_for("recordings.mine"))
        if saved.error is not None:
            errors[saved.error.field or "audio"] = saved.error.message
    return (
        render_template(
            "dictionary/recordings/record.html",
            entry=entry,
            language=language,
            name=dictionary_languages()[language],
            parts=recordings.parts_of(entry),
            speakers=speakers,
            speaker_options=[(speaker.id, speaker.full_name) for speaker in speakers],
            licences=recordings.LICENCES,
            form=form,
            errors=errors,
            today=local_today(),
            max_seconds=current_app.config["RECORDING_MAX_SECONDS"],
        ),
        400 if errors else 200,
    )


@bp.get("/admin/recordings/")
@requires(Permission.EDIT_CONTENT)
def queue() -> ResponseReturnValue:
    pending = db.session.scalars(
        select(Recording)
        .join(Recording.speaker)
        .join(Recording.entry)
        .where(Recording.status == RecordingStatus.PENDING)
        .order_by(Recording.created_at)
        .limit(100)
    ).all()
    return render_template(
        "dictionary/recordings/queue.html",
        pending=pending,
        speakers=db.session.scalars(select(Speaker).order_by(Speaker.full_name)).all(),
        licences=recordings.LICENCES,
    )


@bp.post("/admin/recordings/<int:recording_id>/review")
@requires(Permission.EDIT_CONTENT)
def review(recording_id: int) -> ResponseReturnValue:
    recording = db.session.get(Recording, recording_id) or abort(404)
    approve = request.form.get("decision") == "approve"
    with saving() as saved:
        recordings.review(
            recording,
            approve=approve,
            comment=request.form.get("comment", "")[:500],
            reviewer=current_user.id,
        )
    if saved:
        flash(
            _("Đã duyệt bản ghi; bản ghi được công bố cùng mục từ.")
            if approve
            else _("Đã trả lại bản ghi kèm nhận xét."),
            "success",
        )
    return redirect(url_for("recordings.queue"))


@bp.post("/admin/recordings/speakers/<int:speaker_id>/withdraw")
@requires(Permission.EDIT_CONTENT)
def withdraw(speaker_id: int) -> ResponseReturnValue:
    speaker = db.session.get(Speaker, speaker_id) or abort(404)
    with saving() as saved:
        stopped = recordings.withdraw(speaker, by=current_user.id)
    if saved:
        flash(
            _(
                "%(name)s đã rút đồng ý: %(n)d bản ghi thôi công bố ngay và sẽ bị xóa sau "
                "%(days)d ngày.",
                name=speaker.full_name,
                n=stopped,
                days=current_app.config["RECORDING_GRACE_DAYS"],
            ),
            "success",
        )
    return redirect(url_for("recordings.queue"))


@bp.get("/admin/recordings/<int:recording_id>/audio")
@requires(Permission.EDIT_CONTENT)
def pending_audio(recording_id: int) -> ResponseReturnValue:
    """A recording as sent, for its reviewer (whatever its status, unless withdrawn)."""
    found = db.session.get(Recording, recording_id)
    if found is None or found.status == RecordingStatus.WITHDRAWN:
        abort(404)
    response = send_file(io.BytesIO(found.data), mimetype=found.content_type, conditional=True)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/recordings/<int:recording_id>.<extension>")
@public
def audio(recording_id: int, extension: str) -> ResponseReturnValue:
    """An approved recording; one withdrawn (or never approved) is not served."""
    found = recordings.served(recording_id)
    if found is None:
        withdrawn = db.session.scalar(
            select(Recording.id).where(
                Recording.id == recording_id, Recording.status == RecordingStatus.WITHDRAWN
            )
        )
        abort(410 if withdrawn else 404)
    if EXTENSIONS[found.content_type] != extension:
        abort(404)
    response = send_file(
        io.BytesIO(found.data),
        mimetype=found.content_type,
        conditional=True,
        etag=found.sha256,
        download_name=f"{recording_id}.{extension}",
    )
    response.headers["Cache-Control"] = f"public, max-age={MEDIA_MAX_AGE}"
    return response
