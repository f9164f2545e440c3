"""Checking an uploaded credential: signature, issuer key, expiry and revocation, each apart.

Signature and issuer key need only the published key set; revocation needs the status list,
and says "could not be checked" when the list is not this platform's (nothing is fetched).
"""

from __future__ import annotations

import base64
import gzip
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from pyld.jsonld import JsonLdError

from lms.credentials import baking, issuer, proof, services
from lms.credentials.models import BadgeCredential
from lms.errors import UserError
from lms.i18n import gettext as _

# A baked PNG of ours is about 10 KB and its credential 4 KB. Canonicalizing a crafted graph of
# many alike blank nodes takes time that grows fast with their number, so the page takes only
# small files and credentials of a few hundred objects.
MAX_CREDENTIAL_BYTES = 256 * 1024
MAX_JSON_CHARS = 32 * 1024
MAX_OBJECTS = 200


class UploadError(UserError):
    """The file is no credential this page can read."""


class State(StrEnum):
    OK = "ok"
    FAILED = "failed"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Check:
    state: State
    detail: str


@dataclass(frozen=True)
class Claims:
    """What the credential says, shown beside the checks (as the file has it)."""

    credential_id: str
    issuer_name: str
    achievement: str
    hours: str
    completed_on: date | None
    valid_from: datetime | None


@dataclass(frozen=True)
class Report:
    signature: Check
    issuer_key: Check
    expiry: Check
    revocation: Check
    claims: Claims
    revocation_reason: str | None = None

    @property
    def valid(self) -> bool:
        checks = (self.signature, self.issuer_key, self.expiry, self.revocation)
        return all(check.state is State.OK for check in checks)


def read_upload(data: bytes) -> dict[str, Any]:
    """The credential in an uploaded JSON file or baked PNG, or UploadError saying why not."""
    refused = _(
        "Tệp này không phải chứng chỉ Open Badges (tệp JSON, hoặc ảnh PNG có gắn chứng chỉ)."
    )
    if not data:
        raise UploadError(_("Hãy chọn tệp chứng chỉ (JSON hoặc PNG)."), field="file")
    if len(data) > MAX_CREDENTIAL_BYTES:
        raise UploadError(refused, field="file")
    try:
        text = baking.unbake(data) if baking.is_png(data) else data.decode("utf-8-sig")
        if len(text) > MAX_JSON_CHARS:
            raise ValueError("too large")
        document = json.loads(text)
    except (baking.NotBaked, UnicodeDecodeError, ValueError, RecursionError) as error:
        raise UploadError(refused, field="file") from error
    if not isinstance(document, dict) or "OpenBadgeCredential" not in _types(document):
        raise UploadError(refused, field="file")
    if _objects(document) > MAX_OBJECTS:
        raise UploadError(refused, field="file")
    return document


def _objects(node: Any) -> int:
    if isinstance(node, dict):
        return 1 + sum(_objects(value) for value in node.values())
    if isinstance(node, list):
        return sum(_objects(value) for value in node)
    return 0


def _types(node: Any) -> list[str]:
    kinds = node.get("type") if isinstance(node, dict) else None
    if isinstance(kinds, str):
        return [kinds]
    return [kind for kind in kinds if isinstance(kind, str)] if isinstance(kinds, list) else []


def _text(node: Any, *path: str) -> str:
    for name in path:
        node = node.get(name) if isinstance(node, dict) else None
    return node if isinstance(node, str) else ""


def _claims(document: dict[str, Any]) -> Claims:
    subject = document.get("credentialSubject")
    hours = subject.get("creditsEarned") if isinstance(subject, dict) else None
    return Claims(
        credential_id=_text(document, "id"),
        issuer_name=_text(document, "issuer", "name"),
        achievement=_text(subject, "achievement", "name"),
        hours=f"{hours:g}".replace(".", ",") if isinstance(hours, int | float) else "",
        completed_on=_day(_text(subject, "activityEndDate")),
        valid_from=_moment(_text(document, "validFrom")),
    )


