"""Corrective actions (issue 14): the 整改 register and its links.

Revision ID: 0005_actions
Revises: 0004_feedback
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0005_actions"
down_revision = "0004_feedback"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
