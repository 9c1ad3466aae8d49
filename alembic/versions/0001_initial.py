"""Initial schema: waves, uploads, codebooks, wave_data, users, login_attempts, audit_log, store_state.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None

_LIVE = "deleted_at IS NULL"


def upgrade() -> None:
    state = op.create_table(
        "store_state",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("data_version", sa.Integer, nullable=False, server_default="0"),
        sa.Column("instance", sa.String(32), nullable=False),
        sa.Column("demo_seeded", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    # one row; ``instance`` makes data_version strings unique across databases
    op.bulk_insert(state, [{"id": 1, "data_version": 0, "instance": uuid.uuid4().hex, "demo_seeded": False}])
    op.create_table(
        "waves",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("unit", sa.String(200)),
        sa.Column("period", sa.String(100)),
        sa.Column("channel", sa.String(100)),
        sa.Column("distributed", sa.Integer),
        sa.Column("returned", sa.Integer),
        sa.Column("screening", sa.JSON),
        sa.Column("basic_satisfied", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("questionnaire_key", sa.String(64)),
        sa.Column("format", sa.String(40)),
        sa.Column("encoding", sa.String(40)),
        sa.Column("n_responses", sa.Integer, nullable=False, server_default="0"),
        sa.Column("n_valid", sa.Integer, nullable=False, server_default="0"),
        sa.Column("is_demo", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("data_version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.String(100)),
        sa.Column("updated_at", sa.DateTime),
        sa.Column("deleted_at", sa.DateTime),
        sa.Column("deleted_by", sa.String(100)),
        sqlite_autoincrement=True,  # never reuse the id of a purged wave (shared links carry ids)
    )
    op.create_index(
        "uq_waves_live_name", "waves", ["name"], unique=True,
        sqlite_where=sa.text(_LIVE), postgresql_where=sa.text(_LIVE),
    )
    op.create_table(
        "uploads",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("wave_id", sa.Integer, sa.ForeignKey("waves.id", ondelete="CASCADE"), nullable=False),
        sa.Column("filename", sa.String(500), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("compression", sa.String(10), nullable=False, server_default="none"),
        sa.Column("bytes", sa.LargeBinary, nullable=False),
        sa.Column("format", sa.String(40)),
        sa.Column("encoding", sa.String(40)),
        sa.Column("uploaded_by", sa.String(100)),
        sa.Column("uploaded_at", sa.DateTime, nullable=False),
        sa.Column("n_rows", sa.Integer),
        sa.Column("result", sa.JSON),
        sa.Column("warnings", sa.JSON),
    )
    op.create_index("ix_uploads_wave_id", "uploads", ["wave_id"])
    op.create_table(
        "codebooks",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("csv", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("updated_by", sa.String(100)),
    )
    op.create_table(
        "wave_data",
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
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(100), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.String(100)),
        sa.Column("last_login_at", sa.DateTime),
    )
    op.create_table(
        "login_attempts",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_failed_at", sa.DateTime),
        sa.Column("locked_until", sa.DateTime),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("user", sa.String(100)),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("wave_id", sa.Integer),
        sa.Column("detail", sa.JSON),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])


def downgrade() -> None:
    for name in ("audit_log", "login_attempts", "users", "wave_data", "codebooks", "uploads", "waves", "store_state"):
        op.drop_table(name)
