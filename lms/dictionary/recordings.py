"""Recordings of dictionary entries: speakers and their written consent, recordings checked by
content and length, reviewed by an editor before they are published, and withdrawn at once when
a speaker withdraws consent, then deleted after a grace period (Nghị định 13/2023)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select, update

from lms.audit import services as audit
from lms.db import db, rows_changed, utcnow
from lms.dictionary.audio import NotAudio, inspect, recording_path
from lms.dictionary.models import DictionaryEntry, Recording, RecordingStatus, Speaker
from lms.errors import UserError
from lms.i18n import gettext as _
from lms.i18n import lazy_gettext as _l
from lms.i18n import local_today
from lms.text import clean_name

# The consent a speaker signs; its version is kept with each speaker.
CONSENT_VERSION = "2026-12"
CONSENT_TEXT = _l(
    "Tôi đồng ý để giọng nói của tôi được ghi âm và dùng trong từ điển, bài học của nền tảng "
    "Học tập suốt đời để giữ gìn tiếng nói của dân tộc mình, theo giấy phép ghi kèm mỗi bản "
    "ghi. Tôi biết tôi có thể rút lại sự đồng ý bất cứ lúc nào: các bản ghi của tôi sẽ thôi "
    "được công bố ngay và bị xóa sau thời hạn đã báo (Nghị định 13/2023/NĐ-CP về bảo vệ dữ "
    "liệu cá nhân)."
)
LICENCES = {
    "cc-by-4.0": _l("CC BY 4.0 (dùng lại được, ghi tên người nói)"),
    "cc-by-sa-4.0": _l("CC BY-SA 4.0 (dùng lại được, ghi tên, chia sẻ cùng giấy phép)"),
    "cc-by-nc-4.0": _l("CC BY-NC 4.0 (dùng lại được, ghi tên, không thương mại)"),
    "internal": _l("Chỉ dùng trong nền tảng Học tập suốt đời"),
}
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
MIN_MILLISECONDS = 300


class RecordingError(UserError):
    """A speaker or a recording refused; field names the form field it is about."""


def _document_type(data: bytes) -> str | None:
    """A scan or photo of the signed consent form: PDF, PNG or JPEG, told by content."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return None


