"""An independent check of an eddsa-rdfc-2022 credential, written from the W3C specifications.

It shares no code with lms.credentials (the test suite checks that it imports none): pyld is
called directly with a loader of its own, the multibase key and signature are decoded here,
and the Ed25519 check is PyNaCl's (libsodium), not the `cryptography` package that signs.
Only the context files are shared: they are the published contexts, not code.

    python tests/credentials/independent_verifier.py credential.json did.json [status.json]
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import sys
from pathlib import Path

import nacl.exceptions
import nacl.signing
from pyld import jsonld

CONTEXTS = Path(__file__).resolve().parents[2] / "lms" / "credentials" / "contexts"
URLS = {
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-v3p0-context-3.0.3.json",
}
ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def offline_loader(url, options=None):
    if url not in URLS:
        raise ValueError(f"context not available offline: {url}")
    document = json.loads((CONTEXTS / URLS[url]).read_text(encoding="utf-8"))
    return {"contextUrl": None, "documentUrl": url, "document": document}


def decode_base58btc(text: str) -> bytes:
    """Multibase 'z': base58 with the Bitcoin alphabet; each leading '1' is a zero byte."""
    if not text.startswith("z"):
        raise ValueError("not base58btc multibase")
    value = 0
    for char in text[1:]:
        value = value * 58 + ALPHABET.index(char)
    leading = len(text[1:]) - len(text[1:].lstrip("1"))
    return b"\x00" * leading + (value.to_bytes((value.bit_length() + 7) // 8, "big"))


def canonical_hash(document: dict) -> bytes:
    nquads = jsonld.normalize(
        document,
        {
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "documentLoader": offline_loader,
        },
    )
    return hashlib.sha256(nquads.encode("utf-8")).digest()


def key_from_did_document(did_document: dict, method_id: str) -> bytes:
    """The raw Ed25519 key of a Multikey verification method listed for assertions."""
    if method_id not in did_document.get("assertionMethod", []):
        raise ValueError("key not authorised for assertions")
    for method in did_document.get("verificationMethod", []):
        if method["id"] == method_id and method["type"] == "Multikey":
            data = decode_base58btc(method["publicKeyMultibase"])
            if data[:2] != b"\xed\x01" or len(data) != 34:
                raise ValueError("not an Ed25519 Multikey")
            return data[2:]
    raise ValueError(f"key {method_id} not in the DID document")


def verify_proof(credential: dict, did_document: dict) -> bool:
    """True when the credential's eddsa-rdfc-2022 proof holds for a key of did_document."""
    proof = dict(credential["proof"])
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != "eddsa-rdfc-2022":
        return False
    if not proof["verificationMethod"].startswith(did_document["id"] + "#"):
        return False
    signature = decode_base58btc(proof.pop("proofValue"))
    unsigned = {name: value for name, value in credential.items() if name != "proof"}
    proof_config = {"@context": credential["@context"], **proof}
    message = canonical_hash(proof_config) + canonical_hash(unsigned)
    key = nacl.signing.VerifyKey(key_from_did_document(did_document, proof["verificationMethod"]))
    try:
        key.verify(message, signature)
    except nacl.exceptions.BadSignatureError:
        return False
    return True


def is_revoked(credential: dict, status_list: dict) -> bool:
    """Read the credential's bit in a (W3C Bitstring) status list credential."""
    entry = credential["credentialStatus"]
    assert entry["statusListCredential"] == status_list["id"]
    encoded = status_list["credentialSubject"]["encodedList"]
    assert encoded.startswith("u")
    bits = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    index = int(entry["statusListIndex"])
    return bool(bits[index // 8] >> (7 - index % 8) & 1)


if __name__ == "__main__":
    credential = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    did = json.loads(Path(sys.argv[2]).read_text(encoding="utf-8"))
    ok = verify_proof(credential, did)
    print("signature:", "ok" if ok else "FAILED")
    if len(sys.argv) > 3:
        status = json.loads(Path(sys.argv[3]).read_text(encoding="utf-8"))
        print("status list signature:", "ok" if verify_proof(status, did) else "FAILED")
        print("revoked:", is_revoked(credential, status))
    sys.exit(0 if ok else 1)
