"""Session corrections: a logged laser or SMP session can be voided, and keeps its history.

``voided_at`` marks a session logged by mistake (it no longer counts); ``history`` keeps what
each correction changed (old and new values) and the voiding. Plain ADD COLUMNs of nullable
columns, so SQLite copies no table.

Revision ID: 0007_session_corrections
Revises: 0006_clinic_settings
Create Date: 2026-12-14 12:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_session_corrections"
down_revision: str | None = "0006_clinic_settings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("laser_sessions", "smp_sessions")


def upgrade() -> None:
    """Apply this revision."""
    for table in _TABLES:
        op.add_column(table, sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True))
        op.add_column(table, sa.Column("history", sa.JSON(), nullable=True))


def downgrade() -> None:
    """Revert this revision (the history of corrections is lost)."""
    for table in _TABLES:  # plain DROP COLUMN: clearance_checks refers to laser_sessions
        op.drop_column(table, "history")
        op.drop_column(table, "voided_at")
