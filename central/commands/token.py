"""``kiosk-central token new``: make a back-office bearer token (directly in the database)."""

from __future__ import annotations

import argparse
import sys

from central.commands._common import add_db_options, database_url, open_session, shown_url
from central.credentials import ROLES, create_token
from central.errors import BackOfficeError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("token", help="make back-office tokens")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    new = actions.add_parser(
        "new",
        help="make a token and print it (shown once)",
        description="Make a bearer token for the back office; run it on the server machine (it "
        "writes to the database). viewer: list kiosks, pull logs, list applications without "
        "personal data; clerk: also handle the applications routed to --department; admin: "
        "everything, including commands, revocation and pairing codes.",
    )
    new.add_argument("--role", choices=ROLES, required=True, help="what the token may do")
    new.add_argument("--label", default="", help="who or what the token is for")
    new.add_argument(
        "--department",
        default="",
        help="for --role clerk: the department whose applications the clerk handles, as the "
        "catalog names it (e.g. 区税务局)",
    )
    add_db_options(new)
    new.set_defaults(handler=new_token)


def new_token(args: argparse.Namespace) -> int:
    if (args.role == "clerk") != bool(args.department.strip()):
        raise BackOfficeError(key="backoffice.bad_department")
    with open_session(args) as session:
        token = create_token(session, args.role, args.label, args.department.strip())
    print(token)
    note = f"({args.role} token for {shown_url(database_url(args))}; it is not shown again)"
    print(note, file=sys.stderr)
    return 0
