"""The municipality's identity provider (OpenID Connect) and its groups mapped to a role and
a team (identity_provider, identity_group), and the person's subject there (staff_user.subject).

Revision ID: 20261209_oidc_01
Revises: 20261209_agreement_02
Create Date: 2026-12-09
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "20261209_oidc_01"
down_revision: str | None = "20261209_agreement_02"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "identity_provider",
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("issuer", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("client_id", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("client_secret", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("groups_claim", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("email_domains", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("create_unknown", sa.Boolean(), nullable=False),
        sa.Column("passwords_allowed", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_identity_provider_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_identity_provider")),
        sa.UniqueConstraint("municipality_id", name=op.f("uq_identity_provider_municipality_id")),
    )
    op.create_table(
        "identity_group",
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "caseworker",
                "team_leader",
                "administrator",
                name="staffrole",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["municipality_id", "team_id"],
            ["team.municipality_id", "team.id"],
            name=op.f("fk_identity_group_team_id_team"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_identity_group_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_identity_group")),
        sa.UniqueConstraint(
            "municipality_id", "name", name=op.f("uq_identity_group_municipality_id_name")
        ),
    )
    with op.batch_alter_table("identity_group", schema=None) as batch_op:
        batch_op.create_index(
            "ix_identity_group_team_id", ["municipality_id", "team_id"], unique=False
        )

    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True)
        )
        batch_op.create_index("ix_staff_user_subject", ["municipality_id", "subject"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.drop_index("ix_staff_user_subject")
        batch_op.drop_column("subject")

    with op.batch_alter_table("identity_group", schema=None) as batch_op:
        batch_op.drop_index("ix_identity_group_team_id")

    op.drop_table("identity_group")
    op.drop_table("identity_provider")
