"""Persistence: waves, their original files, codebooks, coded answers, users and the audit log.

The only module that talks SQL (SQLAlchemy 2 Core). Two back ends:

- **SQLite** (default): the file ``data/survey.db`` under the repository root, WAL journal (many
  readers beside one writer) and a 30 s busy timeout, set by PRAGMAs on every connection. Write
  transactions start with ``BEGIN IMMEDIATE`` so two writers queue on the busy timeout instead of
  failing half-way with "database is locked".
- **PostgreSQL**: ``SURVEY_DB_URL=postgresql+psycopg://user@host/db`` (psycopg 3), for shared
  deployments where several app replicas serve one department.

The schema is created and upgraded by the Alembic migrations in ``alembic/`` whenever
:func:`get_engine` opens a store; the upgrade runs inside one transaction holding a lock
(``BEGIN IMMEDIATE`` on SQLite, ``pg_advisory_xact_lock`` on PostgreSQL), so two processes starting
at once migrate exactly once.

Storage of a wave (DESIGN.md "Data model"): the Likert answer matrix is one Arrow IPC file (zstd
buffers; waves stored before 2026-11-23 hold Parquet, which still loads), the respondent table, the
open answers, the screening flags and stated importance are each one Parquet blob (pyarrow, zstd) in
``wave_data``; items, scales (custom scales too, field by field) and attribute names are JSON. A
1,000,000 × 30 wave loads in about 0.2 s this way (bench/RESULTS.md); one SQL row per answer would
be 30 M rows and tens of seconds. The original file is kept in ``uploads.bytes`` (zstd-compressed,
``compression`` column) so every wave can be traced back to what was uploaded.

Every change goes through one write transaction that also bumps ``store_state.data_version``
(the cache key of the UI) and writes an ``audit_log`` row naming the user.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import hashlib
import json
import os
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from analysis.model import RESPONDENT_COLUMNS, Dataset
from analysis.scales import Scale

__all__ = [
    "DEFAULT_DB_PATH",
    "WAVE_COLUMNS",
    "AUDIT_COLUMNS",
    "META_FIELDS",
    "IngestResult",
    "get_engine",
    "close_engine",
    "default_url",
    "ingest_file",
    "list_waves",
    "load_wave",
    "wave_meta",
    "wave_files",
    "resolve_wave",
    "rename_wave",
    "update_wave_meta",
    "delete_wave",
    "restore_wave",
    "purge_wave",
    "save_codebook",
    "find_codebook",
    "find_upload",
    "audit",
    "list_audit",
    "data_version",
    "ensure_demo",
    "dataset_to_blobs",
    "dataset_from_blobs",
]

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB_PATH = ROOT / "data" / "survey.db"
ALEMBIC_DIR = ROOT / "alembic"

WAVE_COLUMNS = [
    "id", "name", "unit", "period", "channel", "distributed", "returned", "n_responses", "n_valid",
    "format", "encoding", "created_at", "deleted_at", "files",
]
AUDIT_COLUMNS = ["id", "at", "user", "action", "wave_id", "detail"]
# Wave fields a user may set (ingest ``meta``, update_wave_meta).
META_FIELDS: tuple[str, ...] = (
    "name", "unit", "period", "channel", "distributed", "returned", "basic_satisfied", "screening",
)
_BUSY_TIMEOUT_MS = 30_000
_PG_LOCK_KEY = 0x5356_5759  # "SVWY": advisory lock id of the migration

# ---------------------------------------------------------------------------------------------
# Tables (mirror alembic/versions; tests/test_store.py checks they agree with the migrated schema)
# ---------------------------------------------------------------------------------------------
metadata = sa.MetaData()
store_state = sa.Table(
    "store_state", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("data_version", sa.Integer, nullable=False),
    sa.Column("instance", sa.String(32), nullable=False),
    sa.Column("demo_seeded", sa.Boolean, nullable=False),
)
waves = sa.Table(
    "waves", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("unit", sa.String(200)),
    sa.Column("period", sa.String(100)),
    sa.Column("channel", sa.String(100)),
    sa.Column("distributed", sa.Integer),
    sa.Column("returned", sa.Integer),
    sa.Column("screening", sa.JSON),
    sa.Column("basic_satisfied", sa.Boolean, nullable=False),
    sa.Column("questionnaire_key", sa.String(64)),
    sa.Column("format", sa.String(40)),
    sa.Column("encoding", sa.String(40)),
    sa.Column("n_responses", sa.Integer, nullable=False),
    sa.Column("n_valid", sa.Integer, nullable=False),
    sa.Column("is_demo", sa.Boolean, nullable=False),
    sa.Column("data_version", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("created_by", sa.String(100)),
    sa.Column("updated_at", sa.DateTime),
    sa.Column("deleted_at", sa.DateTime),
    sa.Column("deleted_by", sa.String(100)),
    sqlite_autoincrement=True,
)
uploads = sa.Table(
    "uploads", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("wave_id", sa.Integer, sa.ForeignKey("waves.id", ondelete="CASCADE"), nullable=False),
    sa.Column("filename", sa.String(500), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("compression", sa.String(10), nullable=False),
    sa.Column("bytes", sa.LargeBinary, nullable=False),
    sa.Column("format", sa.String(40)),
    sa.Column("encoding", sa.String(40)),
    sa.Column("uploaded_by", sa.String(100)),
    sa.Column("uploaded_at", sa.DateTime, nullable=False),
    sa.Column("n_rows", sa.Integer),
    sa.Column("result", sa.JSON),
    sa.Column("warnings", sa.JSON),
)
codebooks = sa.Table(
    "codebooks", metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("csv", sa.Text, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Column("updated_by", sa.String(100)),
)
wave_data = sa.Table(
    "wave_data", metadata,
    sa.Column("wave_id", sa.Integer, sa.ForeignKey("waves.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("answers", sa.LargeBinary, nullable=False),
    sa.Column("respondents", sa.LargeBinary, nullable=False),
    sa.Column("texts", sa.LargeBinary, nullable=False),
    sa.Column("flags", sa.LargeBinary, nullable=False),
    sa.Column("importance", sa.LargeBinary),
    sa.Column("items", sa.JSON, nullable=False),
    sa.Column("scales", sa.JSON, nullable=False),
    sa.Column("attributes", sa.JSON, nullable=False),
    sa.Column("warnings", sa.JSON, nullable=False),
    sa.Column("meta", sa.JSON, nullable=False),
)
users = sa.Table(
    "users", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(100), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(100), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("created_by", sa.String(100)),
    sa.Column("last_login_at", sa.DateTime),
)
login_attempts = sa.Table(
    "login_attempts", metadata,
    sa.Column("name", sa.String(100), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("last_failed_at", sa.DateTime),
    sa.Column("locked_until", sa.DateTime),
)
audit_log = sa.Table(
    "audit_log", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("user", sa.String(100)),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("wave_id", sa.Integer),
    sa.Column("detail", sa.JSON),
)


def _now() -> _dt.datetime:
    """Current time, naive UTC (both back ends store it the same way)."""
    return _dt.datetime.now(_dt.UTC).replace(tzinfo=None)


# ---------------------------------------------------------------------------------------------
# Engine and migrations
# ---------------------------------------------------------------------------------------------
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
        # blobs of several MB, written as chains of overflow pages, one WAL frame each; with 4 KiB
        # pages a 1M-response wave (70 MB) took 0.20 s to insert and commit, with 64 KiB 0.13 s.
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
        if engine.dialect.name == "sqlite":
            conn.execution_options(sqlite_begin="IMMEDIATE")
        with conn.begin():
            if engine.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")


@contextmanager
def _write(engine: Engine, *, bump: bool = True, checkpoint_later: bool = False) -> Iterator[Connection]:
    """One write transaction; serialised with other writers; bumps ``data_version`` first.

    Taking the store_state row lock first orders all writers the same way (no deadlocks on
    PostgreSQL) and makes checks such as "is this sha256 already stored" race-free.

    ``checkpoint_later`` (SQLite, for large transactions such as an ingest): the commit does not
    copy the WAL into the database file itself (SQLite's automatic checkpoint, ~0.2 s for a
    1M-response wave); a background thread does it right after. The commit is durable either way —
    it is in the WAL, synced — and a process that dies first leaves the checkpoint to the next one.
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


