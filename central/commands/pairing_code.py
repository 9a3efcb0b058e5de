"""``kiosk-central pairing-code new``: a one-time code for enrolling a kiosk."""

from __future__ import annotations

import argparse
import sys

from central.commands._common import (
    add_db_options,
    add_server_options,
    client,
    local,
    open_session,
)
from central.credentials import create_pairing_code


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("pairing-code", help="make enrolment codes for kiosks")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    new = actions.add_parser(
        "new",
        help="make a one-time pairing code",
        description="Make a code the technician types into 'kiosk-provision enrol'. With a "
        "token (--token or KIOSK_CENTRAL_TOKEN) it asks the server; with --db/--data, or with "
        "no token, it writes to the database on this machine.",
    )
    new.add_argument(
        "--ttl", type=int, default=3600, help="seconds the code stays valid (default %(default)s)"
    )
    add_server_options(new)
    add_db_options(new)
    new.set_defaults(handler=new_code)


def new_code(args: argparse.Namespace) -> int:
    if args.token and not (args.db or args.data):
        made = client(args).pairing_code(args.ttl)
        code, expires = made.code, made.expires_at
    else:
        with open_session(args) as session:
            code, expires = create_pairing_code(session, args.ttl)
    print(code)
    print(f"(valid once, until {local(expires)})", file=sys.stderr)
    return 0
