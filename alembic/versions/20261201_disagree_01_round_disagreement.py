"""The disagreement report reads a summary per completed round (per role, and per role and
factor) instead of comparing every score anew; filled here for the rounds completed so far.
Keyed by the municipality like every table of one (20261201_citus_01): the round, role (and
factor) of a row are a unique index led by the municipality beside the key (municipality_id,
id).

Revision ID: 20261201_disagree_01
Revises: 20261201_erasure_02
Create Date: 2026-12-01 21:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '20261201_disagree_01'
down_revision: str | None = '20261201_erasure_02'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _sums() -> list[sa.Column]:
    return [
        sa.Column('municipality_id', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.Enum('caseworker', 'school', 'daycare', 'provider', 'psychologist', 'other_professional', 'mother', 'father', 'child', name='informantrole', native_enum=False, length=32), nullable=False),
        sa.Column('scores', sa.Integer(), nullable=False),
        sa.Column('distance', sa.Integer(), nullable=False),
        sa.Column('towards_worse', sa.Integer(), nullable=False),
    ]


def _keys(table: str) -> list[sa.ForeignKeyConstraint]:
    return [
        sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f(f'fk_{table}_municipality_id_municipality'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['municipality_id', 'round_id'], ['scoring_round.municipality_id', 'scoring_round.id'], name=op.f(f'fk_{table}_round_id_scoring_round'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('municipality_id', 'id', name=op.f(f'pk_{table}')),
    ]


#: Every submitted score of a completed round beside the official score of its factor,
#: summed per round, role and factor; the same comparison the report made before.
BACKFILL_BY_FACTOR = """
INSERT INTO round_factor_disagreement
    (municipality_id, round_id, role, factor_id, scores, distance, towards_worse)
SELECT r.municipality_id, r.id, i.role, ss.factor_id, count(*),
       sum(abs(CASE WHEN ins.best_end = 'low' THEN ss.score - o.score
                    ELSE o.score - ss.score END)),
       sum(CASE WHEN ins.best_end = 'low' THEN ss.score - o.score ELSE o.score - ss.score END)
FROM submission_score ss
JOIN submission s ON s.id = ss.submission_id
JOIN informant i ON i.id = s.informant_id
JOIN scoring_round r ON r.id = s.round_id
JOIN instrument ins ON ins.id = r.instrument_id
JOIN official_score o ON o.round_id = r.id AND o.factor_id = ss.factor_id
WHERE r.state = 'completed' AND s.status = 'submitted'
  AND ss.score IS NOT NULL AND o.score IS NOT NULL
GROUP BY r.municipality_id, r.id, i.role, ss.factor_id
"""

BACKFILL_BY_ROLE = """
INSERT INTO round_disagreement (municipality_id, round_id, role, scores, distance, towards_worse)
SELECT municipality_id, round_id, role, sum(scores), sum(distance), sum(towards_worse)
FROM round_factor_disagreement
GROUP BY municipality_id, round_id, role
"""


def upgrade() -> None:
    op.create_table('round_disagreement',
    *_sums(),
    *_keys('round_disagreement'),
    )
    op.create_index('ix_round_disagreement_round_role', 'round_disagreement', ['municipality_id', 'round_id', 'role'], unique=True)
    op.create_table('round_factor_disagreement',
    *_sums(),
    sa.Column('factor_id', sa.Integer(), nullable=False),
    *_keys('round_factor_disagreement'),
    sa.ForeignKeyConstraint(['factor_id'], ['instrument_factor.id'], name=op.f('fk_round_factor_disagreement_factor_id_instrument_factor')),
    )
    op.create_index('ix_round_factor_disagreement_round_role_factor', 'round_factor_disagreement', ['municipality_id', 'round_id', 'role', 'factor_id'], unique=True)
    op.create_index('ix_round_factor_disagreement_factor', 'round_factor_disagreement', ['municipality_id', 'factor_id'], unique=False)
    op.execute(BACKFILL_BY_FACTOR)
    op.execute(BACKFILL_BY_ROLE)
    if op.get_bind().dialect.name == 'postgresql':
        # Fresh statistics: without them the planner takes the filled tables for empty ones
        # and walks every row through a nested loop (4x slower) until autovacuum comes round.
        op.execute('ANALYZE round_disagreement')
        op.execute('ANALYZE round_factor_disagreement')


def downgrade() -> None:
    op.drop_index('ix_round_factor_disagreement_factor', table_name='round_factor_disagreement')
    op.drop_index('ix_round_factor_disagreement_round_role_factor', table_name='round_factor_disagreement')
    op.drop_table('round_factor_disagreement')
    op.drop_index('ix_round_disagreement_round_role', table_name='round_disagreement')
    op.drop_table('round_disagreement')