def _check_proof(document: dict[str, Any]) -> tuple[Check, Check]:
    """The signature's check and the issuer key's."""
    issuer_id = _text(document, "issuer", "id") or _text(document, "issuer")
    try:
        method = proof.verify(document, issuer.published_key)
    except proof.UnknownKey as unknown:
        return (
            Check(State.UNKNOWN, _("Không kiểm tra được: chữ ký dùng một khóa lạ.")),
            Check(
                State.FAILED,
                _("Khóa %(key)s không có trong bộ khóa công bố của đơn vị cấp.", key=str(unknown)),
            ),
        )
    except (proof.ProofProblem, JsonLdError, UserError):
        return (
            Check(State.FAILED, _("Chữ ký không khớp: nội dung đã bị sửa hoặc chữ ký sai.")),
            Check(State.UNKNOWN, _("Không kiểm tra được vì chữ ký không hợp lệ.")),
        )
    signature = Check(State.OK, _("Chữ ký hợp lệ (Ed25519, eddsa-rdfc-2022)."))
    if method.split("#")[0] != issuer_id:
        return signature, Check(
            State.FAILED, _("Khóa ký không thuộc đơn vị cấp ghi trong chứng chỉ.")
        )
    return signature, Check(
        State.OK, _("Khóa %(key)s có trong bộ khóa công bố của đơn vị cấp.", key=method)
    )


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _moment(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _check_expiry(document: dict[str, Any], now: datetime) -> Check:
    valid_from = _moment(_text(document, "validFrom"))
    if valid_from is None:
        return Check(State.FAILED, _("Chứng chỉ không ghi ngày bắt đầu có hiệu lực."))
    if valid_from > now:
        return Check(State.FAILED, _("Chứng chỉ chưa đến ngày có hiệu lực."))
    if "validUntil" not in document:
        return Check(State.OK, _("Chứng chỉ không có hạn dùng."))
    valid_until = _moment(_text(document, "validUntil"))
    if valid_until is None or valid_until < now:
        return Check(State.FAILED, _("Chứng chỉ đã hết hạn."))
    return Check(State.OK, _("Còn hạn."))


def bit_is_set(encoded: str, position: int) -> bool:
    """Read one bit of a status list's encodedList (multibase base64url of GZIP)."""
    if not encoded.startswith("u"):
        raise ValueError("not base64url multibase")
    packed = base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4))
    bits = gzip.decompress(packed)
    return bool(bits[position // 8] & (0x80 >> (position % 8)))


def _check_revocation(document: dict[str, Any]) -> tuple[Check, str | None]:
    status = document.get("credentialStatus")
    if not isinstance(status, dict):
        return Check(State.UNKNOWN, _("Chứng chỉ không khai báo danh sách thu hồi.")), None
    list_url = _text(status, "statusListCredential")
    try:
        index = int(_text(status, "statusListIndex"))
    except ValueError:
        index = -1
    number, position = services.status_place(max(index, 0))
    if index < 0 or list_url != services.status_list_url(number):
        # Nothing is fetched from elsewhere: such a list cannot be checked here.
        return Check(
            State.UNKNOWN,
            _("Không kiểm tra được: danh sách thu hồi không thuộc hệ thống này."),
        ), None
    status_list = services.status_list_credential(number)
    try:
        proof.verify(status_list, issuer.published_key)
        revoked = bit_is_set(status_list["credentialSubject"]["encodedList"], position)
    except (proof.ProofProblem, ValueError, OSError):
        return Check(State.UNKNOWN, _("Không đọc được danh sách thu hồi.")), None
    if not revoked:
        return Check(State.OK, _("Chưa bị thu hồi.")), None
    found: BadgeCredential | None = services.credential_by_index(index)
    reason = found.certificate.revocation_reason if found is not None else None
    return Check(State.FAILED, _("Chứng chỉ đã bị thu hồi.")), reason


def verify(document: dict[str, Any], now: datetime) -> Report:
    """Check a credential read by read_upload."""
    signature, issuer_key = _check_proof(document)
    revocation, reason = _check_revocation(document)
    return Report(
        signature=signature,
        issuer_key=issuer_key,
        expiry=_check_expiry(document, now),
        revocation=revocation,
        claims=_claims(document),
        revocation_reason=reason,
    )
