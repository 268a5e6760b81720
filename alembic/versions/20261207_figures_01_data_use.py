"""The municipality's statement of how leadership will use the figures, and the day from
which they may be used for management (before it: the implementation period).

Revision ID: 20261207_figures_01
Revises: 20261207_daily_01
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "20261207_figures_01"
down_revision: str | None = "20261207_daily_01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "municipality",
        sa.Column(
            "data_use_statement",
            sqlmodel.sql.sqltypes.AutoString(length=4000),
            nullable=False,
            server_default="",
        ),
    )
    op.add_column("municipality", sa.Column("management_from", sa.Date(), nullable=True))


def downgrade() -> None:
    op.drop_column("municipality", "management_from")
    op.drop_column("municipality", "data_use_statement")
