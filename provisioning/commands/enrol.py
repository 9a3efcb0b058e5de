"""``kiosk-provision enrol``: pair this kiosk with the central API using a one-time code.

Writes the kiosk id, the central URL, CA file and heartbeat interval into the config and the
secret into ``kiosk.key`` (mode 0600). Already enrolled → says so and changes nothing, unless
``--force``; a forced re-enrolment refuses while the outbox still holds records sealed and
signed with the old key, so nothing queued becomes unsendable.

The secret travels in the enrolment reply, so a plain ``http://`` centre is refused unless
``--insecure`` says this is a lab. Before the one-time code is sent, the state folder must take
a test write of the key and the config (a full or read-only disk is found while the code is
still unused, not after the centre has made a kiosk for it); both files are then written
atomically, so a failure never leaves a 0-byte ``kiosk.key``.
"""

from __future__ import annotations

import argparse
import os
import socket
from pathlib import Path
from urllib.parse import urlsplit

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


class InsecureCentral(ConfigError):
    key = "enrol.insecure"


class StateNotWritable(ConfigError):
    key = "enrol.state_not_writable"


# A test write this big must succeed before the pairing code is spent (key + config + margin).
PREFLIGHT_BYTES = 256 * 1024


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("enrol", help="pair this kiosk with the central API")
    parser.add_argument("--server", required=True, help="central API base URL, e.g. https://central:8700")
    parser.add_argument("--code", required=True, help="the one-time pairing code from the back office")
    parser.add_argument("--location", help="location name shown in the back office")
    parser.add_argument("--ca", help="CA certificate file (PEM) to verify the server's TLS certificate")
    parser.add_argument("--force", action="store_true", help="enrol again even if already enrolled")
    parser.add_argument("--insecure", action="store_true",
                        help="allow a plain http:// centre (a lab only: the kiosk's key travels in clear)")
    parser.set_defaults(handler=run)


def check_server(url: str, insecure: bool) -> str:
    """The centre's base URL; plain http only when the technician said ``--insecure``."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise ConfigError(f"--server {url!r}: expected https://host[:port]")
    if parts.scheme == "http" and not insecure:
        raise InsecureCentral(
            f"--server {url}: plain http would send this kiosk's key in clear; use https://, "
            "or add --insecure in a lab"
        )
    return url.strip().rstrip("/")


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
    server = check_server(args.server, getattr(args, "insecure", False))
    if args.ca and not Path(args.ca).is_file():
        raise ConfigError(f"--ca {args.ca}: no such file")
    preflight(folder)
    ca_file = str(Path(args.ca).resolve()) if args.ca else ""
    if args.location:
        config.location.name = args.location
    client = CentralClient(server, ca_file=ca_file, timeout=config.central.timeout_seconds)
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
    config.central.url = server
    config.central.ca_file = ca_file
    config.central.heartbeat_seconds = float(reply.get("heartbeat_seconds") or 60)
    try:
        kiosk_config.save_secret(secret, folder)
        path = kiosk_config.save(config, folder)
    except OSError as error:
        raise StateNotWritable(
            f"{folder}: enrolled as {config.kiosk_id} but the key or config could not be written "
            f"({error.strerror or error}); free some space and enrol again with a new code (--force)"
        ) from None
    print(f"enrolled as {config.kiosk_id}; config written to {path}")
    return 0
