"""``kiosk-central serve``: run the central API server (one process, or N workers).

Workers share nothing but the database and the data folder's keys (``server.key``,
``data.key``): nonces,
Idempotency-Keys, pairing throttles and command queues are all rows, so any worker (or any
node behind a proxy) may take any request. The parent checks the schema and makes the key
once, then uvicorn starts the workers, each building the app from the environment.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from central.app import DEFAULT_HEARTBEAT_SECONDS, create_app
from central.commands._common import (
    add_db_options,
    database_url,
    default_data_dir,
    open_engine,
    shown_url,
)
from central.credentials import load_or_create_server_key
from central.errors import BackOfficeError
from central.sealing import load_or_create_data_keys

_ENV_URL = "KIOSK_CENTRAL_SERVE_DB"
_ENV_DATA = "KIOSK_CENTRAL_SERVE_DATA"
_ENV_HEARTBEAT = "KIOSK_CENTRAL_SERVE_HEARTBEAT"
_ENV_WEBHOOK = "KIOSK_CENTRAL_SERVE_WEBHOOK"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="run the central API server",
        description="Run the central API, the console (/console) and the citizens' progress "
        "page (/track). Data (SQLite database, server.key that encrypts kiosk secrets, data.key "
        "that seals personal data) lives in --data; give --db for PostgreSQL. Make the first admin token with "
        "'kiosk-central token new --role admin' on this machine. Several nodes behind a proxy "
        "share one PostgreSQL and the same server.key (see docs/deploy.md).",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default %(default)s)"
    )
    parser.add_argument("--port", type=int, default=8700, help="port (default %(default)s)")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes (default %(default)s; about one per core, PostgreSQL advised)",
    )
    parser.add_argument("--cert", type=Path, help="TLS certificate (PEM) to serve HTTPS directly")
    parser.add_argument("--key", type=Path, help="TLS private key (PEM) for --cert")
    parser.add_argument(
        "--forwarded-allow-ips",
        default="127.0.0.1",
        help="proxies whose X-Forwarded-For is trusted for the client address (default "
        "%(default)s; the pairing-code throttle counts per client address)",
    )
    parser.add_argument("--access-log", action="store_true", help="log every request")
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


def app_from_environment() -> FastAPI:
    """The application each worker builds (uvicorn's factory)."""
    return create_app(
        os.environ[_ENV_URL],
        data_dir=Path(os.environ[_ENV_DATA]),
        heartbeat_seconds=int(os.environ[_ENV_HEARTBEAT]),
        alert_webhook=os.environ.get(_ENV_WEBHOOK, ""),
    )


def _check_tls(args: argparse.Namespace) -> None:
    if (args.cert is None) != (args.key is None):
        raise BackOfficeError(key="backoffice.tls_pair")
    for path in (args.cert, args.key):
        if path is not None and not path.is_file():
            raise BackOfficeError(key="backoffice.tls_missing", path=str(path))


def serve(args: argparse.Namespace) -> int:
    data = args.data or default_data_dir()
    url = database_url(args)
    _check_tls(args)
    if args.workers < 1:
        raise BackOfficeError(key="backoffice.bad_workers", workers=args.workers)
    open_engine(url).dispose()  # makes an empty schema; refuses an old one before any worker
    load_or_create_server_key(data)  # made once here, not raced by the workers
    load_or_create_data_keys(data)  # once here, so workers never race to make two
    os.environ.update(
        {_ENV_URL: url, _ENV_DATA: str(data), _ENV_HEARTBEAT: str(args.heartbeat_seconds),
         _ENV_WEBHOOK: args.alert_webhook}
    )
    scheme = "https" if args.cert else "http"
    print(
        f"kiosk-central: data in {data}, database {shown_url(url)}, {args.workers} worker(s), "
        f"{scheme}://{args.host}:{args.port} (console at /console)",
        flush=True,
    )
    uvicorn.run(
        "central.commands.serve:app_from_environment",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="info",
        access_log=args.access_log,
        ssl_certfile=str(args.cert) if args.cert else None,
        ssl_keyfile=str(args.key) if args.key else None,
        proxy_headers=True,
        forwarded_allow_ips=args.forwarded_allow_ips,
    )
    return 0
