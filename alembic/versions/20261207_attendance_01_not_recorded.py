"""Attendance has three states: present, absent and not recorded (NULL). Until now whoever the
caseworker had not ticked either way was stored as present when the step finished; those rows
(recorded by nobody) are made "not recorded", since nobody confirmed that they came.

Revision ID: 20261207_attendance_01
Revises: 20261201_disagree_02
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "20261207_attendance_01"
down_revision: str | None = "20261201_disagree_02"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _sqlite_table() -> sa.Table:
    """The table as it is, without the UNIQUE (municipality_id, id) that stands beside the
    rowid key on SQLite: the rebuilt table draws it again from its composite key."""
    reflected = sa.Table("attendance", sa.MetaData(), autoload_with=op.get_bind())
    for constraint in list(reflected.constraints):
        if (
            isinstance(constraint, sa.UniqueConstraint)
            and constraint.name is None
            and {c.name for c in constraint.columns} == {"municipality_id", "id"}
        ):
            reflected.constraints.remove(constraint)
    return reflected


def _present(nullable: bool) -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite cannot change a column's nullability in place: the (small) table is rebuilt.
        with op.batch_alter_table(
            "attendance", copy_from=_sqlite_table(), recreate="always"
        ) as batch:
            batch.alter_column("present", existing_type=sa.Boolean(), nullable=nullable)
        return
    op.alter_column("attendance", "present", existing_type=sa.Boolean(), nullable=nullable)


def upgrade() -> None:
    _present(nullable=True)
    op.execute("UPDATE attendance SET present = NULL WHERE recorded_by_id IS NULL")


def downgrade() -> None:
    # Before this revision, an unrecorded person was stored as the table's default: present.
    op.execute("UPDATE attendance SET present = TRUE WHERE present IS NULL")
    _present(nullable=False)
