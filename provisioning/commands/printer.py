"""``kiosk-provision printer``: pick the printer model, print the self-test page, show the status.

``printer --list-models`` lists the receipt printers in python-escpos's capabilities database;
``printer --model NAME`` stores that model as ``profile=NAME`` in the configured printer URL
(``devices.printer``); with an ACTION it applies to that run only.
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
from devices.printer.errors import PrinterNotReady, PrinterUrlError
from devices.printer.models import PrinterModel, printer_models
from devices.printer.profile import profile_from_options
from devices.registry import parse_url, with_options
from kiosk import config as kiosk_config
from kiosk.heartbeat import runtime_versions
from kiosk.i18n import t
from kiosk.receipts import build_self_test_page

_SIOCGIFADDR = 0x8915
NOT_READY_EXIT = PrinterNotReady.exit_code


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "printer", help="receipt printer: model, self-test page and status",
        description="Pick the printer model, print the self-test page, or show the status.",
    )
    parser.add_argument("--list-models", action="store_true",
                        help="list the printer models python-escpos's database knows")
    parser.add_argument("--model", metavar="NAME",
                        help="printer model (see --list-models); alone: saved in the config")
    parser.set_defaults(handler=model_command, url=None)
    commands = parser.add_subparsers(dest="printer_command", metavar="ACTION")
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
    url = args.url or cfg.devices.printer
    if args.model:
        url = with_options(url, profile=args.model)
    return ReceiptPrinter(url), cfg


def _model_row(model: PrinterModel) -> str:
    width = f"{model.dots} dots" if model.dots else "width ?"
    cut = {(True, True): "cut", (True, False): "partial cut", (False, True): "full cut"}.get(
        (model.partial_cut, model.full_cut), "no cutter"
    )
    qr = "QR" if model.native_qr else "QR as image" if model.raster else "no QR"
    return f"{model.key:16} {model.vendor + ' ' + model.name:40} {model.columns:>3} col  {width:10} {qr:11} {cut}"


def model_command(args: argparse.Namespace) -> int:
    """``--list-models`` or ``--model NAME`` without an ACTION."""
    if args.list_models:
        models = printer_models()
        print(f"{len(models)} receipt printer models in python-escpos's capabilities database:")
        for model in models:
            print(_model_row(model))
        print("Chinese font ROMs are not in the database: add cjk=1 to the printer URL for a model")
        print("that prints GB18030 text itself (else Chinese lines are sent as images).")
        return 0
    if not args.model:
        print("say what to do: --list-models, --model NAME, or an ACTION (test, status); see --help")
        return 2
    cfg = kiosk_config.load()
    if not cfg.devices.printer:
        raise PrinterUrlError("no printer is configured: set one with kiosk-provision configure --printer URL")
    url = with_options(cfg.devices.printer, profile=args.model)
    profile = profile_from_options(parse_url(url).options)  # refuses an unknown model or width
    cfg.devices.printer = with_options(url, profile=profile.name)
    path = kiosk_config.save(cfg)
    print(f"printer: {cfg.devices.printer}")
    print(f"profile: {profile.name}, {profile.columns} columns, {profile.dots} dots, "
          f"QR {'native' if profile.native_qr else 'as image'}, cut {profile.cut}, "
          f"Chinese {'by the printer (' + profile.encoding + ')' if profile.cjk_font else 'as images'}")
    print(f"saved in {path}")
    return 0


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
