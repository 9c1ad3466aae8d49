"""Feedback records (issue 13): records, record files, lexicon.

Revision ID: 0004_feedback
Revises: 0003_series
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0004_feedback"
down_revision = "0003_series"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
