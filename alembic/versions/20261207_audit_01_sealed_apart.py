"""The audit chain sealed apart from the requests: events are written without a place in
the chain (chain_seq, prev_hash and hash empty), and a sealer chains them shortly after,
batch by batch, keeping each batch's range and last hash (audit_seal).

The database still refuses a DELETE, and any UPDATE but erasure's and the sealer's: the
sealer may give an unsealed event its place and hashes, once.

Revision ID: 20261207_audit_01
Revises: 20261208_agreement_01
Create Date: 2026-12-07
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

from service.models.audit_chain import seal_municipality, unsealed_municipalities


revision: str = "20261207_audit_01"
down_revision: str | None = "20261208_agreement_01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Given by the sealer, once.
SEALED = ("chain_seq", "prev_hash", "hash")
#: What no UPDATE may change.
FIXED = (
    "id",
    "municipality_id",
    "address_digest",
    "detail_digest",
    "occurred_at",
    "actor_kind",
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "case_id",
)
NULLABLE = (("chain_seq", sa.Integer()), ("prev_hash", sa.VARCHAR(64)), ("hash", sa.VARCHAR(64)))


def upgrade() -> None:
    _drop_triggers()
    op.create_table(
        "audit_seal",
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("first_seq", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("head_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("sealed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_audit_seal_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_audit_seal")),
        sa.UniqueConstraint(
            "municipality_id", "last_seq", name=op.f("uq_audit_seal_municipality_id_last_seq")
        ),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        for name, kind in NULLABLE:
            batch_op.alter_column(name, existing_type=kind, nullable=True)
        batch_op.create_index(
            "ix_audit_event_unsealed",
            ["municipality_id", "id"],
            unique=False,
            sqlite_where=sa.text("chain_seq IS NULL"),
            postgresql_where=sa.text("chain_seq IS NULL"),
        )
    # What was chained before is one sealed range per municipality, up to its head.
    op.execute(
        "INSERT INTO audit_seal (municipality_id, first_seq, last_seq, head_hash, sealed_at) "
        "SELECT municipality_id, 1, seq, hash, CURRENT_TIMESTAMP FROM audit_chain_head "
        "WHERE seq > 0"
    )
    _create_triggers()


def downgrade() -> None:
    _drop_triggers()
    _seal_what_waits()  # the old chain has no unsealed events: none is lost on the way down
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_audit_event_unsealed",
            sqlite_where=sa.text("chain_seq IS NULL"),
            postgresql_where=sa.text("chain_seq IS NULL"),
        )
        for name, kind in NULLABLE:
            batch_op.alter_column(name, existing_type=kind, nullable=False)
    op.drop_table("audit_seal")
    _create_old_triggers()


def _seal_what_waits() -> None:
    bind = op.get_bind()
    now = datetime.now(UTC)
    for municipality_id in unsealed_municipalities(bind):
        while seal_municipality(bind, municipality_id, now):
            pass


def _create_triggers() -> None:
    """DELETE refused; an UPDATE may blank the personal parts (erasure) and give an unsealed
    event its place and hashes (the sealer), nothing else."""
    if op.get_bind().dialect.name == "postgresql":
        fixed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in FIXED)
        resealed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in SEALED)
        op.execute(
            f"""
            CREATE FUNCTION audit_event_append_only() RETURNS trigger AS $$
            BEGIN
                IF TG_OP = 'DELETE' THEN
                    RAISE EXCEPTION 'audit_event is append-only';
                END IF;
                IF {fixed}
                   OR (OLD.chain_seq IS NOT NULL AND ({resealed}))
                   OR (NEW.client_address IS NOT NULL AND NEW.client_address IS DISTINCT FROM OLD.client_address)
                   OR (NEW.pseudonymised_at IS NULL AND NEW.detail::text IS DISTINCT FROM OLD.detail::text)
                THEN
                    RAISE EXCEPTION 'audit_event is append-only: only erasure may blank its personal parts, and the sealer chain it once';
                END IF;
                RETURN NEW;
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
        )
    else:
        fixed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in FIXED)
        resealed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in SEALED)
        op.execute(
            "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
            "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
        )
        op.execute(
            "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
            f"WHEN {fixed} "
            f"OR (OLD.chain_seq IS NOT NULL AND ({resealed})) "
            "OR (NEW.client_address IS NOT NULL AND NEW.client_address IS NOT OLD.client_address) "
            "OR (NEW.pseudonymised_at IS NULL AND NEW.detail IS NOT OLD.detail) "
            "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only: only erasure may blank its "
            "personal parts, and the sealer chain it once'); END"
        )


def _drop_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")


def _create_old_triggers() -> None:
    """The triggers of 20261201's chain, where every event has its place as it is written."""
    old = FIXED + SEALED
    if op.get_bind().dialect.name == "postgresql":
        fixed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in old)
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
            "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
        )
    else:
        fixed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in old)
        op.execute(
            "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
            "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
        )
        op.execute(
            "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
            f"WHEN {fixed} "
            "OR (NEW.client_address IS NOT NULL AND NEW.client_address IS NOT OLD.client_address) "
            "OR (NEW.pseudonymised_at IS NULL AND NEW.detail IS NOT OLD.detail) "
            "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only: only erasure may blank its "
            "personal parts'); END"
        )
