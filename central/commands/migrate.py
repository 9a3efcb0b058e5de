"""``kiosk-central migrate``: bring the centre's database to this release's schema (Alembic)."""

from __future__ import annotations

import argparse

from sqlalchemy.exc import SQLAlchemyError

from central import migrations
from central.commands._common import add_db_options, database_url, shown_url
from central.db import make_engine
from central.errors import BackOfficeError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "migrate",
        help="upgrade the database schema to this release (back it up first)",
        description="Upgrade the centre's database (SQLite in --data, or --db) to this "
        "release's schema. Stop every 'serve' node first and back the database up (pg_dump). "
        "A database made before migrations existed is taken as revision 0001. "
        "Developers: --new-revision MESSAGE writes a revision file for what the models add.",
    )
    parser.add_argument("--check", action="store_true", help="only say which revision it is at")
    parser.add_argument(
        "--new-revision",
        metavar="MESSAGE",
        help="(developers) autogenerate central/migrations/versions/NNNN_<message>.py "
        "from the models",
    )
    add_db_options(parser)
    parser.set_defaults(handler=migrate)


def migrate(args: argparse.Namespace) -> int:
    if args.new_revision:
        print(f"wrote {migrations.new_revision(args.new_revision)}")
        return 0
    url = database_url(args)
    engine = make_engine(url, prepare=False)
    try:
        if args.check:
            with engine.connect() as connection:
                found = migrations.current(connection)
            wanted = migrations.head()
            print(f"{shown_url(url)}: revision {found or '(empty)'}, this release: {wanted}")
            return 0 if found == wanted else 1
        before, after = migrations.upgrade(engine)
    except SQLAlchemyError as error:
        raise BackOfficeError(
            str(error).replace(url, shown_url(url)),
            key="backoffice.migrate_failed",
            reason=type(error).__name__,
        ) from error
    finally:
        engine.dispose()
    if before == after:
        print(f"{shown_url(url)}: already at revision {after}")
    else:
        print(f"{shown_url(url)}: upgraded from revision {before or '(empty)'} to {after}")
    return 0
