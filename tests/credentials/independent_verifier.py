"""An independent check of an eddsa-rdfc-2022 credential, written from the W3C specifications.

It shares no code with lms.credentials (the test suite checks that it imports none): pyld only
turns the JSON-LD into RDF triples (with a loader of its own); the RDF canonicalization
(RDFC-1.0) is done here, not by pyld's normalize that the signer uses; the multibase key and
signature are decoded here, and the Ed25519 check is PyNaCl's (libsodium), not the
`cryptography` package that signs. Only the context files are shared: they are the published
contexts, not code.

The canonicalization is RDFC-1.0 for graphs whose blank nodes each have a distinct first-degree
hash (section 4.4 of the specification), which a credential's few blank nodes (subject,
identity, criteria) have; a graph that would need the N-degree step is refused, not guessed.

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


XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def _escape(text: str) -> str:
    """Canonical N-Quads escapes exactly these four characters in a literal."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def _term(term: dict, labels: dict[str, str]) -> str:
    if term["type"] == "IRI":
        return f"<{term['value']}>"
    if term["type"] == "blank node":
        return labels[term["value"]]
    literal = f'"{_escape(term["value"])}"'
    if term.get("language"):
        return f"{literal}@{term['language']}"
    if term.get("datatype") not in (None, XSD_STRING, RDF_LANG_STRING):
        return f"{literal}^^<{term['datatype']}>"
    return literal


def _line(quad: tuple, labels: dict[str, str]) -> str:
    subject, predicate, obj, graph = quad
    parts = [_term(subject, labels), _term(predicate, labels), _term(obj, labels)]
    if graph is not None:
        parts.append(_term(graph, labels))
    return " ".join(parts) + " .\n"


def _quads(document: dict) -> list[tuple]:
    dataset = jsonld.to_rdf(document, {"documentLoader": offline_loader})
    quads = []
    for name, triples in dataset.items():
        graph = None
        if name != "@default":
            graph = {"type": "blank node" if name.startswith("_:") else "IRI", "value": name}
        for triple in triples:
            quads.append((triple["subject"], triple["predicate"], triple["object"], graph))
    return quads


def canonical_nquads(document: dict) -> str:
    """RDFC-1.0 of the document's dataset, for blank nodes told apart by first-degree hashes."""
    quads = _quads(document)
    blanks = {
        term["value"]
        for quad in quads
        for term in quad
        if term is not None and term["type"] == "blank node"
    }
    first_degree = {}
    for node in blanks:
        # The node itself is _:a, every other blank node _:z (RDFC-1.0, 4.6).
        labels = {other: "_:z" for other in blanks} | {node: "_:a"}
        mentions = sorted(
            _line(quad, labels)
            for quad in quads
            if any(
                term is not None and term["type"] == "blank node" and term["value"] == node
                for term in quad
            )
        )
        first_degree[node] = hashlib.sha256("".join(mentions).encode()).hexdigest()
    if len(set(first_degree.values())) != len(first_degree):
        raise NotImplementedError("blank nodes share a first-degree hash: N-degree step needed")
    ordered = sorted(blanks, key=first_degree.__getitem__)
    labels = {node: f"_:c14n{number}" for number, node in enumerate(ordered)}
    return "".join(sorted({_line(quad, labels) for quad in quads}))


def canonical_hash(document: dict) -> bytes:
    return hashlib.sha256(canonical_nquads(document).encode("utf-8")).digest()


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
