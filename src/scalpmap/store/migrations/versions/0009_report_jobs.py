"""Report jobs: the referral letter's and progress report's PDFs are printed as jobs.

The ``jobs.kind`` column takes a third value, ``report``; its CHECK constraint is made again
(SQLite: the table is copied by Alembic's batch mode). Rows are kept.

Revision ID: 0009_report_jobs
Revises: 0008_jobs
Create Date: 2026-12-16 12:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009_report_jobs"
down_revision: str | None = "0008_jobs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _kinds(*kinds: str) -> str:
    return "kind IN (" + ", ".join(f"'{kind}'" for kind in kinds) + ")"


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_jobs_kind"), type_="check")
        batch_op.create_check_constraint("kind", _kinds("plan_save", "follow_up", "report"))


def downgrade() -> None:
    """Revert this revision (report jobs are deleted: their PDFs are made again on demand)."""
    op.execute("DELETE FROM jobs WHERE kind = 'report'")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_jobs_kind"), type_="check")
        batch_op.create_check_constraint("kind", _kinds("plan_save", "follow_up"))
