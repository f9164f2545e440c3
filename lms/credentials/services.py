"""Issuing, revoking and listing the status of Open Badges credentials; nothing here commits."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from lms.accounts.models import Person
from lms.audit import services as audit
from lms.credentials import issuer, keys, proof
from lms.credentials.jsonld import CREDENTIALS_V2, OPEN_BADGES_V3
from lms.credentials.models import BadgeCredential
from lms.db import db, utcnow
from lms.errors import UserError
from lms.i18n import gettext as _
from lms.learning.models import REVOCATION_REASON_LENGTH, Certificate
from lms.numbers import decimal_text

# Bits in one status list: 16 KB, the smallest the W3C Bitstring Status List allows, so a
# list says nothing about how many credentials exist. A credential's id is its index.
STATUS_LIST_SIZE = 131_072


class RevocationError(UserError):
    """A revocation refused: no reason, or already revoked."""


def timestamp(moment: datetime) -> str:
    """An XML Schema dateTime in UTC, to the second: 2025-03-01T08:00:00Z."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def status_list_url(number: int) -> str:
    return f"{issuer.base_url()}/credentials/status/{number}"


def status_place(index: int) -> tuple[int, int]:
    """The status list (numbered from 1) and the bit in it of a credential's index."""
    return index // STATUS_LIST_SIZE + 1, index % STATUS_LIST_SIZE


def recipient_identity(person: Person) -> dict[str, Any]:
    """The holder as a salted SHA-256 of their e-mail, or of their account IRI without one."""
    if person.email:
        identity, kind = person.email.strip().lower(), "emailAddress"
    else:
        identity, kind = f"{issuer.base_url()}/people/{person.id}", "url"
    salt = secrets.token_hex(16)
    return {
        "type": "IdentityObject",
        "identityHash": "sha256$" + hashlib.sha256((identity + salt).encode()).hexdigest(),
        "identityType": kind,
        "hashed": True,
        "salt": salt,
    }


def credential_document(certificate: Certificate, index: int) -> dict[str, Any]:
    """The unsigned OpenBadgeCredential of a certificate, with the facts as printed on it."""
    base = issuer.base_url()
    person = db.session.get_one(Person, certificate.person_id)
    course_slug = certificate.course_progress.course.slug
    hours = decimal_text(certificate.hours)
    list_number, _bit = status_place(index)
    status_url = status_list_url(list_number)
    # Like the printed certificate, the credential is a Vietnamese document in any interface.
    return {
        "@context": [CREDENTIALS_V2, OPEN_BADGES_V3],
        "id": f"{base}/verify/{certificate.code}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"Giấy chứng nhận hoàn thành khóa học: {certificate.course_title}",
        "issuer": {
            "id": issuer.issuer_did(),
            "type": ["Profile"],
            "name": certificate.issuer_name or "Học tập suốt đời",
            "url": base,
        },
        "validFrom": timestamp(certificate.issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [recipient_identity(person)],
            # The agency's day of completion; the OB 3.0 context types it as xsd:date.
            "activityEndDate": certificate.completed_on.isoformat(),
            "creditsEarned": float(certificate.hours),
            "achievement": {
                "id": f"{base}/courses/{course_slug}#achievement",
                "type": ["Achievement"],
                "achievementType": "Course",
                "name": certificate.course_title,
                "description": f"Khóa học tự học {certificate.course_title}, {hours} tiết.",
                "criteria": {
                    "narrative": (
                        f"Hoàn thành mọi bài học bắt buộc và bài kiểm tra của khóa học "
                        f"“{certificate.course_title}” trên nền tảng Học tập suốt đời; "
                        f"số tiết được tính: {hours} tiết (creditsEarned, đơn vị: tiết)."
                    )
                },
                "creditsAvailable": float(certificate.hours),
            },
        },
        "credentialStatus": {
            "id": f"{status_url}#{index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(index),
            "statusListCredential": status_url,
        },
    }


def credential_of(certificate_id: int) -> BadgeCredential | None:
    return db.session.scalar(
        select(BadgeCredential).where(BadgeCredential.certificate_id == certificate_id)
    )


def issue(certificate: Certificate) -> BadgeCredential:
    """The certificate's credential, signed by the current key the first time it is asked for."""
    existing = credential_of(certificate.id)
    if existing is not None:
        return existing
    key = keys.current_key()
    credential = BadgeCredential(
        certificate_id=certificate.id, key_number=key.number, document="", issued_at=utcnow()
    )
    db.session.add(credential)
    db.session.flush()
    signed = proof.sign(
        credential_document(certificate, credential.id),
        key,
        issuer.verification_method(key.number),
        timestamp(credential.issued_at),
    )
    credential.document = json.dumps(signed, ensure_ascii=False, indent=2)
    return credential


def issue_missing() -> int:
    """Issue a credential for every certificate that has none yet; return how many."""
    pending = db.session.scalars(
        select(Certificate)
        .outerjoin(BadgeCredential, BadgeCredential.certificate_id == Certificate.id)
        .where(BadgeCredential.id.is_(None))
        .order_by(Certificate.id)
    ).all()
    for certificate in pending:
        issue(certificate)
    return len(pending)


def revoke(certificate: Certificate, reason: str, *, actor_id: int | None = None) -> None:
    """Revoke a certificate, and so its credential, for a reason the public checks show.

    The certificate stays (its code still finds it, saying it was revoked); the audit log
    keeps who revoked it and why.
    """
    reason = " ".join(reason.split())
    if not reason:
        raise RevocationError(_("Hãy ghi lý do thu hồi."), field="reason")
    if len(reason) > REVOCATION_REASON_LENGTH:
        raise RevocationError(
            _("Lý do thu hồi dài quá %(count)s ký tự.", count=REVOCATION_REASON_LENGTH),
            field="reason",
        )
    if certificate.revoked_at is not None:
        raise RevocationError(_("Giấy chứng nhận này đã bị thu hồi trước đó."))
    fields = ("revoked_at", "revocation_reason")
    before = audit.snapshot(certificate, fields)
    certificate.revoked_at = utcnow()
    certificate.revocation_reason = reason
    certificate.revoked_by_id = actor_id
    audit.record(
        "certificate.revoke",
        certificate,
        f"Thu hồi giấy chứng nhận {certificate.code}: {reason}",
        before=before,
        after=audit.snapshot(certificate, fields),
        actor_id=actor_id,
    )


def credential_by_index(index: int) -> BadgeCredential | None:
    return db.session.get(BadgeCredential, index)


def encoded_list(revoked: list[int]) -> str:
    """The bitstring (index 0 is the first byte's highest bit), GZIP, multibase base64url."""
    bits = bytearray(STATUS_LIST_SIZE // 8)
    for position in revoked:
        bits[position // 8] |= 0x80 >> (position % 8)
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode()


def status_list_credential(number: int) -> dict[str, Any]:
    """The signed BitstringStatusListCredential of list number, as of now."""
    first = (number - 1) * STATUS_LIST_SIZE
    revoked = db.session.scalars(
        select(BadgeCredential.id)
        .join(Certificate, Certificate.id == BadgeCredential.certificate_id)
        .where(
            Certificate.revoked_at.is_not(None),
            BadgeCredential.id >= first,
            BadgeCredential.id < first + STATUS_LIST_SIZE,
        )
    ).all()
    url = status_list_url(number)
    now = timestamp(utcnow())
    document = {
        "@context": [CREDENTIALS_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer.issuer_did(),
        "validFrom": now,
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded_list([index - first for index in revoked]),
        },
    }
    key = keys.current_key()
    return proof.sign(document, key, issuer.verification_method(key.number), now)
