"""Registering citizens, their recovery codes and e-mail confirmation, and the commune list.

Nothing here commits (the views save through `lms.web.saving`, so a refusal changes nothing),
except what must stay though the request is refused: a honeypot hit, a recovery attempt.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, time

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select, update

from lms import config
from lms.accounts import services as people
from lms.accounts.models import EmploymentKind, Person
from lms.audit import services as audit
from lms.auth import services as auth
from lms.citizens.models import CitizenProfile, Commune, RecoveryCode, Registration
from lms.db import db, utcnow
from lms.errors import UserError
from lms.i18n import agency_zone
from lms.i18n import gettext as _
from lms.outbox import services as outbox

# The privacy notice a citizen agrees to (citizens/notice.html): a new text gets a new version.
NOTICE_VERSION = "2026-12"
RECOVERY_CODES = 10
MAX_COMMUNE_NAME = 120
MAX_COMMUNE_CODE = 20


class CitizenError(UserError):
    """A registration, recovery or commune list refused, with what to fix."""


@dataclass(frozen=True)
class Applicant:
    """What someone typed to register (the form's fields, already cut to size)."""

    full_name: str
    username: str
    password: str
    email: str
    commune_id: int | None
    consent: bool
    honeypot: str  # a field people never see: only a bot fills it


@dataclass(frozen=True)
class Registered:
    person: Person
    codes: list[str]  # shown once, to a citizen without e-mail; else empty
    verify_sent: bool


def communes(*, active_only: bool = True) -> list[Commune]:
    query = select(Commune).order_by(Commune.name, Commune.code)
    if active_only:
        query = query.where(Commune.is_active.is_(True))
    return list(db.session.scalars(query))


def _day_start(now: datetime) -> datetime:
    """The start of the agency's day holding now (limits count per calendar day there)."""
    local = now.astimezone(agency_zone())
    return datetime.combine(local.date(), time(), tzinfo=agency_zone())


def _check_limits(address: str, now: datetime) -> None:
    config = current_app.config
    since = _day_start(now)
    from_here = db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(Registration.address == address, Registration.at >= since)
    )
    if (from_here or 0) >= config["CITIZENS_PER_ADDRESS_DAY"]:
        raise CitizenError(
            _(
                "Hôm nay đã có %(n)d tài khoản được đăng ký từ mạng này, mức tối đa trong một "
                "ngày. Vui lòng đăng ký vào ngày mai hoặc nhờ cán bộ xã tạo giúp.",
                n=config["CITIZENS_PER_ADDRESS_DAY"],
            )
        )
    everywhere = db.session.scalar(
        select(func.count()).select_from(Registration).where(Registration.at >= since)
    )
    if (everywhere or 0) >= config["CITIZENS_PER_DAY"]:
        raise CitizenError(
            _(
                "Hôm nay hệ thống đã nhận đủ số đăng ký tối đa trong ngày. "
                "Vui lòng quay lại ngày mai."
            )
        )


def register(applicant: Applicant, address: str, *, now: datetime | None = None) -> Registered:
    """Make a citizen's account from what they typed, or raise CitizenError naming the field.

    A filled honeypot is refused like a closed day, and recorded, so a bot learns nothing and
    counts against its address."""
    now = now or utcnow()
    address = (address or "?")[:64]
    if not current_app.config["CITIZEN_REGISTRATION"]:
        raise CitizenError(_("Việc tự đăng ký tài khoản đang tạm dừng."))
    _check_limits(address, now)
    if applicant.honeypot:
        db.session.add(Registration(address=address, at=now, refused=True))
        db.session.commit()  # counted, though the registration itself is refused
        raise CitizenError(_("Không thể đăng ký lúc này. Vui lòng thử lại sau."))
    if not applicant.consent:
        raise CitizenError(
            _("Hãy đọc và đồng ý với thông báo về dữ liệu cá nhân để đăng ký."), field="consent"
        )
    commune = db.session.get(Commune, applicant.commune_id) if applicant.commune_id else None
    if commune is None or not commune.is_active:
        raise CitizenError(_("Hãy chọn xã, phường nơi bạn sống trong danh sách."), field="commune")
    try:
        auth.check_password_policy(applicant.password, username=applicant.username)
    except auth.AuthError as error:
        raise CitizenError(error.message, field="password") from None
    person = make_citizen(
        applicant.full_name,
        applicant.username,
        applicant.password,
        commune,
        email=applicant.email or None,
        now=now,
    )
    db.session.add(Registration(address=address, at=now))
    codes = [] if person.email else new_recovery_codes(person)
    verify_sent = bool(person.email) and send_verification(person)
    audit.record(
        "citizen.register",
        person,
        f"Người học tự do {person.username} tự đăng ký (xã/phường {commune.code})",
        actor_id=person.id,
    )
    return Registered(person, codes, verify_sent)


