"""Alembic environment for the survey store.

Two ways in:
- programmatic (analysis.store.get_engine): the caller passes an open connection in
  ``config.attributes["connection"]`` and holds the migration lock itself;
- command line (``alembic upgrade head`` from the repository root): the URL comes from
  ``SURVEY_DB_URL`` or ``sqlalchemy.url`` in alembic.ini.
"""

from __future__ import annotations

import os

from sqlalchemy import create_engine

from alembic import context

config = context.config


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=None, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    url = os.environ.get("SURVEY_DB_URL") or config.get_main_option("sqlalchemy.url")
    context.configure(url=url, target_metadata=None, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = os.environ.get("SURVEY_DB_URL") or config.get_main_option("sqlalchemy.url")
    engine = create_engine(url)
    with engine.connect() as conn:
        _run(conn)
        conn.commit()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
