"""Session tickets (issue 16): the one-time ticket a browser exchanges for its HttpOnly session cookie.

``session_tickets`` holds the ticket's SHA-256, the session of the tab that logged in (whose account,
password tag and expiry the cookie's session copies), the client address the ticket is bound to, a
short expiry and when it was used (once). See ``analysis.store.access.create_ticket``.

Revision ID: 0007_session_tickets
Revises: 0006_access
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_session_tickets"
down_revision = "0006_access"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "session_tickets",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("ticket_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("session_id", sa.Integer, sa.ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("client", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
        sa.Column("used_at", sa.DateTime),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_session_tickets_expires_at", "session_tickets", ["expires_at"])


def downgrade() -> None:
    op.drop_table("session_tickets")
