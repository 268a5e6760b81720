"""audience words: a factor in the words of parents, a parent about themselves, and the child.

Revision ID: i11_01
Revises: i10_04
Create Date: 2026-12-01 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = 'i11_01'
down_revision: str | None = 'i10_04'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        'instrument_factor',
        sa.Column('audiences', sa.JSON(), server_default=sa.text("'{}'"), nullable=False),
    )


def downgrade() -> None:
    # SQLite (3.35+) drops a column in place; a batch copy of the table would trip the
    # foreign keys that point at it.
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE instrument_factor DROP COLUMN audiences')
    else:
        op.drop_column('instrument_factor', 'audiences')
