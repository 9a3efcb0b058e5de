"""``kiosk-provision configure``: location, timeouts, languages, maintenance PIN, device URLs.

Flags cover everything, for mass provisioning from a script. When stdin is a terminal and a
needed value is missing (the location name on a fresh kiosk, a maintenance PIN never set), it
is asked for; without a terminal a missing PIN is an error, never a silent default. The PIN is
stored as a salted scrypt hash only. Every value is checked before anything is written.
"""

from __future__ import annotations

import argparse
import getpass
import math
import sys
from collections.abc import Callable

from kiosk import config as kiosk_config
from kiosk.crypto import hash_pin
from kiosk.errors import ConfigError
from kiosk.i18n import LANGUAGES

DEVICE_KINDS = ("idcard", "sscard", "printer", "camera")


def device_schemes(kind: str) -> list[str]:
    """What a ``--KIND`` URL may start with: the registry's schemes, its simulator, a bare path."""
    from devices.registry import schemes

    extra = ["sim"] + (["/dev/"] if kind == "idcard" else [])
    return sorted(set(schemes(kind)) | set(extra))


LOG_LEVELS = kiosk_config.LOG_LEVELS


class MissingSetting(ConfigError):
    key = "configure.missing"


class InvalidSetting(ConfigError):
    key = "configure.invalid"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("configure", help="set location, timeouts, languages, PIN, devices")
    parser.add_argument("--location", help="location name shown to citizens and the back office")
    parser.add_argument("--address", help="the hall's address")
    parser.add_argument("--region-code", help="6-digit 行政区划代码 of the district")
    parser.add_argument("--idle-seconds", type=float, help="idle time before a session is wiped")
    parser.add_argument("--warning-seconds", type=float, help="countdown shown before the wipe")
    parser.add_argument("--card-reminder-seconds", type=float, help="remind to take the ID card after")
    parser.add_argument("--heartbeat-seconds", type=float, help="heartbeat interval")
    parser.add_argument("--central-timeout", type=float, help="timeout of central API requests")
    parser.add_argument("--languages", help=f"comma-separated, first is the default ({','.join(LANGUAGES)})")
    parser.add_argument("--speech", action=argparse.BooleanOptionalAction, help="spoken prompts")
    parser.add_argument("--simulation", action=argparse.BooleanOptionalAction,
                        help="a lab kiosk whose sim:// devices selftest may pass (never in production)")
    pin = parser.add_mutually_exclusive_group()
    pin.add_argument("--pin", help="maintenance PIN (4-12 digits); prefer --pin-stdin in scripts")
    pin.add_argument("--pin-stdin", action="store_true", help="read the maintenance PIN from stdin")
    for kind in DEVICE_KINDS:
        parser.add_argument(f"--{kind}", metavar="URL", help=f"{kind} device URL ('' for none)")
    parser.add_argument("--log-level", action="append", default=[], metavar="LOGGER=LEVEL",
                        help="per-module log level, e.g. devices.printer=DEBUG (repeatable)")
    parser.add_argument("--no-input", action="store_true", help="never prompt, even on a terminal")
    parser.set_defaults(handler=run)


def _positive(name: str, value: float | None) -> float | None:
    if value is not None and not (math.isfinite(value) and value > 0):
        raise InvalidSetting(f"--{name} must be a positive number of seconds, not {value}")
    return value


def check_pin(pin: str) -> str:
    pin = pin.strip()
    if not (pin.isdigit() and 4 <= len(pin) <= 12):
        raise InvalidSetting("the maintenance PIN must be 4 to 12 digits")
    if len(set(pin)) == 1:
        raise InvalidSetting("the maintenance PIN must not be one repeated digit")
    return pin


def check_device_url(kind: str, url: str) -> str:
    url = url.strip()
    allowed = device_schemes(kind)
    if url and not url.startswith(tuple(s if s.startswith("/") else s + "://" for s in allowed)):
        raise InvalidSetting(f"--{kind} {url!r}: expected one of " + ", ".join(allowed))
    if problem := kiosk_config.device_url_problem(url):
        raise InvalidSetting(f"--{kind} {problem}")
    return url


