"""Why a member of the family did not score, per person (not_heard).

The family's step ends only when the child and each parent in the round have scored or the
caseworker has recorded why not for that person; one reason for the whole family no longer
does.

Revision ID: 20261207_voices_01
Revises: 20261207_scales_01
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = "20261207_voices_01"
down_revision: str | None = "20261207_scales_01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "not_heard",
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "caseworker",
                "school",
                "daycare",
                "provider",
                "psychologist",
                "other_professional",
                "mother",
                "father",
                "child",
                name="informantrole",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("informant_id", sa.Integer(), nullable=True),
        sa.Column(
            "reason",
            sa.Enum(
                "age_or_maturity",
                "declined",
                "not_reachable",
                name="notheardreason",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id", "informant_id"],
            ["informant.municipality_id", "informant.id"],
            name=op.f("fk_not_heard_informant_id_informant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id", "recorded_by_id"],
            ["staff_user.municipality_id", "staff_user.id"],
            name=op.f("fk_not_heard_recorded_by_id_staff_user"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id", "round_id"],
            ["scoring_round.municipality_id", "scoring_round.id"],
            name=op.f("fk_not_heard_round_id_scoring_round"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_not_heard_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_not_heard")),
    )
    op.create_index(
        "ix_not_heard_round_id", "not_heard", ["municipality_id", "round_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_not_heard_round_id", table_name="not_heard")
    op.drop_table("not_heard")
