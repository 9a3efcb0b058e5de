"""Schema migrations (Alembic): upgrade a centre's database in place, and refuse an old one.

* a new, empty database gets the models' schema at once and is stamped at the head revision;
* a database made before migrations existed (tables, no ``alembic_version``) counts as the
  first revision, ``0001``, the schema of release 0.1;
* ``upgrade(engine)`` brings any older database to the head (``kiosk-central migrate``);
* ``prepare(engine)`` does the first and refuses the rest with ``SchemaOutdated``, so a server
  never runs against tables it does not know;
* ``new_revision(message)`` writes a new revision file from the difference between the models
  and the head (``kiosk-central migrate --new-revision "what changed"``).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, inspect

from central.db import Base, load_models
from central.errors import BackOfficeError
from wire.errors import ExitCode

FOLDER = Path(__file__).resolve().parent
FIRST_REVISION = "0001"
VERSION_TABLE = "alembic_version"


class SchemaOutdated(BackOfficeError):
    """The database's schema is older (or newer) than this release's."""

    key = "backoffice.schema_outdated"
    exit_code = ExitCode.BACKOFFICE_SCHEMA_OUTDATED


def config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(FOLDER))
    cfg.attributes["connection"] = connection
    return cfg


def head() -> str:
    return str(ScriptDirectory.from_config(config()).get_current_head())


def current(connection: Connection) -> str | None:
    """The revision the database is at; ``None`` for an empty database."""
    tables = set(inspect(connection).get_table_names())
    if VERSION_TABLE not in tables:
        return FIRST_REVISION if "kiosks" in tables else None
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, target: str = "head") -> tuple[str | None, str]:
    """Bring the database to ``target``; returns (revision before, revision after)."""
    with engine.begin() as connection:
        before = current(connection)
        if before == FIRST_REVISION and VERSION_TABLE not in inspect(connection).get_table_names():
            command.stamp(config(connection), FIRST_REVISION)
        if before is None:
            load_models()
            Base.metadata.create_all(connection)
            command.stamp(config(connection), "head")
        else:
            command.upgrade(config(connection), target)
        return before, str(current(connection))


def prepare(engine: Engine) -> None:
    """Create the schema in an empty database; refuse a database at another revision."""
    with engine.connect() as connection:
        revision = current(connection)
    if revision is None:
        upgrade(engine)
        return
    wanted = head()
    if revision != wanted:
        raise SchemaOutdated(
            f"database at revision {revision}, this release needs {wanted}",
            key="backoffice.schema_outdated",
            found=revision,
            wanted=wanted,
        )


def new_revision(message: str) -> Path:
    """Autogenerate a revision for what the models have and the head does not."""
    with tempfile.TemporaryDirectory(prefix="kiosk-migrate-") as folder:
        engine = create_engine(f"sqlite:///{folder}/head.db")
        with engine.begin() as connection:
            command.upgrade(config(connection), "head")
            before = head()
            number = f"{int(before) + 1:04d}" if before.isdigit() else None
            script = command.revision(
                config(connection), message=message, autogenerate=True, rev_id=number
            )
        engine.dispose()
    assert script is not None and not isinstance(script, list)
    path = Path(script.path)
    text = "\n".join(line.rstrip() for line in path.read_text().splitlines()) + "\n"
    path.write_text(text)
    return path
