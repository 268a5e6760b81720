"""A municipality's tables are keyed by the municipality, so that the schema can be
distributed by it (Citus): primary key (municipality_id, id), indexes and unique constraints
led by municipality_id, references between them composite, (municipality_id, x_id) ->
(municipality_id, id). The index on municipality_id alone goes: the key leads with it.

On SQLite a table keeps PRIMARY KEY (id), the rowid, with UNIQUE (municipality_id, id) for
the composite references (service/models/base.py draws it); each table is rebuilt once.

Revision ID: 20261201_citus_01
Revises: i10_06
Create Date: 2026-12-01
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = '20261201_citus_01'
down_revision: str | None = 'i10_06'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

M = 'municipality_id'

#: Every table of one municipality with a surrogate id (audit_chain_head is keyed by the
#: municipality already), parents first.
TABLES = (
    'team',
    'instrument_selection',
    'staff_user',
    'integrator_client',
    'provider',
    'child_case',
    'measure',
    'scoring_round',
    'round_transition',
    'informant',
    'informant_link',
    'attendance',
    'submission',
    'submission_score',
    'official_score',
    'official_score_amendment',
    'disagreement_note',
    'factor_outcome',
    'round_measure',
    'webhook_subscription',
    'outbox_message',
    'delivery_attempt',
    'audit_event',
    'idempotency_record',
    'erasure_record',
)

#: Indexes that now lead with the municipality: (table, name, column). None for the
#: column: the index goes, as a unique constraint or another index now leads with the
#: municipality and the same column.
INDEXES = (
    ('staff_user', 'ix_staff_user_team_id', 'team_id'),
    ('child_case', 'ix_child_case_caseworker_id', 'caseworker_id'),
    ('child_case', 'ix_child_case_team_id', 'team_id'),
    ('measure', 'ix_measure_case_id', 'case_id'),
    ('measure', 'ix_measure_provider_id', 'provider_id'),
    ('measure', 'ix_measure_category', 'category'),
    ('scoring_round', 'ix_scoring_round_instrument_id', 'instrument_id'),
    ('scoring_round', 'ix_scoring_round_state', 'state'),
    ('round_transition', 'ix_round_transition_round_id', 'round_id'),
    ('informant', 'ix_informant_round_id', 'round_id'),
    ('informant_link', 'ix_informant_link_round_id', 'round_id'),
    ('informant_link', 'ix_informant_link_informant_id', 'informant_id'),
    ('submission', 'ix_submission_round_id', 'round_id'),
    ('official_score_amendment', 'ix_official_score_amendment_round_id', 'round_id'),
    ('disagreement_note', 'ix_disagreement_note_round_id', 'round_id'),
    ('round_measure', 'ix_round_measure_measure_id', 'measure_id'),
    ('round_measure', 'ix_round_measure_provider_id', 'provider_id'),
    ('webhook_subscription', 'ix_webhook_subscription_client_id', 'client_id'),
    ('outbox_message', 'ix_outbox_message_staff_user_id', 'staff_user_id'),
    ('outbox_message', 'ix_outbox_message_informant_id', 'informant_id'),
    ('outbox_message', 'ix_outbox_message_subscription_id', 'subscription_id'),
    ('outbox_message', 'ix_outbox_message_round_id', 'round_id'),
    ('delivery_attempt', 'ix_delivery_attempt_message_id', 'message_id'),
    ('audit_event', 'ix_audit_event_occurred_at', 'occurred_at'),
    ('audit_event', 'ix_audit_event_case_id', 'case_id'),
    ('idempotency_record', 'ix_idempotency_record_holds', 'holds'),
)

#: Indexes that go (table, name, column): ix_scoring_round_case_created leads with
#: (municipality_id, case_id), and the unique constraints below with the others.
DROPPED_INDEXES = (
    ('scoring_round', 'ix_scoring_round_case_id', 'case_id'),
    ('attendance', 'ix_attendance_round_id', 'round_id'),
    ('submission_score', 'ix_submission_score_submission_id', 'submission_id'),
    ('official_score', 'ix_official_score_round_id', 'round_id'),
    ('factor_outcome', 'ix_factor_outcome_round_id', 'round_id'),
    ('round_measure', 'ix_round_measure_round_id', 'round_id'),
)

#: Unique constraints that now include (and lead with) the municipality: (table, columns).
UNIQUES = (
    ('attendance', ('round_id', 'informant_id', 'gathering')),
    ('submission', ('informant_id',)),
    ('submission_score', ('submission_id', 'factor_id')),
    ('official_score', ('round_id', 'factor_id')),
    ('factor_outcome', ('round_id', 'factor_id')),
    ('round_measure', ('round_id', 'measure_id')),
)

#: References between two tables of the municipality: (table, column, parent, ondelete).
REFERENCES = (
    ('staff_user', 'team_id', 'team', None),
    ('child_case', 'caseworker_id', 'staff_user', None),
    ('child_case', 'team_id', 'team', None),
    ('measure', 'case_id', 'child_case', 'CASCADE'),
    ('measure', 'provider_id', 'provider', None),
    ('scoring_round', 'case_id', 'child_case', 'CASCADE'),
    ('scoring_round', 'opened_by_id', 'staff_user', None),
    ('scoring_round', 'previous_round_id', 'scoring_round', None),
    ('round_transition', 'round_id', 'scoring_round', 'CASCADE'),
    ('informant', 'round_id', 'scoring_round', 'CASCADE'),
    ('informant', 'staff_user_id', 'staff_user', None),
    ('informant_link', 'round_id', 'scoring_round', 'CASCADE'),
    ('informant_link', 'informant_id', 'informant', 'CASCADE'),
    ('attendance', 'round_id', 'scoring_round', 'CASCADE'),
    ('attendance', 'informant_id', 'informant', 'CASCADE'),
    ('attendance', 'recorded_by_id', 'staff_user', None),
    ('submission', 'round_id', 'scoring_round', 'CASCADE'),
    ('submission', 'informant_id', 'informant', 'CASCADE'),
    ('submission', 'entered_by_id', 'staff_user', None),
    ('submission_score', 'submission_id', 'submission', 'CASCADE'),
    ('official_score', 'round_id', 'scoring_round', 'CASCADE'),
    ('official_score', 'set_by_id', 'staff_user', None),
    ('official_score_amendment', 'round_id', 'scoring_round', 'CASCADE'),
    ('official_score_amendment', 'official_score_id', 'official_score', None),
    ('official_score_amendment', 'amended_by_id', 'staff_user', None),
    ('disagreement_note', 'round_id', 'scoring_round', 'CASCADE'),
    ('disagreement_note', 'informant_id', 'informant', None),
    ('factor_outcome', 'round_id', 'scoring_round', 'CASCADE'),
    ('factor_outcome', 'previous_round_id', 'scoring_round', None),
    ('round_measure', 'round_id', 'scoring_round', 'CASCADE'),
    ('round_measure', 'measure_id', 'measure', 'CASCADE'),
    ('round_measure', 'provider_id', 'provider', None),
    ('webhook_subscription', 'client_id', 'integrator_client', 'CASCADE'),
    ('outbox_message', 'staff_user_id', 'staff_user', None),
    ('outbox_message', 'informant_id', 'informant', None),
    ('outbox_message', 'subscription_id', 'webhook_subscription', None),
    ('outbox_message', 'round_id', 'scoring_round', None),
    ('delivery_attempt', 'message_id', 'outbox_message', 'CASCADE'),
)


def _uq(table: str, columns: Sequence[str]) -> str:
    return f'uq_{table}_{"_".join(columns)}'


def _fk(table: str, column: str, parent: str) -> str:
    return f'fk_{table}_{column}_{parent}'


class _Steps:
    """The changes of one direction, told table by table, applied in the order PostgreSQL
    needs across tables, or (SQLite) with each table rebuilt once."""

    def __init__(self, keyed: bool) -> None:
        self.keyed = keyed  # True: to (municipality_id, id); False: back to (id)

    def drop_references(self, ops: Any, table: str) -> None:
        for child, column, parent, _ondelete in REFERENCES:
            if child == table:
                ops.drop_constraint(_fk(child, column, parent), type_='foreignkey')

    def key(self, ops: Any, table: str) -> None:
        ops.drop_constraint(f'pk_{table}', type_='primary')
        columns = [M, 'id'] if self.keyed else ['id']
        ops.create_primary_key(f'pk_{table}', columns)

    def indexes(self, ops: Any, table: str) -> None:
        lead = [M] if self.keyed else []
        for owner, name, column in INDEXES:
            if owner == table:
                ops.drop_index(name)
                ops.create_index(name, [*lead, column])
        for owner, name, column in DROPPED_INDEXES:
            if owner == table:
                if self.keyed:
                    ops.drop_index(name)
                else:
                    ops.create_index(name, [column])
        if self.keyed:
            ops.drop_index(f'ix_{table}_{M}')
        else:
            ops.create_index(f'ix_{table}_{M}', [M])

    def uniques(self, ops: Any, table: str) -> None:
        for owner, columns in UNIQUES:
            if owner == table:
                old, new = (columns, (M, *columns))
                if not self.keyed:
                    old, new = new, old
                ops.drop_constraint(_uq(table, old), type_='unique')
                ops.create_unique_constraint(_uq(table, new), list(new))

    def add_references(self, ops: Any, table: str) -> None:
        for child, column, parent, ondelete in REFERENCES:
            if child == table:
                local, remote = ([M, column], [M, 'id']) if self.keyed else ([column], ['id'])
                ops.create_foreign_key(
                    _fk(child, column, parent), parent, local, remote, ondelete=ondelete
                )


class _On:
    """Alembic's operations on one table, outside a batch (PostgreSQL)."""

    def __init__(self, table: str) -> None:
        self.table = table

    def drop_constraint(self, name: str, type_: str) -> None:
        op.drop_constraint(name, self.table, type_=type_)

    def create_primary_key(self, name: str, columns: list[str]) -> None:
        op.create_primary_key(name, self.table, columns)

    def drop_index(self, name: str) -> None:
        op.drop_index(name, table_name=self.table)

    def create_index(self, name: str, columns: list[str]) -> None:
        op.create_index(name, self.table, columns)

    def create_unique_constraint(self, name: str, columns: list[str]) -> None:
        op.create_unique_constraint(name, self.table, columns)

    def create_foreign_key(
        self, name: str, parent: str, local: list[str], remote: list[str], ondelete: str | None
    ) -> None:
        op.create_foreign_key(name, self.table, parent, local, remote, ondelete=ondelete)


