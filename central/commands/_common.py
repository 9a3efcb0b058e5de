"""Options shared by the ``kiosk-central`` commands: server + token, database, time parsing."""

from __future__ import annotations

import argparse
import os
import re
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session

from central.client import BackOfficeClient
from central.db import make_engine, make_sessionmaker, sqlite_url
from central.errors import BackOfficeError
from wire.models import as_utc, utc_now

URL_ENV = "KIOSK_CENTRAL_URL"
TOKEN_ENV = "KIOSK_CENTRAL_TOKEN"
DB_ENV = "KIOSK_CENTRAL_DB"
DATA_ENV = "KIOSK_CENTRAL_DATA"
DEFAULT_SERVER = "http://127.0.0.1:8700"


def default_data_dir() -> Path:
    return Path(os.environ.get(DATA_ENV, Path.home() / ".local" / "share" / "kiosk-central"))


def add_server_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("central server")
    group.add_argument(
        "--server",
        default=os.environ.get(URL_ENV, DEFAULT_SERVER),
        help=f"central server URL (env {URL_ENV}; default %(default)s)",
    )
    group.add_argument(
        "--token",
        default=os.environ.get(TOKEN_ENV, ""),
        help=f"back-office bearer token (env {TOKEN_ENV}); make one with 'token new'",
    )


def client(args: argparse.Namespace) -> BackOfficeClient:
    if not args.server:
        raise BackOfficeError(key="backoffice.no_server")
    if not args.token:
        raise BackOfficeError(key="backoffice.no_token")
    return BackOfficeClient(args.server, args.token)


def add_db_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("database (for working on the server machine directly)")
    group.add_argument(
        "--db",
        default=os.environ.get(DB_ENV),
        help=f"database URL, e.g. postgresql+psycopg://user@host/db (env {DB_ENV}; "
        "default: SQLite in the data folder)",
    )
    group.add_argument(
        "--data",
        type=Path,
        default=None,
        help=f"server data folder (env {DATA_ENV}; default ~/.local/share/kiosk-central)",
    )


def database_url(args: argparse.Namespace) -> str:
    if args.db:
        return str(args.db)
    data = args.data or default_data_dir()
    data.mkdir(parents=True, exist_ok=True)
    return sqlite_url(data)


def shown_url(url: str) -> str:
    """``url`` fit to print: a database password never reaches a terminal or a log."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return url.split("@")[-1] if "@" in url else url


def database_problem(error: SQLAlchemyError) -> str:
    """The driver's own first line (e.g. "connection refused"), without SQLAlchemy's wrapping."""
    cause = getattr(error, "orig", None) or error
    first = str(cause).strip().splitlines()[0] if str(cause).strip() else type(error).__name__
    return first[:300]


def open_engine(url: str) -> Engine:
    """The database engine, or one plain error naming the database (password hidden) and why."""
    try:
        return make_engine(url)
    except ImportError as error:  # a URL for a database this server has no driver for
        raise BackOfficeError(key="backoffice.db_unusable", url=shown_url(url),
                              reason=f"no driver installed ({error.name}); use sqlite:/// or postgresql+psycopg://") from None
    except SQLAlchemyError as error:
        shown = shown_url(url)
        raise BackOfficeError(
            key="backoffice.db_unusable", url=shown, reason=database_problem(error).replace(url, shown),
        ) from None


def open_session(args: argparse.Namespace) -> Session:
    return make_sessionmaker(open_engine(database_url(args)))()


_AGE = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_time(text: str) -> datetime:
    """ISO 8601 (local time when it has no zone), ``now``, or an age like ``30m``/``2h``/``1d``."""
    value = text.strip()
    if value.lower() == "now":
        return utc_now()
    age = _AGE.match(value.lower())
    if age:
        return utc_now() - timedelta(**{_UNITS[age.group(2)]: float(age.group(1))})
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BackOfficeError(key="backoffice.bad_time", value=text) from None
    return as_utc(parsed.astimezone() if parsed.tzinfo is None else parsed)


def local(value: datetime | None) -> str:
    return "-" if value is None else value.astimezone().strftime("%Y-%m-%d %H:%M:%S")
