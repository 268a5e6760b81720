"""Every reference whose parent an erasure deletes is backed by an index led by the
municipality, so that deleting a case's rounds, informants and official scores looks the
referring rows up instead of scanning their tables once per deleted row.

Revision ID: 20261201_erasure_02
Revises: 20261201_erasure_01
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = '20261201_erasure_02'
down_revision: str | None = '20261201_erasure_01'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ('scoring_round', 'previous_round_id'),
    ('factor_outcome', 'previous_round_id'),
    ('attendance', 'informant_id'),
    ('disagreement_note', 'informant_id'),
    ('official_score_amendment', 'official_score_id'),
)


def upgrade() -> None:
    for table, column in INDEXES:
        op.create_index(f'ix_{table}_{column}', table, ['municipality_id', column])


def downgrade() -> None:
    for table, column in reversed(INDEXES):
        op.drop_index(f'ix_{table}_{column}', table_name=table)
