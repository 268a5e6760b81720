"""Short session forms: standing personal links per child and measure (session_link), and
each session's answers through them (session_answer).

Revision ID: 20261208_sessions_01
Revises: 20261207_voices_02
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = "20261208_sessions_01"
down_revision: str | None = "20261207_voices_02"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _reference(
    table: str, column: str, parent: str, *, cascade: bool = True
) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["municipality_id", column],
        [f"{parent}.municipality_id", f"{parent}.id"],
        name=op.f(f"fk_{table}_{column}_{parent}"),
        ondelete="CASCADE" if cascade else None,
    )


def _municipality(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["municipality_id"],
        ["municipality.id"],
        name=op.f(f"fk_{table}_municipality_id_municipality"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "session_link",
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column(
            "holder",
            sa.Enum("young_person", "provider", name="linkholder", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("key_id", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("issued_by_label", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("revoked_by_label", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        _reference("session_link", "case_id", "child_case"),
        _reference("session_link", "measure_id", "measure"),
        _municipality("session_link"),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_session_link")),
    )
    op.create_index(
        "ix_session_link_case_id", "session_link", ["municipality_id", "case_id"], unique=False
    )
    op.create_index(
        "ix_session_link_measure_id",
        "session_link",
        ["municipality_id", "measure_id"],
        unique=False,
    )
    op.create_index("ix_session_link_token_hash", "session_link", ["token_hash"], unique=True)
    op.create_table(
        "session_answer",
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("session_date", sa.Date(), nullable=False),
        sa.Column(
            "form",
            sa.Enum("outcome", "alliance", name="sessionform", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column(
            "timing",
            sa.Enum("before", "after", name="sessiontiming", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("submission_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        _reference("session_answer", "case_id", "child_case"),
        _reference("session_answer", "link_id", "session_link"),
        _municipality("session_answer"),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_session_answer")),
        sa.UniqueConstraint(
            "municipality_id",
            "link_id",
            "submission_key",
            name=op.f("uq_session_answer_municipality_id_link_id_submission_key"),
        ),
    )
    op.create_index(
        "ix_session_answer_case_id",
        "session_answer",
        ["municipality_id", "case_id", "session_date"],
        unique=False,
    )
    op.create_index(
        "ix_session_answer_link_id", "session_answer", ["municipality_id", "link_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_session_answer_link_id", table_name="session_answer")
    op.drop_index("ix_session_answer_case_id", table_name="session_answer")
    op.drop_table("session_answer")
    op.drop_index("ix_session_link_token_hash", table_name="session_link")
    op.drop_index("ix_session_link_measure_id", table_name="session_link")
    op.drop_index("ix_session_link_case_id", table_name="session_link")
    op.drop_table("session_link")
