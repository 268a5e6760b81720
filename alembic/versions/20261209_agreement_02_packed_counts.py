"""The agreement report reads each completed round's counts per factor as one row, packed into
two numbers (six bits a point: points 0-9 from the best end in the first, 10-19 in the second),
instead of summing the rows of each point at every request; filled here from the counts per
point kept so far. Keyed by the municipality like every table of one.

Revision ID: 20261209_agreement_02
Revises: 20261209_plan_01
Create Date: 2026-12-09 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "20261209_agreement_02"
down_revision: str | None = "20261209_plan_01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


#: What a round completing writes now (`service.usecases.consensus.round_agreement`).
BACKFILL = """
INSERT INTO round_factor_counts
    (municipality_id, round_id, factor_id, scored, packed, packed_beyond)
SELECT municipality_id, round_id, factor_id, sum(scores),
       CAST(sum(CASE WHEN severity < 10
                     THEN CAST(scores AS BIGINT) << (6 * severity) ELSE 0 END) AS BIGINT),
       CAST(sum(CASE WHEN severity >= 10 AND severity < 20
                     THEN CAST(scores AS BIGINT) << (6 * (severity - 10)) ELSE 0 END) AS BIGINT)
FROM round_factor_agreement
GROUP BY municipality_id, round_id, factor_id
"""


def upgrade() -> None:
    op.create_table(
        "round_factor_counts",
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("factor_id", sa.Integer(), nullable=False),
        sa.Column("scored", sa.Integer(), nullable=False),
        sa.Column("packed", sa.BigInteger(), nullable=False),
        sa.Column("packed_beyond", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["factor_id"],
            ["instrument_factor.id"],
            name=op.f("fk_round_factor_counts_factor_id_instrument_factor"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_round_factor_counts_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id", "round_id"],
            ["scoring_round.municipality_id", "scoring_round.id"],
            name=op.f("fk_round_factor_counts_round_id_scoring_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_round_factor_counts")),
    )
    op.create_index(
        "ix_round_factor_counts_round_factor",
        "round_factor_counts",
        ["municipality_id", "round_id", "factor_id"],
        unique=True,
    )
    op.execute(BACKFILL)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ANALYZE round_factor_counts")


def downgrade() -> None:
    op.drop_index("ix_round_factor_counts_round_factor", table_name="round_factor_counts")
    op.drop_table("round_factor_counts")
