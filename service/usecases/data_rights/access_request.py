"""An access request (indsigt, GDPR art. 15): everything held about one child, or about
one informant, in one document.

For a child: the case, its measures, every round with its history, every informant's
scores, goals and comments, the official scores and their amendments, the disagreement
notes, the outcomes, and who read or changed the case and when. Informants appear by role
and name; their contact details are theirs, not the child's, and stay out.

For an informant (by email address or phone number): each round they were asked in, the
contact details held, what they submitted, and the messages sent to them.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, or_, select

from service.auth.actor import Actor
from service.models.audit import ActorKind, AuditEvent
from service.models.case import Case, Measure, Provider
from service.models.instrument import Instrument, InstrumentFactor
from service.models.municipality import Municipality
from service.models.outbox import OutboxMessage
from service.models.round import (
    DisagreementNote,
    FactorOutcome,
    Informant,
    OfficialScore,
    OfficialScoreAmendment,
    RoundTransition,
    ScoringRound,
    Submission,
    SubmissionScore,
)
from service.models.staff import IntegratorClient, StaffRole, StaffUser
from service.usecases.child.cases import load_case
from service.usecases.data_rights import audit
from service.workflow.states import RoundState

#: Who answers access requests: the municipality's administrators (its data-protection role).
ANSWERERS = (StaffRole.ADMINISTRATOR,)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


class _Names:
    """Staff, clients and factors by id, each looked up once."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._staff: dict[int, str] = {}
        self._factors: dict[int, tuple[str, str]] = {}

    def staff(self, staff_id: int | None) -> str | None:
        if staff_id is None:
            return None
        if staff_id not in self._staff:
            user = self.session.get(StaffUser, staff_id)
            self._staff[staff_id] = f"{user.full_name} ({user.role.value})" if user else "?"
        return self._staff[staff_id]

    def factor(self, factor_id: int) -> dict[str, str]:
        if factor_id not in self._factors:
            factor = self.session.get(InstrumentFactor, factor_id)
            self._factors[factor_id] = (factor.key, factor.name_da) if factor else ("?", "?")
        key, name = self._factors[factor_id]
        return {"factor": key, "factor_name": name}

    def actor(self, kind: str, actor_id: str) -> str:
        """Who an audit event names, in words."""
        _, _, number = actor_id.partition(":")
        if not number.isdigit():
            return actor_id
        if kind == ActorKind.STAFF.value:
            return self.staff(int(number)) or actor_id
        if kind == ActorKind.CLIENT.value:
            client = self.session.get(IntegratorClient, int(number))
            return f"{client.name} (case system)" if client else actor_id
        if kind == ActorKind.INFORMANT.value:
            informant = self.session.get(Informant, int(number))
            return f"{informant.name} ({informant.role.value})" if informant else "informant"
        return actor_id


#: While informants score independently, nobody sees their scores, the administrator
#: answering an access request included: they are withheld until the step closes.
WITHHELD = "withheld while the informants score independently; ask again after the step closes"


def _scores_open(rnd: ScoringRound) -> bool:
    return rnd.state not in (RoundState.DRAFT, RoundState.COLLECTING)


