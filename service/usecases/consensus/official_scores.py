"""The official score and goal per factor (trin 2): the caseworker's final say."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from service.auth.actor import Actor
from service.db import insert_rows
from service.errors import Conflict, Unprocessable
from service.models.case import Case
from service.models.municipality import Municipality
from service.models.round import OfficialScore, RoundTransition, ScoringRound
from service.models.staff import StaffRole
from service.schemas.rounds import ConsensusView, OfficialScoresWrite, OfficialScoreWrite
from service.usecases.administration.instruments import FactorInfo
from service.usecases.consensus.meeting import meeting_view
from service.usecases.data_rights import audit
from service.usecases.procedure.round_data import DECIDING_STEPS, RoundData, load_round_data
from service.usecases.procedure.rounds import load_round, require_authority
from service.workflow import consensus as rules
from service.workflow.states import RoundState

#: The history's entry for a decision by the team leader as the caseworker's substitute.
SUBSTITUTE_DECISION = "decided_as_substitute"


def set_official(
    session: Session, actor: Actor, round_id: int, body: OfficialScoresWrite, now: datetime
) -> ConsensusView:
    """The caseworker's final say on score and goal, factor by factor."""
    rnd, case, municipality = load_round(session, actor, round_id, lock=True)
    set_official_scores(session, actor, rnd, case, municipality, body, now)
    session.flush()
    return meeting_view(session, rnd, municipality)


def deciding_as(actor: Actor, case: Case, substitute_reason: str | None) -> str | None:
    """The official score is the case's caseworker's ("det er socialrådgiveren, der foretager
    den endelige afvejning"). The team leader sets it only as the caseworker's substitute, and
    says why; returns that reason (None: the caseworker's own decision)."""
    require_authority(actor, case)
    if actor.id == case.caseworker_id and actor.role is not StaffRole.TEAM_LEADER:
        return None
    reason = (substitute_reason or "").strip()
    if not reason:
        raise Unprocessable(
            "The official score is the caseworker's: a team leader sets it only as the "
            "caseworker's substitute, and says why (substitute_reason).",
            code="substitute_reason_required",
            field="substitute_reason",
        )
    return reason


def record_substitution(
    session: Session,
    actor: Actor,
    rnd: ScoringRound,
    reason: str,
    factors: list[str],
    now: datetime,
) -> None:
    """The round's history shows a decision by the caseworker's substitute, with why."""
    session.add(
        RoundTransition(
            municipality_id=rnd.municipality_id,
            round_id=rnd.id or 0,
            event=SUBSTITUTE_DECISION,
            from_state=rnd.state,
            to_state=rnd.state,
            actor_id=actor.audit_id,
            actor_label=actor.label,
            reason=f"{reason} ({', '.join(factors)})"[:2000],
            occurred_at=now,
        )
    )


def check_entry(
    data: RoundData, factor: FactorInfo, entry: OfficialScoreWrite, threshold: int
) -> rules.OfficialDecision:
    decision = rules.OfficialDecision(
        entry.score, entry.goal, entry.rationale, entry.not_assessed_reason
    )
    try:
        rules.check_decision(
            data.scale, decision, rules.spread(data.scores.get(factor.id or 0, [])), threshold
        )
    except rules.DecisionRefused as exc:
        raise Unprocessable(
            str(exc), code=exc.code, factor_key=factor.key, field=exc.field
        ) from exc
    return decision


def refusals(
    session: Session, actor: Actor, round_id: int, entries: list[OfficialScoreWrite]
) -> dict[str, Unprocessable]:
    """What the decision rules refuse, for every factor at once (the meeting page shows them
    all together, each beside its factor); nothing is written."""
    rnd, case, municipality = load_round(session, actor, round_id)
    require_authority(actor, case)
    if rnd.state is not RoundState.CONSENSUS:
        return {}
    data = load_round_data(session, rnd, DECIDING_STEPS)
    found: dict[str, Unprocessable] = {}
    for entry in entries:
        try:
            check_entry(
                data,
                data.factor_by_key(entry.factor_key),
                entry,
                municipality.divergence_threshold,
            )
        except Unprocessable as refused:
            found[entry.factor_key] = refused
    return found


def set_official_scores(
    session: Session,
    actor: Actor,
    rnd: ScoringRound,
    case: Case,
    municipality: Municipality,
    body: OfficialScoresWrite,
    now: datetime,
) -> None:
    """Record the official score and goal per factor (trin 2); the caller holds the lock."""
    substitute = deciding_as(actor, case, body.substitute_reason)
    if rnd.state is not RoundState.CONSENSUS:
        raise Conflict(
            "Official scores are set in the consensus step"
            + (
                " ; a completed round is changed by an amendment."
                if rnd.state is RoundState.COMPLETED
                else "."
            ),
            code="not_in_consensus",
            state=rnd.state.value,
        )
    data = load_round_data(session, rnd, DECIDING_STEPS)
    new: list[OfficialScore] = []
    for entry in body.scores:
        factor = data.factor_by_key(entry.factor_key)
        decision = check_entry(data, factor, entry, municipality.divergence_threshold)
        official = data.officials.get(factor.id or 0)
        if official is None:
            official = OfficialScore(
                municipality_id=rnd.municipality_id,
                round_id=rnd.id or 0,
                factor_id=factor.id or 0,
                set_by_id=actor.id,
            )
            new.append(official)
        else:
            session.add(official)  # the ORM batches the UPDATEs of changed rows
        official.score, official.goal = decision.score, decision.goal
        official.rationale = decision.rationale
        official.not_assessed_reason = (
            decision.not_assessed_reason if decision.score is None else ""
        )
        official.set_by_id, official.set_at = actor.id, now
        official.substitute_reason = substitute
    insert_rows(session, new)
    if substitute:
        record_substitution(
            session, actor, rnd, substitute, [e.factor_key for e in body.scores], now
        )
    audit.record(
        session,
        actor,
        "round.official_scores",
        "round",
        rnd.id or 0,
        case_id=rnd.case_id,
        detail={"factors": [e.factor_key for e in body.scores], "substitute": substitute},
    )
