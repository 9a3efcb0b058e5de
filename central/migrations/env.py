"""Alembic's environment for the centre: the models' metadata, run on the connection we hand in.

Run through ``central.migrations`` (``kiosk-central migrate``), which passes the connection in
``config.attributes["connection"]``; there is no alembic.ini.
"""

from __future__ import annotations

from alembic import context

from central.db import Base, load_models


def run() -> None:
    load_models()
    connection = context.config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying
        user_module_prefix="central.db.",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


# Alembic runs this file as a script; a plain import (a test walking every module) does nothing.
if hasattr(context, "_proxy") and context._proxy is not None:
    run()
