"""An outcome goes with the round it was measured against: factor_outcome.previous_round_id
ON DELETE CASCADE.

Erasing a case (retention) deletes its rounds in one statement, and PostgreSQL runs what
each deleted round's references ask for row by row, in the order it deleted them: the first
round's check of factor_outcome.previous_round_id (NO ACTION) came before the follow-up
round's cascade that takes the follow-up's outcomes, so the erasure of every case with a
follow-up round failed. SQLite counts the violations to the end of the statement and never
saw it. The previous round can only go together with the rounds measured against it
(scoring_round.previous_round_id stays NO ACTION), so the cascade takes nothing that its own
round's cascade would not.

Revision ID: 20261201_erasure_01
Revises: 20261201_citus_01
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = '20261201_erasure_01'
down_revision: str | None = '20261201_citus_01'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

M = 'municipality_id'
TABLE = 'factor_outcome'
NAME = 'fk_factor_outcome_previous_round_id_scoring_round'


def _reference(ondelete: str | None) -> None:
    if op.get_bind().dialect.name == 'sqlite':
        # The table is rebuilt (foreign keys are not enforced while migrating, and are checked
        # as the migration commits); a rebuild drops the table's triggers, so any are put back.
        triggers = op.get_bind().exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (TABLE,)
        ).scalars().all()
        with op.batch_alter_table(TABLE, recreate='always') as batch:
            batch.drop_constraint(NAME, type_='foreignkey')
            batch.create_foreign_key(
                NAME, 'scoring_round', [M, 'previous_round_id'], [M, 'id'], ondelete=ondelete
            )
        for trigger in triggers:
            op.execute(trigger)
        return
    op.drop_constraint(NAME, TABLE, type_='foreignkey')
    op.create_foreign_key(
        NAME, TABLE, 'scoring_round', [M, 'previous_round_id'], [M, 'id'], ondelete=ondelete
    )


def upgrade() -> None:
    _reference('CASCADE')


def downgrade() -> None:
    _reference(None)
