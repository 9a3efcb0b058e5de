"""``kiosk-provision idcard``: read a card and self-test the SAM ID-card reader from a terminal.

    kiosk-provision idcard read --url serial:///dev/ttyUSB0 [--json] [--show-pii]
    KIOSK_DEVICE_HANDLERS=devices.simulators kiosk-provision idcard selftest --url 'sim://idcard?card=resident'

Without ``--url`` the configured ``devices.idcard`` URL is used. Personal data is masked
unless ``--show-pii`` is given (the screen may be seen by others; never paste it into tickets).
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from devices.idcard.errors import NoCard
from devices.idcard.factory import open_reader
from devices.idcard.photo import find_decoder
from devices.idcard.sam_frames import wire_seconds
from devices.idcard.sam_reader import BAUD_RATES, SamReader
from identity.idnumber import keep_ends, mask
from identity.outcome import CardOutcome, assess
from identity.record import IdentityRecord
from kiosk import config
from kiosk.i18n import t

EPILOG = """\
URL forms: serial:///dev/ttyUSB0?baud=115200, /dev/ttyUSB0, loop://, and
sim://idcard?card=resident|hmt|foreign2017|foreign2023|none&fault=... for the simulator
(options are listed in devices/idcard/sam_simulator.py; simulators load only with
KIOSK_DEVICE_HANDLERS=devices.simulators in the environment).
Exit status: 0 success, 10 reader or card problem, 2 bad command line."""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "idcard",
        help="read an ID card or self-test the SAM ID-card reader",
        description="Read an ID card, or self-test the SAM ID-card reader (serial protocol).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="idcard_command", metavar="ACTION", required=True)

    read = sub.add_parser("read", help="read the card on the reader once and show it", epilog=EPILOG,
                          formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    _add_connection(read)
    read.add_argument("--json", action="store_true", help="print the record as JSON")
    read.add_argument("--show-pii", action="store_true",
                      help="show name, full ID number, birth date and address unmasked")  # fmt: skip
    read.add_argument(
        "--fingerprint", action="store_true", help="also read fingerprint data (30 10)"
    )
    read.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                      help="wait up to SECONDS for a card to be placed (default: read once)")  # fmt: skip
    read.set_defaults(handler=_read)

    selftest = sub.add_parser("selftest", help="SAM status, SAM ID and a timed card read",
                              epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    _add_connection(selftest)
    selftest.add_argument("--require-card", action="store_true",
                          help="fail when no card is on the reader (default: skip the timed read)")  # fmt: skip
    selftest.set_defaults(handler=_selftest)


def _add_connection(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", help="reader URL (default: devices.idcard from the kiosk config)")
    parser.add_argument("--baud", type=int, choices=BAUD_RATES, help="override the baud rate")


def _open(args: argparse.Namespace) -> SamReader:
    if args.url is None:
        args.url = config.load().devices.idcard
    return open_reader(args.url, baud=args.baud)


def record_view(record: IdentityRecord, outcome: CardOutcome, *, show_pii: bool) -> dict[str, Any]:
    """What the CLI prints: the record with personal fields masked unless ``show_pii``."""
    birth = record.birth_date.isoformat() if record.birth_date else ""
    return {
        "card_type": record.card_type.value,
        "name": record.name if show_pii else keep_ends(record.name, 1),
        "english_name": record.english_name if show_pii else keep_ends(record.english_name, 1),
        "id_number": record.id_number if show_pii else mask(record.id_number),
        "sex": record.sex,
        "nation": record.nation,
        "birth_date": birth if show_pii else birth[:4],
        "address": record.address if show_pii else keep_ends(record.address, 6),
        "issuer": record.issuer,
        "valid_from": record.valid_from.isoformat() if record.valid_from else "",
        "valid_until": record.valid_until.isoformat() if record.valid_until else "长期",
        "extra": {k: v if show_pii else keep_ends(v, 2) for k, v in record.extra.items()},
        "photo_bytes": len(record.photo_wlt or b""),
        "fingerprint_bytes": len(record.fingerprint or b""),
        "outcome": outcome.value,
        "outcome_message": t(outcome.key, "en"),
    }


def _read_when_placed(reader: SamReader, args: argparse.Namespace) -> IdentityRecord:
    deadline = time.monotonic() + args.wait
    while True:
        try:
            return reader.read_card(fingerprint=args.fingerprint)
        except NoCard:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.2)


def _read(args: argparse.Namespace) -> int:
    reader = _open(args)
    try:
        record = _read_when_placed(reader, args)
    finally:
        reader.close()
    view = record_view(record, assess(record), show_pii=args.show_pii)
    record.wipe()
    if args.json:
        print(json.dumps(view, ensure_ascii=False, indent=2))
    else:
        decoder = find_decoder()
        extra = view.pop("extra")
        for name, value in view.items():
            print(f"{name.replace('_', ' '):18} {value}")
        for name, value in extra.items():
            print(f"{name.replace('_', ' '):18} {value}")
        print(f"{'photo decoder':18} {decoder.name if decoder else 'none installed (no photo)'}")
    return 0


def _selftest(args: argparse.Namespace) -> int:
    reader = _open(args)
    try:
        print(f"reader          {args.url} at {reader.baud} baud")
        reader.sam_status()
        print("SAM status      ok (SW3 90)")
        print(f"SAM ID          {reader.sam_id()}")
        try:
            reader.find_card()
        except NoCard:
            print("card            none on the reader: place a card to time a read")
            if args.require_card:
                raise
            return 0
        before = reader.bytes_exchanged
        start = time.perf_counter()
        record = reader.read_selected()
        elapsed = time.perf_counter() - start
        wire = wire_seconds(reader.bytes_exchanged - before, reader.baud)
        outcome = assess(record)
        print(
            f"card            {record.card_type.value}, {mask(record.id_number)}, {outcome.value}"
        )
        record.wipe()
        print(
            f"timed read      {elapsed * 1000:.0f} ms for select+read+address; "
            f"wire time {wire * 1000:.0f} ms ({elapsed / wire:.2f}x)"
        )
    finally:
        reader.close()
    print("selftest        passed")
    return 0
