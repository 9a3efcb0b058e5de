"""``kiosk-central revoke KIOSK``: refuse everything a kiosk's credentials sign from now on."""

from __future__ import annotations

import argparse

from central.commands._common import add_server_options, client


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "revoke",
        help="revoke a kiosk's credentials (admin)",
        description="The server refuses every further request signed by this kiosk; enrol it "
        "again with a new pairing code to bring it back.",
    )
    parser.add_argument("kiosk", help="kiosk id, as listed by 'kiosk-central kiosks'")
    add_server_options(parser)
    parser.set_defaults(handler=revoke)


def revoke(args: argparse.Namespace) -> int:
    client(args).revoke(args.kiosk)
    print(f"{args.kiosk}: revoked")
    return 0
