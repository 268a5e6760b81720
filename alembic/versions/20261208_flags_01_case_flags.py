"""Advisory flags on a case (case_flag) and their thresholds, the municipality's policy.

A completed round raises a flag per kind (no progress, a sharp deterioration, informants far
apart, the child seeing it worse than the official score); it stays open until the
caseworker signs it off with a note.

Revision ID: 20261208_flags_01
Revises: 20261207_audit_01
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = "20261208_flags_01"
down_revision: str | None = "20261207_audit_01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_flag",
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "no_progress",
                "sharp_deterioration",
                "informants_diverge",
                "child_sees_worse",
                name="flagkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("why", sa.JSON(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("signed_off_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_off_by_id", sa.Integer(), nullable=True),
        sa.Column("sign_off_note", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.ForeignKeyConstraint(
            ["municipality_id", "case_id"],
            ["child_case.municipality_id", "child_case.id"],
            name=op.f("fk_case_flag_case_id_child_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id", "round_id"],
            ["scoring_round.municipality_id", "scoring_round.id"],
            name=op.f("fk_case_flag_round_id_scoring_round"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id", "signed_off_by_id"],
            ["staff_user.municipality_id", "staff_user.id"],
            name=op.f("fk_case_flag_signed_off_by_id_staff_user"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_case_flag_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_case_flag")),
    )
    op.create_index(
        "ix_case_flag_case_open",
        "case_flag",
        ["municipality_id", "case_id", "signed_off_at"],
        unique=False,
    )
    op.create_index(
        "ix_case_flag_round_kind", "case_flag", ["municipality_id", "round_id", "kind"], unique=True
    )
    op.add_column(
        "municipality",
        sa.Column("flag_stalled_rounds", sa.Integer(), nullable=False, server_default="2"),
    )
    op.add_column(
        "municipality",
        sa.Column("flag_deterioration_points", sa.Integer(), nullable=False, server_default="2"),
    )
    op.add_column(
        "municipality",
        sa.Column("flag_divergence_points", sa.Integer(), nullable=False, server_default="3"),
    )
    op.add_column(
        "municipality",
        sa.Column("flag_child_gap_points", sa.Integer(), nullable=False, server_default="2"),
    )


def downgrade() -> None:
    op.drop_column("municipality", "flag_child_gap_points")
    op.drop_column("municipality", "flag_divergence_points")
    op.drop_column("municipality", "flag_deterioration_points")
    op.drop_column("municipality", "flag_stalled_rounds")
    op.drop_index("ix_case_flag_round_kind", table_name="case_flag")
    op.drop_index("ix_case_flag_case_open", table_name="case_flag")
    op.drop_table("case_flag")
