"""Recording and reading the audit trail (append-only)."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from service.auth.actor import Actor
from service.models import audit_chain
from service.models.audit import ActorKind, AuditEvent
from service.models.base import utcnow
from service.models.staff import StaffRole
from service.schemas.common import PageParams

#: The ending of the actions that record a read rather than a change.
READ_SUFFIX = ".read"
#: Who may read a case's audit trail.
AUDIT_READERS = (StaffRole.TEAM_LEADER, StaffRole.ADMINISTRATOR)


def record(
    session: Session,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: int | str,
    *,
    case_id: int | None = None,
    detail: dict[str, object] | None = None,
) -> None:
    """Add one event to the request's transaction: it is kept exactly when the change is,
    and chained into the municipality's hash chain by the sealer shortly after.

    An action ending in `.read` records that something was seen: it is written after the
    request's transaction commits, in a batch, off the request's path (`audit_chain`)."""
    queue = audit_chain.add_read if action.endswith(READ_SUFFIX) else audit_chain.add
    queue(
        session,
        {
            "municipality_id": actor.municipality_id,
            "occurred_at": utcnow(),
            "actor_kind": actor.kind,
            "actor_id": actor.audit_id,
            "action": action,
            "object_type": object_type,
            "object_id": str(object_id),
            "case_id": case_id,
            "client_address": actor.client_address,
            "detail": detail or {},
        },
    )


def record_system(
    session: Session,
    municipality_id: int,
    action: str,
    object_type: str,
    object_id: int | str,
    *,
    case_id: int | None = None,
) -> None:
    audit_chain.add(
        session,
        {
            "municipality_id": municipality_id,
            "occurred_at": utcnow(),
            "actor_kind": ActorKind.SYSTEM,
            "actor_id": "system",
            "action": action,
            "object_type": object_type,
            "object_id": str(object_id),
            "case_id": case_id,
            "client_address": None,
            "detail": {},
        },
    )


def include_buffered_reads(session: Session) -> None:
    """Before the trail is read: the reads this process has seen but not yet written (they
    are written in batches off the requests' path) are written in this transaction, so that
    the trail shows them."""
    audit_chain.read_buffer(audit_chain.engine_of(session)).flush_into(session)


def list_for_case(
    session: Session, actor: Actor, case_id: int, page: PageParams
) -> tuple[list[AuditEvent], int]:
    actor.require_role(*AUDIT_READERS)
    include_buffered_reads(session)
    where = col(AuditEvent.case_id) == case_id
    total = session.exec(select(func.count()).select_from(AuditEvent).where(where)).one()
    events = session.exec(
        select(AuditEvent)
        .where(where)
        .order_by(col(AuditEvent.occurred_at).desc(), col(AuditEvent.id).desc())
        .offset(page.offset)
        .limit(page.limit)
    ).all()
    return list(events), total
