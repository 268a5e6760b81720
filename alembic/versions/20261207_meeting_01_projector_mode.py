"""The meeting page's projector mode: each staff member's choice of it, remembered, and the
municipality's choice whether the projected page names the informants or only their role.

Revision ID: 20261207_meeting_01
Revises: 20261207_attendance_01
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "20261207_meeting_01"
down_revision: str | None = "20261207_attendance_01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "staff_user",
        sa.Column("meeting_projector", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column(
        "municipality",
        sa.Column("projector_shows_names", sa.Boolean(), nullable=False, server_default=sa.true()),
    )


def downgrade() -> None:
    op.drop_column("municipality", "projector_shows_names")
    op.drop_column("staff_user", "meeting_projector")
