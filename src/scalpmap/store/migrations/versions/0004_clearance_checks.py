"""Clearance checks: each laser session's follow-up measured against the baseline.

Revision ID: 0004_clearance_checks
Revises: 0003_referrals_sessions
Create Date: 2026-11-27 07:01:39.754572
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_clearance_checks"
down_revision: str | None = "0003_referrals_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "clearance_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("laser_session_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("baseline_photo_id", sa.Integer(), nullable=False),
        sa.Column("follow_up_photo_id", sa.Integer(), nullable=False),
        sa.Column("measured", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("residual_mm", sa.Double(), nullable=True),
        sa.Column("percent", sa.Double(), nullable=True),
        sa.Column("outside_lost_percent", sa.Double(), nullable=True),
        sa.Column("outside_flagged", sa.Boolean(), nullable=True),
        sa.Column("recommendation", sa.String(length=40), nullable=True),
        sa.Column("next_laser_on", sa.Date(), nullable=True),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("overlay_sha256", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["baseline_photo_id"],
            ["photos.id"],
            name=op.f("fk_clearance_checks_baseline_photo_id_photos"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_clearance_checks_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_clearance_checks_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["follow_up_photo_id"],
            ["photos.id"],
            name=op.f("fk_clearance_checks_follow_up_photo_id_photos"),
        ),
        sa.ForeignKeyConstraint(
            ["laser_session_id"],
            ["laser_sessions.id"],
            name=op.f("fk_clearance_checks_laser_session_id_laser_sessions"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plans.id"], name=op.f("fk_clearance_checks_plan_id_plans")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clearance_checks")),
        sa.UniqueConstraint("laser_session_id", name=op.f("uq_clearance_checks_laser_session_id")),
    )
    with op.batch_alter_table("clearance_checks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_clearance_checks_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("clearance_checks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clearance_checks_case_id"))

    op.drop_table("clearance_checks")