def _round(session: Session, rnd: ScoringRound, names: _Names) -> dict[str, Any]:
    rid = rnd.id
    instrument = session.get(Instrument, rnd.instrument_id)
    informants = session.exec(
        select(Informant).where(Informant.round_id == rid).order_by(col(Informant.id))
    ).all()
    submissions = {
        s.informant_id: s
        for s in session.exec(select(Submission).where(Submission.round_id == rid)).all()
    }
    scores: dict[int, list[SubmissionScore]] = defaultdict(list)
    for score in session.exec(
        select(SubmissionScore)
        .join(Submission, col(Submission.id) == col(SubmissionScore.submission_id))
        .where(Submission.round_id == rid)
        .order_by(col(SubmissionScore.id))
    ).all():
        scores[score.submission_id].append(score)

    def informant_entry(informant: Informant) -> dict[str, Any]:
        submission = submissions.get(informant.id or 0)
        return {
            "role": informant.role.value,
            "name": informant.name,
            "step": informant.step.value,
            "submission": None
            if submission is None
            else {
                "status": submission.status.value,
                "submitted_at": _iso(submission.submitted_at),
                "entered_on_behalf_by": names.staff(submission.entered_by_id),
                "scores": [
                    {
                        **names.factor(s.factor_id),
                        "score": s.score,
                        "cannot_assess": s.cannot_assess,
                        "goal": s.goal,
                        "comment": s.comment,
                    }
                    for s in scores.get(submission.id or 0, [])
                ]
                if _scores_open(rnd)
                else [],
                **({} if _scores_open(rnd) else {"withheld": WITHHELD}),
            },
        }

    def rows(model: Any, order: Any) -> list[Any]:
        return list(session.exec(select(model).where(model.round_id == rid).order_by(order)).all())

    return {
        "round_id": rid,
        "instrument": {
            "key": instrument.key if instrument else None,
            "version": instrument.version if instrument else None,
            "name": instrument.name_da if instrument else None,
        },
        "procedure": rnd.procedure.value,
        "variant": rnd.variant.value,
        "state": rnd.state.value,
        "due_at": _iso(rnd.due_at),
        "meeting_at": _iso(rnd.meeting_at),
        "opened_by": names.staff(rnd.opened_by_id),
        "created_at": _iso(rnd.created_at),
        "collection_closed_at": _iso(rnd.collection_closed_at),
        "completed_at": _iso(rnd.completed_at),
        "cancelled_at": _iso(rnd.cancelled_at),
        "cancel_reason": rnd.cancel_reason,
        "family_note": rnd.family_note,
        "next_due_on": rnd.next_due_on.isoformat() if rnd.next_due_on else None,
        "history": [
            {
                "event": t.event,
                "from": t.from_state.value,
                "to": t.to_state.value,
                "by": t.actor_label,
                "at": _iso(t.occurred_at),
                "reason": t.reason,
            }
            for t in rows(RoundTransition, col(RoundTransition.occurred_at))
        ],
        "informants": [informant_entry(i) for i in informants],
        "official_scores": [
            {
                **names.factor(o.factor_id),
                "score": o.score,
                "goal": o.goal,
                "rationale": o.rationale,
                "not_assessed_reason": o.not_assessed_reason,
                "set_by": names.staff(o.set_by_id),
                "set_at": _iso(o.set_at),
            }
            for o in rows(OfficialScore, col(OfficialScore.id))
        ],
        "amendments": [
            {
                **names.factor(a.factor_id),
                "previous_score": a.previous_score,
                "previous_goal": a.previous_goal,
                "score": a.score,
                "goal": a.goal,
                "reason": a.reason,
                "by": names.staff(a.amended_by_id),
                "at": _iso(a.amended_at),
            }
            for a in rows(OfficialScoreAmendment, col(OfficialScoreAmendment.id))
        ],
        "disagreement_notes": [
            {
                **names.factor(n.factor_id),
                "informant_role": n.informant_role.value,
                "informant_name": n.informant_name,
                "informant_score": n.informant_score,
                "informant_goal": n.informant_goal,
                "informant_comment": n.informant_comment,
                "official_score": n.official_score,
                "official_goal": n.official_goal,
                "note": n.note,
                "superseded_at": _iso(n.superseded_at),
            }
            for n in rows(DisagreementNote, col(DisagreementNote.id))
        ],
        "outcomes": [
            {
                **names.factor(o.factor_id),
                "previous_score": o.previous_score,
                "previous_goal": o.previous_goal,
                "score": o.score,
                "outcome": o.outcome.value if o.outcome else None,
                "no_outcome": o.no_outcome.value if o.no_outcome else None,
            }
            for o in rows(FactorOutcome, col(FactorOutcome.id))
        ],
    }