def _audit(conn: Connection, user: str | None, action: str, detail: dict | None = None, wave_id: int | None = None):
    conn.execute(
        audit_log.insert().values(at=_now(), user=user, action=action, wave_id=wave_id, detail=_jsonable(detail or {}))
    )


def _jsonable(obj: Any) -> Any:
    """JSON-safe copy (numpy scalars, timestamps, sets → plain values)."""
    return json.loads(json.dumps(obj, default=_json_default, ensure_ascii=False))


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, (_dt.datetime, _dt.date, pd.Timestamp)):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)


# ---------------------------------------------------------------------------------------------
# Dataset <-> blobs
# ---------------------------------------------------------------------------------------------
def _frame_to_parquet(df: pd.DataFrame, *, dictionary: list[str] | None = None) -> bytes:
    """A frame as Parquet (zstd). ``dictionary`` limits dictionary encoding to those columns.

    No column statistics are written: a stored frame is always read whole, and computing min/max
    of every string column was a fifth of the time (1M respondents: 0.195 → 0.157 s, same size).
    """
    table = pa.Table.from_pandas(df, preserve_index=False)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd", use_dictionary=True if dictionary is None else dictionary,
                   write_statistics=False)
    return sink.getvalue().to_pybytes()


# Respondent columns with (nearly) one value per row: Parquet's dictionary encoding is tried on them
# and abandoned once the dictionary outgrows its page — wasted work (100k rows: 0.08 s → 0.05 s,
# and 1.9 → 1.2 MB, without it on these columns; bench/RESULTS.md).
_UNIQUE_PER_ROW = frozenset(RESPONDENT_COLUMNS) - {"group"}


def _frame_to_ipc(df: pd.DataFrame) -> bytes:
    """An Arrow IPC file (zstd-compressed buffers): used for the answer matrix.

    For 30 ``Int8`` columns × 1M rows it is written in 0.15 s instead of Parquet's 0.55 s at the
    same size (10.7 vs 10.4 MB), and read back faster; Parquet's dictionary and RLE encodings
    gain nothing on 1-byte codes that zstd does not (bench/RESULTS.md, 2026-11-23).
    """
    table = pa.Table.from_pandas(df, preserve_index=False)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_file(sink, table.schema, options=pa.ipc.IpcWriteOptions(compression="zstd")) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def _blob_to_frame(blob: bytes, n_rows: int | None = None) -> pd.DataFrame:
    """A stored frame back: Parquet, or an Arrow IPC file (:func:`_frame_to_ipc`, told by its magic)."""
    if bytes(blob[:6]) == b"ARROW1":
        table = pa.ipc.open_file(pa.BufferReader(blob)).read_all()
    else:
        table = pq.read_table(pa.BufferReader(blob))
    if table.num_columns == 0:
        return pd.DataFrame(index=pd.RangeIndex(n_rows or 0))
    lists = [f.name for f in table.schema if pa.types.is_list(f.type) or pa.types.is_large_list(f.type)]
    df = table.to_pandas()
    for name in lists:  # Arrow gives numpy arrays; the model's contract is Python lists of str
        df[name] = pd.Series(table.column(name).to_pylist(), index=df.index, dtype=object)
    return df


