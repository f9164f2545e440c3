"""Evidence: uploads recognised by their content, PDFs that would run something, each person's
share of the database, and freeing files that no activity shows any more.

Evidence lives in the database, so every kept byte grows it and every backup: a file nothing
refers to is deleted in the change that let it go, and `flask files prune` sweeps the rest.
"""

from __future__ import annotations

import binascii
import hashlib
import re
import secrets
import zlib
from base64 import a85decode
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import Exists, delete, exists, func, select

from lms.accounts.models import Person
from lms.db import db, utcnow
from lms.i18n import gettext as _
from lms.numbers import file_size
from lms.plans.models import ActivityStatus, EvidenceFile, ExternalActivity
from lms.plans.values import PlanError
from lms.text import clean_name
from lms.uploads.services import Upload, pending_bytes

# PDFs that run something ---------------------------------------------------------------------

# Names a reader acts on by itself: JavaScript, starting a program, actions on opening a page
# or a field, files carried inside, Flash/3D content, XFA forms (which carry scripts).
RUNNING_NAMES = frozenset(
    {
        b"JavaScript",
        b"JS",
        b"Launch",
        b"AA",
        b"EmbeddedFile",
        b"EmbeddedFiles",
        b"RichMedia",
        b"XFA",
    }
)
# Short names turn up by chance in a stream's binary data; inside one only the long ones count
# (an object hidden in a stream still has to say /S /JavaScript or /S /Launch to run).
SHORT_NAMES = frozenset(name for name in RUNNING_NAMES if len(name) <= 3)
# Objects packed in object streams are unpacked to be read; more than this in all is refused.
MAX_UNPACKED_BYTES = 16 * 1024 * 1024
MAX_DICTIONARY = 4096

_NAME = re.compile(rb"/([^\s()<>\[\]{}/%]*)")
# Only names that may spell a running one: its first letter, or an escape; short enough.
_CANDIDATE = re.compile(rb"/([JLAERX#][^\s()<>\[\]{}/%]{0,40})(?![^\s()<>\[\]{}/%])")
_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"\bstream(?:\r\n|\n|\r)")
_DIRECT_LENGTH = re.compile(rb"/Length\s+(\d+)\b(?!\s+\d+\s+R)")


@dataclass(frozen=True)
class PdfRisk:
    """Why a PDF is refused: the name found ("/JavaScript"), or None if a part was unreadable."""

    name: str | None


class _Unreadable(Exception):
    pass


def _decoded(name: bytes) -> bytes:
    """Return a name with its hex escapes (#4A) decoded."""
    if b"#" not in name:
        return name
    return _HEX_ESCAPE.sub(lambda found: bytes.fromhex(found[1].decode()), name)


def _names(data: bytes) -> list[bytes]:
    """Return every name of a (short) dictionary, decoded."""
    return [_decoded(found[1]) for found in _NAME.finditer(data)]


def _running_names(data: bytes) -> Iterator[tuple[int, bytes]]:
    """Yield (position, name) for each name a reader acts on by itself."""
    for found in _CANDIDATE.finditer(data):
        name = _decoded(found[1])
        if name in RUNNING_NAMES:
            yield found.start(), name


def _streams(data: bytes) -> list[tuple[bytes, int, int]]:
    """Return (dictionary, start, end) of each stream's data."""
    found = []
    position = 0
    while match := _STREAM.search(data, position):
        start = match.end()
        # The dictionary runs from its object's "obj" keyword; a longer one is not a stream's.
        floor = max(position, match.start() - MAX_DICTIONARY)
        keyword = data.rfind(b"obj", floor, match.start())
        dictionary = data[keyword + 3 if keyword >= 0 else floor : match.start()]
        length = _DIRECT_LENGTH.search(dictionary)
        end = start + int(length[1]) if length else -1
        if not length or data[end : end + 40].lstrip()[:9] != b"endstream":
            end = data.find(b"endstream", start)
            end = len(data) if end < 0 else end
        found.append((dictionary, start, end))
        position = max(end, start)
    return found


def _unpack(dictionary_names: list[bytes], raw: bytes, budget: int) -> bytes:
    """Undo an object stream's filters, refusing what cannot be read within budget bytes."""
    filters = [name for name in dictionary_names if name.endswith(b"Decode")]
    if b"Filter" in dictionary_names and not filters:
        raise _Unreadable  # filters named indirectly
    data = raw
    for name in filters:
        if name == b"FlateDecode":
            inflater = zlib.decompressobj()
            try:
                data = inflater.decompress(data, budget + 1)
            except zlib.error:
                raise _Unreadable from None
            if len(data) > budget or inflater.unconsumed_tail:
                raise _Unreadable
        elif name == b"ASCIIHexDecode":
            text = re.sub(rb"\s", b"", data).split(b">")[0]
            try:
                data = binascii.unhexlify(text + b"0" * (len(text) % 2))
            except binascii.Error:
                raise _Unreadable from None
        elif name == b"ASCII85Decode":
            try:
                data = a85decode(data.strip().removesuffix(b"~>") + b"~>", adobe=False)
            except ValueError:
                raise _Unreadable from None
        else:
            raise _Unreadable
    return data


