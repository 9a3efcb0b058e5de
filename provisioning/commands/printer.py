"""``kiosk-provision printer``: print the self-test page, or show the printer's status.

``printer test --url URL`` prints the self-test page (kiosk id and location from the config, IP
addresses, versions, time, a QR); ``printer status --url URL`` asks the printer (DLE EOT) and
exits 0 when it can print, 10 when it cannot. The URL defaults to ``devices.printer`` in the config.
"""

from __future__ import annotations

import argparse
import fcntl
import socket
import struct
from datetime import datetime

from devices.printer.driver import ReceiptPrinter
from devices.printer.errors import PrinterNotReady
from kiosk import config as kiosk_config
from kiosk.heartbeat import runtime_versions
from kiosk.i18n import t
from kiosk.receipts import build_self_test_page

_SIOCGIFADDR = 0x8915
NOT_READY_EXIT = PrinterNotReady.exit_code


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("printer", help="receipt printer: self-test page and status")
    commands = parser.add_subparsers(dest="printer_command", metavar="ACTION", required=True)
    for name, handler, help_text in (
        ("test", test_command, "print the self-test page"),
        ("status", status_command, "show the printer's status (DLE EOT)"),
    ):
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("--url", help="printer URL (default: devices.printer from the config)")
        sub.add_argument(
            "--lang", default="en", choices=("zh_CN", "en"), help="language of the output"
        )
        sub.set_defaults(handler=handler)
    commands.choices["test"].add_argument(
        "--page-lang", default="zh_CN", choices=("zh_CN", "en"), help="language of the printed page"
    )


def ipv4_addresses() -> list[str]:
    """``name address`` for every interface with an IPv4 address, loopback last."""
    found: list[str] = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        for _, name in socket.if_nameindex():
            request = struct.pack("256s", name.encode()[:15])
            try:
                reply = fcntl.ioctl(probe.fileno(), _SIOCGIFADDR, request)
            except OSError:
                continue
            found.append(f"{name} {socket.inet_ntoa(reply[20:24])}")
    return sorted(found, key=lambda line: line.startswith("lo "))


def _printer(args: argparse.Namespace) -> tuple[ReceiptPrinter, kiosk_config.Config]:
    cfg = kiosk_config.load()
    return ReceiptPrinter(args.url or cfg.devices.printer), cfg


def _report(printer: ReceiptPrinter, lang: str) -> None:
    state = printer.state
    print(f"printer: {printer.url}")
    print(
        f"profile: {printer.profile.name}, {printer.profile.columns} columns, {printer.profile.encoding}"
    )
    print(f"state:   {state.state} ({state.reason}) {t(state.reason, lang)}")
    if state.detail:
        print(f"DLE EOT 1-4: {state.detail}")


def status_command(args: argparse.Namespace) -> int:
    printer, _ = _printer(args)
    with printer:
        printer.status()
        _report(printer, args.lang)
        return 0 if printer.state.usable else NOT_READY_EXIT


def test_command(args: argparse.Namespace) -> int:
    printer, cfg = _printer(args)
    with printer:
        page = build_self_test_page(
            cfg.kiosk_id,
            cfg.location.name,
            ipv4_addresses(),
            runtime_versions(),
            datetime.now(),
            args.page_lang,
        )
        result = printer.print(page)
        _report(printer, args.lang)
        print(f"self-test page sent: {result.bytes_sent} bytes")
        if printer.simulator is not None:
            job = printer.simulator.wait_for_jobs(1)[-1]
            print(job.text)
            if job.png_path:
                print(f"picture: {job.png_path}")
    return 0
