"""measure categories: a measure's kind in barnets lov (§ 30, § 32, §§ 37-41, § 46, § 47).

Revision ID: i10_03
Revises: i9_01
Create Date: 2026-12-01 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = 'i10_03'
down_revision: str | None = 'i9_01'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('measure', schema=None) as batch_op:
        batch_op.add_column(sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
        batch_op.create_index(batch_op.f('ix_measure_category'), ['category'], unique=False)
    # The kinds of measure with one sensible provision get it; a placement's consent, or a
    # foster-family stay under § 32, is not known for the measures recorded so far.
    op.execute("UPDATE measure SET category = 'early_preventive' WHERE type = 'preventive'")
    op.execute(
        "UPDATE measure SET category = 'supportive' "
        "WHERE type IN ('home_based_support', 'contact_person')"
    )


def downgrade() -> None:
    # Plain ALTER TABLE ... DROP COLUMN: a batch would copy the table, which SQLite refuses
    # while other tables' rows refer to it.
    op.drop_index(op.f('ix_measure_category'), table_name='measure')
    op.drop_column('measure', 'category')
