"""Agreement across a municipality's rounds is computed from value counts kept per completed
round (how many independent informants gave each point of each factor's scale, the point kept
as its distance from the scale's best end); filled here for the rounds completed so far.
Keyed by the municipality like every table of one.

Revision ID: 20261208_agreement_01
Revises: 20261208_calibration_01
Create Date: 2026-12-08 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '20261208_agreement_01'
down_revision: str | None = '20261208_calibration_01'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


#: Every independent informant's submitted score of a completed round, counted per round,
#: factor and distance from the scale's best end: what a round completing writes now.
BACKFILL = """
INSERT INTO round_factor_agreement (municipality_id, round_id, factor_id, severity, scores)
SELECT r.municipality_id, r.id, ss.factor_id,
       CASE WHEN ins.best_end = 'low' THEN ss.score - ins.scale_min
            ELSE ins.scale_max - ss.score END,
       count(*)
FROM submission_score ss
JOIN submission s ON s.municipality_id = ss.municipality_id AND s.id = ss.submission_id
JOIN informant i ON i.municipality_id = s.municipality_id AND i.id = s.informant_id
JOIN scoring_round r ON r.municipality_id = s.municipality_id AND r.id = s.round_id
JOIN instrument ins ON ins.id = r.instrument_id
WHERE r.state = 'completed' AND s.status = 'submitted' AND i.step = 'independent'
  AND ss.score IS NOT NULL
GROUP BY r.municipality_id, r.id, ss.factor_id,
         CASE WHEN ins.best_end = 'low' THEN ss.score - ins.scale_min
              ELSE ins.scale_max - ss.score END
"""


def upgrade() -> None:
    op.create_table('round_factor_agreement',
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('factor_id', sa.Integer(), nullable=False),
    sa.Column('severity', sa.Integer(), nullable=False),
    sa.Column('scores', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['factor_id'], ['instrument_factor.id'], name=op.f('fk_round_factor_agreement_factor_id_instrument_factor')),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_round_factor_agreement_municipality_id_municipality'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['municipality_id', 'round_id'], ['scoring_round.municipality_id', 'scoring_round.id'], name=op.f('fk_round_factor_agreement_round_id_scoring_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('municipality_id', 'id', name=op.f('pk_round_factor_agreement'))
    )
    op.create_index('ix_round_factor_agreement_round_factor_severity', 'round_factor_agreement', ['municipality_id', 'round_id', 'factor_id', 'severity'], unique=True)
    op.execute(BACKFILL)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ANALYZE round_factor_agreement')


def downgrade() -> None:
    op.drop_index('ix_round_factor_agreement_round_factor_severity', table_name='round_factor_agreement')
    op.drop_table('round_factor_agreement')
