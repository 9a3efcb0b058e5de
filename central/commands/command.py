"""``kiosk-central command KIOSK KIND``: queue a command for a kiosk's next heartbeat."""

from __future__ import annotations

import argparse
import json
from typing import get_args

from central.commands._common import add_server_options, client
from central.errors import BackOfficeError
from wire.models import CommandKind


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "command",
        help="queue a command for a kiosk (admin)",
        description="The kiosk receives the command with its next heartbeat and runs it once. "
        'Examples: command k-1a2b out_of_service --args \'{"on": true, "reason": "paper"}\'; '
        "command k-1a2b reload_catalog.",
    )
    parser.add_argument("kiosk", help="kiosk id")
    parser.add_argument("kind", choices=get_args(CommandKind), help="what the kiosk should do")
    parser.add_argument("--args", default="{}", help="the command's arguments as a JSON object")
    add_server_options(parser)
    parser.set_defaults(handler=queue)


def queue(args: argparse.Namespace) -> int:
    try:
        command_args = json.loads(args.args)
    except ValueError as error:
        raise BackOfficeError(key="backoffice.bad_args", reason=str(error)) from None
    if not isinstance(command_args, dict):
        raise BackOfficeError(key="backoffice.bad_args", reason="expected {...}")
    command_id = client(args).queue_command(args.kiosk, args.kind, command_args)
    print(command_id)
    return 0
