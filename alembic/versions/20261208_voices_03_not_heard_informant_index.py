"""An index on not_heard's informant, for the reference to informant (erasing a case's
informants looks up their reasons by it).

It was first added by editing 20261207_voices_01 after that migration had landed; that edit is
undone, and the index is made here, where a database that already has it keeps it.

Revision ID: 20261208_voices_03
Revises: 20261208_cadence_01
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op


revision: str = "20261208_voices_03"
down_revision: str | None = "20261208_cadence_01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "CREATE INDEX IF NOT EXISTS ix_not_heard_informant_id "
        "ON not_heard (municipality_id, informant_id)"
    )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_not_heard_informant_id")
