"""The agreement report's default views worked out ahead: the tick works each municipality's
and each team's figures out after rounds complete and keeps them here with the fingerprint of
the data behind them, so that a leader's read finds them instead of working them out.

Revision ID: 20261210_agreement_03
Revises: 20261209_oidc_03
Create Date: 2026-12-10 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "20261210_agreement_03"
down_revision: str | None = "20261209_oidc_03"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agreement_figures",
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("view", sa.String(length=64), nullable=False),
        sa.Column("fingerprint", sa.String(length=200), nullable=False),
        sa.Column("worked_out_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cells", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_agreement_figures_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_agreement_figures")),
    )
    op.create_index(
        "ix_agreement_figures_view", "agreement_figures", ["municipality_id", "view"], unique=True
    )


def downgrade() -> None:
    op.drop_index("ix_agreement_figures_view", table_name="agreement_figures")
    op.drop_table("agreement_figures")