def _frame_to_json(df: pd.DataFrame) -> dict:
    """Small frame (items) as JSON: column order, dtypes and values (NA → null)."""
    data = {}
    for col in df.columns:
        values = df[col].astype(object).where(df[col].notna(), None).tolist()
        data[str(col)] = [v.item() if hasattr(v, "item") else v for v in values]
    return {"columns": [str(c) for c in df.columns], "dtypes": {str(c): str(df[c].dtype) for c in df.columns},
            "data": data}


def _json_to_frame(obj: dict) -> pd.DataFrame:
    cols = {}
    for col in obj["columns"]:
        values, dtype = obj["data"][col], obj["dtypes"][col]
        try:
            cols[col] = pd.Series(values, dtype=dtype)
        except (TypeError, ValueError):
            cols[col] = pd.Series(values, dtype=object)
    return pd.DataFrame(cols, columns=obj["columns"])


def _scale_to_json(scale: Scale) -> dict:
    out = dataclasses.asdict(scale)
    out["labels"] = list(scale.labels)
    return out


def _scale_from_json(obj: dict) -> Scale:
    kwargs = {f.name: obj[f.name] for f in dataclasses.fields(Scale) if f.name in obj}
    kwargs["labels"] = tuple(kwargs.get("labels", ()))
    kwargs["aliases"] = dict(kwargs.get("aliases") or {})
    return Scale(**kwargs)


def _frame_blobs(ds: Dataset) -> dict[str, bytes | None]:
    """The blobs of the frames screening does not change: answers (Arrow IPC), respondents, texts, importance."""
    return {
        "answers": _frame_to_ipc(ds.answers),
        "respondents": _frame_to_parquet(
            ds.respondents, dictionary=[c for c in ds.respondents.columns if c not in _UNIQUE_PER_ROW]),
        "texts": _frame_to_parquet(ds.texts),
        "importance": None if ds.importance is None else _frame_to_parquet(ds.importance),
    }


def dataset_to_blobs(ds: Dataset, frames: dict[str, bytes | None] | None = None) -> dict[str, Any]:
    """The ``wave_data`` row of a Dataset: binary blobs (zstd) for the frames, JSON for the rest.

    ``frames`` = :func:`_frame_blobs` of ``ds`` when the caller encoded them already (the ingest
    does so on its background thread while screening runs).
    """
    if frames is None:
        frames = _frame_blobs(ds)
    return {
        **frames,
        "flags": _frame_to_parquet(ds.flags),
        "items": _frame_to_json(ds.items),
        "scales": {key: _scale_to_json(s) for key, s in ds.scales.items()},
        "attributes": list(ds.attributes),
        "warnings": [str(w) for w in ds.warnings],
        "meta": {
            "format": ds.format, "encoding": ds.encoding, "n": int(len(ds.respondents)),
            "n_answers": int(len(ds.answers)), "n_texts": int(len(ds.texts)),
            "n_importance": None if ds.importance is None else int(len(ds.importance)),
        },
    }


def dataset_from_blobs(row: dict[str, Any]) -> Dataset:
    """Inverse of :func:`dataset_to_blobs`."""
    meta = row["meta"] or {}
    return Dataset(
        answers=_blob_to_frame(row["answers"], meta.get("n_answers")),
        items=_json_to_frame(row["items"]),
        respondents=_blob_to_frame(row["respondents"], meta.get("n")),
        attributes=list(row["attributes"]),
        texts=_blob_to_frame(row["texts"], meta.get("n_texts")),
        scales={key: _scale_from_json(s) for key, s in row["scales"].items()},
        flags=_blob_to_frame(row["flags"], 0),
        importance=None if row["importance"] is None else _blob_to_frame(row["importance"], meta.get("n_importance")),
        format=meta.get("format", ""),
        encoding=meta.get("encoding", ""),
        warnings=list(row["warnings"]),
    )


# ---------------------------------------------------------------------------------------------
# Ingest
# ---------------------------------------------------------------------------------------------
@dataclass
class IngestResult:
    """Outcome of :func:`ingest_file`.

    ``created`` is False when the same bytes were stored before (``duplicate_of`` = that wave);
    ``restored`` is True when that wave had been deleted and the re-upload brought it back.
    """

    wave_id: int
    created: bool
    duplicate_of: int | None
    n_responses: int
    warnings: list[str] = field(default_factory=list)
    restored: bool = False
    name: str = ""


@dataclass
class _Prepared:
    ds: Dataset
    key: str
    codebook_to_save: pd.DataFrame | None
    frames: dict[str, bytes | None] | None = None  # _frame_blobs(ds), when encoded during the parse


def _coerce_codebook(codebook: Any) -> pd.DataFrame:
    from analysis.codebook import read_codebook

    if isinstance(codebook, pd.DataFrame):
        return codebook
    return read_codebook(codebook)


