"""Laser facilities: the directory of partner laser clinics that patients are referred to.

Revision ID: 0002_facilities
Revises: 0001_initial
Create Date: 2026-11-27 04:40:55.973429
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_facilities"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "facilities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("lat", sa.Double(), nullable=False),
        sa.Column("lon", sa.Double(), nullable=False),
        sa.Column("geocoded", sa.Boolean(), nullable=False),
        sa.Column("phone", sa.String(length=50), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("lasers", sa.JSON(), nullable=False),
        sa.Column("treats_smp", sa.Boolean(), nullable=False),
        sa.Column("fitzpatrick_min", sa.Integer(), nullable=True),
        sa.Column("fitzpatrick_max", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(fitzpatrick_min IS NULL AND fitzpatrick_max IS NULL) OR "
            "(fitzpatrick_min >= 1 AND fitzpatrick_min <= fitzpatrick_max "
            "AND fitzpatrick_max <= 6)",
            name=op.f("ck_facilities_fitzpatrick"),
        ),
        sa.CheckConstraint("lat >= -90 AND lat <= 90", name=op.f("ck_facilities_lat")),
        sa.CheckConstraint("lon >= -180 AND lon <= 180", name=op.f("ck_facilities_lon")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_facilities")),
    )
    with op.batch_alter_table("facilities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_facilities_country"), ["country"], unique=False)
        batch_op.create_index(batch_op.f("ix_facilities_name"), ["name"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("facilities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_facilities_name"))
        batch_op.drop_index(batch_op.f("ix_facilities_country"))

    op.drop_table("facilities")
