"""Secrets the server keeps: kiosk HMAC keys (encrypted at rest), back-office tokens, pairing codes.

Kiosk secrets must be readable by the server (it recomputes each HMAC), so they are stored
encrypted with Fernet under a server key: the file ``server.key`` (mode 0600) in the data folder,
or the ``KIOSK_CENTRAL_KEY`` environment variable. Back-office tokens are stored only as SHA-256
hashes and are shown once, when made.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from datetime import datetime, timedelta
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy.orm import Session

from central.models import ApiToken, PairingCode
from wire.models import Role, utc_now

SERVER_KEY_NAME = "server.key"
SERVER_KEY_ENV = "KIOSK_CENTRAL_KEY"
TOKEN_PREFIX = "kc_"
# No 0/O, 1/I/L: a technician types the code from a screen.
PAIRING_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
# viewer: fleet and figures, no personal data; clerk: also the applications routed to one
# department, with their personal data; admin: everything.
ROLES: tuple[Role, ...] = ("viewer", "clerk", "admin")


def load_or_create_server_key(data_dir: Path) -> bytes:
    """The Fernet key from the environment, else from ``data_dir/server.key`` (made if missing)."""
    from_env = os.environ.get(SERVER_KEY_ENV)
    if from_env:
        return from_env.encode()
    path = data_dir / SERVER_KEY_NAME
    if path.exists():
        return path.read_bytes().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, role: Role, label: str = "", department: str = "") -> str:
    """A new bearer token with ``role``; the caller shows it once, only its hash is stored.

    A clerk's token works for one ``department`` (as the catalog names it).
    """
    from central.models_applications import StaffScope

    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if (role == "clerk") != bool(department):
        raise ValueError("a clerk token needs a department, and only a clerk token has one")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiToken(token_hash=hash_token(token), role=role, label=label, created_at=utc_now())
    )
    if department:
        session.add(StaffScope(token_hash=hash_token(token), department=department))
    session.commit()
    return token


def normalise_pairing_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def create_pairing_code(session: Session, ttl_seconds: int = 3600) -> tuple[str, datetime]:
    """A one-time enrolment code, shown as ``ABCD-EFGH``; returns it and its expiry."""
    raw = "".join(secrets.choice(PAIRING_ALPHABET) for _ in range(8))
    now = utc_now()
    expires = now + timedelta(seconds=ttl_seconds)
    session.add(PairingCode(code=raw, created_at=now, expires_at=expires))
    session.commit()
    return f"{raw[:4]}-{raw[4:]}", expires
