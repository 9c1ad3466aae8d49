"""Opening a store: engines per URL, SQLite pragmas, Alembic migrations, the one write transaction."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from analysis.store.schema import DEFAULT_DB_PATH, ROOT, store_state

ALEMBIC_DIR = ROOT / "alembic"
_BUSY_TIMEOUT_MS = 30_000
_PG_LOCK_KEY = 0x5356_5759  # "SVWY": advisory lock id of the migration

_ENGINES: dict[str, Engine] = {}
_ENGINES_LOCK = threading.Lock()


def default_url() -> str:
    """``SURVEY_DB_URL`` if set, else the SQLite file ``data/survey.db`` under the repository root."""
    return os.environ.get("SURVEY_DB_URL") or f"sqlite:///{DEFAULT_DB_PATH}"


def _sqlite_events(engine: Engine) -> None:
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # noqa: ANN001
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's implicit BEGIN is deferred
        # and only before DML, which breaks read-then-write transactions under concurrency).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
        # A new database gets 64 KiB pages (no effect on an existing file): the store is mostly
        # blobs of several MB, written as chains of overflow pages, one WAL frame each: larger pages
        # mean fewer of both (bench/RESULTS.md, "Fast paths").
        cur.execute("PRAGMA page_size = 65536")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn):  # noqa: ANN001
        mode = conn.get_execution_options().get("sqlite_begin", "")
        conn.exec_driver_sql(f"BEGIN {mode}".strip())


def get_engine(url: str | None = None) -> Engine:
    """Open (and create or upgrade) a store.

    Parameters
    ----------
    url : SQLAlchemy URL; default ``SURVEY_DB_URL`` or ``sqlite:///<repo>/data/survey.db``.
        ``postgresql://`` is read as ``postgresql+psycopg://`` (psycopg 3).

    Returns
    -------
    Engine, migrated to the newest schema. Engines are cached per URL within a process.
    """
    url = url or default_url()
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    with _ENGINES_LOCK:
        engine = _ENGINES.get(url)
        if engine is not None:
            return engine
        try:
            sa_url = sa.engine.make_url(url)
        except sa.exc.ArgumentError:
            raise ValueError(
                f"数据库地址格式错误：'{url}'。示例：sqlite:///data/survey.db 或 "
                "postgresql+psycopg://user@host/db。 Invalid database URL."
            ) from None
        if sa_url.get_backend_name() == "sqlite":
            db = sa_url.database
            if db and db != ":memory:" and not db.startswith("file:"):
                Path(db).parent.mkdir(parents=True, exist_ok=True)
            engine = sa.create_engine(url, connect_args={"timeout": _BUSY_TIMEOUT_MS / 1000, "check_same_thread": False})
            _sqlite_events(engine)
        else:
            engine = sa.create_engine(url, pool_pre_ping=True)
        _migrate(engine)
        _ENGINES[url] = engine
        return engine


def close_engine(engine: Engine) -> None:
    """Dispose an engine from :func:`get_engine` and forget it (tests, tools that drop databases)."""
    with _ENGINES_LOCK:
        for key, value in list(_ENGINES.items()):
            if value is engine:
                del _ENGINES[key]
    engine.dispose()


def _migrate(engine: Engine) -> None:
    """Upgrade the schema to the newest Alembic revision under a cross-process lock."""
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from alembic import command

    cfg = Config()
    cfg.set_main_option("script_location", str(ALEMBIC_DIR))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    with engine.connect() as conn:  # fast path: already at head, no write lock needed
        if MigrationContext.configure(conn).get_current_revision() == head:
            return
    with engine.connect() as conn:
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:
            conn.execution_options(sqlite_begin="IMMEDIATE")
            # A batch migration rebuilds a table (copy, drop, rename); with foreign keys on, dropping
            # the old ``waves`` would cascade into uploads and wave_data. Off for the migration only
            # (the pragma cannot change inside a transaction), checked before the commit.
            conn.connection.driver_connection.execute("PRAGMA foreign_keys = OFF")
        try:
            with conn.begin():
                if engine.dialect.name == "postgresql":
                    conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
                if sqlite and conn.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
                    raise RuntimeError("migration left rows whose foreign keys point nowhere; rolled back")
        finally:
            if sqlite:
                conn.connection.driver_connection.execute("PRAGMA foreign_keys = ON")


@contextmanager
def _write(engine: Engine, *, bump: bool = True, checkpoint_later: bool = False) -> Iterator[Connection]:
    """One write transaction; serialised with other writers; bumps ``data_version`` first.

    Taking the store_state row lock first orders all writers the same way (no deadlocks on
    PostgreSQL) and makes checks such as "is this sha256 already stored" race-free.

    ``checkpoint_later`` (SQLite, for large transactions such as an ingest): the commit does not
    copy the WAL into the database file itself (SQLite's automatic checkpoint, a large share of a
    big wave's commit; bench/RESULTS.md, "Fast paths"); a background thread does it right after. The
    commit is durable either way — it is in the WAL, synced — and a process that dies first leaves
    the checkpoint to the next one.
    """
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        if sqlite:
            conn.execution_options(sqlite_begin="IMMEDIATE")
            if checkpoint_later:  # on the driver's connection: no SQLAlchemy transaction is begun
                conn.connection.driver_connection.execute("PRAGMA wal_autocheckpoint = 0")
        try:
            with conn.begin():
                if bump:
                    conn.execute(store_state.update().values(data_version=store_state.c.data_version + 1))
                else:
                    conn.execute(store_state.update().values(id=store_state.c.id))  # takes the row lock
                yield conn
        finally:
            if sqlite and checkpoint_later:
                conn.connection.driver_connection.execute(f"PRAGMA wal_autocheckpoint = {_AUTOCHECKPOINT_PAGES}")
    if sqlite and checkpoint_later:
        threading.Thread(target=_checkpoint, args=(engine,), name="sqlite-checkpoint", daemon=True).start()


_AUTOCHECKPOINT_PAGES = 1000  # SQLite's default


def _checkpoint(engine: Engine) -> None:
    """Copy the WAL into the database file without blocking readers or writers (PASSIVE)."""
    try:
        with engine.connect() as conn:
            conn.connection.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
    except Exception:  # noqa: BLE001 - the store may be closed by now; the next write checkpoints again
        pass



def data_version(engine: Engine) -> str:
    """A string that changes whenever any wave changes (ingest, edit, delete, restore, purge).

    Unique across databases (``<instance>:<counter>``), so it can key caches directly.
    """
    with engine.connect() as conn:
        row = conn.execute(sa.select(store_state.c.instance, store_state.c.data_version)).first()
    return f"{row.instance}:{row.data_version}"

