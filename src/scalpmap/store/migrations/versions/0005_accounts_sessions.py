"""Accounts: server-side sign-in sessions, token lineage and reasons, forced password resets.

Existing API tokens of deactivated users are revoked here, so that reactivating the user does
not revive them. Signed cookies from before this revision carry no session key: their users
sign in again.

Revision ID: 0005_accounts_sessions
Revises: 0004_clearance_checks
Create Date: 2026-12-06 21:56:39.763205
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_accounts_sessions"
down_revision: str | None = "0004_clearance_checks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "sign_in_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoke_reason", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_sign_in_sessions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_sessions")),
        sa.UniqueConstraint("key_sha256", name=op.f("uq_sign_in_sessions_key_sha256")),
    )
    with op.batch_alter_table("sign_in_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sign_in_sessions_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("parent_token_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("revoke_reason", sa.String(length=40), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_api_tokens_parent_token_id"), ["parent_token_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_api_tokens_session_id"), ["session_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_api_tokens_session_id_sign_in_sessions"),
            "sign_in_sessions",
            ["session_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_api_tokens_parent_token_id_api_tokens"),
            "api_tokens",
            ["parent_token_id"],
            ["id"],
        )

    # Plain ADD COLUMN, never a copy of the table: on SQLite, copying "users" would drop a table
    # that every other table refers to. A literal "0" default keeps SQLite from copying, and
    # PostgreSQL reads it as false.
    op.add_column(
        "users",
        sa.Column("must_change_password", sa.Boolean(), server_default="0", nullable=False),
    )
    op.add_column("users", sa.Column("password_changed_at", sa.DateTime(timezone=True)))

    _revoke_tokens_of_deactivated_users()


def _revoke_tokens_of_deactivated_users() -> None:
    users = sa.table("users", sa.column("id", sa.Integer()), sa.column("is_active", sa.Boolean()))
    tokens = sa.table(
        "api_tokens",
        sa.column("user_id", sa.Integer()),
        sa.column("revoked_at", sa.DateTime(timezone=True)),
        sa.column("revoke_reason", sa.String(40)),
    )
    now = dt.datetime.now(dt.UTC)
    if op.get_bind().dialect.name == "sqlite":
        now = now.replace(tzinfo=None)  # SQLite keeps UTC without a zone (see UTCDateTime)
    inactive = sa.select(users.c.id).where(users.c.is_active == sa.false())
    op.execute(
        tokens.update()
        .where(tokens.c.revoked_at.is_(None), tokens.c.user_id.in_(inactive))
        .values(revoked_at=now, revoke_reason="account deactivated")
    )


def downgrade() -> None:
    """Revert this revision (the tokens revoked on upgrade stay revoked)."""
    op.drop_column("users", "password_changed_at")  # plain DROP COLUMN: see upgrade()
    op.drop_column("users", "must_change_password")

    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_api_tokens_parent_token_id_api_tokens"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_api_tokens_session_id_sign_in_sessions"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_api_tokens_session_id"))
        batch_op.drop_index(batch_op.f("ix_api_tokens_parent_token_id"))
        batch_op.drop_column("revoke_reason")
        batch_op.drop_column("parent_token_id")
        batch_op.drop_column("session_id")

    with op.batch_alter_table("sign_in_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sign_in_sessions_user_id"))

    op.drop_table("sign_in_sessions")
