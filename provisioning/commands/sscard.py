"""``kiosk-provision sscard``: find PC/SC readers and test-read a social security card.

``sscard list`` shows every reader pcscd knows with card presence and ATR; ``sscard read``
reads the card in one reader. Personal data is masked unless ``--show-pii`` is given, so the
output can be pasted into a ticket.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from devices.pcsc.errors import NoCard
from devices.pcsc.reader import list_readers
from devices.pcsc.sscard import SscardReader, SscardReading, open_sscard_reader
from identity.idnumber import keep_ends, mask


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("sscard", help="PC/SC readers and social security cards")
    commands = parser.add_subparsers(dest="sscard_command", metavar="ACTION", required=True)

    listing = commands.add_parser("list", help="list readers with card presence and ATR")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=list_command)

    read = commands.add_parser("read", help="read the social security card in a reader")
    read.add_argument(
        "--url", default="pcsc://", help="pcsc:// (first reader) or pcsc://<name part>"
    )
    read.add_argument("--json", action="store_true", help="print JSON")
    read.add_argument("--show-pii", action="store_true", help="print name and numbers in full")
    read.add_argument(
        "--wait", type=float, default=0.0, metavar="SECONDS", help="wait this long for a card"
    )
    read.set_defaults(handler=read_command)


def list_command(args: argparse.Namespace) -> int:
    readers = list_readers()
    rows = [
        {"reader": r.name, "card": r.card_present, "atr": r.atr.hex(" ").upper()} for r in readers
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    elif not rows:
        print("no readers")
    else:
        for row in rows:
            card = f"card  ATR {row['atr']}" if row["card"] else "empty"
            print(f"{row['reader']}\t{card}")
    return 0


def _wait_and_read(reader: SscardReader, wait: float) -> SscardReading:
    deadline = time.monotonic() + wait
    while True:
        try:
            return reader.read()
        except NoCard:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.2)


def read_command(args: argparse.Namespace) -> int:
    reader = open_sscard_reader(args.url)
    try:
        reading = _wait_and_read(reader, args.wait)
    finally:
        reader.close()  # stops what a sim:// reader started
    fields = describe(reading, show_pii=args.show_pii)
    if args.json:
        print(json.dumps(fields, ensure_ascii=False, indent=2))
    else:
        width = max(len(key) for key in fields)
        for key, value in fields.items():
            print(f"{key:<{width}}  {value}")
    return 0


def describe(reading: SscardReading, *, show_pii: bool) -> dict[str, Any]:
    record = reading.record
    extra = record.extra
    born = record.birth_date.isoformat() if record.birth_date else ""
    card_number = extra.get("card_number", "")
    return {
        "reader": reading.reader,
        "atr": reading.atr.hex(" ").upper(),
        "card_type": record.card_type.value,
        "name": record.name if show_pii else keep_ends(record.name),
        "id_number": record.id_number if show_pii else mask(record.id_number),
        "sex": record.sex,
        "nation": record.nation,
        "birth_date": born if show_pii else "****-**-**",
        "card_number": card_number if show_pii else keep_ends(card_number, 1, 2),
        "card_kind": extra.get("card_kind", ""),
        "spec_version": extra.get("spec_version", ""),
        "region_code": extra.get("region_code", ""),
        "issued": record.valid_from.isoformat() if record.valid_from else "",
        "valid_until": record.valid_until.isoformat() if record.valid_until else "",
        "expired": record.expired(),
    }
