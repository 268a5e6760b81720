"""Advisory flags on a case: raised when a round completes (`service.workflow.flags` holds
the rules), listed with the case and in the work lists, and signed off by the case's
caseworker with a note. A flag changes nothing by itself."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from service.auth.actor import Actor
from service.errors import Conflict, Forbidden, NotFound
from service.models.case import Case
from service.models.case_flag import CaseFlag
from service.models.instrument import InstrumentFactor
from service.models.municipality import Municipality
from service.models.round import (
    FactorOutcome,
    Informant,
    OfficialScore,
    ScoringRound,
    Submission,
    SubmissionScore,
    SubmissionStatus,
)
from service.models.webhook import EventType
from service.notifications import webhooks
from service.usecases.administration.instruments import FactorInfo, published_form
from service.usecases.child.cases import load_case, visible_cases
from service.usecases.data_rights import audit
from service.workflow.flags import FactorFacts, FlagPolicy, raised_flags
from service.workflow.outcomes import Outcome
from service.workflow.procedures import InformantStep
from service.workflow.roles import InformantRole


def policy_of(municipality: Municipality) -> FlagPolicy:
    return FlagPolicy(
        stalled_rounds=municipality.flag_stalled_rounds,
        deterioration_points=municipality.flag_deterioration_points,
        divergence_points=municipality.flag_divergence_points,
        child_gap_points=municipality.flag_child_gap_points,
    )


def _earlier_outcomes(
    session: Session, rnd: ScoringRound, rounds: int
) -> list[dict[str, Outcome | None]]:
    """The outcomes by factor key of the `rounds` rounds each measured against the one
    before, this round first; the chain stops at a round measured against none."""
    found: list[dict[str, Outcome | None]] = []
    round_id: int | None = rnd.id
    while round_id is not None and len(found) < rounds:
        rows = session.exec(
            select(InstrumentFactor.key, FactorOutcome.outcome, FactorOutcome.previous_round_id)
            .join(InstrumentFactor, col(InstrumentFactor.id) == col(FactorOutcome.factor_id))
            .where(FactorOutcome.round_id == round_id)
        ).all()
        if not rows:
            break
        found.append({key: Outcome(outcome) if outcome else None for key, outcome, _ in rows})
        round_id = rows[0][2]
    return found


def _facts(session: Session, rnd: ScoringRound, stalled_rounds: int) -> list[FactorFacts]:
    form = published_form(session, rnd.instrument_id)
    officials = {
        o.factor_id: o.score
        for o in session.exec(select(OfficialScore).where(OfficialScore.round_id == rnd.id))
    }
    previous = {
        o.factor_id: o.previous_score
        for o in session.exec(select(FactorOutcome).where(FactorOutcome.round_id == rnd.id))
    }
    outcomes = _earlier_outcomes(session, rnd, stalled_rounds)
    independent: dict[int, list[int]] = {}
    child: dict[int, int] = {}
    for factor_id, score, role in session.exec(
        select(SubmissionScore.factor_id, SubmissionScore.score, Informant.role)
        .join(Submission, col(Submission.id) == col(SubmissionScore.submission_id))
        .join(Informant, col(Informant.id) == col(Submission.informant_id))
        .where(
            Submission.round_id == rnd.id,
            Submission.status == SubmissionStatus.SUBMITTED,
            Informant.step == InformantStep.INDEPENDENT,
            col(SubmissionScore.score).is_not(None),
        )
    ).all():
        assert score is not None
        independent.setdefault(factor_id, []).append(score)
        if role is InformantRole.CHILD:
            child[factor_id] = score
    return [
        FactorFacts(
            factor_key=f.key,
            official=officials.get(f.id),
            previous=previous.get(f.id),
            outcomes=[by_key.get(f.key) for by_key in outcomes],
            independent=independent.get(f.id, []),
            child=child.get(f.id),
        )
        for f in form.factors
    ]


def raise_flags(session: Session, rnd: ScoringRound, now: datetime) -> list[CaseFlag]:
    """The round has completed (after its outcomes are stored): raise what its figures call
    for, and tell the case system through the outbox."""
    municipality = session.get(Municipality, rnd.municipality_id)
    assert municipality is not None
    policy = policy_of(municipality)
    scale = published_form(session, rnd.instrument_id).scale
    flags = [
        CaseFlag(
            municipality_id=rnd.municipality_id,
            case_id=rnd.case_id,
            round_id=rnd.id or 0,
            kind=raised.kind,
            why=raised.why(),
            raised_at=now,
        )
        for raised in raised_flags(scale, _facts(session, rnd, policy.stalled_rounds), policy)
    ]
    if not flags:
        return flags
    session.add_all(flags)
    session.flush()
    for flag in flags:
        webhooks.emit(
            session,
            rnd.municipality_id,
            EventType.CASE_FLAG_RAISED,
            {
                "case_id": rnd.case_id,
                "round_id": rnd.id,
                "flag_id": flag.id,
                "kind": flag.kind.value,
            },
            now,
        )
    return flags


def raised_by(session: Session, rnd: ScoringRound) -> list[CaseFlag]:
    """The flags a round raised, with their sign-off (for the round's report; the caller has
    checked access and records the read)."""
    return list(
        session.exec(
            select(CaseFlag)
            .where(CaseFlag.round_id == rnd.id)
            .order_by(col(CaseFlag.kind), col(CaseFlag.id))
        )
    )


def list_flags(
    session: Session, actor: Actor, case_id: int, *, open_only: bool = False
) -> list[CaseFlag]:
    """A case's flags, newest first; the read is recorded."""
    load_case(session, actor, case_id)
    query = select(CaseFlag).where(CaseFlag.case_id == case_id)
    if open_only:
        query = query.where(col(CaseFlag.signed_off_at).is_(None))
    flags = list(session.exec(query.order_by(col(CaseFlag.raised_at).desc(), col(CaseFlag.id))))
    audit.record(session, actor, "flags.read", "case", case_id, case_id=case_id)
    return flags


