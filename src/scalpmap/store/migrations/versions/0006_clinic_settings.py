"""Clinic settings: the clinic's name, address, contact, logo, time zone and report language.

One row (id 1), made when an admin first sets something; until then the documents carry no
clinic name and times are shown in UTC.

Revision ID: 0006_clinic_settings
Revises: 0005_accounts_sessions
Create Date: 2026-12-14 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_clinic_settings"
down_revision: str | None = "0005_accounts_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "clinic_settings",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("postcode", sa.String(length=20), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("phone", sa.String(length=50), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("website", sa.String(length=300), nullable=True),
        sa.Column("logo", sa.LargeBinary(), nullable=True),
        sa.Column("logo_media_type", sa.String(length=32), nullable=True),
        sa.Column("time_zone", sa.String(length=64), server_default="UTC", nullable=False),
        sa.Column("report_language", sa.String(length=16), server_default="en", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_clinic_settings_one_row")),
        sa.CheckConstraint(
            "(logo IS NULL AND logo_media_type IS NULL) OR "
            "(logo IS NOT NULL AND logo_media_type IS NOT NULL)",
            name=op.f("ck_clinic_settings_logo_type"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinic_settings")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("clinic_settings")