def _prepare(engine: Engine, data: bytes, filename: str, codebook: Any, format: str | None,
             encoder: ThreadPoolExecutor | None = None) -> _Prepared:
    """Parse, code and screen outside any transaction (codebook.load_dataset, plus the key and the blobs).

    With an ``encoder`` thread the frames are encoded there while screening runs here: both release
    the GIL for most of their work, so on two cores the encoding leaves the wall time.
    """
    from analysis.codebook import apply_codebook, questionnaire_key
    from analysis.ingest import parse_survey
    from analysis.quality import screen

    survey = parse_survey(data, filename, format=format)
    key = questionnaire_key(survey)
    to_save = None
    if codebook is not None:
        cb = _coerce_codebook(codebook)
        to_save = cb
    else:
        cb = find_codebook(engine, key)
    ds = apply_codebook(survey, cb)  # = codebook.code_survey, with the encoding started in between
    encoding = encoder.submit(_frame_blobs, ds) if encoder is not None else None
    ds.flags = screen(ds).reset_index(drop=True)
    return _Prepared(ds=ds, key=key, codebook_to_save=to_save, frames=encoding.result() if encoding else None)


def _n_flagged(ds: Dataset) -> int:
    if ds.flags is None or not len(ds.flags) or "row" not in ds.flags.columns:
        return 0
    flags = ds.flags
    if "reasons" in flags.columns:
        flags = flags[flags["reasons"].map(lambda r: r is None or len(r) > 0)]
    return int(flags["row"].nunique())


def _live_names(conn: Connection) -> set[str]:
    return set(conn.execute(sa.select(waves.c.name).where(waves.c.deleted_at.is_(None))).scalars())


def _unique_name(conn: Connection, name: str, *, exclude_id: int | None = None) -> str:
    q = sa.select(waves.c.name).where(waves.c.deleted_at.is_(None))
    if exclude_id is not None:
        q = q.where(waves.c.id != exclude_id)
    taken = set(conn.execute(q).scalars())
    if name not in taken:
        return name
    i = 2
    while f"{name} ({i})" in taken:
        i += 1
    return f"{name} ({i})"


def _clean_meta(meta: dict | None) -> dict:
    meta = dict(meta or {})
    out = {k: meta[k] for k in META_FIELDS if k in meta and meta[k] is not None}
    for k in ("distributed", "returned"):
        if k in out:
            try:
                out[k] = int(out[k])
            except (TypeError, ValueError):
                raise ValueError(f"{k} 须为整数（问卷数）: '{out[k]}'. '{k}' must be a whole number.") from None
            if out[k] < 0:
                raise ValueError(f"{k} 不能为负数: {out[k]}. '{k}' must not be negative.")
    if "basic_satisfied" in out:
        out["basic_satisfied"] = bool(out["basic_satisfied"])
    if "name" in out:
        out["name"] = str(out["name"]).strip()
        if not out["name"]:
            raise ValueError("批次名称不能为空。 The wave name must not be empty.")
    for k in ("unit", "period", "channel"):
        if k in out:
            out[k] = str(out[k])
    return out


def _find_upload(conn: Connection, sha: str) -> dict | None:
    row = conn.execute(
        sa.select(uploads.c.wave_id, waves.c.deleted_at, waves.c.n_responses, waves.c.name)
        .join(waves, waves.c.id == uploads.c.wave_id)
        .where(uploads.c.sha256 == sha)
    ).mappings().first()
    return dict(row) if row else None


def _duplicate_result(conn: Connection, dup: dict, filename: str, user: str) -> IngestResult:
    """Same bytes again: never a second wave. A deleted wave is restored (see ingest_file)."""
    wave_id = int(dup["wave_id"])
    restored = False
    name = dup["name"]
    warnings = [f"该文件已导入过（批次 #{wave_id}「{name}」），未重复计入。 This file was already ingested as wave #{wave_id}."]
    if dup["deleted_at"] is not None:
        name = _unique_name(conn, name, exclude_id=wave_id)
        conn.execute(
            waves.update().where(waves.c.id == wave_id)
            .values(deleted_at=None, deleted_by=None, name=name, updated_at=_now(), data_version=waves.c.data_version + 1)
        )
        _audit(conn, user, "restore", {"reason": "re-uploaded", "filename": filename, "name": name}, wave_id)
        restored = True
        warnings = [f"该文件属于已删除的批次 #{wave_id}，已恢复该批次。 The file belonged to deleted wave #{wave_id}; it was restored."]
    return IngestResult(wave_id=wave_id, created=False, duplicate_of=wave_id, n_responses=int(dup["n_responses"]),
                        warnings=warnings, restored=restored, name=name)


def _lower_priority() -> None:
    """Give the calling thread the lowest CPU priority (Linux: ``setpriority`` acts per thread).

    Elsewhere a thread id is not a valid ``setpriority`` target, so nothing is changed there.
    """
    if sys.platform.startswith("linux"):
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
        except OSError:
            pass


def _pack(data: bytes) -> bytes:
    """The original file as stored in ``uploads.bytes``: zstd (level 3), one frame per part.

    Level 3 (zstd's own default) took the same time as Arrow's default level 1 on a 351 MB
    问卷星 export (0.69 vs 0.68 s) and wrote 47 instead of 51.5 MB; level 5 took 1.8 s
    (bench/RESULTS.md, 2026-11-23). The parts (:func:`_pack_parts`) let the ingest compress a large
    file on two threads; concatenated frames decompress as one (``pa.decompress``, as zstd does).
    """
    return b"".join(_pack_part(part) for part in _pack_parts(data))


_PACK_PART = 64 * 2**20


def _pack_parts(data: bytes) -> list[memoryview]:
    """``data`` cut into parts of ``_PACK_PART`` bytes (views, no copies), each packed as one frame."""
    view = memoryview(data)
    return [view[i : i + _PACK_PART] for i in range(0, max(len(data), 1), _PACK_PART)]


