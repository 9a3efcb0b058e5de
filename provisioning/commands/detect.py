"""``kiosk-provision detect``: find the ID-card reader, PC/SC readers, printers and cameras.

Serial ports are asked the SAM protocol first (SAM status, SAM id); the ports that are not SAM
readers are asked DLE EOT 1 as a serial printer. Network printers are probed only on the hosts
the technician names (``--printer-host``, default 127.0.0.1), port 9100. Cameras are cv2
indexes 0..3 with the resolution of a real frame. ``--write`` puts the first find of each kind
into the config.
"""

from __future__ import annotations

import argparse

from kiosk import config as kiosk_config
from kiosk.errors import ConfigError
from provisioning import device_probe
from provisioning.device_probe import Probe
from wire.errors import ExitCode

CONFIG_KEYS = {"idcard": "idcard", "sscard": "sscard", "printer": "printer", "camera": "camera"}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("detect", help="find the kiosk's devices and print a table")
    parser.add_argument("--serial", action="append", default=[], metavar="PORT",
                        help="also probe this serial port or pyserial URL (repeatable)")
    parser.add_argument("--no-scan", action="store_true", help="probe only the --serial ports given")
    parser.add_argument("--printer-host", action="append", default=[], metavar="HOST[:PORT]",
                        help="probe a network printer here (repeatable; default 127.0.0.1:9100)")
    parser.add_argument("--printer-baud", type=int, default=9600, help="baud for serial printers")
    parser.add_argument("--no-cameras", action="store_true", help="skip the camera scan")
    parser.add_argument("--no-pcsc", action="store_true", help="skip the PC/SC scan")
    parser.add_argument("--write", action="store_true", help="write the first find of each kind into the config")
    parser.set_defaults(handler=run)


def _host_port(text: str) -> tuple[str, int]:
    if text.count(":") != 1:  # a bare host (or an IPv6 address): the raw-printing port
        return text, device_probe.PRINTER_PORT
    host, _, port = text.partition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"--printer-host {text}: expected HOST or HOST:PORT")
    return host, int(port)


def detect(args: argparse.Namespace) -> list[Probe]:
    ports = list(dict.fromkeys(args.serial + ([] if args.no_scan else device_probe.serial_ports())))
    probes: list[Probe] = []
    for port in ports:
        sam = device_probe.probe_sam(port)
        probes.append(sam)
        if not sam.found and "://" not in port:
            probes.append(device_probe.probe_printer_serial(port, args.printer_baud))
    if not args.no_pcsc:
        probes.extend(device_probe.pcsc_readers())
    for host in args.printer_host or ["127.0.0.1"]:
        probes.append(device_probe.probe_printer_socket(*_host_port(host)))
    if not args.no_cameras:
        probes.extend(device_probe.cameras())
    return probes


def print_table(probes: list[Probe]) -> None:
    rows = [("KIND", "STATE", "URL", "DETAIL")] + [(p.kind, p.state, p.url, p.detail) for p in probes]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:3])) + "  " + row[3])


def run(args: argparse.Namespace) -> int:
    probes = detect(args)
    print_table(probes)
    found = [p for p in probes if p.found]
    if not found:
        print("no device found")
    if args.write and found:
        config = kiosk_config.load()
        written = []
        for kind, attribute in CONFIG_KEYS.items():
            first = next((p for p in found if p.kind == kind), None)
            if first is not None:
                setattr(config.devices, attribute, first.url)
                written.append(f"{attribute}={first.url}")
        path = kiosk_config.save(config)
        print(f"written to {path}: " + ", ".join(written))
    return 0 if found else ExitCode.DETECT_NOTHING
