"""Encryption at rest for what the kiosk keeps on disk (the outbox's payloads).

The key is derived from the kiosk's enrolment secret with HKDF-SHA256, so nothing new has to be
stored; each payload is sealed with AES-256-GCM under a fresh 96-bit nonce, and the record id is
bound in as associated data so a ciphertext cannot be moved to another record unnoticed.

It also hashes the technician's maintenance PIN (salted scrypt) and checks it.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from kiosk.errors import ConfigError
from wire.errors import ExitCode, KioskError

_INFO = b"kiosk24 outbox at-rest v1"
_NONCE_BYTES = 12


class DecryptionError(KioskError):
    """A stored payload cannot be opened: another kiosk key, or the bytes were altered."""

    key = "outbox.undecryptable"
    exit_code = ExitCode.OUTBOX_UNDECRYPTABLE


class MissingSecret(ConfigError, ValueError):
    """No kiosk key to derive from (an empty ``kiosk.key``): enrol the kiosk again."""


def derive_key(secret: bytes) -> bytes:
    """The 32-byte at-rest key for ``secret`` (the kiosk's enrolment key)."""
    if not secret:
        raise MissingSecret("an empty kiosk key cannot protect anything; enrol the kiosk again")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret)


class Sealer:
    """Seals and opens payloads with one derived key."""

    def __init__(self, secret: bytes) -> None:
        self._aead = AESGCM(derive_key(secret))

    def seal(self, plaintext: bytes, associated: bytes) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plaintext, associated)

    def open(self, sealed: bytes, associated: bytes) -> bytes:
        nonce, body = sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:]
        try:
            return self._aead.decrypt(nonce, body, associated)
        except (InvalidTag, ValueError) as error:
            raise DecryptionError(associated.decode(errors="replace")) from error


# The maintenance PIN: stored only as a salted scrypt hash ("scrypt$n$r$p$salt$hash", hex).
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1


def hash_pin(pin: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32)
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_pin(pin: str, stored: str) -> bool:
    """Whether ``pin`` matches ``stored`` (False for an empty or malformed hash)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        candidate = hashlib.scrypt(
            pin.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=len(digest) // 2
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(candidate.hex(), digest)
