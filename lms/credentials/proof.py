"""Data Integrity proofs with the eddsa-rdfc-2022 cryptosuite (W3C VC Data Integrity EdDSA).

Signing: canonicalize the credential without its proof and the proof options (with the
credential's @context) by RDFC-1.0, hash each with SHA-256, and sign proof-options-hash +
document-hash with Ed25519; proofValue is the signature in multibase base58btc.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pyld.jsonld import JsonLdError

from lms.credentials.jsonld import canonical_nquads
from lms.credentials.keys import SigningKey, base58btc, from_base58btc

CRYPTOSUITE = "eddsa-rdfc-2022"


def _hash_data(document: dict[str, Any], options: dict[str, Any]) -> bytes:
    unsigned = {key: value for key, value in document.items() if key != "proof"}
    config = {"@context": document["@context"], **options}
    return (
        hashlib.sha256(canonical_nquads(config).encode()).digest()
        + hashlib.sha256(canonical_nquads(unsigned).encode()).digest()
    )


def sign(
    document: dict[str, Any], key: SigningKey, verification_method: str, created: str
) -> dict[str, Any]:
    """Return the document with a DataIntegrityProof by key."""
    options = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    }
    signature = key.private.sign(_hash_data(document, options))
    return {**document, "proof": {**options, "proofValue": "z" + base58btc(signature)}}


class ProofProblem(Exception):
    """Why a proof could not be checked or did not hold (a sentence for the page)."""


def verify(document: dict[str, Any], public_key: Callable[[str], Ed25519PublicKey | None]) -> str:
    """Check the document's proof; return its verificationMethod, or raise ProofProblem.

    public_key looks a verificationMethod up in the issuer's published key set; None means
    the key is unknown, and the proof cannot be checked (raised as UnknownKey).
    """
    proof = document.get("proof")
    if not isinstance(proof, dict):
        raise ProofProblem("no proof")
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != CRYPTOSUITE:
        raise ProofProblem("unsupported proof")
    if proof.get("proofPurpose") != "assertionMethod":
        raise ProofProblem("wrong purpose")
    method = proof.get("verificationMethod")
    value = proof.get("proofValue")
    if not isinstance(method, str) or not isinstance(value, str) or not value.startswith("z"):
        raise ProofProblem("malformed proof")
    key = public_key(method)
    if key is None:
        raise UnknownKey(method)
    options = {name: item for name, item in proof.items() if name != "proofValue"}
    try:
        signature = from_base58btc(value[1:])
        key.verify(signature, _hash_data(document, options))
    except (ValueError, InvalidSignature, JsonLdError) as error:
        raise ProofProblem("signature does not match") from error
    return method


class UnknownKey(ProofProblem):
    """The proof names a key the issuer never published."""
