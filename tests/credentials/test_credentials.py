"""Open Badges 3.0 credentials: issued, downloaded, checked by an independent verifier and by
the public page; tampering, a wrong key and revocation each fail; keys rotate."""

from __future__ import annotations

import ast
import copy
import hashlib
import io
import json
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image
from sqlalchemy import func, select

from lms.audit.models import AuditEvent
from lms.credentials import issuer, jsonld, keys, proof, services
from lms.credentials.models import BadgeCredential
from lms.db import db
from lms.roles import Role
from tests.credentials import independent_verifier
from tests.credentials.conftest import CODE
from tests.factories import make_person

VERIFIER = Path(independent_verifier.__file__)


def _download(client, login, certificate) -> dict:
    login("hocvien")
    response = client.get(f"/certificates/{certificate.id}/badge.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    return json.loads(response.get_data(as_text=True))


def _did(client) -> dict:
    return client.get("/.well-known/did.json").get_json()


def _check_page(client, credential: dict | bytes, name: str = "chung-chi.json") -> str:
    data = credential if isinstance(credential, bytes) else json.dumps(credential).encode()
    response = client.post(
        "/verify/credential",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    return response.get_data(as_text=True)


def test_the_independent_verifier_shares_no_code_with_the_signer():
    tree = ast.parse(VERIFIER.read_text(encoding="utf-8"))
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any(name and name.startswith(("lms", "cryptography")) for name in imported)


def test_a_downloaded_credential_verifies_independently(client, login, signing_key, certificate):
    credential = _download(client, login, certificate)

    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["issuer"]["id"] == "did:web:localhost"
    assert credential["issuer"]["name"] == "Sở Dân tộc và Tôn giáo"
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["name"] == "Tiếng Tày giao tiếp"
    assert "1,5 tiết" in achievement["criteria"]["narrative"]
    assert credential["credentialSubject"]["creditsEarned"] == 1.5
    assert credential["credentialSubject"]["activityEndDate"] == "2024-04-05"
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert credential["proof"]["verificationMethod"] == "did:web:localhost#key-1"
    assert independent_verifier.verify_proof(credential, _did(client))


def test_the_recipient_is_a_salted_hash_of_the_e_mail(client, login, signing_key, certificate):
    credential = _download(client, login, certificate)

    identity = credential["credentialSubject"]["identifier"][0]
    assert identity["identityType"] == "emailAddress" and identity["hashed"] is True
    expected = hashlib.sha256(("mai@example.vn" + identity["salt"]).encode()).hexdigest()
    assert identity["identityHash"] == f"sha256${expected}"
    assert "mai@example.vn" not in json.dumps(credential)
    assert "Lò Thị Mai" not in json.dumps(credential, ensure_ascii=False)


def test_without_e_mail_the_account_iri_is_hashed(app, signing_key, certificate, holder):
    holder.email = None
    with app.test_request_context():
        document = json.loads(services.issue(certificate).document)
    identity = document["credentialSubject"]["identifier"][0]
    iri = f"http://localhost/people/{holder.id}"
    assert identity["identityType"] == "url"
    assert (
        identity["identityHash"]
        == "sha256$" + hashlib.sha256((iri + identity["salt"]).encode()).hexdigest()
    )


def test_the_same_credential_is_downloaded_again(client, login, signing_key, certificate):
    first = _download(client, login, certificate)
    second = _download(client, login, certificate)

    assert first == second
    assert db.session.scalar(select(func.count(BadgeCredential.id))) == 1


def test_another_person_cannot_download_it(client, login, signing_key, certificate):
    make_person("nguoikhac")
    db.session.commit()
    login("nguoikhac")

    assert client.get(f"/certificates/{certificate.id}/badge.json").status_code == 404
    assert client.get(f"/certificates/{certificate.id}/badge.png").status_code == 404


def test_a_tampered_field_fails(client, login, signing_key, certificate):
    credential = _download(client, login, certificate)
    tampered = copy.deepcopy(credential)
    tampered["credentialSubject"]["creditsEarned"] = 40.0

    assert not independent_verifier.verify_proof(tampered, _did(client))
    page = _check_page(client, tampered)
    assert "Chứng chỉ số không hợp lệ" in page
    assert "Chữ ký không khớp" in page
    assert "Chứng chỉ số hợp lệ" in _check_page(client, credential)


def test_a_wrong_key_fails(client, login, signing_key, certificate):
    credential = _download(client, login, certificate)
    unsigned = {name: value for name, value in credential.items() if name != "proof"}
    stranger = keys.SigningKey(1, Ed25519PrivateKey.generate())
    forged = proof.sign(
        unsigned, stranger, credential["proof"]["verificationMethod"], "2025-01-01T00:00:00Z"
    )

    assert not independent_verifier.verify_proof(forged, _did(client))
    page = _check_page(client, forged)
    assert "Chứng chỉ số không hợp lệ" in page and "Chữ ký không khớp" in page


def test_a_key_the_issuer_never_published_is_named(client, login, signing_key, certificate):
    credential = _download(client, login, certificate)
    credential["proof"]["verificationMethod"] = "did:web:localhost#key-9"

    page = _check_page(client, credential)

    assert "did:web:localhost#key-9 không có trong bộ khóa công bố" in page
    assert "Không kiểm tra được" in page


def test_a_revoked_credential_fails_with_its_reason(client, login, signing_key, certificate):
    credential = _download(client, login, certificate)
    services.revoke(certificate, "Cấp nhầm người", actor_id=None)
    db.session.commit()

    status_url = credential["credentialStatus"]["statusListCredential"]
    status = client.get(status_url.removeprefix("http://localhost")).get_json()
    assert independent_verifier.verify_proof(status, _did(client))
    assert independent_verifier.is_revoked(credential, status)
    # The signature still holds: revocation is a separate check.
    assert independent_verifier.verify_proof(credential, _did(client))
    page = _check_page(client, credential)
    assert "Chứng chỉ số không hợp lệ" in page
    assert "Chứng chỉ đã bị thu hồi" in page
    assert "Cấp nhầm người" in page
    # The check by code and the holder's certificate page say so too.
    by_code = client.get(f"/verify/{CODE}").get_data(as_text=True)
    assert "Giấy chứng nhận đã bị thu hồi" in by_code and "Cấp nhầm người" in by_code
    assert "Giấy chứng nhận hợp lệ" not in by_code
    mine = client.get(f"/certificates/{certificate.id}").get_data(as_text=True)
    assert "Giấy chứng nhận này đã bị thu hồi: Cấp nhầm người" in mine


def test_a_credential_not_revoked_is_clear_in_the_status_list(
    client, login, signing_key, certificate
):
    credential = _download(client, login, certificate)
    status = client.get("/credentials/status/1").get_json()

    assert not independent_verifier.is_revoked(credential, status)
    assert client.get("/credentials/status/2").status_code == 404


def test_a_foreign_status_list_cannot_be_checked(client, login, signing_key, certificate):
    credential = _download(client, login, certificate)
    row = db.session.scalar(select(BadgeCredential))
    document = json.loads(row.document)
    document["credentialStatus"]["statusListCredential"] = "https://example.org/status/1"
    unsigned = {name: value for name, value in document.items() if name != "proof"}
    resigned = proof.sign(
        unsigned, signing_key, credential["proof"]["verificationMethod"], "2025-01-01T00:00:00Z"
    )

    page = _check_page(client, resigned)

    assert "danh sách thu hồi không thuộc hệ thống này" in page
    assert "Chứng chỉ số không hợp lệ" in page


def test_an_expired_credential_fails(client, login, signing_key, certificate):
    credential = _download(client, login, certificate)
    unsigned = {name: value for name, value in credential.items() if name != "proof"}
    unsigned["validUntil"] = "2025-01-01T00:00:00Z"
    expired = proof.sign(
        unsigned, signing_key, credential["proof"]["verificationMethod"], "2025-01-01T00:00:00Z"
    )

    page = _check_page(client, expired)

    assert "Chứng chỉ đã hết hạn" in page
    assert "Chứng chỉ không có hạn dùng" in _check_page(client, credential)


def test_the_baked_png_carries_the_credential(client, login, signing_key, certificate):
    login("hocvien")
    response = client.get(f"/certificates/{certificate.id}/badge.png")
    assert response.headers["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.data))
    credential = json.loads(image.text["openbadgecredential"])

    assert independent_verifier.verify_proof(credential, _did(client))
    assert "Chứng chỉ số hợp lệ" in _check_page(client, response.data, "huy-hieu.png")


@pytest.mark.parametrize(
    "data",
    [b"", b"not json", b"\x89PNG\r\n\x1a\n\x00\x00", json.dumps({"type": "Other"}).encode()],
    ids=["empty", "text", "broken-png", "not-a-badge"],
)
def test_a_bad_upload_is_refused_in_vietnamese(client, signing_key, data):
    response = client.post(
        "/verify/credential",
        data={"file": (io.BytesIO(data), "tep.json")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Tệp này không phải chứng chỉ Open Badges" in page or "Hãy chọn tệp" in page
    assert db.session.scalar(select(func.count(BadgeCredential.id))) == 0


def test_rotation_keeps_old_credentials_verifying(app, client, login, signing_key, certificate):
    old = _download(client, login, certificate)
    keys.create_key(first=False)
    # A certificate is issued once: sign another document as the new key would sign it.
    with app.test_request_context():
        document = services.credential_document(certificate, 99)
        new_key = keys.current_key()
        method = issuer.verification_method(new_key.number)
        newer = proof.sign(document, new_key, method, "2026-01-01T00:00:00Z")
    did = _did(client)

    assert [method["id"] for method in did["verificationMethod"]] == [
        "did:web:localhost#key-1",
        "did:web:localhost#key-2",
    ]
    assert independent_verifier.verify_proof(old, did)
    assert independent_verifier.verify_proof(newer, did)
    assert "Chứng chỉ số hợp lệ" in _check_page(client, old)


def test_keys_are_owner_only_files_outside_the_database(key_folder, signing_key):
    path = key_folder / "key-1.pem"

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_folder.stat().st_mode) == 0o700
    with pytest.raises(keys.SigningKeyError):
        keys.create_key(first=True)


def test_without_a_key_nothing_is_issued(client, login, key_folder, certificate):
    login("hocvien")
    response = client.get(f"/certificates/{certificate.id}/badge.json")

    assert response.status_code == 400
    assert "flask credentials keygen" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(BadgeCredential.id))) == 0


def test_an_administrator_revokes_with_a_reason_in_the_audit_log(
    client, login, signing_key, certificate
):
    make_person("quantri", roles=(Role.ADMIN,))
    db.session.commit()
    login("quantri")
    revoke = f"/admin/credentials/{certificate.id}/revoke"

    assert client.post(revoke, data={"reason": " "}).status_code == 302
    db.session.refresh(certificate)
    assert certificate.revoked_at is None
    client.post(revoke, data={"reason": "Gian lận bài kiểm tra"})

    db.session.refresh(certificate)
    assert certificate.revocation_reason == "Gian lận bài kiểm tra"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "certificate.revoke"))
    assert event is not None and "Gian lận" in event.summary
    assert "Gian lận bài kiểm tra" in client.get("/admin/credentials").get_data(as_text=True)
    # Issued after its revocation, the credential is born revoked.
    client.post("/logout")
    credential = _download(client, login, certificate)
    assert "Chứng chỉ đã bị thu hồi" in _check_page(client, credential)