def child_record(session: Session, case: Case) -> dict[str, Any]:
    """Everything held about the child of `case` (no access check: the caller's)."""
    names = _Names(session)
    municipality = session.get(Municipality, case.municipality_id)
    measures = session.exec(
        select(Measure, Provider)
        .join(Provider, col(Provider.id) == col(Measure.provider_id), isouter=True)
        .where(Measure.case_id == case.id)
        .order_by(col(Measure.start_date))
    ).all()
    rounds = session.exec(
        select(ScoringRound)
        .where(ScoringRound.case_id == case.id)
        .order_by(col(ScoringRound.created_at), col(ScoringRound.id))
    ).all()
    audit.include_buffered_reads(session)
    events = session.exec(
        select(AuditEvent)
        .where(AuditEvent.case_id == case.id)
        .order_by(col(AuditEvent.occurred_at), col(AuditEvent.id))
    ).all()
    return {
        "kind": "child",
        "controller": municipality.name if municipality else None,
        "case": {
            "case_id": case.id,
            "external_ref": case.external_ref,
            "display_name": case.display_name,
            "birth_date": case.birth_date.isoformat() if case.birth_date else None,
            "birth_year": case.birth_year,
            "status": case.status.value,
            "caseworker": names.staff(case.caseworker_id),
            "created_at": _iso(case.created_at),
            "closed_at": _iso(case.closed_at),
            "legal_hold": case.legal_hold,
        },
        "measures": [
            {
                "type": m.type.value,
                "description": m.description,
                "provider": p.name if p else None,
                "start_date": m.start_date.isoformat(),
                "end_date": m.end_date.isoformat() if m.end_date else None,
            }
            for m, p in measures
        ],
        "rounds": [_round(session, r, names) for r in rounds],
        "access_log": [
            {
                "at": _iso(e.occurred_at),
                "who": names.actor(e.actor_kind.value, e.actor_id),
                "action": e.action,
                "object": f"{e.object_type} {e.object_id}",
            }
            for e in events
        ],
        "retention": {
            "kept_after_closing_years": municipality.retention_years if municipality else None,
        },
    }


def informant_record(session: Session, *, email: str | None, phone: str | None) -> dict[str, Any]:
    """Everything held about an informant found by email address or phone number."""
    conditions = []
    if email:
        conditions.append(func.lower(col(Informant.email)) == email.strip().lower())
    if phone:
        conditions.append(col(Informant.phone) == phone.strip())
    found = session.exec(
        select(Informant, ScoringRound, Case)
        .join(ScoringRound, col(ScoringRound.id) == col(Informant.round_id))
        .join(Case, col(Case.id) == col(ScoringRound.case_id))
        .where(or_(*conditions))
        .order_by(col(Informant.id))
    ).all()
    names = _Names(session)
    entries = []
    for informant, rnd, case in found:
        submission = session.exec(
            select(Submission).where(Submission.informant_id == informant.id)
        ).first()
        scores = (
            session.exec(
                select(SubmissionScore)
                .where(SubmissionScore.submission_id == submission.id)
                .order_by(col(SubmissionScore.id))
            ).all()
            if submission and _scores_open(rnd)
            else []
        )
        messages = session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.informant_id == informant.id)
            .order_by(col(OutboxMessage.created_at))
        ).all()
        entries.append(
            {
                "round_id": rnd.id,
                "child": case.display_name,
                "role": informant.role.value,
                "name": informant.name,
                "contact_details": {
                    "email": informant.email,
                    "phone": informant.phone,
                    "language": informant.language.value,
                },
                "link_issued_at": _iso(informant.token_issued_at),
                "link_expires_at": _iso(informant.token_expires_at),
                "first_opened_at": _iso(informant.first_opened_at),
                "submission": None
                if submission is None
                else {
                    "status": submission.status.value,
                    "submitted_at": _iso(submission.submitted_at),
                    **({} if _scores_open(rnd) else {"withheld": WITHHELD}),
                    "scores": [
                        {
                            **names.factor(s.factor_id),
                            "score": s.score,
                            "cannot_assess": s.cannot_assess,
                            "goal": s.goal,
                            "comment": s.comment,
                        }
                        for s in scores
                    ],
                },
                "messages": [
                    {
                        "kind": m.kind.value,
                        "channel": m.channel.value,
                        "to": m.recipient,
                        "status": m.status.value,
                        "sent_at": _iso(m.sent_at),
                    }
                    for m in messages
                ],
            }
        )
    return {"kind": "informant", "email": email, "phone": phone, "rounds": entries}


def export_child(session: Session, actor: Actor, case_id: int) -> dict[str, Any]:
    actor.require_role(*ANSWERERS)
    case = load_case(session, actor, case_id)
    record = child_record(session, case)
    audit.record(session, actor, "case.access_request", "case", case_id, case_id=case_id)
    return record


def export_informant(
    session: Session, actor: Actor, *, email: str | None, phone: str | None
) -> dict[str, Any]:
    actor.require_role(*ANSWERERS)
    record = informant_record(session, email=email, phone=phone)
    audit.record(
        session,
        actor,
        "informant.access_request",
        "informant",
        ",".join(str(r["round_id"]) for r in record["rounds"])[:64] or "-",
    )
    return record
