"""``kiosk-central serve``: run the central API server."""

from __future__ import annotations

import argparse

import uvicorn

from central.app import DEFAULT_HEARTBEAT_SECONDS, create_app
from central.commands._common import add_db_options, database_url, default_data_dir, shown_url


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="run the central API server",
        description="Run the central API, the console (/console) and the citizens' progress page "
        "(/track). Data (SQLite database, server.key that encrypts kiosk secrets, data.key that "
        "seals personal data) lives in --data; give --db for PostgreSQL. Make the first admin token with "
        "'kiosk-central token new --role admin' on this machine.",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default %(default)s)"
    )
    parser.add_argument("--port", type=int, default=8700, help="port (default %(default)s)")
    parser.add_argument(
        "--heartbeat-seconds",
        type=int,
        default=DEFAULT_HEARTBEAT_SECONDS,
        help="heartbeat interval given to kiosks at enrolment (default %(default)s)",
    )
    parser.add_argument(
        "--alert-webhook",
        default="",
        help="URL that is POSTed each fleet alert (offline, paper out, queue growing, help "
        "called) once, as JSON",
    )
    add_db_options(parser)
    parser.set_defaults(handler=serve)


def serve(args: argparse.Namespace) -> int:
    data = args.data or default_data_dir()
    url = database_url(args)
    app = create_app(
        url, data_dir=data, heartbeat_seconds=args.heartbeat_seconds,
        alert_webhook=args.alert_webhook,
    )
    print(f"kiosk-central: data in {data}, database {shown_url(url)}", flush=True)
    print(f"kiosk-central: console at http://{args.host}:{args.port}/console", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    return 0
