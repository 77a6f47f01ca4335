"""Referrals to laser facilities, and the laser and SMP sessions of a case.

Revision ID: 0003_referrals_sessions
Revises: 0002_facilities
Create Date: 2026-11-27 05:09:03.873257
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_referrals_sessions"
down_revision: str | None = "0002_facilities"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "smp_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("session_date", sa.Date(), nullable=False),
        sa.Column("practitioner_id", sa.Integer(), nullable=True),
        sa.Column("practitioner_name", sa.String(length=200), nullable=False),
        sa.Column("needle", sa.String(length=100), nullable=False),
        sa.Column("areas", sa.JSON(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("follow_up_photo_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_smp_sessions_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_smp_sessions_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["follow_up_photo_id"],
            ["photos.id"],
            name=op.f("fk_smp_sessions_follow_up_photo_id_photos"),
        ),
        sa.ForeignKeyConstraint(
            ["practitioner_id"], ["users.id"], name=op.f("fk_smp_sessions_practitioner_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_smp_sessions")),
    )
    with op.batch_alter_table("smp_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_smp_sessions_case_id"), ["case_id"], unique=False)

    op.create_table(
        "referrals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "drafted",
                "sent",
                "accepted",
                "done",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("referred_on", sa.Date(), nullable=False),
        sa.Column("patient_details", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_referrals_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_referrals_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facilities.id"], name=op.f("fk_referrals_facility_id_facilities")
        ),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], name=op.f("fk_referrals_plan_id_plans")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
    )
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_referrals_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_referrals_facility_id"), ["facility_id"], unique=False)

    op.create_table(
        "laser_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=True),
        sa.Column("facility_id", sa.Integer(), nullable=True),
        sa.Column("session_date", sa.Date(), nullable=False),
        sa.Column("device", sa.String(length=100), nullable=False),
        sa.Column("wavelength_nm", sa.Integer(), nullable=False),
        sa.Column(
            "pulse",
            sa.Enum("ns", "ps", name="pulse", native_enum=False, create_constraint=True, length=32),
            nullable=False,
        ),
        sa.Column("fluence_j_cm2", sa.Double(), nullable=False),
        sa.Column("spot_mm", sa.Double(), nullable=False),
        sa.Column("passes", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("adverse_effects", sa.Text(), nullable=True),
        sa.Column("follow_up_photo_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "fluence_j_cm2 >= 0.1 AND fluence_j_cm2 <= 20.0", name=op.f("ck_laser_sessions_fluence")
        ),
        sa.CheckConstraint("passes >= 1 AND passes <= 5", name=op.f("ck_laser_sessions_passes")),
        sa.CheckConstraint(
            "spot_mm >= 1.0 AND spot_mm <= 10.0", name=op.f("ck_laser_sessions_spot")
        ),
        sa.CheckConstraint(
            "wavelength_nm >= 400 AND wavelength_nm <= 1200",
            name=op.f("ck_laser_sessions_wavelength"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_laser_sessions_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_laser_sessions_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"],
            ["facilities.id"],
            name=op.f("fk_laser_sessions_facility_id_facilities"),
        ),
        sa.ForeignKeyConstraint(
            ["follow_up_photo_id"],
            ["photos.id"],
            name=op.f("fk_laser_sessions_follow_up_photo_id_photos"),
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["referrals.id"], name=op.f("fk_laser_sessions_referral_id_referrals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_laser_sessions")),
    )
    with op.batch_alter_table("laser_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_laser_sessions_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("laser_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_laser_sessions_case_id"))

    op.drop_table("laser_sessions")
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referrals_facility_id"))
        batch_op.drop_index(batch_op.f("ix_referrals_case_id"))

    op.drop_table("referrals")
    with op.batch_alter_table("smp_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_smp_sessions_case_id"))

    op.drop_table("smp_sessions")
