"""The agency's Ed25519 signing keys: owner-only files outside the database, numbered.

Key n lives in `key-<n>.pem` (PKCS #8) in CREDENTIAL_KEYS_DIR. The highest number signs; every
key stays published, so credentials signed before a rotation still verify. A key file is
never overwritten or deleted by the app.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app

from lms.config import write_owner_only
from lms.errors import UserError
from lms.i18n import gettext as _

KEY_FILE = re.compile(r"^key-([1-9][0-9]*)\.pem$")
# The multicodec prefix of an Ed25519 public key (0xed, varint-encoded), for Multikey.
ED25519_PUBLIC_PREFIX = b"\xed\x01"
BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


class SigningKeyError(UserError):
    """No signing key yet, or one that cannot be read."""


@dataclass(frozen=True)
class SigningKey:
    number: int
    private: Ed25519PrivateKey

    @property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()

    @property
    def fragment(self) -> str:
        return f"key-{self.number}"


def base58btc(data: bytes) -> str:
    """Bitcoin base58 (multibase 'z' without its prefix)."""
    number = int.from_bytes(data, "big")
    text = ""
    while number:
        number, rest = divmod(number, 58)
        text = BASE58_ALPHABET[rest] + text
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + text


def from_base58btc(text: str) -> bytes:
    number = 0
    for char in text:
        number = number * 58 + BASE58_ALPHABET.index(char)
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def public_multibase(key: Ed25519PublicKey) -> str:
    """The key as a Multikey publicKeyMultibase: z + base58btc(0xed01 + 32 raw bytes)."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "z" + base58btc(ED25519_PUBLIC_PREFIX + raw)


def public_from_multibase(text: str) -> Ed25519PublicKey | None:
    """The Ed25519 key a publicKeyMultibase names, or None if it names none."""
    if not text.startswith("z"):
        return None
    try:
        data = from_base58btc(text[1:])
    except ValueError:
        return None
    if len(data) != 34 or not data.startswith(ED25519_PUBLIC_PREFIX):
        return None
    return Ed25519PublicKey.from_public_bytes(data[2:])


def keys_dir() -> Path:
    return Path(current_app.config["CREDENTIAL_KEYS_DIR"])


def _numbers(folder: Path) -> list[int]:
    if not folder.is_dir():
        return []
    found = (KEY_FILE.match(path.name) for path in folder.iterdir())
    return sorted(int(match.group(1)) for match in found if match)


def _read(folder: Path, number: int) -> SigningKey:
    data = (folder / f"key-{number}.pem").read_bytes()
    private = serialization.load_pem_private_key(data, password=None)
    if not isinstance(private, Ed25519PrivateKey):
        raise SigningKeyError(
            _("Tệp khóa key-%(number)s.pem không phải khóa Ed25519.", number=number)
        )
    return SigningKey(number, private)


def all_keys() -> list[SigningKey]:
    """Every key ever made here, oldest first: all of them stay published."""
    folder = keys_dir()
    return [_read(folder, number) for number in _numbers(folder)]


def current_key() -> SigningKey:
    """The key that signs new credentials: the newest one."""
    folder = keys_dir()
    numbers = _numbers(folder)
    if not numbers:
        raise SigningKeyError(
            _(
                "Chưa có khóa ký chứng chỉ số. Quản trị viên cần chạy lệnh "
                "“flask credentials keygen”."
            )
        )
    return _read(folder, numbers[-1])


def create_key(*, first: bool) -> SigningKey:
    """Make the next key (first=True: only when there is none yet) and return it."""
    folder = keys_dir()
    numbers = _numbers(folder)
    if first and numbers:
        raise SigningKeyError(
            _("Đã có khóa ký (key-%(number)s); muốn thay khóa, dùng “rotate”.", number=numbers[-1])
        )
    number = (numbers[-1] if numbers else 0) + 1
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    write_owner_only(folder / f"key-{number}.pem", pem)
    return SigningKey(number, private)
