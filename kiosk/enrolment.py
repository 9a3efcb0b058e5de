"""Pairing a kiosk's state folder with the central API using a one-time code.

The one enrolment both ``kiosk-provision enrol`` and the simulation harness use: it writes the
kiosk id, the central URL, the CA file and the heartbeat interval into the config and the secret
into ``kiosk.key`` (mode 0600). A forced re-enrolment (a revoked kiosk, a new key) carries the
outbox to the new identity: every queued record is re-sealed under the new key before that key
is saved, so nothing queued before the revoke is lost.

Before the one-time code is sent, the state folder must take a test write the size of the key
and the config (a full or read-only disk is found while the code is still unused, not after
the centre has made a kiosk for it); both files are written atomically, so a failure never
leaves a 0-byte ``kiosk.key``.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path

from kiosk import config as kiosk_config
from kiosk.central_client import CentralClient
from kiosk.errors import ConfigError
from kiosk.heartbeat import runtime_versions
from kiosk.outbox import OUTBOX_NAME, Outbox

# A test write this big must succeed before the pairing code is spent (key + config + margin).
PREFLIGHT_BYTES = 256 * 1024


class StateNotWritable(ConfigError):
    key = "enrol.state_not_writable"


def preflight(folder: Path) -> None:
    """Fail now, with the pairing code unused, if the key and config could not be written."""
    probe = folder / ".enrol-preflight"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        kiosk_config.write_atomically(probe, os.urandom(PREFLIGHT_BYTES), 0o600)
    except OSError as error:
        raise StateNotWritable(
            f"{folder}: cannot write the kiosk's key and config ({error.strerror or error}); "
            "the pairing code was not used"
        ) from None
    finally:
        probe.unlink(missing_ok=True)


@dataclass(frozen=True)
class Enrolment:
    """What :func:`enrol` did: ``changed`` is False when the folder was already enrolled."""

    config: kiosk_config.Config
    changed: bool
    path: Path | None = None


def _readable_secret(folder: Path) -> bytes | None:
    try:
        return kiosk_config.load_secret(folder)
    except ConfigError:
        return None


def carry_outbox(folder: Path, old_secret: bytes | None, new_secret: bytes) -> int:
    """Queued records go to the new identity: re-sealed under its key, sent as its records."""
    if old_secret is None or not (folder / OUTBOX_NAME).exists():
        return 0
    outbox = Outbox.in_state_dir(folder, old_secret)
    try:
        return outbox.carry_to(new_secret)
    finally:
        outbox.close()


def enrol(folder: Path, server: str, code: str, *, location: str | None = None,
          ca: str | None = None, force: bool = False) -> Enrolment:
    """Enrol the kiosk whose state is in ``folder`` with the central API at ``server``."""
    config = kiosk_config.load(folder)
    key_exists = (folder / kiosk_config.KEY_NAME).exists()
    if config.kiosk_id and key_exists and not force:
        return Enrolment(config, changed=False)
    old_secret = _readable_secret(folder) if force and key_exists else None
    if ca and not Path(ca).is_file():
        raise ConfigError(f"--ca {ca}: no such file")
    preflight(folder)
    ca_file = str(Path(ca).resolve()) if ca else ""
    if location:
        config.location.name = location
    client = CentralClient(server, ca_file=ca_file, timeout=config.central.timeout_seconds)
    try:
        reply = client.enrol(
            code.strip(),
            socket.gethostname(),
            {"name": config.location.name, "address": config.location.address,
             "region_code": config.location.region_code},
            runtime_versions(),
        )
    finally:
        client.close()
    try:
        secret = bytes.fromhex(str(reply["secret"]))
    except ValueError as error:
        raise ConfigError("the server sent a key that is not hex") from error
    config.kiosk_id = str(reply["kiosk_id"])
    config.central.url = server.rstrip("/")
    config.central.ca_file = ca_file
    config.central.heartbeat_seconds = float(reply.get("heartbeat_seconds") or 60)
    try:
        carry_outbox(folder, old_secret, secret)
        kiosk_config.save_secret(secret, folder)
        path = kiosk_config.save(config, folder)
    except OSError as error:
        raise StateNotWritable(
            f"{folder}: enrolled as {config.kiosk_id} but the key or config could not be written "
            f"({error.strerror or error}); free some space and enrol again with a new code (--force)"
        ) from None
    return Enrolment(config, changed=True, path=path)
