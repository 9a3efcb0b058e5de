"""``kiosk-central submissions list|show|export|set-status``: the applications at the centre.

Search by reference, scenario, status, department, kiosk and date range; export CSV or JSON;
move an application on (受理, 补正 naming the materials, 不予受理, 审批中, 办结, 待领取, 寄出
with a tracking number). Works through the API with a token, so roles and the audit log apply.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from central.commands._common import add_server_options, client, local, parse_time
from central.commands.kiosks import _pad, _width
from central.errors import BackOfficeError

STATUSES = (
    "submitted", "accepted", "needs_correction", "rejected", "supplemented", "in_review",
    "completed", "awaiting_pickup", "mailed",
)
TARGETS = tuple(s for s in STATUSES if s not in ("submitted", "supplemented"))


def _add_filters(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("filters")
    group.add_argument("--reference", help="the receipt's reference, e.g. GJZ-20261206-7K3Q9-M")
    group.add_argument("--scenario", help="scenario id, e.g. new_enterprise")
    group.add_argument("--status", choices=STATUSES, help="current status")
    group.add_argument("--department", help="department as the catalog names it")
    group.add_argument("--kiosk", help="kiosk id")
    group.add_argument("--since", help="received at or after (ISO 8601, or an age like 7d)")
    group.add_argument("--until", help="received before (ISO 8601, 'now', or an age)")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "submissions",
        help="find, show, export and move on the applications kiosks delivered",
        description="The applications at the centre. A viewer token lists them without personal "
        "data; a clerk token sees its department's, with the form; an admin sees all.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="one line per application, newest first")
    _add_filters(listing)
    listing.add_argument("--limit", type=int, default=50, help="at most this many (max 500)")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    add_server_options(listing)
    listing.set_defaults(handler=list_submissions)

    show = actions.add_parser("show", help="one application: status history, items, materials")
    show.add_argument("reference", help="the receipt's reference")
    show.add_argument("--json", action="store_true", help="print JSON")
    add_server_options(show)
    show.set_defaults(handler=show_submission)

    export = actions.add_parser("export", help="every matching application as CSV or JSON")
    _add_filters(export)
    export.add_argument("--format", choices=("csv", "json"), default="csv")
    export.add_argument("--out", type=Path, help="write to this file (default: print)")
    add_server_options(export)
    export.set_defaults(handler=export_submissions)

    status = actions.add_parser(
        "set-status",
        help="move an application on",
        description="Allowed: submitted → accepted | needs_correction | rejected; "
        "needs_correction → rejected; supplemented → accepted | needs_correction | rejected; "
        "accepted → in_review → completed → awaiting_pickup | mailed. needs_correction needs "
        "--material (repeat it) and --reason; rejected needs --reason; mailed needs --tracking.",
    )
    status.add_argument("reference", help="the receipt's reference")
    status.add_argument("status", choices=TARGETS, help="the new status")
    status.add_argument("--reason", default="", help="why (shown to the citizen for 补正/不予受理)")
    status.add_argument(
        "--material", action="append", default=[], help="a material id to redo (补正)"
    )
    status.add_argument("--tracking", default="", help="the mail tracking number (已寄出)")
    add_server_options(status)
    status.set_defaults(handler=set_status)


def _params(args: argparse.Namespace) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for name in ("reference", "scenario", "status", "department", "kiosk"):
        value = getattr(args, name, None)
        if value:
            params[name] = value
    for name in ("since", "until"):
        value = getattr(args, name, None)
        if value:
            params[name] = parse_time(value).isoformat()
    return params


def _table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip())


def _when(text: str) -> str:
    from datetime import datetime

    return local(datetime.fromisoformat(text))


def list_submissions(args: argparse.Namespace) -> int:
    if not 1 <= args.limit <= 500:
        raise BackOfficeError(key="backoffice.bad_limit")
    params = {**_params(args), "limit": args.limit}
    body = client(args).call_json("GET", "/applications", params=params)
    if args.json:
        print(json.dumps(body, ensure_ascii=False, indent=2))
        return 0
    rows = [("REFERENCE", "STATUS", "SCENARIO", "APPLICANT", "DEPARTMENTS", "KIOSK", "RECEIVED")]
    for item in body["items"]:
        rows.append((
            item["reference"], f"{item['status_label']} ({item['status']})", item["scenario"],
            item["masked_name"] or "-", "、".join(item["departments"]) or "-", item["kiosk_id"],
            _when(item["received_at"]),
        ))
    _table(rows)
    more = "+" if body.get("total_is_lower_bound") else ""
    print(f"({len(body['items'])} of {body['total']}{more})")
    return 0


def show_submission(args: argparse.Namespace) -> int:
    body = client(args).call_json("GET", f"/applications/{args.reference.strip()}")
    if args.json:
        print(json.dumps(body, ensure_ascii=False, indent=2))
        return 0
    print(f"{body['reference']}  {body['status_label']} ({body['status']})  {body['scenario']}")
    print(f"applicant {body['masked_name'] or '-'}  kiosk {body['kiosk_id']}  "
          f"received {_when(body['received_at'])}")
    if body["tracking_number"]:
        print(f"tracking number {body['tracking_number']}")
    print("items:")
    for item in body["items"]:
        print(f"  {item['item_id']}  {item['title']}  → {item['department']}")
    print("history:")
    for event in body["history"]:
        extra = " ".join(
            part for part in (
                event["reason"],
                ("materials: " + ", ".join(event["materials"])) if event["materials"] else "",
                ("tracking: " + event["tracking_number"]) if event["tracking_number"] else "",
            ) if part
        )
        print(f"  {_when(event['at'])}  {event['label']} ({event['to_status']})  "
              f"by {event['actor']}  {extra}".rstrip())
    print("materials: " + (", ".join(m["name"] for m in body["materials"]) or "-"))
    print("next: " + (", ".join(body["allowed_next"]) or "(none)"))
    if body["document"] is None:
        print("(this token's role may not see the applicant's form)")
    return 0


def export_submissions(args: argparse.Namespace) -> int:
    params = {**_params(args), "format": args.format}
    data = client(args).call_bytes("GET", "/applications/export", params=params)
    if args.out is None:
        sys.stdout.write(data.decode("utf-8-sig"))
        return 0
    args.out.write_bytes(data)
    print(f"wrote {args.out}")
    return 0


def set_status(args: argparse.Namespace) -> int:
    change = {
        "status": args.status,
        "reason": args.reason,
        "materials": args.material,
        "tracking_number": args.tracking,
    }
    event = client(args).call_json(
        "POST", f"/applications/{args.reference.strip()}/status", json=change
    )
    print(f"{args.reference}: {event['from_status']} → {event['to_status']} ({event['label']})")
    return 0
