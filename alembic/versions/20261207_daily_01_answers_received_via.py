"""How the answers entered on an informant's behalf were received: by phone, on paper or in
person. Submissions made before have none recorded.

Revision ID: 20261207_daily_01
Revises: 20261207_meeting_01
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "20261207_daily_01"
down_revision: str | None = "20261207_meeting_01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    channel = sa.Enum(
        "phone", "paper", "in_person", name="answerchannel", native_enum=False, length=16
    )
    op.add_column("submission", sa.Column("received_via", channel, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("submission") as batch_op:  # SQLite drops a column by rebuilding
        batch_op.drop_column("received_via")
