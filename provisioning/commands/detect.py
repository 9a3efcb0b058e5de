"""``kiosk-provision detect``: find the ID-card reader, PC/SC readers, printers and cameras.

Serial ports are asked the SAM protocol first (SAM status, SAM id); the ports that are not SAM
readers are asked DLE EOT 1 as a serial printer. Network printers are probed only on the hosts
the technician names (``--printer-host``, default 127.0.0.1), port 9100. Cameras are cv2
indexes 0..3 with the resolution of a real frame. Touchscreens are read from
/proc/bus/input/devices (the URL is the Kivy input provider, e.g. ``mtdev,/dev/input/event5``).
``--write`` puts the first find of each kind into the config; for the touchscreen its path (a
stable ``/dev/input/by-id`` link when there is one), its provider, and its raw range as the
calibration (kept if ``touch-test --write`` already calibrated this same panel).
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from kiosk import config as kiosk_config
from kiosk.errors import ConfigError
from provisioning import device_probe
from provisioning.device_probe import Probe
from provisioning.profile.touchscreen import Touchscreen, touchscreens
from wire.errors import ExitCode

INPUT_DEVICES = Path("/proc/bus/input/devices")
INPUT_LINKS = Path("/dev/input")
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


def detect(args: argparse.Namespace, panels: list[Touchscreen] | None = None) -> list[Probe]:
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
    for panel in touchscreens(INPUT_DEVICES, INPUT_LINKS) if panels is None else panels:
        size = f", {panel.size_mm[0]:.0f}×{panel.size_mm[1]:.0f} mm" if panel.size_mm else ""
        if panel.ranges:
            size += ", raw x {} to {}, y {} to {}".format(*panel.ranges)
        probes.append(Probe("touch", panel.provider, "ok", f"{panel.name}{size}"))
    return probes


def print_table(probes: list[Probe]) -> None:
    rows = [("KIND", "STATE", "URL", "DETAIL")] + [(p.kind, p.state, p.url, p.detail) for p in probes]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:3])) + "  " + row[3])


def touch_settings(panel: Touchscreen, current: kiosk_config.Touch) -> kiosk_config.Touch:
    """The config's touch section for ``panel``: rotation, swap and inversion kept; the panel's
    raw range as the calibration, unless this same panel was calibrated already."""
    calibrated = current.device == panel.device and current.calibration != kiosk_config.TouchCalibration()
    if calibrated:
        calibration = current.calibration
    elif panel.ranges:
        calibration = kiosk_config.TouchCalibration(*panel.ranges)
    else:
        calibration = kiosk_config.TouchCalibration()  # Kivy asks the panel for its range itself
    return replace(current, device=panel.device, provider=panel.provider_name, calibration=calibration)


def run(args: argparse.Namespace) -> int:
    panels = touchscreens(INPUT_DEVICES, INPUT_LINKS)
    probes = detect(args, panels)
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
        if panels:
            config.touch = touch = touch_settings(panels[0], config.touch)
            c = touch.calibration
            span = (f"calibration x {c.min_x} to {c.max_x}, y {c.min_y} to {c.max_y}" if c.min_x is not None
                    else "the range the panel reports")
            written.append(f"touch={touch.provider},{touch.device} ({span})")
        path = kiosk_config.save(config)
        print(f"written to {path}: " + ", ".join(written))
    return 0 if found else ExitCode.DETECT_NOTHING