def make_citizen(
    full_name: str,
    username: str,
    password: str,
    commune: Commune,
    *,
    email: str | None = None,
    now: datetime | None = None,
) -> Person:
    """A citizen's account and profile (registration's work once its checks have passed)."""
    person = people.create_person(
        username=username,
        full_name=full_name,
        email=email,
        employment_kind=EmploymentKind.OTHER,
        position_since=None,
    )
    person.is_citizen = True
    auth.set_password(person, password)
    db.session.flush()
    db.session.add(
        CitizenProfile(
            person_id=person.id,
            commune_id=commune.id,
            notice_version=NOTICE_VERSION,
            consented_at=now or utcnow(),
        )
    )
    return person


# Recovery codes ---------------------------------------------------------------------------------


def _normal_code(code: str) -> str:
    return "".join(char for char in code.casefold() if char.isalnum())


def new_recovery_codes(person: Person) -> list[str]:
    """Replace the person's recovery codes with new ones; return them (shown once)."""
    db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.person_id == person.id, RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
    )
    codes = ["-".join(auth.random_groups(2, 4)) for _ in range(RECOVERY_CODES)]
    db.session.add_all(
        RecoveryCode(person_id=person.id, code_hash=auth.hash_token(_normal_code(code)))
        for code in codes
    )
    return codes


def recovery_codes_left(person_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.person_id == person_id, RecoveryCode.used_at.is_(None))
        )
        or 0
    )


def recover(username: str, code: str, password: str, address: str) -> Person:
    """Set a new password with a recovery code, or raise CitizenError. Wrong codes count as
    failed sign-ins of that account from that address (the sign-in throttle applies)."""
    attempt = auth.record_attempt(username, address or "?")
    db.session.commit()  # the attempt is counted whatever follows
    try:
        auth.refuse_if_throttled(attempt)
    except auth.AuthError as error:
        db.session.commit()
        raise CitizenError(error.message) from None
    person = people.person_by_username(username)
    found = None
    if person is not None and person.is_active:
        found = db.session.scalar(
            select(RecoveryCode).where(
                RecoveryCode.person_id == person.id,
                RecoveryCode.code_hash == auth.hash_token(_normal_code(code)),
                RecoveryCode.used_at.is_(None),
            )
        )
    if person is None or found is None:
        raise CitizenError(_("Tên đăng nhập hoặc mã khôi phục không đúng."), field="code")
    try:
        auth.check_password_policy(password, username=person.username)
    except auth.AuthError as error:
        raise CitizenError(error.message, field="password") from None
    found.used_at = utcnow()
    auth.set_password(person, password)
    auth.end_other_sessions(person, None)
    auth.forget_failures(attempt)
    audit.record(
        "citizen.recover", person, "Đặt lại mật khẩu bằng mã khôi phục", actor_id=person.id
    )
    return person


# E-mail confirmation ----------------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="citizen-email")


def verification_link(person: Person) -> str:
    from flask import url_for

    token = _serializer().dumps([person.id, person.email])
    base = config.public_url(current_app.config)
    path = url_for("citizens.verify", token=token, _external=not base)
    return base + path


