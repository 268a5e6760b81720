"""A municipality's own session forms: versions of the pair it loads (session_form_version),
and the version each standing link was made with (session_link.form_version_id; empty: the
shipped forms, as every link made before this had).

Revision ID: 20261209_forms_01
Revises: 20261209_oidc_01
Create Date: 2026-12-09
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "20261209_forms_01"
down_revision: str | None = "20261209_oidc_01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "session_form_version",
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("forms", sa.JSON(), nullable=False),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_by_label", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_session_form_version_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_session_form_version")),
        sa.UniqueConstraint(
            "municipality_id",
            "version",
            name=op.f("uq_session_form_version_municipality_id_version"),
        ),
    )
    with op.batch_alter_table("session_link", schema=None) as batch_op:
        batch_op.add_column(sa.Column("form_version_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_session_link_form_version_id_session_form_version"),
            "session_form_version",
            ["municipality_id", "form_version_id"],
            ["municipality_id", "id"],
        )
        batch_op.create_index(
            "ix_session_link_form_version_id", ["municipality_id", "form_version_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("session_link", schema=None) as batch_op:
        batch_op.drop_index("ix_session_link_form_version_id")
        batch_op.drop_constraint(
            op.f("fk_session_link_form_version_id_session_form_version"), type_="foreignkey"
        )
        batch_op.drop_column("form_version_id")
    op.drop_table("session_form_version")