def add_speaker(
    *,
    full_name: str,
    locality: str,
    birth_year: int | None,
    contact: str,
    consented: bool,
    consent_on: date | None,
    document: bytes | None,
    witness: str,
    added_by: int,
) -> Speaker:
    """Record a speaker with their written consent; nothing committed here."""
    name = clean_name(full_name)[:200]
    if not name:
        raise RecordingError(_("Hãy ghi họ tên người nói."), field="full_name")
    if not consented:
        raise RecordingError(
            _("Chỉ ghi âm khi người nói đã đọc và ký giấy đồng ý ở trên."), field="consented"
        )
    if consent_on is None or consent_on > local_today():
        raise RecordingError(
            _("Hãy ghi ngày người nói ký giấy đồng ý (không sau hôm nay)."), field="consent_on"
        )
    if birth_year is not None and not 1900 <= birth_year <= local_today().year:
        raise RecordingError(_("Năm sinh không hợp lệ."), field="birth_year")
    kind = None
    if document:
        if len(document) > MAX_DOCUMENT_BYTES:
            raise RecordingError(
                _("Tệp giấy đồng ý lớn quá %(mb)d MB.", mb=MAX_DOCUMENT_BYTES // (1024 * 1024)),
                field="document",
            )
        kind = _document_type(document)
        if kind is None:
            raise RecordingError(
                _("Giấy đồng ý phải là ảnh chụp (JPEG, PNG) hoặc bản quét PDF."), field="document"
            )
    witness = clean_name(witness)[:300]
    if not document and not witness:
        raise RecordingError(
            _(
                "Hãy đính kèm ảnh hoặc bản quét giấy đồng ý đã ký, hoặc ghi tên người chứng kiến "
                "việc ký."
            ),
            field="document",
        )
    speaker = Speaker(
        full_name=name,
        locality=clean_name(locality)[:200],
        birth_year=birth_year,
        contact=clean_name(contact)[:200],
        consent_version=CONSENT_VERSION,
        consent_on=consent_on,
        consent_document=document or None,
        consent_document_type=kind or "",
        consent_witness=witness,
        added_by_id=added_by,
    )
    db.session.add(speaker)
    db.session.flush()
    audit.record("speaker.add", speaker, _("Người nói %(name)s đồng ý ghi âm", name=name))
    return speaker


def parts_of(entry: DictionaryEntry) -> list[tuple[str, str]]:
    """What of an entry can be recorded: its headword, then each example."""
    parts = [("headword", _("Mục từ: %(word)s", word=entry.headword))]
    for number, (sentence, _translation) in enumerate(entry.examples, start=1):
        parts.append((f"example-{number}", _("Ví dụ %(n)d: %(text)s", n=number, text=sentence)))
    return parts


def submit(
    entry: DictionaryEntry,
    *,
    part: str,
    speaker: Speaker | None,
    licence: str,
    locality: str,
    recorded_on: date | None,
    data: bytes | None,
    contributor: int,
) -> Recording:
    """Keep a recording for review: checked by content (Opus in Ogg or WebM), size and length;
    with a speaker who consented and a licence. Nothing committed here."""
    if part not in dict(parts_of(entry)):
        raise RecordingError(_("Hãy chọn phần được ghi âm."), field="part")
    if speaker is None or speaker.withdrawn_on is not None:
        raise RecordingError(
            _("Hãy chọn người nói đã ký giấy đồng ý (thêm người nói nếu chưa có)."),
            field="speaker",
        )
    if licence not in LICENCES:
        raise RecordingError(_("Hãy chọn giấy phép cho bản ghi."), field="licence")
    if recorded_on is None or recorded_on > local_today():
        raise RecordingError(_("Hãy ghi ngày ghi âm (không sau hôm nay)."), field="recorded_on")
    config = current_app.config
    if not data:
        raise RecordingError(_("Hãy ghi âm hoặc chọn tệp ghi âm."), field="audio")
    if len(data) > config["RECORDING_MAX_BYTES"]:
        raise RecordingError(
            _("Tệp ghi âm lớn quá %(kb)d KB.", kb=config["RECORDING_MAX_BYTES"] // 1024),
            field="audio",
        )
    try:
        audio = inspect(data)
    except NotAudio:
        raise RecordingError(
            _(
                "Tệp này không phải bản ghi âm Opus (.ogg hoặc .webm, như trình duyệt ghi). Hãy "
                "ghi âm ngay trên trang hoặc chuyển tệp sang Ogg Opus."
            ),
            field="audio",
        ) from None
    if audio.milliseconds > config["RECORDING_MAX_SECONDS"] * 1000:
        raise RecordingError(
            _(
                "Bản ghi dài %(seconds)d giây, quá %(max)d giây: mỗi bản ghi là một từ hoặc một "
                "câu.",
                seconds=audio.milliseconds // 1000,
                max=config["RECORDING_MAX_SECONDS"],
            ),
            field="audio",
        )
    if audio.milliseconds < MIN_MILLISECONDS:
        raise RecordingError(_("Bản ghi ngắn quá, chưa nghe được gì."), field="audio")
    recording = Recording(
        entry_id=entry.id,
        part=part,
        speaker_id=speaker.id,
        contributor_id=contributor,
        licence=licence,
        locality=clean_name(locality)[:200] or speaker.locality,
        recorded_on=recorded_on,
        content_type=audio.content_type,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        milliseconds=audio.milliseconds,
        data=data,
    )
    db.session.add(recording)
    db.session.flush()
    return recording


def review(recording: Recording, *, approve: bool, comment: str, reviewer: int) -> None:
    """Approve a pending recording (it is published) or return it with a comment."""
    if recording.status != RecordingStatus.PENDING:
        raise RecordingError(_("Bản ghi này đã được xem xét rồi."))
    comment = clean_name(comment)[:500]
    if not approve and not comment:
        raise RecordingError(
            _("Khi trả lại, hãy ghi nhận xét để người ghi biết cần sửa gì."), field="comment"
        )
    recording.status = RecordingStatus.APPROVED if approve else RecordingStatus.RETURNED
    recording.review_comment = comment
    recording.reviewed_by_id = reviewer
    recording.reviewed_at = utcnow()
    action = "recording.approve" if approve else "recording.return"
    audit.record(action, recording, _("Bản ghi %(id)d", id=recording.id))


def withdraw(speaker: Speaker, *, by: int) -> int:
    """The speaker withdrew consent: every recording of theirs stops being served now and is
    deleted after the grace period. Returns how many recordings it stopped."""
    if speaker.withdrawn_on is not None:
        raise RecordingError(_("Người nói này đã rút đồng ý từ trước."))
    speaker.withdrawn_on = local_today()
    grace = timedelta(days=current_app.config["RECORDING_GRACE_DAYS"])
    stopped = rows_changed(
        update(Recording)
        .where(Recording.speaker_id == speaker.id)
        .values(status=RecordingStatus.WITHDRAWN, delete_after=utcnow() + grace),
        execution_options={"synchronize_session": "fetch"},
    )
    audit.record(
        "speaker.withdraw",
        speaker,
        _("Người nói %(name)s rút đồng ý", name=speaker.full_name),
        actor_id=by,
    )
    return stopped


@dataclass(frozen=True)
class Purged:
    recordings: int
    speakers: int


def purge(now: datetime | None = None) -> Purged:
    """Delete the recordings whose grace period has passed, and the personal data of speakers
    who withdrew consent and have no recording left. Safe to run again."""
    now = now or utcnow()
    gone = rows_changed(
        delete(Recording).where(Recording.delete_after.is_not(None), Recording.delete_after <= now),
        execution_options={"synchronize_session": False},
    )
    kept = select(Recording.speaker_id).where(Recording.speaker_id == Speaker.id)
    speakers = rows_changed(
        delete(Speaker).where(Speaker.withdrawn_on.is_not(None), ~kept.exists()),
        execution_options={"synchronize_session": False},
    )
    return Purged(gone, speakers)


# Reading --------------------------------------------------------------------------------------


def audio_url(recording: Recording) -> str:
    return recording_path(recording.id, recording.content_type)


def published(entry_id: int) -> list[Recording]:
    """The entry's approved recordings with their speakers, headword first, newest first."""
    return list(
        db.session.scalars(
            select(Recording)
            .join(Recording.speaker)
            .where(Recording.entry_id == entry_id, Recording.status == RecordingStatus.APPROVED)
            .order_by(Recording.part, Recording.reviewed_at.desc())
        )
    )


def served(recording_id: int) -> Recording | None:
    """An approved recording, with its bytes; None for any other."""
    return db.session.scalar(
        select(Recording).where(
            Recording.id == recording_id, Recording.status == RecordingStatus.APPROVED
        )
    )