def _sqlite_table(table: str) -> sa.Table:
    """The table as it is, without the UNIQUE (municipality_id, id) that stands beside the
    rowid key on SQLite: the rebuilt table draws it again if its key is the municipality's."""
    reflected = sa.Table(table, sa.MetaData(), autoload_with=op.get_bind())
    for constraint in list(reflected.constraints):
        if (
            isinstance(constraint, sa.UniqueConstraint)
            and constraint.name is None
            and {c.name for c in constraint.columns} == {M, 'id'}
        ):
            reflected.constraints.remove(constraint)
    return reflected


def _apply(steps: _Steps) -> None:
    if op.get_bind().dialect.name == 'sqlite':
        # Foreign keys are not enforced while migrating (service/migrations.py), so each
        # table is rebuilt once, in any order, and checked as the migration commits. The
        # rebuild drops a table's triggers (the audit trail's append-only guard): they are
        # put back as they were.
        bind = op.get_bind()
        for table in TABLES:
            triggers = bind.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (table,)
            ).scalars().all()
            with op.batch_alter_table(
                table, copy_from=_sqlite_table(table), recreate='always'
            ) as batch:
                steps.drop_references(batch, table)
                steps.key(batch, table)
                steps.uniques(batch, table)
                steps.indexes(batch, table)
                steps.add_references(batch, table)
            for trigger in triggers:
                op.execute(trigger)
        return
    # PostgreSQL: a key cannot change while references lean on it, so the references go
    # first and come back last.
    for table in TABLES:
        steps.drop_references(_On(table), table)
    for table in TABLES:
        steps.key(_On(table), table)
        steps.uniques(_On(table), table)
        steps.indexes(_On(table), table)
    for table in TABLES:
        steps.add_references(_On(table), table)


def upgrade() -> None:
    _apply(_Steps(keyed=True))


def downgrade() -> None:
    _apply(_Steps(keyed=False))