def test_the_commands_make_keys_backfill_and_revoke(app, runner, key_folder, certificate):
    app.config["PUBLIC_URL"] = "https://hoctap.example.vn"

    assert runner.invoke(args=["credentials", "keygen"]).exit_code == 0
    assert runner.invoke(args=["credentials", "keygen"]).exit_code != 0
    assert runner.invoke(args=["credentials", "keygen", "--if-missing"]).exit_code == 0
    assert sorted(path.name for path in key_folder.iterdir()) == ["key-1.pem"]
    issued = runner.invoke(args=["credentials", "issue"])
    assert "issued 1 credential(s) as did:web:hoctap.example.vn" in issued.output
    assert runner.invoke(args=["credentials", "issue"]).output.startswith("issued 0")
    assert runner.invoke(args=["credentials", "rotate"]).exit_code == 0
    revoked = runner.invoke(args=["credentials", "revoke", CODE.lower(), "--reason", "Trùng"])
    assert revoked.exit_code == 0, revoked.output

    row = db.session.scalar(select(BadgeCredential))
    assert row.key_number == 1 and row.certificate.revocation_reason == "Trùng"
    document = json.loads(row.document)
    assert document["issuer"]["id"] == "did:web:hoctap.example.vn"
    assert document["id"] == f"https://hoctap.example.vn/verify/{CODE}"


def test_a_credential_of_too_many_objects_is_not_canonicalized(client, signing_key):
    crafted = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "credentialSubject": [{"type": "AchievementSubject"} for _ in range(500)],
    }

    response = client.post(
        "/verify/credential",
        data={"file": (io.BytesIO(json.dumps(crafted).encode()), "lon.json")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 400


def test_the_independent_canonical_form_is_the_signer_s(app, signing_key, certificate):
    with app.test_request_context():
        credential = json.loads(services.issue(certificate).document)
    unsigned = {name: value for name, value in credential.items() if name != "proof"}

    assert independent_verifier.canonical_nquads(unsigned) == jsonld.canonical_nquads(unsigned)