def pdf_risk(data: bytes) -> PdfRisk | None:
    """Say why a PDF would run something when opened, or None when it would not.

    Reads the names of the file's objects, decoding hex escapes, and of the objects packed
    in object streams, unpacked up to MAX_UNPACKED_BYTES; stream data is otherwise not read.
    """
    streams = _streams(data)
    inside = [(start, end) for _dictionary, start, end in streams]
    for position, name in _running_names(data):
        if name not in SHORT_NAMES or not any(start <= position < end for start, end in inside):
            return PdfRisk("/" + name.decode())
    budget = MAX_UNPACKED_BYTES
    for dictionary, start, end in streams:
        names = _names(dictionary)
        # A reader takes a stream with /N and /First for an object stream, typed or not.
        if b"ObjStm" not in names and not (b"N" in names and b"First" in names):
            continue
        try:
            packed = _unpack(names, data[start:end], budget)
        except _Unreadable:
            return PdfRisk(None)
        budget -= len(packed)
        found = next(_running_names(packed), None)
        if found is not None:
            return PdfRisk("/" + found[1].decode())
    return None


# Each person's share -------------------------------------------------------------------------


def _shown() -> Exists:
    """True for a file some activity shows."""
    return exists().where(ExternalActivity.evidence_id == EvidenceFile.id)


def quota_bytes() -> int:
    """The most a person may keep in evidence files (EVIDENCE_QUOTA_MB)."""
    return int(current_app.config["EVIDENCE_QUOTA_MB"] * 1024 * 1024)


def live_bytes(owner_id: int) -> int:
    """Bytes of the owner's files that some activity shows, this transaction's own included,
    and of their pending uploads (a file sent with a refused form, kept a day).

    Locks the owner's row first (PostgreSQL), so two uploads at once are counted one after the
    other: the second waits for the first to commit and then sees its file.
    """
    db.session.flush()
    db.session.execute(select(Person.id).where(Person.id == owner_id).with_for_update())
    used = db.session.scalar(
        select(func.coalesce(func.sum(EvidenceFile.size), 0)).where(
            EvidenceFile.owner_id == owner_id, _shown()
        )
    )
    return int(used or 0) + pending_bytes(owner_id, PENDING)


# Freeing files -------------------------------------------------------------------------------


def release(file: EvidenceFile | None) -> bool:
    """Delete file, in this transaction, if no activity shows it any more; say if it went."""
    if file is None:
        return False
    db.session.flush()
    if db.session.scalar(select(_shown().where(EvidenceFile.id == file.id))):
        return False
    db.session.delete(file)
    return True


@dataclass(frozen=True)
class Orphan:
    token: str
    owner_id: int
    size: int
    original_name: str


def orphans(*, older_than: timedelta) -> list[Orphan]:
    """Files no activity shows, kept for longer than older_than (an upload in flight is young)."""
    rows = db.session.execute(
        select(
            EvidenceFile.token,
            EvidenceFile.owner_id,
            EvidenceFile.size,
            EvidenceFile.original_name,
        )
        .where(~_shown(), EvidenceFile.created_at < utcnow() - older_than)
        .order_by(EvidenceFile.id)
    )
    return [Orphan(*row) for row in rows]


def prune(*, older_than: timedelta) -> list[Orphan]:
    """Delete the files orphans() finds and return them."""
    found = orphans(older_than=older_than)
    if found:
        db.session.execute(
            delete(EvidenceFile)
            .where(EvidenceFile.token.in_([orphan.token for orphan in found]), ~_shown())
            .execution_options(synchronize_session=False)
        )
    return found


# The administrator's overview ----------------------------------------------------------------


@dataclass(frozen=True)
class UserShare:
    full_name: str
    username: str
    files: int
    size: int


@dataclass(frozen=True)
class StorageSummary:
    files: int
    size: int
    top: list[UserShare]
    orphans: int
    orphan_size: int


def storage_summary(*, top: int = 10) -> StorageSummary:
    """Evidence bytes and files in all, the people keeping most, and orphans awaiting prune."""
    files, size = db.session.execute(
        select(func.count(EvidenceFile.id), func.coalesce(func.sum(EvidenceFile.size), 0))
    ).one()
    orphan_count, orphan_size = db.session.execute(
        select(func.count(EvidenceFile.id), func.coalesce(func.sum(EvidenceFile.size), 0)).where(
            ~_shown()
        )
    ).one()
    total = func.sum(EvidenceFile.size)
    rows = db.session.execute(
        select(Person.full_name, Person.username, func.count(EvidenceFile.id), total)
        .join(Person, Person.id == EvidenceFile.owner_id)
        .group_by(Person.id, Person.full_name, Person.username)
        .order_by(total.desc(), Person.username)
        .limit(top)
    )
    return StorageSummary(files, size, [UserShare(*row) for row in rows], orphan_count, orphan_size)


# Uploads ------------------------------------------------------------------------------------

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
PENDING = "evidence"  # the purpose of the outside-activity form's pending upload (lms.uploads)
# Content types recognised by their first bytes; the file's name never decides.
SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)


