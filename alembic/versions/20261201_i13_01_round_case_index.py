"""A case's rounds by creation, led by the municipality (the due list, the case page).

Revision ID: i13_01
Revises: i14_02
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "i13_01"
down_revision: str | None = "i14_02"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_scoring_round_case_created",
        "scoring_round",
        ["municipality_id", "case_id", "created_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_scoring_round_case_created", table_name="scoring_round")
