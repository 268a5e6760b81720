"""The child's plan (barnets plan; SØM): its rows (situation, desired solution, means, actor,
external resources, the factors each serves) and each row's status as followed at a round.

Revision ID: 20261209_plan_01
Revises: 20261208_voices_03
Create Date: 2026-12-09
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "20261209_plan_01"
down_revision: str | None = "20261208_voices_03"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plan_row",
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("situation", sa.String(length=1000), nullable=False),
        sa.Column("desired_solution", sa.String(length=1000), nullable=False),
        sa.Column("means", sa.String(length=1000), nullable=False),
        sa.Column(
            "actor_role",
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
                "network",
                name="informantrole",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("external_resources", sa.String(length=1000), nullable=False),
        sa.Column("factor_keys", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by_id", sa.Integer(), nullable=True),
        sa.Column("end_reason", sa.String(length=1000), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id", "case_id"],
            ["child_case.municipality_id", "child_case.id"],
            name=op.f("fk_plan_row_case_id_child_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id", "created_by_id"],
            ["staff_user.municipality_id", "staff_user.id"],
            name=op.f("fk_plan_row_created_by_id_staff_user"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id", "ended_by_id"],
            ["staff_user.municipality_id", "staff_user.id"],
            name=op.f("fk_plan_row_ended_by_id_staff_user"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_plan_row_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_plan_row")),
    )
    op.create_index("ix_plan_row_case_id", "plan_row", ["municipality_id", "case_id"], unique=False)
    op.create_table(
        "plan_row_status",
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("row_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "not_started",
                "under_way",
                "done",
                "dropped",
                name="rowstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.String(length=1000), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id", "round_id"],
            ["scoring_round.municipality_id", "scoring_round.id"],
            name=op.f("fk_plan_row_status_round_id_scoring_round"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id", "row_id"],
            ["plan_row.municipality_id", "plan_row.id"],
            name=op.f("fk_plan_row_status_row_id_plan_row"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id", "set_by_id"],
            ["staff_user.municipality_id", "staff_user.id"],
            name=op.f("fk_plan_row_status_set_by_id_staff_user"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_plan_row_status_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_plan_row_status")),
    )
    op.create_index(
        "ix_plan_row_status_round_id",
        "plan_row_status",
        ["municipality_id", "round_id"],
        unique=False,
    )
    op.create_index(
        "ix_plan_row_status_row_round",
        "plan_row_status",
        ["municipality_id", "row_id", "round_id"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("ix_plan_row_status_row_round", table_name="plan_row_status")
    op.drop_index("ix_plan_row_status_round_id", table_name="plan_row_status")
    op.drop_table("plan_row_status")
    op.drop_index("ix_plan_row_case_id", table_name="plan_row")
    op.drop_table("plan_row")
