"""``kiosk-provision selftest``: every configured device, the centre, and a printed test page.

Each device URL in the config is opened and asked its status; the centre gets one signed
heartbeat (so the key, the clock and TLS are all proven); then, if a printer is configured and
its driver is installed, a self-test page is printed with the kiosk id, location and results.
A ``sim://`` device fails unless the config says ``simulation: true`` (set by the simulation
harness). Exit code 0 only when nothing failed (absent optional devices and skipped checks are listed).
"""

from __future__ import annotations

import argparse
import datetime as dt

from kiosk import config as kiosk_config
from kiosk.central_client import CentralClient
from kiosk.errors import ConfigError
from kiosk.heartbeat import runtime_versions
from kiosk.i18n import error_message
from kiosk.paths import state_dir
from kiosk.receipts import build_self_test_page
from provisioning import device_probe
from provisioning.commands.detect import print_table
from provisioning.device_probe import Probe
from wire.errors import ExitCode, KioskError


class SelftestFailed(KioskError):
    key = "selftest.failed"
    exit_code = ExitCode.SELFTEST_FAILED


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("selftest", help="test every configured device and the centre")
    parser.add_argument("--no-print", action="store_true", help="do not print the self-test page")
    parser.add_argument("--no-central", action="store_true", help="skip the centre check")
    parser.set_defaults(handler=run)


def check_central(config: kiosk_config.Config, devices: list[Probe]) -> Probe:
    url = config.central.url
    if not url:
        return Probe("central", "", "skipped", "not enrolled")
    try:
        secret = kiosk_config.load_secret()
        client = CentralClient.from_config(config, secret)
        try:
            reply = client.heartbeat({
                "kiosk_id": config.kiosk_id,
                "sent_at": dt.datetime.now(dt.UTC).isoformat(),
                "devices": {
                    p.kind: {"state": p.state, "reason": ""} for p in devices if p.state != "skipped"
                },
                "versions": runtime_versions(),
            })
        finally:
            client.close()
    except (KioskError, ConfigError) as error:
        return Probe("central", url, "fault", f"{error.key}: {error_message(error, 'en')} {error.detail}")
    # Commands are left for the running kiosk: nothing was acked or executed here.
    return Probe("central", url, "ok", f"signed heartbeat accepted; server time {reply.get('server_time')}")


def print_page(url: str, config: kiosk_config.Config, probes: list[Probe]) -> Probe:
    try:
        from devices.printer.driver import ReceiptPrinter
        from provisioning.commands.printer import ipv4_addresses
    except ImportError:
        return Probe("printer", url, "skipped", "no printer driver to print a test page")
    page = build_self_test_page(
        config.kiosk_id,
        config.location.name,
        ipv4_addresses(),
        runtime_versions(),
        dt.datetime.now(),
        checks=[f"{p.kind}: {p.state} {p.detail}"[:120] for p in probes],
    )
    try:
        with ReceiptPrinter(url) as printer:
            result = printer.print(page)
    except KioskError as error:
        return Probe("printer", url, "fault", f"test page: {error.key} {error.detail}")
    return Probe("printer", url, result.status.state, f"test page printed ({result.bytes_sent} bytes)")


def run(args: argparse.Namespace) -> int:
    config = kiosk_config.load()
    print(f"kiosk {config.kiosk_id or '(not enrolled)'} in {state_dir()}")
    probes: list[Probe] = []
    for kind in ("idcard", "sscard", "printer", "camera"):
        url = getattr(config.devices, kind)
        if url.startswith("sim://") and not config.simulation:
            probes.append(Probe(kind, url, "fault", "a simulator in a production config: configure the "
                                "real device (kiosk-provision configure) or set simulation: true for a lab"))
        elif url:
            probes.append(device_probe.probe_url(kind, url))
        else:
            probes.append(Probe(kind, "", "skipped", "not configured"))
    if not args.no_central:
        probes.append(check_central(config, list(probes)))
    if config.devices.printer and not args.no_print:
        probes.append(print_page(config.devices.printer, config, probes))
    print_table(probes)
    failed = [p for p in probes if p.state in ("fault", "absent")]
    if failed:
        raise SelftestFailed(", ".join(f"{p.kind} {p.state}" for p in failed))
    return 0