def send_verification(person: Person) -> bool:
    """Queue the e-mail with the confirmation link, when e-mail is sent at all."""
    if not person.email or not outbox.enabled():
        return False
    days = current_app.config["CITIZEN_EMAIL_LINK_DAYS"]
    body = _(
        "Chào %(name)s,\n\nĐể xác nhận địa chỉ e-mail của tài khoản %(username)s, hãy mở liên "
        "kết sau (dùng được trong %(days)d ngày):\n\n%(link)s\n\nNếu bạn không đăng ký, hãy bỏ "
        "qua thư này.",
        name=person.full_name,
        username=person.username,
        days=days,
        link=verification_link(person),
    )
    outbox.queue(
        [
            outbox.Letter(
                key=f"citizen-verify:{person.id}:{person.email}:{utcnow().isoformat()}",
                to=person.email,
                subject=_("Xác nhận địa chỉ e-mail"),
                body=body,
            )
        ]
    )
    return True


def email_verified(person_id: int) -> bool:
    profile = db.session.get(CitizenProfile, person_id)
    return profile is not None and profile.email_verified_at is not None


def verify(token: str) -> Person:
    """Mark the e-mail named by token as confirmed, or raise CitizenError."""
    days = current_app.config["CITIZEN_EMAIL_LINK_DAYS"]
    try:
        person_id, email = _serializer().loads(token, max_age=days * 86400)
    except SignatureExpired:
        raise CitizenError(
            _("Liên kết xác nhận đã hết hạn; hãy đăng nhập và bấm “Gửi lại thư xác nhận”.")
        ) from None
    except (BadSignature, ValueError, TypeError):
        raise CitizenError(_("Liên kết xác nhận không hợp lệ.")) from None
    person = db.session.get(Person, person_id) if isinstance(person_id, int) else None
    profile = db.session.get(CitizenProfile, person_id) if person is not None else None
    if person is None or profile is None or person.email != email:
        raise CitizenError(_("Liên kết xác nhận không còn dùng được (địa chỉ e-mail đã đổi)."))
    if profile.email_verified_at is None:
        profile.email_verified_at = utcnow()
        audit.record("citizen.verify_email", person, f"Xác nhận e-mail {email}", actor_id=person.id)
    return person


# The commune list -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommuneImport:
    added: int
    renamed: int
    retired: int


def import_communes(text: str, *, retire_missing: bool = False) -> CommuneImport:
    """Load the communes from CSV text (columns `code,name`, a header row), all or nothing:
    new codes are added, known ones renamed; with retire_missing, codes not in the file are
    retired (kept for the figures, no longer offered)."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    if not rows or [cell.strip().casefold() for cell in rows[0][:2]] != ["code", "name"]:
        raise CitizenError(_("Dòng đầu của tệp phải là: code,name"))
    seen: dict[str, str] = {}
    problems = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < 2 or not row[0].strip() or not row[1].strip():
            problems.append(_("Dòng %(n)d: cần cả mã và tên.", n=number))
            continue
        code, name = row[0].strip(), " ".join(row[1].split())
        if len(code) > MAX_COMMUNE_CODE or len(name) > MAX_COMMUNE_NAME:
            problems.append(_("Dòng %(n)d: mã hoặc tên quá dài.", n=number))
        elif code in seen:
            problems.append(_("Dòng %(n)d: mã %(code)s lặp lại.", n=number, code=code))
        else:
            seen[code] = name
    if problems:
        error = CitizenError(" ".join(problems))
        error.messages = problems
        raise error
    known = {commune.code: commune for commune in communes(active_only=False)}
    added = renamed = retired = 0
    for code, name in seen.items():
        commune = known.get(code)
        if commune is None:
            db.session.add(Commune(code=code, name=name))
            added += 1
        elif commune.name != name or not commune.is_active:
            commune.name, commune.is_active = name, True
            renamed += 1
    if retire_missing:
        for code, commune in known.items():
            if code not in seen and commune.is_active:
                commune.is_active = False
                retired += 1
    return CommuneImport(added, renamed, retired)
