"""The procedure compliance report counts a round as held on time when it completes within
the municipality's number of days after its due date: a new policy setting, 14 days unless
the administrator sets another.

Revision ID: 20261208_drift_02
Revises: 20261208_flags_01
Create Date: 2026-12-08 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '20261208_drift_02'
down_revision: str | None = '20261208_flags_01'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('municipality') as batch:
        batch.add_column(sa.Column('on_time_days', sa.Integer(), server_default='14', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('municipality') as batch:
        batch.drop_column('on_time_days')
