"""Corrective actions (issue 14): the 整改 register and its links.

Revision ID: 0005_actions
Revises: 0004_feedback
Create Date: 2026-12-02

One table, ``actions`` (analysis/store/actions.py mirrors it): the DESIGN.md fields, the series it
is verified in, links to feedback records and survey items (JSON lists), who created and changed
it and when, soft deletion. Verdicts are computed, never stored.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_actions"
down_revision = "0004_feedback"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "actions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("series_id", sa.Integer, sa.ForeignKey("series.id", name="fk_actions_series_id")),
        sa.Column("register_no", sa.String(50)),
        sa.Column("problem", sa.Text, nullable=False),
        sa.Column("source", sa.Text),
        sa.Column("area", sa.String(40)),
        sa.Column("measure", sa.Text),
        sa.Column("owner", sa.String(200)),
        sa.Column("department", sa.String(200)),
        sa.Column("kind", sa.String(20)),
        sa.Column("target_text", sa.Text),
        sa.Column("target_kind", sa.String(10)),
        sa.Column("target_key", sa.String(300)),
        sa.Column("target_label", sa.String(300)),
        sa.Column("target_rate", sa.Float),
        sa.Column("target_change", sa.Float),
        sa.Column("deadline", sa.Date),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("completed_on", sa.Date),
        sa.Column("evidence", sa.Text),
        sa.Column("origin", sa.String(20), nullable=False),
        sa.Column("feedback_ids", sa.JSON, nullable=False),
        sa.Column("items", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.String(100)),
        sa.Column("updated_at", sa.DateTime),
        sa.Column("updated_by", sa.String(100)),
        sa.Column("deleted_at", sa.DateTime),
        sa.Column("deleted_by", sa.String(100)),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_actions_series_id", "actions", ["series_id"])


def downgrade() -> None:
    op.drop_index("ix_actions_series_id", table_name="actions")
    op.drop_table("actions")