def _pack_part(part: memoryview) -> bytes:
    return pa.Codec("zstd", compression_level=3).compress(part, asbytes=True)


def _insert_wave(conn: Connection, prepared: _Prepared, *, data: bytes, sha: str, filename: str, name: str,
                 meta: dict, user: str, is_demo: bool = False, packed: bytes | None = None) -> tuple[int, str]:
    """Write one prepared wave (``packed`` = ``_pack(data)`` when the caller already has it)."""
    ds = prepared.ds
    now = _now()
    name = _unique_name(conn, name)
    n_valid = ds.n - _n_flagged(ds)
    wave_id = conn.execute(
        waves.insert().values(
            name=name, unit=meta.get("unit"), period=meta.get("period"), channel=meta.get("channel"),
            distributed=meta.get("distributed"), returned=meta.get("returned"),
            screening=_jsonable(meta.get("screening")) if meta.get("screening") is not None else None,
            basic_satisfied=bool(meta.get("basic_satisfied", False)), questionnaire_key=prepared.key,
            format=ds.format, encoding=ds.encoding, n_responses=int(ds.n), n_valid=int(n_valid),
            is_demo=is_demo, data_version=1, created_at=now, created_by=user, updated_at=now,
        ).returning(waves.c.id)
    ).scalar_one()
    if packed is None:
        packed = _pack(data)
    conn.execute(
        uploads.insert().values(
            wave_id=wave_id, filename=filename, size=len(data), sha256=sha, compression="zstd", bytes=packed,
            format=ds.format, encoding=ds.encoding, uploaded_by=user, uploaded_at=now, n_rows=int(ds.n),
            result=_jsonable({"n_responses": int(ds.n), "n_valid": int(n_valid), "n_items": int(ds.answers.shape[1])}),
            warnings=[str(w) for w in ds.warnings],
        )
    )
    conn.execute(wave_data.insert().values(wave_id=wave_id, **dataset_to_blobs(ds, prepared.frames)))
    if prepared.codebook_to_save is not None:
        _save_codebook(conn, prepared.key, prepared.codebook_to_save, user)
    _audit(conn, user, "ingest", {"filename": filename, "sha256": sha, "name": name, "n_responses": int(ds.n)}, wave_id)
    return int(wave_id), name


