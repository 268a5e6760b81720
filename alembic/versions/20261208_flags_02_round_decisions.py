"""The decision a completed round leads to (round_decision): continue, adjust, end or start
another measure, with the reason and the date; an amendment keeps the earlier one as history.

Revision ID: 20261208_flags_02
Revises: 20261208_compasses_01
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = "20261208_flags_02"
down_revision: str | None = "20261208_compasses_01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "round_decision",
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "continue",
                "adjust",
                "end",
                "start_another",
                name="decisionoutcome",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "decided_by",
            sa.Enum("meeting", "caseworker", name="decidedby", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("measure_id", sa.Integer(), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["municipality_id", "case_id"],
            ["child_case.municipality_id", "child_case.id"],
            name=op.f("fk_round_decision_case_id_child_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id", "measure_id"],
            ["measure.municipality_id", "measure.id"],
            name=op.f("fk_round_decision_measure_id_measure"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id", "recorded_by_id"],
            ["staff_user.municipality_id", "staff_user.id"],
            name=op.f("fk_round_decision_recorded_by_id_staff_user"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id", "round_id"],
            ["scoring_round.municipality_id", "scoring_round.id"],
            name=op.f("fk_round_decision_round_id_scoring_round"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_round_decision_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_round_decision")),
    )
    op.create_index(
        "ix_round_decision_case_id", "round_decision", ["municipality_id", "case_id"], unique=False
    )
    op.create_index(
        "ix_round_decision_measure_id",
        "round_decision",
        ["municipality_id", "measure_id"],
        unique=False,
    )
    op.create_index(
        "ix_round_decision_round_current",
        "round_decision",
        ["municipality_id", "round_id", "superseded_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_round_decision_round_current", table_name="round_decision")
    op.drop_index("ix_round_decision_measure_id", table_name="round_decision")
    op.drop_index("ix_round_decision_case_id", table_name="round_decision")
    op.drop_table("round_decision")
