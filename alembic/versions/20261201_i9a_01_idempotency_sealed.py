"""idempotency records keep their response sealed and say what secret it holds.

The records kept so far hold responses in the clear (personal links, client and webhook
secrets among them): they are dropped. They only serve replays within 24 hours; a caller who
retries after this migration is answered anew.

Revision ID: i9a_01
Revises: i9b_01
Create Date: 2026-12-01 18:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = 'i9a_01'
down_revision: str | None = 'i9b_01'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(sa.text('DELETE FROM idempotency_record'))
    with op.batch_alter_table('idempotency_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('holds', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True))
        batch_op.create_index(batch_op.f('ix_idempotency_record_holds'), ['holds'], unique=False)


def downgrade() -> None:
    op.execute(sa.text('DELETE FROM idempotency_record'))
    with op.batch_alter_table('idempotency_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idempotency_record_holds'))
        batch_op.drop_column('holds')
