"""Tables of the store (mirror alembic/versions; tests/test_store.py checks they agree with the migrated schema).

New tables of later features live in their own store modules, on this ``metadata``.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DB_PATH = ROOT / "data" / "survey.db"
ALEMBIC_DIR = ROOT / "alembic"

WAVE_COLUMNS = [
    "id", "name", "unit", "period", "channel", "distributed", "returned", "n_responses", "n_valid",
    "format", "encoding", "created_at", "deleted_at", "files",
    "series_id", "series_name", "fieldwork_start", "fieldwork_end",  # survey series (store/series.py)
]
AUDIT_COLUMNS = ["id", "at", "user", "action", "wave_id", "detail"]
# Wave fields a user may set (ingest ``meta``, update_wave_meta).
META_FIELDS: tuple[str, ...] = (
    "name", "unit", "period", "channel", "distributed", "returned", "basic_satisfied", "screening",
    "series_id", "fieldwork_start", "fieldwork_end",
)

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
    # survey series (store/series.py, migration 0003_series); fieldwork dates naive UTC
    sa.Column("series_id", sa.Integer, sa.ForeignKey("series.id", name="fk_waves_series_id"), nullable=False),
    sa.Column("fieldwork_start", sa.DateTime),
    sa.Column("fieldwork_end", sa.DateTime),
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
    sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),  # 0006_access
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

