"""A caseworker's drift reads a summary per completed round and factor: the official score
beside the median of the other informants' scores; filled here for the rounds completed so
far, by the same statements the service writes it with. Keyed by the municipality like every
table of one.

Revision ID: 20261208_drift_01
Revises: 20261208_sessions_01
Create Date: 2026-12-08 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '20261208_drift_01'
down_revision: str | None = '20261208_sessions_01'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


#: The other informants' median per round and factor, set against the official score.
BACKFILL = """
INSERT INTO round_factor_drift
    (municipality_id, round_id, factor_id, caseworker_id, informants, towards_worse)
SELECT med.municipality_id, med.round_id, med.factor_id, o.set_by_id, med.informants,
       CASE WHEN ins.best_end = 'low' THEN o.score - med.median ELSE med.median - o.score END
FROM (
    SELECT municipality_id, round_id, factor_id, sum(score) * 1.0 / count(*) AS median,
           max(total) AS informants
    FROM (
        SELECT s.municipality_id, s.round_id, ss.factor_id, ss.score,
               row_number() OVER (PARTITION BY s.round_id, ss.factor_id ORDER BY ss.score) AS n,
               count(*) OVER (PARTITION BY s.round_id, ss.factor_id) AS total
        FROM submission_score ss
        JOIN submission s ON s.id = ss.submission_id
        JOIN informant i ON i.id = s.informant_id
        WHERE s.status = 'submitted' AND i.role != 'caseworker' AND ss.score IS NOT NULL
    ) ranked
    WHERE n IN ((total + 1) / 2, (total + 2) / 2)
    GROUP BY municipality_id, round_id, factor_id
) med
JOIN scoring_round r ON r.municipality_id = med.municipality_id AND r.id = med.round_id
JOIN instrument ins ON ins.id = r.instrument_id
JOIN official_score o ON o.municipality_id = med.municipality_id AND o.round_id = med.round_id
    AND o.factor_id = med.factor_id
WHERE r.state = 'completed' AND o.score IS NOT NULL
"""


def upgrade() -> None:
    op.create_table('round_factor_drift',
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('factor_id', sa.Integer(), nullable=False),
    sa.Column('caseworker_id', sa.Integer(), nullable=False),
    sa.Column('informants', sa.Integer(), nullable=False),
    sa.Column('towards_worse', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['factor_id'], ['instrument_factor.id'], name=op.f('fk_round_factor_drift_factor_id_instrument_factor')),
    sa.ForeignKeyConstraint(['municipality_id', 'caseworker_id'], ['staff_user.municipality_id', 'staff_user.id'], name=op.f('fk_round_factor_drift_caseworker_id_staff_user')),
    sa.ForeignKeyConstraint(['municipality_id', 'round_id'], ['scoring_round.municipality_id', 'scoring_round.id'], name=op.f('fk_round_factor_drift_round_id_scoring_round'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_round_factor_drift_municipality_id_municipality'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('municipality_id', 'id', name=op.f('pk_round_factor_drift')),
    )
    op.create_index('ix_round_factor_drift_round_factor', 'round_factor_drift', ['municipality_id', 'round_id', 'factor_id'], unique=True)
    op.create_index('ix_round_factor_drift_caseworker', 'round_factor_drift', ['municipality_id', 'caseworker_id'], unique=False)
    op.execute(BACKFILL)


def downgrade() -> None:
    op.drop_index('ix_round_factor_drift_caseworker', table_name='round_factor_drift')
    op.drop_index('ix_round_factor_drift_round_factor', table_name='round_factor_drift')
    op.drop_table('round_factor_drift')
