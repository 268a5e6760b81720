"""The own-views report reads the rounds' summary too: each per-factor row counts the scores
towards fewer problems than the official one, the same, and more (towards_worse < 0, = 0,
> 0), and the rows of one role (the child's, the parents') have an index. The rows are
summed anew for the rounds completed so far.

Revision ID: 20261201_disagree_02
Revises: 20261201_disagree_01
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = '20261201_disagree_02'
down_revision: str | None = '20261201_disagree_01'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTS = ('fewer_problems', 'same', 'more_problems')

#: How many scale points the informant's score lies towards the scale's worst end from the
#: official one (negative: fewer problems).
TOWARDS_WORSE = "CASE WHEN ins.best_end = 'low' THEN ss.score - o.score ELSE o.score - ss.score END"

#: Every submitted score of a completed round beside the official score of its factor,
#: summed per round, role and factor, with the three counts.
BACKFILL_BY_FACTOR = f"""
INSERT INTO round_factor_disagreement
    (municipality_id, round_id, role, factor_id, scores, distance, towards_worse,
     fewer_problems, same, more_problems)
SELECT r.municipality_id, r.id, i.role, ss.factor_id, count(*),
       sum(abs({TOWARDS_WORSE})), sum({TOWARDS_WORSE}),
       sum(CASE WHEN {TOWARDS_WORSE} < 0 THEN 1 ELSE 0 END),
       sum(CASE WHEN {TOWARDS_WORSE} = 0 THEN 1 ELSE 0 END),
       sum(CASE WHEN {TOWARDS_WORSE} > 0 THEN 1 ELSE 0 END)
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


def upgrade() -> None:
    for name in COUNTS:
        op.add_column(
            'round_factor_disagreement',
            sa.Column(name, sa.Integer(), nullable=False, server_default='0'),
        )
    op.create_index(
        'ix_round_factor_disagreement_role',
        'round_factor_disagreement',
        ['municipality_id', 'role'],
        unique=False,
    )
    # The per-role rows stay as they are: their sums do not change.
    op.execute('DELETE FROM round_factor_disagreement')
    op.execute(BACKFILL_BY_FACTOR)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ANALYZE round_factor_disagreement')


def downgrade() -> None:
    op.drop_index('ix_round_factor_disagreement_role', table_name='round_factor_disagreement')
    for name in reversed(COUNTS):
        # SQLite (3.35 and later) and PostgreSQL both drop a plain column in place.
        op.execute(f'ALTER TABLE round_factor_disagreement DROP COLUMN {name}')
