"""An index on not_heard's informant, for the reference to informant (erasing a case's
informants looks up their reasons by it).

20261207_voices_01 makes it as that migration landed; a database that ran the migration's
first version, without the index, gets it here. Going down, the index goes with
20261207_voices_01, which made it where it exists from the start.

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
    # 20261207_voices_01 drops the index with its table's other indexes.
    pass