def _prompt_pin(ask: Callable[[str], str]) -> str:
    first = check_pin(ask("maintenance PIN: "))
    if ask("again: ").strip() != first:
        raise InvalidSetting("the two PINs differ")
    return first


def apply(args: argparse.Namespace, config: kiosk_config.Config, *, interactive: bool) -> list[str]:
    """Check every value and set it on ``config``; returns what changed."""
    changed: list[str] = []

    def put(target: object, attribute: str, value: object, label: str) -> None:
        if value is not None and getattr(target, attribute) != value:
            setattr(target, attribute, value)
            changed.append(label)

    location = args.location
    if location is None and interactive and config.location.name == kiosk_config.Location().name:
        location = input(f"location name [{config.location.name}]: ").strip() or None
    if location is not None and not location.strip():
        raise InvalidSetting("--location must not be empty")
    put(config.location, "name", location and location.strip(), "location")
    put(config.location, "address", args.address, "address")
    if args.region_code is not None and not (args.region_code.isdigit() and len(args.region_code) == 6):
        raise InvalidSetting("--region-code must be 6 digits")
    put(config.location, "region_code", args.region_code, "region code")

    timeouts = config.timeouts
    for name in ("idle_seconds", "warning_seconds", "card_reminder_seconds"):
        put(timeouts, name, _positive(name.replace("_", "-"), getattr(args, name)), name)
    if timeouts.warning_seconds >= timeouts.idle_seconds:
        raise InvalidSetting("--warning-seconds must be shorter than --idle-seconds")
    put(config.central, "heartbeat_seconds", _positive("heartbeat-seconds", args.heartbeat_seconds), "heartbeat")
    put(config.central, "timeout_seconds", _positive("central-timeout", args.central_timeout), "central timeout")

    if args.languages is not None:
        languages = [lang.strip() for lang in args.languages.split(",") if lang.strip()]
        unknown = [lang for lang in languages if lang not in LANGUAGES]
        if not languages or unknown:
            raise InvalidSetting(f"--languages: unknown {unknown or 'empty'}; known: {', '.join(LANGUAGES)}")
        put(config, "languages", languages, "languages")
    put(config, "speech", args.speech, "speech")
    put(config, "simulation", args.simulation, "simulation")

    for kind in DEVICE_KINDS:
        value = getattr(args, kind)
        if value is not None:
            put(config.devices, kind, check_device_url(kind, value), f"{kind} URL")

    levels = dict(config.log_levels)
    for item in args.log_level:
        name, _, level = item.partition("=")
        if not name or level.upper() not in LOG_LEVELS:
            raise InvalidSetting(f"--log-level {item!r}: expected LOGGER=LEVEL, LEVEL one of {LOG_LEVELS}")
        levels[name.strip()] = level.upper()
    put(config, "log_levels", levels if levels != config.log_levels else None, "log levels")

    pin = None
    if args.pin is not None:
        pin = check_pin(args.pin)
    elif args.pin_stdin:
        pin = check_pin(sys.stdin.readline())
    elif not config.maintenance_pin_hash:
        if not interactive:
            raise MissingSetting("no maintenance PIN is set: pass --pin-stdin (or --pin)")
        pin = _prompt_pin(getpass.getpass)
    if pin is not None:
        config.maintenance_pin_hash = hash_pin(pin)
        changed.append("maintenance PIN")
    return changed


def run(args: argparse.Namespace) -> int:
    config = kiosk_config.load()
    interactive = sys.stdin.isatty() and not args.no_input and not args.pin_stdin
    changed = apply(args, config, interactive=interactive)
    path = kiosk_config.save(config)
    print(f"{path}: " + (", ".join(changed) + " updated" if changed else "unchanged"))
    return 0
