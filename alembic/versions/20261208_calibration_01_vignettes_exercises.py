"""Calibration on vignettes: vignettes with reference scores, exercises, answers and scores.

Staff score a fictitious child's situation alike; none of these rows lies under a case.

Revision ID: 20261208_calibration_01
Revises: 20261208_drift_01
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = "20261208_calibration_01"
down_revision: str | None = "20261208_drift_01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calibration_vignette",
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("instrument_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("story", sqlmodel.sql.sqltypes.AutoString(length=8000), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["instrument_id"],
            ["instrument.id"],
            name=op.f("fk_calibration_vignette_instrument_id_instrument"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id", "created_by_id"],
            ["staff_user.municipality_id", "staff_user.id"],
            name=op.f("fk_calibration_vignette_created_by_id_staff_user"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_calibration_vignette_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_calibration_vignette")),
    )
    with op.batch_alter_table("calibration_vignette", schema=None) as batch_op:
        batch_op.create_index(
            "ix_calibration_vignette_instrument_id",
            ["municipality_id", "instrument_id"],
            unique=False,
        )

    op.create_table(
        "calibration_exercise",
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("vignette_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("opened_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id", "opened_by_id"],
            ["staff_user.municipality_id", "staff_user.id"],
            name=op.f("fk_calibration_exercise_opened_by_id_staff_user"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id", "team_id"],
            ["team.municipality_id", "team.id"],
            name=op.f("fk_calibration_exercise_team_id_team"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id", "vignette_id"],
            ["calibration_vignette.municipality_id", "calibration_vignette.id"],
            name=op.f("fk_calibration_exercise_vignette_id_calibration_vignette"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_calibration_exercise_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_calibration_exercise")),
    )
    with op.batch_alter_table("calibration_exercise", schema=None) as batch_op:
        batch_op.create_index(
            "ix_calibration_exercise_team_id", ["municipality_id", "team_id"], unique=False
        )
        batch_op.create_index(
            "ix_calibration_exercise_vignette_id", ["municipality_id", "vignette_id"], unique=False
        )

    op.create_table(
        "calibration_reference",
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("vignette_id", sa.Integer(), nullable=False),
        sa.Column("factor_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.Column("rationale", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.ForeignKeyConstraint(
            ["factor_id"],
            ["instrument_factor.id"],
            name=op.f("fk_calibration_reference_factor_id_instrument_factor"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id", "vignette_id"],
            ["calibration_vignette.municipality_id", "calibration_vignette.id"],
            name=op.f("fk_calibration_reference_vignette_id_calibration_vignette"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_calibration_reference_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_calibration_reference")),
    )
    with op.batch_alter_table("calibration_reference", schema=None) as batch_op:
        batch_op.create_index(
            "ix_calibration_reference_vignette_factor",
            ["municipality_id", "vignette_id", "factor_id"],
            unique=True,
        )

    op.create_table(
        "calibration_answer",
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["municipality_id", "exercise_id"],
            ["calibration_exercise.municipality_id", "calibration_exercise.id"],
            name=op.f("fk_calibration_answer_exercise_id_calibration_exercise"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id", "staff_user_id"],
            ["staff_user.municipality_id", "staff_user.id"],
            name=op.f("fk_calibration_answer_staff_user_id_staff_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_calibration_answer_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_calibration_answer")),
    )
    with op.batch_alter_table("calibration_answer", schema=None) as batch_op:
        batch_op.create_index(
            "ix_calibration_answer_exercise_staff",
            ["municipality_id", "exercise_id", "staff_user_id"],
            unique=True,
        )
        batch_op.create_index(
            "ix_calibration_answer_staff_user_id",
            ["municipality_id", "staff_user_id"],
            unique=False,
        )

    op.create_table(
        "calibration_score",
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column("factor_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.Column("comment", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.ForeignKeyConstraint(
            ["factor_id"],
            ["instrument_factor.id"],
            name=op.f("fk_calibration_score_factor_id_instrument_factor"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id", "answer_id"],
            ["calibration_answer.municipality_id", "calibration_answer.id"],
            name=op.f("fk_calibration_score_answer_id_calibration_answer"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_calibration_score_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_calibration_score")),
    )
    with op.batch_alter_table("calibration_score", schema=None) as batch_op:
        batch_op.create_index(
            "ix_calibration_score_answer_factor",
            ["municipality_id", "answer_id", "factor_id"],
            unique=True,
        )


def downgrade() -> None:
    with op.batch_alter_table("calibration_score", schema=None) as batch_op:
        batch_op.drop_index("ix_calibration_score_answer_factor")

    op.drop_table("calibration_score")
    with op.batch_alter_table("calibration_answer", schema=None) as batch_op:
        batch_op.drop_index("ix_calibration_answer_staff_user_id")
        batch_op.drop_index("ix_calibration_answer_exercise_staff")

    op.drop_table("calibration_answer")
    with op.batch_alter_table("calibration_reference", schema=None) as batch_op:
        batch_op.drop_index("ix_calibration_reference_vignette_factor")

    op.drop_table("calibration_reference")
    with op.batch_alter_table("calibration_exercise", schema=None) as batch_op:
        batch_op.drop_index("ix_calibration_exercise_vignette_id")
        batch_op.drop_index("ix_calibration_exercise_team_id")

    op.drop_table("calibration_exercise")
    with op.batch_alter_table("calibration_vignette", schema=None) as batch_op:
        batch_op.drop_index("ix_calibration_vignette_instrument_id")

    op.drop_table("calibration_vignette")
