"""Back-channel logout tokens kept by their `jti` while they could still be accepted, so that
the same token sent again is refused.

Revision ID: 20261210_oidc_04
Revises: 20261210_agreement_03
Create Date: 2026-12-10 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "20261210_oidc_04"
down_revision: str | None = "20261210_agreement_03"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "provider_logout",
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("jti", sa.String(length=255), nullable=False),
        sa.Column("kept_until", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_provider_logout_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_provider_logout")),
    )
    op.create_index(
        "ix_provider_logout_jti", "provider_logout", ["municipality_id", "jti"], unique=True
    )


def downgrade() -> None:
    op.drop_index("ix_provider_logout_jti", table_name="provider_logout")
    op.drop_table("provider_logout")
