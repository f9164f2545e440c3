"""`flask credentials ...`: signing keys (keygen, rotate), backfill, revocation."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from lms.credentials import issuer, keys, services
from lms.db import db
from lms.errors import UserError
from lms.learning.models import Certificate
from lms.learning.services import normal_code

group = click.Group("credentials", help="Open Badges 3.0 credentials and their signing keys.")


def _fail(error: UserError) -> None:
    raise click.ClickException(str(error))


@group.command("keygen")
@click.option("--if-missing", is_flag=True, help="Succeed quietly when a key exists (make run).")
@with_appcontext
def keygen(if_missing: bool) -> None:
    """Create the first signing key (owner-only file in CREDENTIAL_KEYS_DIR)."""
    if if_missing and keys.all_keys():
        return
    try:
        key = keys.create_key(first=True)
    except UserError as error:
        _fail(error)
        return
    click.echo(f"created {keys.keys_dir() / (key.fragment + '.pem')}")
    click.echo(f"public key {keys.public_multibase(key.public)}")


@group.command("rotate")
@with_appcontext
def rotate() -> None:
    """Create the next key; it signs from now on, older keys stay published."""
    key = keys.create_key(first=False)
    click.echo(f"created {keys.keys_dir() / (key.fragment + '.pem')}; it now signs")
    click.echo(f"public key {keys.public_multibase(key.public)}")


@group.command("issue")
@with_appcontext
def issue() -> None:
    """Issue a credential for every certificate that has none yet (backfill)."""
    try:
        count = services.issue_missing()
        db.session.commit()
    except UserError as error:
        _fail(error)
        return
    click.echo(f"issued {count} credential(s) as {issuer.issuer_did()}")


@group.command("revoke")
@click.argument("code")
@click.option("--reason", required=True, help="Shown on the verification page.")
@with_appcontext
def revoke(code: str, reason: str) -> None:
    """Revoke the credential of the certificate with verification code CODE."""
    normal = normal_code(code)
    certificate = db.session.scalar(db.select(Certificate).where(Certificate.code == normal))
    if certificate is None:
        raise click.ClickException(f"no certificate with code {code}")
    try:
        services.revoke(certificate, reason)
    except UserError as error:
        _fail(error)
        return
    db.session.commit()
    click.echo(f"revoked {normal}: {reason}")