# Markup a browser or PDF reader would run: a "polyglot" image or PDF that carries a web page.
_MARKUP = re.compile(
    rb"<(?:script|html|body|iframe|object|embed|meta|!doctype)\b|<svg[\s>]|/JavaScript\b",
    re.IGNORECASE,
)


def _looks_like_markup(data: bytes) -> bool:
    return _MARKUP.search(data) is not None


def store_evidence(owner: Person, upload: Upload) -> EvidenceFile:
    """Keep an uploaded certificate if its content is a PDF, PNG, JPEG or WebP image."""
    content_type = evidence_type(upload)
    evidence = EvidenceFile(
        token=secrets.token_urlsafe(32),
        owner_id=owner.id,
        content_type=content_type,
        size=len(upload.data),
        sha256=hashlib.sha256(upload.data).hexdigest(),
        original_name=clean_name(upload.filename)[:200] or "minh-chung",
        data=upload.data,
    )
    db.session.add(evidence)
    return evidence


def evidence_type(upload: Upload) -> str:
    """The content type of an upload evidence may be, or a PlanError (by the evidence field)
    saying why it may not: empty, too large, not a PDF or image by its content, or carrying
    something that runs."""
    data = upload.data
    if not data:
        raise PlanError(_("Tệp minh chứng trống."), field="evidence")
    if len(data) > MAX_EVIDENCE_BYTES:
        raise PlanError(
            _("Tệp minh chứng quá lớn (tối đa %(n)d MB).", n=MAX_EVIDENCE_BYTES // (1024 * 1024)),
            field="evidence",
        )
    content_type = next((kind for magic, kind, _ext in SIGNATURES if data.startswith(magic)), None)
    if content_type is None and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        content_type = "image/webp"
    if content_type is None:
        raise PlanError(
            _(
                "Tệp “%(name)s” không phải PDF, PNG, JPEG hay WebP "
                "(đã kiểm tra nội dung tệp, không chỉ tên).",
                name=clean_name(upload.filename)[:100],
            ),
            field="evidence",
        )
    if _looks_like_markup(data):
        raise PlanError(
            _(
                "Tệp “%(name)s” có chứa mã HTML hoặc mã chạy được (script); "
                "hãy tải lên bản PDF hoặc ảnh gốc.",
                name=clean_name(upload.filename)[:100],
            ),
            field="evidence",
        )
    if content_type == "application/pdf":
        _refuse_running_pdf(data, upload.filename)
    return content_type


def _refuse_running_pdf(data: bytes, filename: str) -> None:
    risk = pdf_risk(data)
    if risk is None:
        return
    name = clean_name(filename)[:100]
    again = _("Hãy tải lên bản in lại thành PDF (“Print to PDF”) hoặc ảnh chụp giấy chứng nhận.")
    if risk.name is None:
        raise PlanError(
            _(
                "Tệp PDF “%(name)s” có phần nén không đọc được hoặc quá lớn để kiểm tra mã chạy "
                "được, nên không được nhận làm minh chứng.",
                name=name,
            )
            + " "
            + again,
            field="evidence",
        )
    raise PlanError(
        _(
            "Tệp PDF “%(name)s” chứa thành phần có thể tự chạy khi mở (%(found)s): mã "
            "JavaScript, lệnh mở chương trình, hành động tự động hoặc tệp đính kèm, nên không "
            "được nhận làm minh chứng.",
            name=name,
            found=risk.name,
        )
        + " "
        + again,
        field="evidence",
    )


def check_quota(owner_id: int, upload: Upload) -> None:
    """Refuse the change if the owner's files, this upload included, exceed the quota.

    Checked after the new file is flushed and shown, and the one it replaces released, inside
    the transaction: the count is of what would be committed.
    """
    used = live_bytes(owner_id)
    limit = quota_bytes()
    if used > limit:
        size = len(upload.data)
        raise PlanError(
            _(
                "Không lưu được tệp “%(name)s” (%(size)s): bạn đã dùng %(used)s cho tệp minh "
                "chứng, hạn mức mỗi người là %(limit)s. Hãy thay minh chứng cũ bằng tệp nhỏ hơn "
                "(ảnh chụp, PDF nén) hoặc bỏ hoạt động không còn cần.",
                name=clean_name(upload.filename)[:100],
                size=file_size(size),
                used=file_size(used - size),
                limit=file_size(limit),
            ),
            field="evidence",
        )


def attach_evidence(activity: ExternalActivity, owner: Person, upload: Upload) -> None:
    """Attach (or replace) the evidence of an activity not yet verified.

    The replaced file goes in the same transaction unless another activity still shows it.
    """
    if activity.status == ActivityStatus.VERIFIED:
        raise PlanError(_("Hoạt động đã được xác nhận; không thay minh chứng được nữa."))
    replaced = activity.evidence
    activity.evidence = store_evidence(owner, upload)
    release(replaced)
    check_quota(owner.id, upload)
    if activity.status == ActivityStatus.REJECTED:
        activity.status = ActivityStatus.PENDING
