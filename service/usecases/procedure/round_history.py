"""A round's history (forløb): every transition of its procedure with who, when and why, every
personal link issued in it, with who issued it and how it ended, the advisory flags it raised
with their sign-off, and every version of the decision it led to."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from service.auth.actor import Actor
from service.models.link import InformantLink
from service.models.round import Informant, RoundTransition
from service.models.round_decision import RoundDecision
from service.schemas.decisions import DecisionPublic
from service.schemas.flags import FlagPublic
from service.schemas.rounds import LinkHistoryPublic, RoundHistoryPublic, TransitionPublic
from service.usecases.child import flags
from service.usecases.procedure import decisions
from service.usecases.procedure.rounds import load_round


def round_history(session: Session, actor: Actor, round_id: int) -> RoundHistoryPublic:
    rnd, _, _ = load_round(session, actor, round_id)
    transitions = session.exec(
        select(RoundTransition)
        .where(RoundTransition.round_id == rnd.id)
        .order_by(col(RoundTransition.occurred_at), col(RoundTransition.id))
    ).all()
    issued = session.exec(
        select(InformantLink, Informant)
        .join(Informant, col(Informant.id) == col(InformantLink.informant_id))
        .where(InformantLink.round_id == rnd.id)
        .order_by(col(InformantLink.issued_at), col(InformantLink.id))
    ).all()
    seen: set[int] = set()
    links = []
    for link, informant in issued:
        links.append(
            LinkHistoryPublic(
                informant_id=link.informant_id,
                informant_name=informant.name,
                informant_role=informant.role,
                # A second link to the same informant replaces the first.
                event="reissued" if link.informant_id in seen else "issued",
                issued_by=link.issued_by,
                issued_by_label=link.issued_by_label,
                issued_at=link.issued_at,
                expires_at=link.expires_at,
                ended=link.end.value if link.end else None,
                ended_by=link.ended_by,
                ended_by_label=link.ended_by_label,
                ended_at=link.ended_at,
            )
        )
        seen.add(link.informant_id)
    current, amended = decisions.of_round(session, rnd)
    return RoundHistoryPublic(
        items=[TransitionPublic.model_validate(t, from_attributes=True) for t in transitions],
        links=links,
        flags=[
            FlagPublic.model_validate(f, from_attributes=True)
            for f in flags.raised_by(session, rnd)
        ],
        decisions=[
            DecisionPublic.model_validate(d, from_attributes=True)
            for d in sorted([*amended, *([current] if current else [])], key=_recorded)
        ],
    )


def _recorded(decision: RoundDecision) -> tuple[datetime, int]:
    return decision.recorded_at, decision.id or 0