def ingest_file(
    engine: Engine,
    data: bytes,
    filename: str,
    *,
    wave: str | None = None,
    meta: dict | None = None,
    codebook: pd.DataFrame | bytes | str | Path | None = None,
    user: str = "cli",
    format: str | None = None,
    dataset: Dataset | None = None,
    questionnaire: str | None = None,
) -> IngestResult:
    """Store one export as a new wave, atomically and at most once.

    Parameters
    ----------
    data, filename : the uploaded file (CSV / XLSX / XLS) and its name.
    wave : wave name; default ``meta["name"]`` or the file name without extension. A name already
        used by a live wave gets a suffix `` (2)``, `` (3)`` … (a warning says so).
    meta : wave fields ``unit, period, channel, distributed, returned, basic_satisfied, screening``.
    codebook : a codebook (DataFrame or CSV). It is saved for the questionnaire and reused: with
        ``codebook=None`` the codebook last saved for the same questionnaire_key is applied, else
        one is suggested automatically.
    user : who uploads (audit log).
    format : force an adapter key (see ``analysis.ingest.ADAPTERS``).
    dataset, questionnaire : the file already parsed, coded with ``codebook`` and screened —
        ``code_survey(parse_survey(data, filename), codebook)`` — and its ``questionnaire_key``, when
        the caller has them: the data page computed both for its validation report, so saving does
        not parse the file a second time (1M responses: ~2 s less). Both or neither.

    Returns
    -------
    IngestResult. The sha256 of ``data`` identifies a file: the same bytes again return
    ``created=False, duplicate_of=<wave id>`` and are never counted twice. **Restore semantics:**
    if that wave had been soft-deleted, the re-upload restores it (``restored=True``; audit action
    ``restore``) instead of creating a copy. After :func:`purge_wave` the file is unknown again
    and a re-upload makes a new wave.

    The wave, its upload, its data and the audit row are written in one transaction: a wave
    appears whole or not at all, also when the process is killed mid-write.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ValueError("需要文件的字节内容（bytes）。 ingest_file expects the file's bytes.")
    if (dataset is None) != (questionnaire is None):
        raise ValueError("dataset 与 questionnaire 须同时给出。 Pass dataset and questionnaire together.")
    data = bytes(data)
    meta = _clean_meta(meta)
    # The file's sha256 and its zstd copy for ``uploads.bytes`` run on two background threads at the
    # lowest CPU priority: while pyarrow parses the file on both cores they mostly wait, and
    # afterwards, when parsing continues on one core, they have the other (at 1M rows: 0.2 s of
    # hashing and 0.7 s of compression leave the wall time). Two, so that the hash and the copy's
    # first part start together and a large file's last parts are packed on both cores once the
    # parse is done (with one thread the ingest of 1M rows waited ~0.2 s for the copy at the end).
    # The coded frames are encoded on a third thread while screening runs. The duplicate check
    # therefore follows the parse; the data page looks the file up before that.
    helper = ThreadPoolExecutor(max_workers=2, initializer=_lower_priority)
    # the frames of a parsed file: on the critical path, normal priority (a caller's dataset: below)
    encoder = ThreadPoolExecutor(max_workers=1) if dataset is None else None
    try:
        hashing = helper.submit(lambda: hashlib.sha256(data).hexdigest())
        packing = [helper.submit(_pack_part, part) for part in _pack_parts(data)]
        if dataset is not None:  # encoded here, outside the write transaction, while the helpers pack
            to_save = None if codebook is None else _coerce_codebook(codebook)
            prepared = _Prepared(ds=dataset, key=questionnaire, codebook_to_save=to_save, frames=_frame_blobs(dataset))
            error = None
        else:
            try:
                prepared, error = _prepare(engine, data, filename, codebook, format, encoder), None
            except ValueError as exc:  # a stored file is still recognised when it no longer parses on its own
                prepared, error = None, exc
        sha = hashing.result()
        with engine.connect() as conn:
            dup = _find_upload(conn, sha)
            if dup is not None and dup["deleted_at"] is None:
                return _duplicate_result(conn, dup, filename, user)
        if dup is not None:  # a deleted wave's file: restore it (needs the write lock; checked again under it)
            with _write(engine) as conn:
                dup = _find_upload(conn, sha)
                if dup is not None:
                    return _duplicate_result(conn, dup, filename, user)
        if error is not None:
            raise error
        packed = b"".join(f.result() for f in packing)
    finally:  # a duplicate or a parse error leaves without waiting for the compression
        helper.shutdown(wait=False, cancel_futures=True)
        if encoder is not None:
            encoder.shutdown(wait=False)
    name = (wave or "").strip() or meta.get("name") or Path(filename).stem.strip() or "批次 wave"
    with _write(engine, checkpoint_later=True) as conn:
        dup = _find_upload(conn, sha)  # another writer may have stored it while we parsed
        if dup is not None:
            return _duplicate_result(conn, dup, filename, user)
        wave_id, final = _insert_wave(conn, prepared, data=data, sha=sha, filename=filename, name=name, meta=meta,
                                      user=user, packed=packed)
    warnings = list(prepared.ds.warnings)
    if final != name:
        warnings.append(f"批次名「{name}」已存在，已命名为「{final}」。 Wave name '{name}' exists; saved as '{final}'.")
    return IngestResult(wave_id=wave_id, created=True, duplicate_of=None, n_responses=int(prepared.ds.n),
                        warnings=warnings, name=final)


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------
def resolve_wave(engine: Engine, ref: int | str, *, include_deleted: bool = True) -> int:
    """Wave id from an id (int or digits) or a name (live waves first, then deleted ones)."""
    with engine.connect() as conn:
        text = str(ref).strip()
        if text.isdigit():
            q = sa.select(waves.c.id).where(waves.c.id == int(text))
            if not include_deleted:
                q = q.where(waves.c.deleted_at.is_(None))
            found = conn.execute(q).scalar()
            if found is not None:
                return int(found)
        rows = conn.execute(
            sa.select(waves.c.id, waves.c.deleted_at).where(waves.c.name == text).order_by(waves.c.id.desc())
        ).all()
        live = [r.id for r in rows if r.deleted_at is None]
        if live:
            return int(live[0])
        if include_deleted and rows:
            return int(rows[0].id)
    raise ValueError(f"找不到批次「{ref}」。请用 `python -m analysis waves` 查看批次编号。 No wave '{ref}'.")


def _wave_id(engine: Engine, wave_id: int | str) -> int:
    if isinstance(wave_id, int) and not isinstance(wave_id, bool):
        return wave_id
    return resolve_wave(engine, wave_id)


def list_waves(engine: Engine, *, include_deleted: bool = False) -> pd.DataFrame:
    """Waves in the store, oldest first.

    Returns
    -------
    DataFrame with columns ``WAVE_COLUMNS``: ``id, name, unit, period, channel, distributed,
    returned, n_responses, n_valid`` (responses not flagged by screening), ``format, encoding,
    created_at, deleted_at`` (NaT unless deleted) and ``files`` (the uploaded file names joined
    by ``"; "``).
    """
    q = sa.select(*[waves.c[c] for c in WAVE_COLUMNS if c != "files"]).order_by(waves.c.id)
    if not include_deleted:
        q = q.where(waves.c.deleted_at.is_(None))
    with engine.connect() as conn:
        rows = conn.execute(q).mappings().all()
        files: dict[int, list[str]] = {}
        for wid, fname in conn.execute(sa.select(uploads.c.wave_id, uploads.c.filename).order_by(uploads.c.id)):
            files.setdefault(int(wid), []).append(fname)
    df = pd.DataFrame([dict(r) for r in rows], columns=[c for c in WAVE_COLUMNS if c != "files"])
    df["files"] = [("; ".join(files.get(int(i), []))) for i in df["id"]]
    for col in ("id", "n_responses", "n_valid"):
        df[col] = df[col].astype("int64")
    for col in ("distributed", "returned"):
        df[col] = df[col].astype("Int64")
    for col in ("created_at", "deleted_at"):
        df[col] = pd.to_datetime(df[col])
    return df[WAVE_COLUMNS]


def wave_meta(engine: Engine, wave_id: int | str) -> dict:
    """All fields of one wave (deleted ones too) plus ``files`` (list of file names)."""
    wid = _wave_id(engine, wave_id)
    with engine.connect() as conn:
        row = conn.execute(sa.select(waves).where(waves.c.id == wid)).mappings().first()
        if row is None:
            raise ValueError(f"找不到批次 #{wid}（可能已被彻底删除）。 Wave #{wid} does not exist.")
        out = dict(row)
        out["files"] = list(conn.execute(
            sa.select(uploads.c.filename).where(uploads.c.wave_id == wid).order_by(uploads.c.id)).scalars())
    return out


def wave_files(engine: Engine, wave_id: int | str) -> list[tuple[str, bytes]]:
    """The original uploaded files of a wave as ``(filename, bytes)`` (decompressed)."""
    wid = _wave_id(engine, wave_id)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(uploads.c.filename, uploads.c.bytes, uploads.c.compression, uploads.c.size)
            .where(uploads.c.wave_id == wid).order_by(uploads.c.id)
        ).all()
    out = []
    for r in rows:
        raw = bytes(r.bytes)
        if r.compression == "zstd":
            raw = pa.decompress(raw, decompressed_size=int(r.size), codec="zstd", asbytes=True)
        out.append((r.filename, raw))
    return out


def load_wave(engine: Engine, wave_id: int | str) -> Dataset:
    """The stored Dataset of a wave, identical to the one ingested.

    Answers come back as ``Int8``, respondents with their datetimes, texts, flags (lists of
    reason keys), importance, items, scales (custom ones rebuilt field by field) and attributes.
    Deleted (not purged) waves can still be loaded by id. ValueError when the wave does not exist.
    """
    wid = _wave_id(engine, wave_id)
    with engine.connect() as conn:
        row = conn.execute(sa.select(wave_data).where(wave_data.c.wave_id == wid)).mappings().first()
    if row is None:
        raise ValueError(f"找不到批次 #{wid} 的数据（可能已被彻底删除）。 No data for wave #{wid}.")
    return dataset_from_blobs(dict(row))


# ---------------------------------------------------------------------------------------------
# Changing waves
# ---------------------------------------------------------------------------------------------
def _require_wave(conn: Connection, wid: int) -> dict:
    row = conn.execute(sa.select(waves).where(waves.c.id == wid)).mappings().first()
    if row is None:
        raise ValueError(f"找不到批次 #{wid}。 Wave #{wid} does not exist.")
    return dict(row)


def update_wave_meta(engine: Engine, wave_id: int | str, *, user: str = "cli", **fields: Any) -> dict:
    """Change a wave's fields (``META_FIELDS``); returns the updated :func:`wave_meta`.

    A new name must not be used by another live wave (ValueError says so).
    """
    unknown = set(fields) - set(META_FIELDS)
    if unknown:
        raise ValueError(f"不能修改字段 {sorted(unknown)}；可改 {list(META_FIELDS)}。 Unknown wave field(s).")
    values = _clean_meta(fields)
    if "name" in fields and "name" not in values:
        raise ValueError("批次名称不能为空。 The wave name must not be empty.")
    wid = _wave_id(engine, wave_id)
    with _write(engine) as conn:
        old = _require_wave(conn, wid)
        if "name" in values and old["deleted_at"] is None and values["name"] != old["name"]:
            if values["name"] in _live_names(conn):
                raise ValueError(f"批次名「{values['name']}」已被使用，请换一个。 The name is already used by another wave.")
        if "screening" in values:
            values["screening"] = _jsonable(values["screening"])
        if values:
            conn.execute(waves.update().where(waves.c.id == wid)
                         .values(**values, updated_at=_now(), data_version=waves.c.data_version + 1))
            action = "rename" if set(values) == {"name"} else "update"
            _audit(conn, user, action, {k: {"old": _jsonable(old[k]), "new": _jsonable(v)} for k, v in values.items()},
                   wid)
    return wave_meta(engine, wid)


def rename_wave(engine: Engine, wave_id: int | str, name: str, *, user: str = "cli") -> dict:
    """Rename a wave (unique among live waves)."""
    return update_wave_meta(engine, wave_id, name=name, user=user)


def delete_wave(engine: Engine, wave_id: int | str, *, user: str = "cli") -> None:
    """Soft delete: hidden from :func:`list_waves`, data kept; :func:`restore_wave` brings it back."""
    wid = _wave_id(engine, wave_id)
    with _write(engine) as conn:
        old = _require_wave(conn, wid)
        if old["deleted_at"] is not None:
            return
        conn.execute(waves.update().where(waves.c.id == wid)
                     .values(deleted_at=_now(), deleted_by=user, data_version=waves.c.data_version + 1))
        _audit(conn, user, "delete", {"name": old["name"]}, wid)


def restore_wave(engine: Engine, wave_id: int | str, *, user: str = "cli") -> dict:
    """Undo :func:`delete_wave`. If a live wave took the name meanwhile, a suffix `` (2)`` is added."""
    wid = _wave_id(engine, wave_id)
    with _write(engine) as conn:
        old = _require_wave(conn, wid)
        if old["deleted_at"] is not None:
            name = _unique_name(conn, old["name"], exclude_id=wid)
            conn.execute(waves.update().where(waves.c.id == wid)
                         .values(deleted_at=None, deleted_by=None, name=name, updated_at=_now(),
                                 data_version=waves.c.data_version + 1))
            _audit(conn, user, "restore", {"name": name}, wid)
    return wave_meta(engine, wid)


def purge_wave(engine: Engine, wave_id: int | str, *, user: str = "cli") -> None:
    """Remove a wave for good: its data, its uploaded files and the wave row (the audit log stays)."""
    wid = _wave_id(engine, wave_id)
    with _write(engine) as conn:
        old = _require_wave(conn, wid)
        conn.execute(wave_data.delete().where(wave_data.c.wave_id == wid))
        conn.execute(uploads.delete().where(uploads.c.wave_id == wid))
        conn.execute(waves.delete().where(waves.c.id == wid))
        _audit(conn, user, "purge", {"name": old["name"]}, wid)


# ---------------------------------------------------------------------------------------------
# Codebooks, audit, version
# ---------------------------------------------------------------------------------------------
def _codebook_csv(df: pd.DataFrame) -> str:
    from analysis.codebook import codebook_to_csv

    return codebook_to_csv(df)


def _save_codebook(conn: Connection, key: str, df: pd.DataFrame, user: str) -> None:
    csv_text = _codebook_csv(df)
    conn.execute(codebooks.delete().where(codebooks.c.key == key))
    conn.execute(codebooks.insert().values(key=key, csv=csv_text, updated_at=_now(), updated_by=user))
    _audit(conn, user, "save_codebook", {"key": key, "rows": int(len(df))})


def save_codebook(engine: Engine, key: str, df: pd.DataFrame, *, user: str = "cli") -> None:
    """Save (replace) the codebook of a questionnaire (``analysis.codebook.questionnaire_key``)."""
    if not key:
        raise ValueError("问卷标识为空。 The questionnaire key must not be empty.")
    with _write(engine, bump=False) as conn:
        _save_codebook(conn, key, df, user)


def find_codebook(engine: Engine, key: str) -> pd.DataFrame | None:
    """The codebook saved for a questionnaire key, or None."""
    with engine.connect() as conn:
        text = conn.execute(sa.select(codebooks.c.csv).where(codebooks.c.key == key)).scalar()
    if text is None:
        return None
    from analysis.codebook import read_codebook

    return read_codebook(text)


def stored_as(engine: Engine, data: bytes, filename: str) -> IngestResult | None:
    """What :func:`ingest_file` returns for a file already stored in a live wave, without parsing it.

    ``ingest_file`` hashes the file while it parses (so a new file pays nothing for the check);
    a caller that expects repeats — the CLI run twice over the same export — asks here first:
    0.2 s of hashing for a 1M-response file instead of ~2 s of parsing. None for a new file and
    for a deleted wave's file (``ingest_file`` restores that wave, which is a write).
    """
    with engine.connect() as conn:
        dup = _find_upload(conn, hashlib.sha256(data).hexdigest())
        if dup is None or dup["deleted_at"] is not None:
            return None
        return _duplicate_result(conn, dup, filename, user="")  # a live wave: nothing is written


def find_upload(engine: Engine, sha256: str) -> dict | None:
    """The wave a file with this sha256 was ingested into (``wave_id, name, deleted_at, n_responses``), or None."""
    with engine.connect() as conn:
        return _find_upload(conn, sha256)


def audit(engine: Engine, user: str | None, action: str, detail: dict | None = None, *,
          wave_id: int | None = None) -> None:
    """Append one row to the audit log (who did what, when)."""
    if not action:
        raise ValueError("审计动作不能为空。 The audit action must not be empty.")
    with _write(engine, bump=False) as conn:
        _audit(conn, user, action, detail, wave_id)


def list_audit(engine: Engine, *, limit: int | None = None) -> pd.DataFrame:
    """The audit log, newest first: columns ``AUDIT_COLUMNS`` (``detail`` is a dict)."""
    q = sa.select(*[audit_log.c[c] for c in AUDIT_COLUMNS]).order_by(audit_log.c.id.desc())
    if limit:
        q = q.limit(int(limit))
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(q).mappings()]
    df = pd.DataFrame(rows, columns=AUDIT_COLUMNS)
    df["at"] = pd.to_datetime(df["at"])
    return df


def data_version(engine: Engine) -> str:
    """A string that changes whenever any wave changes (ingest, edit, delete, restore, purge).

    Unique across databases (``<instance>:<counter>``), so it can key caches directly.
    """
    with engine.connect() as conn:
        row = conn.execute(sa.select(store_state.c.instance, store_state.c.data_version)).first()
    return f"{row.instance}:{row.data_version}"


# ---------------------------------------------------------------------------------------------
# Demo data
# ---------------------------------------------------------------------------------------------
def ensure_demo(engine: Engine, *, user: str = "demo") -> bool:
    """Fill a store that has never held a wave with the demo waves (``analysis.demo.demo_waves``).

    Returns True when the demo was written. Runs once per store: the ``demo_seeded`` flag is set
    the first time this runs (or finds waves), so demo waves a manager deleted or purged do not
    come back. The check and the inserts share one write transaction, so two app processes
    starting at once seed the demo exactly once.
    """
    with engine.connect() as conn:
        seeded = conn.execute(sa.select(store_state.c.demo_seeded)).scalar()
        if seeded:
            return False
        has_waves = conn.execute(sa.select(sa.func.count()).select_from(waves)).scalar() > 0
    prepared: list[tuple[Any, _Prepared, str]] = []
    if not has_waves:
        from analysis.demo import demo_waves

        for dw in demo_waves():
            prepared.append((dw, _prepare(engine, dw.data, dw.filename, None, None),
                             hashlib.sha256(dw.data).hexdigest()))
    with _write(engine, bump=bool(prepared)) as conn:
        state = conn.execute(sa.select(store_state.c.demo_seeded)).scalar()
        any_wave = conn.execute(sa.select(sa.func.count()).select_from(waves)).scalar() > 0
        conn.execute(store_state.update().values(demo_seeded=True))
        if state or any_wave or not prepared:
            return False
        for dw, prep, sha in prepared:
            if _find_upload(conn, sha) is not None:
                continue
            meta = _clean_meta(getattr(dw, "meta", {}) or {})
            name = meta.get("name") or Path(dw.filename).stem
            _insert_wave(conn, prep, data=dw.data, sha=sha, filename=dw.filename, name=name, meta=meta, user=user,
                         is_demo=True)
    return True

