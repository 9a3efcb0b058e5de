"""Personal data at rest: the data keys that seal documents, materials and phone digits.

The keys never enter the database. They live in ``data.key`` in the server's data folder (mode
0600, beside ``server.key``), one Fernet key per line, the newest first; or in the environment
variable ``KIOSK_CENTRAL_DATA_KEYS`` (the same lines joined by commas). New data is sealed with
the first key; any listed key opens old data.

Rotation (``kiosk-central data-key rotate``): a new key is put first, every sealed column is
re-sealed with it, then the old keys are dropped from the file. Keep a backup of ``data.key``
with the database backups: without it the sealed columns cannot be read.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

DATA_KEY_NAME = "data.key"
DATA_KEYS_ENV = "KIOSK_CENTRAL_DATA_KEYS"


class SealError(Exception):
    """Sealed data that none of the data keys opens."""


class DataKeys:
    """Seals with the newest key, opens with any."""

    def __init__(self, keys: list[bytes]) -> None:
        if not keys:
            raise ValueError("at least one data key is needed")
        self.keys = keys
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    def seal(self, data: bytes) -> bytes:
        return self._fernet.encrypt(data)

    def open(self, token: bytes) -> bytes:
        try:
            return self._fernet.decrypt(token)
        except InvalidToken:
            raise SealError("no data key opens this value (was data.key replaced?)") from None

    def reseal(self, token: bytes) -> bytes:
        """``token`` sealed again with the newest key."""
        try:
            return self._fernet.rotate(token)
        except InvalidToken:
            raise SealError("no data key opens this value") from None

    @classmethod
    def generate(cls) -> DataKeys:
        return cls([Fernet.generate_key()])


def _parse(text: str) -> list[bytes]:
    return [line.strip().encode() for line in text.replace(",", "\n").splitlines() if line.strip()]


def key_file(data_dir: Path) -> Path:
    return data_dir / DATA_KEY_NAME


def write_keys(path: Path, keys: list[bytes]) -> None:
    """Replace the key file atomically (mode 0600, fsync'd)."""
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(b"\n".join(keys) + b"\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def load_or_create_data_keys(data_dir: Path) -> DataKeys:
    """The data keys from the environment, else ``data_dir/data.key`` (made if missing)."""
    from_env = os.environ.get(DATA_KEYS_ENV)
    if from_env:
        return DataKeys(_parse(from_env))
    path = key_file(data_dir)
    if path.exists():
        return DataKeys(_parse(path.read_text()))
    data_dir.mkdir(parents=True, exist_ok=True)
    keys = [Fernet.generate_key()]
    write_keys(path, keys)
    return DataKeys(keys)
