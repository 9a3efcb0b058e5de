"""``kiosk-central logs pull KIOSK``: fetch a kiosk's log lines for a time range into a file.

If the kiosk has not uploaded the whole range yet, the command queues an ``upload_logs``
command (delivered with the kiosk's next heartbeat) and waits, with a progress bar, until
the range is covered or ``--wait`` seconds have passed; then it saves what there is.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime
from pathlib import Path

from central.client import BackOfficeClient
from central.commands._common import add_server_options, client, parse_time
from central.errors import BackOfficeError, LogsIncomplete
from wire.models import LogCoverage

BAR_WIDTH = 30
POLL_SECONDS = 1.0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("logs", help="pull kiosks' logs")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    pull = actions.add_parser(
        "pull",
        help="save a kiosk's log lines for a time range",
        description="Save KIOSK's log lines between --since and --until as JSON lines in --out. "
        "Times: ISO 8601 (local time unless a zone is given), 'now', or an age like 30m, 2h, "
        "1d. If the kiosk has not uploaded the range yet, an upload is requested and the "
        "command waits up to --wait seconds (the kiosk hears of it at its next heartbeat).",
    )
    pull.add_argument("kiosk", help="kiosk id, as listed by 'kiosk-central kiosks'")
    pull.add_argument(
        "--since", required=True, help="start of the range, e.g. 2h or 2024-05-01T08:00"
    )
    pull.add_argument("--until", default="now", help="end of the range (default: now)")
    pull.add_argument(
        "--out", type=Path, default=Path("."), help="folder for the file (default: here)"
    )
    pull.add_argument(
        "--wait",
        type=float,
        default=180.0,
        help="seconds to wait for the upload (default %(default)s)",
    )
    add_server_options(pull)
    pull.set_defaults(handler=pull_logs)


def _bar(coverage: LogCoverage, left: float) -> str:
    done = int(BAR_WIDTH * coverage.covered_fraction)
    percent = int(100 * coverage.covered_fraction)
    return f"\r[{'#' * done}{'.' * (BAR_WIDTH - done)}] {percent:3d}% uploaded, {left:4.0f}s left "


def wait_for_upload(
    api: BackOfficeClient, kiosk: str, since: datetime, until: datetime, wait: float
) -> LogCoverage:
    """Request the upload when needed and poll coverage until complete or out of time."""
    coverage = api.coverage(kiosk, since, until)
    if coverage.coverage == "complete":
        return coverage
    command_id = api.queue_command(
        kiosk, "upload_logs", {"since": since.isoformat(), "until": until.isoformat()}
    )
    print(
        f"asked {kiosk} to upload its logs (command {command_id}); waiting up to {wait:.0f}s",
        file=sys.stderr,
    )
    deadline = time.monotonic() + wait
    show = sys.stderr.isatty()
    while coverage.coverage != "complete":
        left = deadline - time.monotonic()
        if show:
            print(_bar(coverage, max(left, 0)), end="", file=sys.stderr, flush=True)
        if left <= 0:
            break
        time.sleep(min(POLL_SECONDS, left))
        coverage = api.coverage(kiosk, since, until)
    if show:
        print(_bar(coverage, max(deadline - time.monotonic(), 0)), file=sys.stderr)
    return coverage


def _file_name(kiosk: str, since: datetime, until: datetime) -> str:
    stamp = "%Y%m%dT%H%M%SZ"
    return f"{kiosk}_{since.strftime(stamp)}_{until.strftime(stamp)}.ndjson"


def pull_logs(args: argparse.Namespace) -> int:
    since, until = parse_time(args.since), parse_time(args.until)
    if since >= until:
        raise BackOfficeError(key="backoffice.bad_range")
    api = client(args)
    coverage = wait_for_upload(api, args.kiosk, since, until, args.wait)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / _file_name(args.kiosk, since, until)
    header, chunks = api.logs(args.kiosk, since, until)
    lines = 0
    tmp = path.with_suffix(".part")
    with tmp.open("wb") as handle:
        for chunk in chunks:
            handle.write(chunk)
            lines += chunk.count(b"\n")
    tmp.replace(path)
    print(f"{path}: {lines} lines ({header})")
    if header != "complete":
        raise LogsIncomplete(percent=int(100 * coverage.covered_fraction), path=str(path))
    return 0