def sign_off(
    session: Session, actor: Actor, case_id: int, flag_id: int, note: str, now: datetime
) -> CaseFlag:
    """The case's caseworker has looked at the flag and says what they made of it."""
    case = load_case(session, actor, case_id)
    flag = session.exec(
        select(CaseFlag)
        .where(CaseFlag.id == flag_id, CaseFlag.case_id == case_id)
        .with_for_update()
    ).first()
    if flag is None:
        raise NotFound(f"Flag {flag_id} not found.", code="flag_not_found")
    if not actor.is_staff or actor.id != case.caseworker_id:
        raise Forbidden("Only the case's caseworker signs off its flags.")
    if flag.signed_off_at is not None:
        raise Conflict(f"Flag {flag_id} was signed off already.", code="flag_signed_off")
    flag.signed_off_at, flag.signed_off_by_id, flag.sign_off_note = now, actor.id, note
    session.add(flag)
    audit.record(
        session,
        actor,
        "flag.sign_off",
        "case_flag",
        flag_id,
        case_id=case_id,
        detail={"kind": flag.kind.value},
    )
    return flag


def open_counts(session: Session, actor: Actor, case_ids: Sequence[int]) -> dict[int, int]:
    """How many open flags each of these cases has (a work list's column)."""
    if not case_ids:
        return {}
    rows = session.exec(
        select(CaseFlag.case_id, func.count())
        .join(Case, col(Case.id) == col(CaseFlag.case_id))
        .where(
            col(CaseFlag.case_id).in_(case_ids),
            col(CaseFlag.signed_off_at).is_(None),
            visible_cases(actor),
        )
        .group_by(col(CaseFlag.case_id))
    ).all()
    return {case_id: count for case_id, count in rows}


def factor_names(session: Session, flags: Sequence[CaseFlag]) -> dict[int, dict[str, FactorInfo]]:
    """Per flag, its round's factors by key: what a page names the factors behind it with."""
    round_ids = {f.round_id for f in flags}
    if not round_ids:
        return {}
    instruments = dict(
        session.exec(
            select(ScoringRound.id, ScoringRound.instrument_id).where(
                col(ScoringRound.id).in_(round_ids)
            )
        ).all()
    )
    forms = {i: published_form(session, i) for i in set(instruments.values())}
    return {f.id or 0: {x.key: x for x in forms[instruments[f.round_id]].factors} for f in flags}
