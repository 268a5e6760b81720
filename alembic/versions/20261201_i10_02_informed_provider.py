"""KL 2 gives the first-time provider no meeting: it is informed of the result (trin 4).

Revision ID: i10_02
Revises: i10_01
Create Date: 2026-12-01 10:00:00
"""

from collections.abc import Sequence

from alembic import op


revision: str = 'i10_02'
down_revision: str | None = 'i10_01'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "UPDATE informant SET step = 'informed' WHERE step = 'meeting_only' "
        "AND role = 'provider' AND round_id IN (SELECT id FROM scoring_round "
        "WHERE procedure = 'kl2' AND variant = 'first_time')"
    )


def downgrade() -> None:
    op.execute("UPDATE informant SET step = 'meeting_only' WHERE step = 'informed'")
