"""Who issues: the agency as did:web of the platform's public address, and its key set."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from flask import current_app, has_request_context, request

from lms import config
from lms.credentials import keys
from lms.credentials.jsonld import DID_V1, MULTIKEY_V1
from lms.errors import UserError
from lms.i18n import gettext as _


class IssuerError(UserError):
    """The platform's public address is not known, so no issuer id can be made."""


def base_url() -> str:
    """The platform's public address (LMS_PUBLIC_URL), without a trailing slash.

    Without the setting, a page uses the address it was reached at; a command needs it.
    """
    configured = config.public_url(current_app.config)
    if configured:
        return configured
    if has_request_context():
        return request.host_url.rstrip("/")
    raise IssuerError(
        _("Cần đặt LMS_PUBLIC_URL (địa chỉ công khai của hệ thống) để cấp chứng chỉ số.")
    )


def issuer_did() -> str:
    """did:web of the public address: it stays when the agency is renamed."""
    parts = urlsplit(base_url())
    did = "did:web:" + quote(parts.netloc, safe="")
    path = [quote(segment, safe="") for segment in parts.path.split("/") if segment]
    return ":".join([did, *path])


def verification_method(number: int) -> str:
    return f"{issuer_did()}#key-{number}"


def did_document() -> dict[str, Any]:
    """The DID document served at /.well-known/did.json: every key, oldest first."""
    did = issuer_did()
    methods = [
        {
            "id": f"{did}#{key.fragment}",
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": keys.public_multibase(key.public),
        }
        for key in keys.all_keys()
    ]
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }


def published_key(method: str) -> Ed25519PublicKey | None:
    """The public key a verificationMethod names, if this issuer published it."""
    for key in keys.all_keys():
        if method == verification_method(key.number):
            return key.public
    return None
