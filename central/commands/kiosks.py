"""``kiosk-central kiosks``: the fleet as a table (health, queue, versions)."""

from __future__ import annotations

import argparse
import json

from central.commands._common import add_server_options, client, local
from wire.models import KioskSummary, utc_now

COLUMNS = ("KIOSK", "LOCATION", "LAST HEARTBEAT", "DEVICES", "QUEUE", "VERSION", "STATE")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "kiosks",
        help="list the kiosks and their health",
        description="One line per kiosk: id, location, last heartbeat, device states, outbox "
        "queue depth (with 'growing' when it has not gone down for the last heartbeats; '-' for "
        "a revoked kiosk, which no longer reports it), version, and whether it is revoked or "
        "out of service.",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    add_server_options(parser)
    parser.set_defaults(handler=list_kiosks)


def _row(kiosk: KioskSummary) -> tuple[str, ...]:
    if kiosk.last_heartbeat is None:
        heard = "never"
    else:
        ago = int((utc_now() - kiosk.last_heartbeat).total_seconds())
        heard = f"{local(kiosk.last_heartbeat)} ({ago}s ago)"
    devices = " ".join(
        f"{name}:{status.state}" + (f"({status.reason})" if status.reason else "")
        for name, status in sorted(kiosk.devices.items())
    )
    location = str(kiosk.location.get("name", "")) or kiosk.hostname
    version = str(kiosk.versions.get("kiosk", "") or next(iter(kiosk.versions.values()), ""))
    state = (
        "revoked" if kiosk.revoked else "out of service" if kiosk.out_of_service else "in service"
    )
    if kiosk.revoked:  # it no longer reports: the last number would be stale
        queue = "-"
    else:
        queue = f"{kiosk.queue_depth} growing" if kiosk.queue_growing else str(kiosk.queue_depth)
    return (
        kiosk.kiosk_id,
        location,
        heard,
        devices or "-",
        queue,
        version or "-",
        state,
    )


def _width(text: str) -> int:
    # CJK characters take two terminal columns.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def list_kiosks(args: argparse.Namespace) -> int:
    kiosks = client(args).kiosks()
    if args.json:
        print(json.dumps([k.model_dump(mode="json") for k in kiosks], ensure_ascii=False, indent=2))
        return 0
    rows = [COLUMNS, *(_row(k) for k in kiosks)]
    widths = [max(_width(row[i]) for row in rows) for i in range(len(COLUMNS))]
    for row in rows:
        print("  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip())
    if not kiosks:
        print("(no kiosks enrolled yet: make a code with 'kiosk-central pairing-code new')")
    return 0
