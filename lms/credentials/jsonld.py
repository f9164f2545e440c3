"""JSON-LD with the bundled contexts only, and RDF dataset canonicalization (RDFC-1.0)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from pyld import jsonld

from lms.errors import UserError

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
OPEN_BADGES_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
DID_V1 = "https://www.w3.org/ns/did/v1"

CONTEXT_DIR = Path(__file__).resolve().parent / "contexts"
CONTEXT_FILES = {
    CREDENTIALS_V2: "credentials-v2.json",
    OPEN_BADGES_V3: "ob-v3p0-context-3.0.3.json",
    DATA_INTEGRITY_V2: "data-integrity-v2.json",
    MULTIKEY_V1: "multikey-v1.json",
}


class UnknownContext(UserError):
    """A document names a context this platform does not bundle: it cannot be read offline."""


@cache
def _context(url: str) -> dict[str, Any]:
    return json.loads((CONTEXT_DIR / CONTEXT_FILES[url]).read_text(encoding="utf-8"))


def load_document(url: str, options: dict | None = None) -> dict[str, Any]:
    """pyld's document loader: the bundled contexts, never the network."""
    if url not in CONTEXT_FILES:
        raise UnknownContext(url)
    return {"contextUrl": None, "documentUrl": url, "document": _context(url)}


def canonical_nquads(document: dict[str, Any]) -> str:
    """The document's RDF dataset, canonicalized (RDFC-1.0, pyld's URDNA2015), as N-Quads."""
    return jsonld.normalize(
        document,
        {
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "documentLoader": load_document,
        },
    )
