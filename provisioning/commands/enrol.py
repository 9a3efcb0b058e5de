"""``kiosk-provision enrol``: pair this kiosk with the central API using a one-time code.

Writes the kiosk id, the central URL, CA file and heartbeat interval into the config and the
secret into ``kiosk.key`` (mode 0600). Already enrolled → says so and changes nothing, unless
``--force``; a forced re-enrolment refuses while the outbox still holds records sealed and
signed with the old key, so nothing queued becomes unsendable.
"""

from __future__ import annotations

import argparse
import socket
from pathlib import Path

from kiosk import config as kiosk_config
from kiosk.central_client import CentralClient
from kiosk.errors import ConfigError, KioskError
from kiosk.heartbeat import runtime_versions
from kiosk.i18n import t
from kiosk.outbox import OUTBOX_NAME, Outbox
from kiosk.paths import state_dir


class OutboxNotEmpty(KioskError):
    key = "outbox.not_empty"
    exit_code = 41


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("enrol", help="pair this kiosk with the central API")
    parser.add_argument("--server", required=True, help="central API base URL, e.g. https://central:8700")
    parser.add_argument("--code", required=True, help="the one-time pairing code from the back office")
    parser.add_argument("--location", help="location name shown in the back office")
    parser.add_argument("--ca", help="CA certificate file (PEM) to verify the server's TLS certificate")
    parser.add_argument("--force", action="store_true", help="enrol again even if already enrolled")
    parser.set_defaults(handler=run)


def _pending_records(folder: Path) -> int:
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


def run(args: argparse.Namespace) -> int:
    folder = state_dir()
    config = kiosk_config.load(folder)
    key_exists = (folder / kiosk_config.KEY_NAME).exists()
    if config.kiosk_id and key_exists and not args.force:
        print(t("enrol.already", "en", kiosk_id=config.kiosk_id) + f" ({config.central.url})")
        return 0
    if args.force and key_exists:
        pending = _pending_records(folder)
        if pending:
            raise OutboxNotEmpty(f"{pending} record(s) still queued in {folder / OUTBOX_NAME}")
    if args.ca and not Path(args.ca).is_file():
        raise ConfigError(f"--ca {args.ca}: no such file")
    ca_file = str(Path(args.ca).resolve()) if args.ca else ""
    if args.location:
        config.location.name = args.location
    client = CentralClient(args.server, ca_file=ca_file, timeout=config.central.timeout_seconds)
    try:
        reply = client.enrol(
            args.code.strip(),
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
    config.central.url = args.server.rstrip("/")
    config.central.ca_file = ca_file
    config.central.heartbeat_seconds = float(reply.get("heartbeat_seconds") or 60)
    kiosk_config.save_secret(secret, folder)
    path = kiosk_config.save(config, folder)
    print(f"enrolled as {config.kiosk_id}; config written to {path}")
    return 0
