"""Feedback records (issue 13): records, record files, lexicon.

Creates ``feedback_files``, ``feedback_records`` and ``feedback_lexicon`` (analysis/store/feedback.py
mirrors them) and turns the open answers of every wave already stored into records, once
(``analysis.store.feedback.backfill_waves``; later waves get theirs at ingest).

Revision ID: 0004_feedback
Revises: 0003_series
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_feedback"
down_revision = "0003_series"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feedback_files",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("filename", sa.String(500), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("n_records", sa.Integer, nullable=False),
        sa.Column("mapping", sa.JSON),
        sa.Column("uploaded_by", sa.String(100)),
        sa.Column("uploaded_at", sa.DateTime, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "feedback_records",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("date", sa.Date),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("resp_group", sa.String(100)),
        sa.Column("unit", sa.String(200)),
        sa.Column("areas", sa.JSON, nullable=False),
        sa.Column("tone", sa.String(10), nullable=False),
        sa.Column("suggestion", sa.Boolean, nullable=False),
        sa.Column("keywords", sa.JSON, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("n_masked", sa.Integer, nullable=False),
        sa.Column("wave_id", sa.Integer, sa.ForeignKey("waves.id", ondelete="CASCADE")),
        sa.Column("file_id", sa.Integer, sa.ForeignKey("feedback_files.id", ondelete="CASCADE")),
        sa.Column("source_row", sa.Integer),
        sa.Column("source_column", sa.String(200)),
        sa.Column("cell_n", sa.Integer),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("action_id", sa.Integer),
        sa.Column("is_demo", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.String(100)),
        sa.Column("updated_at", sa.DateTime),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_feedback_records_wave_id", "feedback_records", ["wave_id"])
    op.create_index("ix_feedback_records_file_id", "feedback_records", ["file_id"])
    op.create_table(
        "feedback_lexicon",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("word", sa.String(50), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("area", sa.String(40), nullable=False),
        sa.Column("added_by", sa.String(100)),
        sa.Column("added_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("word", "kind", "area", name="uq_feedback_lexicon_word"),
    )
    # Open answers of the waves stored before this revision become records, once.
    from analysis.store.feedback import backfill_waves

    backfill_waves(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_feedback_records_file_id", table_name="feedback_records")
    op.drop_index("ix_feedback_records_wave_id", table_name="feedback_records")
    op.drop_table("feedback_records")
    op.drop_table("feedback_lexicon")
    op.drop_table("feedback_files")
