"""Retention: what is kept, and for how long (GDPR art. 5(1)(e), art. 17), run by the tick.

Per municipality: a closed case's data is kept `retention_years` after it was closed, then
erased (the case, its measures, rounds, informants, submissions, official scores, notes and
outcomes, and the messages about it), with an erasure record of what went and when; its
audit events stay in the chain, pseudonymised. A case under a legal hold is skipped.
Informants' contact details are erased `contact_retention_days` after their round was
completed or cancelled.

Across the service: the bodies of delivered (or given-up) messages, delivery attempts,
idempotency records and callers' addresses in the audit trail have short periods of their
own (`Settings.retention_*`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import delete, func, or_, update
from sqlmodel import Session, col, select

from service.config import Settings
from service.models import audit_chain
from service.models.case import Case, CaseStatus
from service.models.idempotency import IdempotencyRecord
from service.models.municipality import Municipality
from service.models.outbox import DeliveryAttempt, DeliveryStatus, OutboxMessage
from service.models.retention import ErasureRecord
from service.models.round import Informant, ScoringRound, Submission
from service.workflow.states import RoundState

#: Cases erased per tick: a backlog is worked off over several ticks, each transaction short.
BATCH = 50


@dataclass(frozen=True, slots=True)
class Periods:
    """The service-wide retention periods, from the settings."""

    outbox_body_days: int
    delivery_attempt_days: int
    idempotency_hours: int
    address_days: int

    @classmethod
    def of(cls, settings: Settings) -> Periods:
        return cls(
            settings.retention_outbox_body_days,
            settings.retention_delivery_attempt_days,
            settings.retention_idempotency_hours,
            settings.retention_address_days,
        )


@dataclass(frozen=True, slots=True)
class RetentionResult:
    cases_erased: int = 0
    contacts_erased: int = 0
    bodies_erased: int = 0
    attempts_deleted: int = 0
    idempotency_deleted: int = 0
    addresses_erased: int = 0


def _count(session: Session, model: type, *where: object) -> int:
    return int(session.exec(select(func.count()).select_from(model).where(*where)).one())  # type: ignore[arg-type]


def erase_case(session: Session, case: Case, now: datetime, reason: str) -> ErasureRecord:
    """Erase a case and everything under it; keep a record of what was erased."""
    round_ids = list(session.exec(select(ScoringRound.id).where(ScoringRound.case_id == case.id)))
    record = ErasureRecord(
        municipality_id=case.municipality_id,
        case_id=case.id or 0,
        external_ref=case.external_ref,
        closed_at=case.closed_at,
        erased_at=now,
        reason=reason,
        rounds=len(round_ids),
        informants=_count(session, Informant, col(Informant.round_id).in_(round_ids)),
        submissions=_count(session, Submission, col(Submission.round_id).in_(round_ids)),
        audit_events_pseudonymised=audit_chain.pseudonymise_case(
            session, case.municipality_id, case.id or 0, now
        ),
    )
    if round_ids:
        # Messages are not owned by the round (they outlive it for the delivery record).
        session.execute(delete(OutboxMessage).where(col(OutboxMessage.round_id).in_(round_ids)))
    session.execute(delete(Case).where(col(Case.id) == case.id))  # the rest goes by cascade
    session.add(record)
    return record


def erase_expired_cases(session: Session, now: datetime) -> int:
    erased = 0
    for municipality in session.exec(select(Municipality)).all():
        cutoff = now - relativedelta(years=municipality.retention_years)
        cases = session.exec(
            select(Case)
            .where(
                Case.municipality_id == municipality.id,
                Case.status == CaseStatus.CLOSED,
                col(Case.closed_at) <= cutoff,
                col(Case.legal_hold).is_(False),
            )
            .order_by(col(Case.closed_at))
            .limit(BATCH - erased)
            .with_for_update()
        ).all()
        for case in cases:
            erase_case(
                session, case, now, f"retention: {municipality.retention_years} years after closing"
            )
            erased += 1
        if erased >= BATCH:
            break
    return erased


def erase_contact_details(session: Session, now: datetime) -> int:
    """Informants' email addresses and phone numbers, once their round is over plus the
    municipality's grace period; the messages' recipients with them."""
    erased = 0
    for municipality in session.exec(select(Municipality)).all():
        cutoff = now - timedelta(days=municipality.contact_retention_days)
        finished = (
            select(ScoringRound.id)
            .where(
                ScoringRound.municipality_id == municipality.id,
                or_(
                    (col(ScoringRound.state) == RoundState.COMPLETED)
                    & (col(ScoringRound.completed_at) <= cutoff),
                    (col(ScoringRound.state) == RoundState.CANCELLED)
                    & (col(ScoringRound.cancelled_at) <= cutoff),
                ),
            )
            .scalar_subquery()
        )
        informants = list(
            session.exec(
                select(Informant.id).where(
                    col(Informant.round_id).in_(finished),
                    or_(col(Informant.email).is_not(None), col(Informant.phone).is_not(None)),
                )
            )
        )
        if not informants:
            continue
        session.execute(
            update(Informant)
            .where(col(Informant.id).in_(informants))
            .values(email=None, phone=None)
        )
        session.execute(
            update(OutboxMessage)
            .where(
                col(OutboxMessage.informant_id).in_(informants),
                col(OutboxMessage.status) != DeliveryStatus.PENDING,
            )
            .values(recipient="", subject="", body_text="", body_html="", payload={})
        )
        session.add(
            ErasureRecord(
                municipality_id=municipality.id or 0,
                erased_at=now,
                reason=f"contact details: {municipality.contact_retention_days} days after round",
                informants=len(informants),
            )
        )
        erased += len(informants)
    return erased


def erase_operational_records(session: Session, now: datetime, periods: Periods) -> RetentionResult:
    done = col(OutboxMessage.status) != DeliveryStatus.PENDING
    bodies = session.execute(
        update(OutboxMessage)
        .where(
            done,
            col(OutboxMessage.created_at) < now - timedelta(days=periods.outbox_body_days),
            or_(col(OutboxMessage.body_text) != "", col(OutboxMessage.body_html) != ""),
        )
        .values(subject="", body_text="", body_html="", payload={}, recipient="")
    )
    attempts = session.execute(
        delete(DeliveryAttempt).where(
            col(DeliveryAttempt.attempted_at) < now - timedelta(days=periods.delivery_attempt_days)
        )
    )
    keys = session.execute(
        delete(IdempotencyRecord).where(
            col(IdempotencyRecord.created_at) < now - timedelta(hours=periods.idempotency_hours)
        )
    )
    addresses = audit_chain.forget_addresses(session, now - timedelta(days=periods.address_days))
    return RetentionResult(
        bodies_erased=int(getattr(bodies, "rowcount", 0) or 0),
        attempts_deleted=int(getattr(attempts, "rowcount", 0) or 0),
        idempotency_deleted=int(getattr(keys, "rowcount", 0) or 0),
        addresses_erased=addresses,
    )


def apply_retention(session: Session, now: datetime, periods: Periods) -> RetentionResult:
    """Everything retention asks for now, in the caller's transaction (unscoped)."""
    operational = erase_operational_records(session, now, periods)
    return RetentionResult(
        cases_erased=erase_expired_cases(session, now),
        contacts_erased=erase_contact_details(session, now),
        bodies_erased=operational.bodies_erased,
        attempts_deleted=operational.attempts_deleted,
        idempotency_deleted=operational.idempotency_deleted,
        addresses_erased=operational.addresses_erased,
    )
