"""Access (issue 16): share links, sessions, roles and series scopes.

Revision ID: 0006_access
Revises: 0005_actions
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0006_access"
down_revision = "0005_actions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
