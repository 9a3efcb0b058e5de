"""``kiosk-provision enrol``: pair this kiosk with the central API using a one-time code.

Already enrolled → says so and changes nothing, unless ``--force`` (see :mod:`kiosk.enrolment`).
The secret travels in the enrolment reply, so a plain ``http://`` centre is refused unless
``--insecure`` says this is a lab.
"""

from __future__ import annotations

import argparse
from urllib.parse import urlsplit

from kiosk.enrolment import enrol
from kiosk.errors import ConfigError
from kiosk.i18n import t
from kiosk.paths import state_dir


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


class InsecureCentral(ConfigError):
    key = "enrol.insecure"


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


def run(args: argparse.Namespace) -> int:
    server = check_server(args.server, args.insecure)
    done = enrol(state_dir(), server, args.code, location=args.location, ca=args.ca,
                 force=args.force)
    if not done.changed:
        print(t("enrol.already", "en", kiosk_id=done.config.kiosk_id) + f" ({done.config.central.url})")
    else:
        print(f"enrolled as {done.config.kiosk_id}; config written to {done.path}")
    return 0
