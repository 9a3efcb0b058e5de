"""``kiosk-provision enrol``: pair this kiosk with the central API using a one-time code.

Already enrolled → says so and changes nothing, unless ``--force`` (see :mod:`kiosk.enrolment`).
"""

from __future__ import annotations

import argparse

from kiosk.enrolment import enrol
from kiosk.i18n import t
from kiosk.paths import state_dir


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("enrol", help="pair this kiosk with the central API")
    parser.add_argument("--server", required=True, help="central API base URL, e.g. https://central:8700")
    parser.add_argument("--code", required=True, help="the one-time pairing code from the back office")
    parser.add_argument("--location", help="location name shown in the back office")
    parser.add_argument("--ca", help="CA certificate file (PEM) to verify the server's TLS certificate")
    parser.add_argument("--force", action="store_true", help="enrol again even if already enrolled")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    done = enrol(state_dir(), args.server, args.code, location=args.location, ca=args.ca,
                 force=args.force)
    if not done.changed:
        print(t("enrol.already", "en", kiosk_id=done.config.kiosk_id) + f" ({done.config.central.url})")
    else:
        print(f"enrolled as {done.config.kiosk_id}; config written to {done.path}")
    return 0
