"""The dates of the rhythm that passed while a round was late (skipped_due_dates).

A round completed more than one interval late used to get a next due date in the past; the
next one is now the first date of the rhythm after the completion, and the dates passed
meanwhile are kept with the round, shown as skipped in its history.

Revision ID: 20261207_voices_02
Revises: 20261207_voices_01
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "20261207_voices_02"
down_revision: str | None = "20261207_voices_01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("scoring_round") as batch:
        batch.add_column(
            sa.Column("skipped_due_dates", sa.JSON(), nullable=False, server_default="[]")
        )


def downgrade() -> None:
    with op.batch_alter_table("scoring_round") as batch:
        batch.drop_column("skipped_due_dates")
