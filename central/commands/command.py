"""``kiosk-central command KIOSK KIND [--wait]``: queue a command for a kiosk, and follow it.

The kiosk gets the command with its next heartbeat, runs it once and reports the outcome with
the ack (within seconds of running it). ``--wait`` follows it queued → sent → done | failed and
prints the result in plain words; the exit code says done (0), failed (46) or no result in time
(47). ``kiosk-central commands KIOSK`` lists a kiosk's latest commands the same way.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import get_args

from central.commands._common import add_server_options, client, local
from central.errors import BackOfficeError, CommandFailed, CommandTimedOut
from central.kiosk_commands import in_words
from wire.models import CommandKind, CommandStatus

POLL_SECONDS = 1.0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "command",
        help="queue a command for a kiosk (admin), optionally waiting for its result",
        description="The kiosk receives the command with its next heartbeat and runs it once. "
        'Examples: command k-1a2b out_of_service --args \'{"on": true, "reason": "paper"}\'; '
        "command k-1a2b print_test_page --wait; command k-1a2b screenshot --wait --timeout 90. "
        "Without --wait it prints the command's id. Exit codes with --wait: 0 done, "
        "46 failed or refused by the kiosk, 47 no result within --timeout.",
    )
    parser.add_argument("kiosk", help="kiosk id")
    parser.add_argument("kind", choices=get_args(CommandKind), help="what the kiosk should do")
    parser.add_argument("--args", default="{}", help="the command's arguments as a JSON object")
    parser.add_argument("--wait", action="store_true",
                        help="follow the command until the kiosk reports its result")
    parser.add_argument("--timeout", type=float, default=120.0, metavar="S",
                        help="with --wait: give up after S seconds (default %(default)s; allow "
                        "about two heartbeat intervals)")
    parser.add_argument("--out", type=Path, metavar="FILE",
                        help="with --wait and screenshot: save the picture to FILE (JPEG)")
    add_server_options(parser)
    parser.set_defaults(handler=queue)

    listing = subparsers.add_parser(
        "commands",
        help="a kiosk's latest commands: queued, sent, done or failed, with their results",
        description="One line per command, newest first: id, kind, when it was queued, its "
        "state (queued → sent → done | failed) and what the kiosk said it came to.",
    )
    listing.add_argument("kiosk", help="kiosk id")
    listing.add_argument("--limit", type=int, default=20, help="how many (default %(default)s)")
    listing.add_argument("--json", action="store_true", help="print JSON instead of lines")
    add_server_options(listing)
    listing.set_defaults(handler=list_commands)


def _line(command: CommandStatus) -> str:
    when = local(command.done_at or command.sent_at or command.created_at)
    return f"{command.id}  {command.kind:<16} {command.state:<7} {when}  " + in_words(
        command.state, command.result
    )


def queue(args: argparse.Namespace) -> int:
    try:
        command_args = json.loads(args.args)
    except ValueError as error:
        raise BackOfficeError(key="backoffice.bad_args", reason=str(error)) from None
    if not isinstance(command_args, dict):
        raise BackOfficeError(key="backoffice.bad_args", reason="expected {...}")
    if args.timeout <= 0:
        raise BackOfficeError(key="backoffice.bad_args", reason="--timeout must be more than 0 s")
    office = client(args)
    command_id = office.queue_command(args.kiosk, args.kind, command_args)
    print(command_id, flush=True)
    if not args.wait:
        return 0
    deadline = time.monotonic() + args.timeout
    shown = "queued"
    print(f"queued for {args.kiosk}: " + in_words("queued", ""), flush=True)
    while True:
        command = office.command(args.kiosk, command_id)
        if command.state != shown and command.state == "sent":
            print(f"sent {local(command.sent_at)}: " + in_words("sent", ""), flush=True)
        shown = command.state
        if command.state in ("done", "failed"):
            break
        if time.monotonic() >= deadline:
            where = in_words(command.state, "")
            raise CommandTimedOut(kind=args.kind, kiosk=args.kiosk, seconds=f"{args.timeout:g}",
                                  where=where, command=command_id)
        time.sleep(POLL_SECONDS)
    result = in_words(command.state, command.result)
    if command.state == "failed":
        raise CommandFailed(kind=args.kind, kiosk=args.kiosk, result=result)
    print(f"done {local(command.done_at)}: {result}")
    if command.screenshot and args.out:
        args.out.write_bytes(office.screenshot(args.kiosk, command_id))
        print(f"the screenshot is saved in {args.out}")
    elif command.screenshot:
        print(f"the screenshot is on the console's page of the kiosk: /console/kiosks/{args.kiosk}")
    return 0


def list_commands(args: argparse.Namespace) -> int:
    if not 1 <= args.limit <= 500:
        raise BackOfficeError(key="backoffice.bad_limit")
    commands = client(args).commands(args.kiosk, args.limit)
    if args.json:
        print(json.dumps([c.model_dump(mode="json") for c in commands], ensure_ascii=False, indent=2))
        return 0
    for command in commands:
        print(_line(command))
    if not commands:
        print(f"(no commands sent to {args.kiosk} yet)")
    return 0
