"""Access (issue 16): share links, sessions, roles and series scopes.

``users.disabled`` (an account that may no longer log in), ``share_links`` (read-only links: the
token's SHA-256 only, a scope of one series or one wave, expiry, use counts, revocation),
``sessions`` (server-side logins: the random id's SHA-256, expiry, end), ``user_scopes`` (which
series or waves an account may see; none = all) and ``link_attempts`` (bad tokens per client
address, for the rate limit).

Revision ID: 0006_access
Revises: 0005_actions
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_access"
down_revision = "0005_actions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()))
    op.create_table(
        "share_links",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("scope_kind", sa.String(10), nullable=False),
        sa.Column("scope_id", sa.Integer, nullable=False),
        sa.Column("note", sa.String(500)),
        sa.Column("created_by", sa.String(100)),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
        sa.Column("last_used_at", sa.DateTime),
        sa.Column("uses", sa.Integer, nullable=False, server_default="0"),
        sa.Column("revoked_at", sa.DateTime),
        sa.Column("revoked_by", sa.String(100)),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("pw_tag", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
        sa.Column("ended_at", sa.DateTime),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_sessions_user_id", "sessions", ["user_id"])
    op.create_table(
        "user_scopes",
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("scope_kind", sa.String(10), primary_key=True),
        sa.Column("scope_id", sa.Integer, primary_key=True),
    )
    op.create_table(
        "link_attempts",
        sa.Column("client", sa.String(100), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_failed_at", sa.DateTime),
        sa.Column("locked_until", sa.DateTime),
    )


def downgrade() -> None:
    for name in ("link_attempts", "user_scopes", "sessions", "share_links"):
        op.drop_table(name)
    with op.batch_alter_table("users") as batch:
        batch.drop_column("disabled")
