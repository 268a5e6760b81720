"""How a round's consensus meeting is held (round_meeting_kind): an ordinary consensus meeting,
a family council (familierådslagning) or a cross-disciplinary network meeting.

Revision ID: 20261208_compasses_01
Revises: 20261208_kolding_01
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261208_compasses_01"
down_revision: str | None = "20261208_kolding_01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "round_meeting_kind",
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "consensus",
                "family_council",
                "network_meeting",
                name="meetingkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id", "round_id"],
            ["scoring_round.municipality_id", "scoring_round.id"],
            name=op.f("fk_round_meeting_kind_round_id_scoring_round"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id", "set_by_id"],
            ["staff_user.municipality_id", "staff_user.id"],
            name=op.f("fk_round_meeting_kind_set_by_id_staff_user"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_round_meeting_kind_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_round_meeting_kind")),
    )
    op.create_index(
        "ix_round_meeting_kind_round_id",
        "round_meeting_kind",
        ["municipality_id", "round_id"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("ix_round_meeting_kind_round_id", table_name="round_meeting_kind")
    op.drop_table("round_meeting_kind")
