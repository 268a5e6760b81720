"""retention: periods per municipality, when a case closed, legal holds, erasure records.

Revision ID: i14_03
Revises: i11_01
Create Date: 2026-12-01 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = 'i14_03'
down_revision: str | None = 'i11_01'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'erasure_record',
        sa.Column('municipality_id', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('erased_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('external_ref', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('rounds', sa.Integer(), nullable=False),
        sa.Column('informants', sa.Integer(), nullable=False),
        sa.Column('submissions', sa.Integer(), nullable=False),
        sa.Column('audit_events_pseudonymised', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_erasure_record_municipality_id_municipality'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_erasure_record')),
    )
    with op.batch_alter_table('erasure_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_erasure_record_municipality_id'), ['municipality_id'], unique=False)

    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retention_years', sa.Integer(), nullable=False, server_default='5'))
        batch_op.add_column(sa.Column('contact_retention_days', sa.Integer(), nullable=False, server_default='30'))

    with op.batch_alter_table('child_case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('legal_hold', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('legal_hold_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True))
    # A case closed before this release closed when it was last changed.
    op.execute("UPDATE child_case SET closed_at = updated_at WHERE status = 'closed'")


def downgrade() -> None:
    with op.batch_alter_table('child_case', schema=None) as batch_op:
        batch_op.drop_column('legal_hold_reason')
        batch_op.drop_column('legal_hold')
        batch_op.drop_column('closed_at')
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.drop_column('contact_retention_days')
        batch_op.drop_column('retention_years')
    with op.batch_alter_table('erasure_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_erasure_record_municipality_id'))
    op.drop_table('erasure_record')
