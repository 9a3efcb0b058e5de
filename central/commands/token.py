"""``kiosk-central token new``: make a back-office bearer token (directly in the database)."""

from __future__ import annotations

import argparse
import sys

from central.commands._common import add_db_options, database_url, open_session, shown_url
from central.credentials import ROLES, create_token


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("token", help="make back-office tokens")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    new = actions.add_parser(
        "new",
        help="make a token and print it (shown once)",
        description="Make a bearer token for the back office; run it on the server machine (it "
        "writes to the database). viewer: list kiosks, pull logs; admin: also queue commands, "
        "revoke kiosks, make pairing codes.",
    )
    new.add_argument("--role", choices=ROLES, required=True, help="what the token may do")
    new.add_argument("--label", default="", help="who or what the token is for")
    add_db_options(new)
    new.set_defaults(handler=new_token)


def new_token(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        token = create_token(session, args.role, args.label)
    print(token)
    note = f"({args.role} token for {shown_url(database_url(args))}; it is not shown again)"
    print(note, file=sys.stderr)
    return 0
