"""Pairing a kiosk's state folder with the central API using a one-time code.

The one enrolment both ``kiosk-provision enrol`` and the simulation harness use: it writes the
kiosk id, the central URL, the CA file and the heartbeat interval into the config and the secret
into ``kiosk.key`` (mode 0600). A forced re-enrolment refuses while the outbox still holds
records sealed and signed with the old key, so nothing queued becomes unsendable.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from pathlib import Path

from kiosk import config as kiosk_config
from kiosk.central_client import CentralClient
from kiosk.errors import ConfigError, OutboxNotEmpty
from kiosk.heartbeat import runtime_versions
from kiosk.outbox import OUTBOX_NAME, Outbox


@dataclass(frozen=True)
class Enrolment:
    """What :func:`enrol` did: ``changed`` is False when the folder was already enrolled."""

    config: kiosk_config.Config
    changed: bool
    path: Path | None = None


def pending_records(folder: Path) -> int:
    """How many records the outbox in ``folder`` still has to send (0 when there is none)."""
    if not (folder / OUTBOX_NAME).exists():
        return 0
    try:
        outbox = Outbox.in_state_dir(folder, kiosk_config.load_secret(folder))
    except ConfigError:
        return 0
    try:
        return outbox.depth()
    finally:
        outbox.close()


def enrol(folder: Path, server: str, code: str, *, location: str | None = None,
          ca: str | None = None, force: bool = False) -> Enrolment:
    """Enrol the kiosk whose state is in ``folder`` with the central API at ``server``."""
    config = kiosk_config.load(folder)
    key_exists = (folder / kiosk_config.KEY_NAME).exists()
    if config.kiosk_id and key_exists and not force:
        return Enrolment(config, changed=False)
    if force and key_exists:
        pending = pending_records(folder)
        if pending:
            raise OutboxNotEmpty(f"{pending} record(s) still queued in {folder / OUTBOX_NAME}")
    if ca and not Path(ca).is_file():
        raise ConfigError(f"--ca {ca}: no such file")
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
    kiosk_config.save_secret(secret, folder)
    path = kiosk_config.save(config, folder)
    return Enrolment(config, changed=True, path=path)
