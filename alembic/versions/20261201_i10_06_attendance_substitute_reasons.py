"""Every step of the tables happens: who came to the meeting and the family dialogue, why the
independent step closed short, why the provider was not told, and the team leader's decisions
as the caseworker's substitute.

Revision ID: i10_06
Revises: i9b_02
Create Date: 2026-12-01 17:48:30.124393
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = 'i10_06'
down_revision: str | None = 'i9b_02'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(name: str) -> sa.Column:
    return sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True)


def upgrade() -> None:
    op.create_table('attendance',
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('informant_id', sa.Integer(), nullable=False),
    sa.Column('gathering', sa.Enum('meeting', 'family_dialogue', name='gathering', native_enum=False, length=16), nullable=False),
    sa.Column('present', sa.Boolean(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['informant_id'], ['informant.id'], name=op.f('fk_attendance_informant_id_informant'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_attendance_municipality_id_municipality'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['staff_user.id'], name=op.f('fk_attendance_recorded_by_id_staff_user')),
    sa.ForeignKeyConstraint(['round_id'], ['scoring_round.id'], name=op.f('fk_attendance_round_id_scoring_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance')),
    sa.UniqueConstraint('round_id', 'informant_id', 'gathering', name=op.f('uq_attendance_round_id_informant_id_gathering'))
    )
    op.create_index(op.f('ix_attendance_municipality_id'), 'attendance', ['municipality_id'], unique=False)
    op.create_index(op.f('ix_attendance_round_id'), 'attendance', ['round_id'], unique=False)
    # Plain ALTER TABLE ... ADD COLUMN: a batch would copy the tables.
    op.add_column('official_score', _text('substitute_reason'))
    op.add_column('official_score_amendment', _text('substitute_reason'))
    op.add_column('scoring_round', _text('collection_close_reason'))
    op.add_column('scoring_round', _text('provider_note'))


def downgrade() -> None:
    op.drop_column('scoring_round', 'provider_note')
    op.drop_column('scoring_round', 'collection_close_reason')
    op.drop_column('official_score_amendment', 'substitute_reason')
    op.drop_column('official_score', 'substitute_reason')
    op.drop_index(op.f('ix_attendance_round_id'), table_name='attendance')
    op.drop_index(op.f('ix_attendance_municipality_id'), table_name='attendance')
    op.drop_table('attendance')
