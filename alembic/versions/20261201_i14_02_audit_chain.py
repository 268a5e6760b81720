"""audit hash chain: each event carries the hash of the one before it, per municipality.

Revision ID: i14_02
Revises: i10_02
Create Date: 2026-12-01 15:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from service.models.audit_chain import GENESIS, chain


revision: str = 'i14_02'
down_revision: str | None = 'i10_02'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHAIN_COLUMNS = ('chain_seq', 'prev_hash', 'address_digest', 'detail_digest', 'hash')
# What an UPDATE may not change: everything but the personal parts and the erasure stamp.
FIXED = (
    'id', 'municipality_id', 'chain_seq', 'prev_hash', 'address_digest', 'detail_digest',
    'hash', 'occurred_at', 'actor_kind', 'actor_id', 'action', 'object_type', 'object_id',
    'case_id',
)


def upgrade() -> None:
    _drop_old_triggers()
    op.create_table(
        'audit_chain_head',
        sa.Column('municipality_id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_audit_chain_head_municipality_id_municipality'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('municipality_id', name=op.f('pk_audit_chain_head')),
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chain_seq', sa.Integer(), nullable=True))
        for name in CHAIN_COLUMNS[1:]:
            batch_op.add_column(sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('pseudonymised_at', sa.DateTime(timezone=True), nullable=True))
    _chain_existing_events()
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.alter_column('chain_seq', existing_type=sa.Integer(), nullable=False)
        for name in CHAIN_COLUMNS[1:]:
            batch_op.alter_column(name, existing_type=sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_audit_event_municipality_id_chain_seq'), ['municipality_id', 'chain_seq'])
    _create_triggers()


def downgrade() -> None:
    _drop_triggers()
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_event_municipality_id_chain_seq'), type_='unique')
        batch_op.drop_column('pseudonymised_at')
        for name in CHAIN_COLUMNS:
            batch_op.drop_column(name)
    op.drop_table('audit_chain_head')
    _create_old_triggers()


def _chain_existing_events() -> None:
    """Events written before the chain are chained in the order they were written."""
    bind = op.get_bind()
    events = sa.table(
        'audit_event',
        *(sa.column(c) for c in ('id', 'municipality_id', 'actor_kind', 'actor_id', 'action', 'object_type', 'object_id', 'case_id', 'client_address')),
        sa.column('occurred_at', sa.DateTime(timezone=True)),
        sa.column('detail', sa.JSON),
        *(sa.column(c) for c in CHAIN_COLUMNS),
    )
    heads = sa.table('audit_chain_head', sa.column('municipality_id'), sa.column('seq'), sa.column('hash'))
    municipalities = [r[0] for r in bind.execute(sa.text('SELECT id FROM municipality ORDER BY id'))]
    for municipality_id in municipalities:
        rows = [
            dict(r._mapping)
            for r in bind.execute(
                sa.select(events.c.id, events.c.municipality_id, events.c.occurred_at, events.c.actor_kind, events.c.actor_id, events.c.action, events.c.object_type, events.c.object_id, events.c.case_id, events.c.client_address, events.c.detail)
                .where(events.c.municipality_id == municipality_id)
                .order_by(events.c.occurred_at, events.c.id)
            )
        ]
        chained, head = chain(GENESIS, 1, rows)
        if chained:
            bind.execute(
                events.update().where(events.c.id == sa.bindparam('row_id')).values({c: sa.bindparam(c) for c in CHAIN_COLUMNS}),
                [{'row_id': r['id'], **{c: r[c] for c in CHAIN_COLUMNS}} for r in chained],
            )
        bind.execute(heads.insert().values(municipality_id=municipality_id, seq=len(chained), hash=head))


def _create_triggers() -> None:
    """The database itself refuses DELETE, and any UPDATE but erasure's: blanking the
    address, or the detail together with the erasure stamp."""
    if op.get_bind().dialect.name == 'postgresql':
        fixed = ' OR '.join(f'NEW.{c} IS DISTINCT FROM OLD.{c}' for c in FIXED)
        op.execute(
            f"""
            CREATE FUNCTION audit_event_append_only() RETURNS trigger AS $$
            BEGIN
                IF TG_OP = 'DELETE' THEN
                    RAISE EXCEPTION 'audit_event is append-only';
                END IF;
                IF {fixed}
                   OR (NEW.client_address IS NOT NULL AND NEW.client_address IS DISTINCT FROM OLD.client_address)
                   OR (NEW.pseudonymised_at IS NULL AND NEW.detail::text IS DISTINCT FROM OLD.detail::text)
                THEN
                    RAISE EXCEPTION 'audit_event is append-only: only erasure may blank its personal parts';
                END IF;
                RETURN NEW;
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            'CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event '
            'FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()'
        )
    else:
        fixed = ' OR '.join(f'NEW.{c} IS NOT OLD.{c}' for c in FIXED)
        op.execute(
            'CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event '
            "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
        )
        op.execute(
            'CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event '
            f'WHEN {fixed} '
            'OR (NEW.client_address IS NOT NULL AND NEW.client_address IS NOT OLD.client_address) '
            'OR (NEW.pseudonymised_at IS NULL AND NEW.detail IS NOT OLD.detail) '
            "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only: only erasure may blank its personal parts'); END"
        )


def _drop_triggers() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event')
        op.execute('DROP FUNCTION IF EXISTS audit_event_append_only()')
    else:
        op.execute('DROP TRIGGER IF EXISTS audit_event_no_update')
        op.execute('DROP TRIGGER IF EXISTS audit_event_no_delete')


_drop_old_triggers = _drop_triggers


def _create_old_triggers() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            """
            CREATE FUNCTION audit_event_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'audit_event is append-only';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            'CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event '
            'FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()'
        )
    else:
        for verb in ('UPDATE', 'DELETE'):
            op.execute(
                f'CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON audit_event '
                "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
            )
