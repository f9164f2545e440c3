"""Open Badges pages: the learner's downloads, the public key set and status lists, the public
check of an uploaded credential, and revocation by an administrator."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lms.access import public, requires, signed_in
from lms.credentials import baking, issuer, services, verification
from lms.credentials.models import BadgeCredential
from lms.db import db, utcnow
from lms.errors import UserError
from lms.i18n import gettext as _
from lms.learning import queries as learning_queries
from lms.learning.models import Certificate
from lms.roles import Permission
from lms.web import saving

bp = Blueprint("credentials", __name__, template_folder="templates")

NO_STORE = {"X-Robots-Tag": "noindex", "Cache-Control": "no-store"}
ADMIN_LIST_SIZE = 100


def _issued(certificate_id: int) -> BadgeCredential:
    """The signed-in holder's credential for the certificate, issued on first download."""
    certificate = learning_queries.certificate_of(current_user.id, certificate_id)
    if certificate is None:
        abort(404)
    try:
        credential = services.issue(certificate)
        db.session.commit()
    except IntegrityError:
        # Two downloads at once: the other request issued it first; take that one.
        db.session.rollback()
        found = services.credential_of(certificate_id)
        if found is None:
            raise
        credential = found
    return credential


def _download(
    credential: BadgeCredential, body: str | bytes, extension: str, kind: str
) -> ResponseReturnValue:
    """The holder's file, named by the certificate's code, never kept by a cache."""
    name = f"chung-chi-{credential.certificate.code}.{extension}"
    headers = {
        "Content-Type": kind,
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "private, no-store",
    }
    return body, 200, headers


@bp.get("/certificates/<id:certificate_id>/badge.json")
@signed_in
def badge_json(certificate_id: int) -> ResponseReturnValue:
    credential = _issued(certificate_id)
    kind = "application/vc+ld+json; charset=utf-8"
    return _download(credential, credential.document, "json", kind)


@bp.get("/certificates/<id:certificate_id>/badge.png")
@signed_in
def badge_png(certificate_id: int) -> ResponseReturnValue:
    credential = _issued(certificate_id)
    return _download(credential, baking.bake(credential.document), "png", "image/png")


@bp.get("/.well-known/did.json")
@public
def did_document() -> ResponseReturnValue:
    """The issuer's public keys (did:web): every key ever used, so old credentials verify."""
    response = jsonify(issuer.did_document())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/credentials/status/<int:number>")
@public
def status_list(number: int) -> ResponseReturnValue:
    """The signed revocation list; a verifier may keep a copy, but should fetch it anew."""
    highest = db.session.scalar(select(func.max(BadgeCredential.id))) or 0
    if not 1 <= number <= services.status_place(highest)[0]:
        abort(404)
    try:
        document = services.status_list_credential(number)
    except UserError:
        # No signing key: nothing was ever issued here, so there is no list to publish.
        abort(404)
    response = jsonify(document)
    response.headers["Content-Type"] = "application/vc+ld+json"
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


@bp.post("/verify/credential")
@public
def verify_file() -> ResponseReturnValue:
    """Anyone may check a credential file (JSON or baked PNG); nothing is stored."""
    upload = request.files.get("file")
    data = upload.read(verification.MAX_CREDENTIAL_BYTES + 1) if upload else b""
    try:
        document = verification.read_upload(data)
    except verification.UploadError as error:
        page = render_template("credentials/verify_file.html", error=error.message, report=None)
        return page, 400, NO_STORE
    report = verification.verify(document, utcnow())
    page = render_template("credentials/verify_file.html", error=None, report=report)
    return page, 200, NO_STORE


@bp.get("/admin/credentials")
@requires(Permission.MANAGE_PEOPLE)
def admin_list() -> ResponseReturnValue:
    """The newest certificates, with their credential if issued, to revoke one."""
    rows = db.session.execute(
        select(Certificate, BadgeCredential)
        .outerjoin(BadgeCredential, BadgeCredential.certificate_id == Certificate.id)
        .order_by(Certificate.id.desc())
        .limit(ADMIN_LIST_SIZE)
    ).all()
    return render_template("credentials/admin.html", rows=rows)


@bp.post("/admin/credentials/<id:certificate_id>/revoke")
@requires(Permission.MANAGE_PEOPLE)
def revoke(certificate_id: int) -> ResponseReturnValue:
    certificate = db.get_or_404(Certificate, certificate_id)
    with saving(_("Đã thu hồi giấy chứng nhận %(code)s.", code=certificate.code)):
        services.revoke(certificate, request.form.get("reason", ""), actor_id=current_user.id)
    return redirect(url_for("credentials.admin_list"))
