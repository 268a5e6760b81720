"""goal disagreements: a note says whether the score, the proposed goal, or both differ.

Revision ID: i10_01
Revises: i14_01
Create Date: 2026-12-01 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = 'i10_01'
down_revision: str | None = 'i14_01'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('disagreement_note', schema=None) as batch_op:
        batch_op.add_column(sa.Column('score_differs', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('goal_differs', sa.Boolean(), nullable=False, server_default=sa.false()))
    # Notes kept so far were kept for a differing score; say where the goal differed too.
    op.execute(
        "UPDATE disagreement_note SET score_differs = "
        "(official_score IS NULL OR informant_score <> official_score), "
        "goal_differs = (informant_goal IS NOT NULL AND "
        "(official_goal IS NULL OR informant_goal <> official_goal))"
    )


def downgrade() -> None:
    with op.batch_alter_table('disagreement_note', schema=None) as batch_op:
        batch_op.drop_column('goal_differs')
        batch_op.drop_column('score_differs')
