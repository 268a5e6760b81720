"""The caseworker sets which measures a round evaluates, until the round is finished."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from service.auth.actor import Actor
from service.errors import Conflict
from service.models.round import ScoringRound
from service.models.round_measure import RoundMeasure, RoundMeasureOrigin
from service.schemas.rounds import RoundMeasuresWrite
from service.usecases.data_rights import audit
from service.usecases.procedure.round_measures import add, case_measures
from service.usecases.procedure.rounds import load_round, require_round_writer
from service.workflow.states import FINAL_STATES


def set_round_measures(
    session: Session, actor: Actor, round_id: int, data: RoundMeasuresWrite, now: datetime
) -> ScoringRound:
    """Replace the recorded measures; those kept keep their origin and provider."""
    rnd, case, _ = load_round(session, actor, round_id, lock=True)
    require_round_writer(actor, case)
    if rnd.state in FINAL_STATES:
        raise Conflict(
            "A finished round keeps the measures it evaluated.",
            code="round_finished",
            state=rnd.state.value,
        )
    wanted = {m.id or 0: m for m in case_measures(session, rnd.case_id, data.measure_ids)}
    recorded = {
        r.measure_id: r
        for r in session.exec(select(RoundMeasure).where(RoundMeasure.round_id == rnd.id)).all()
    }
    removed = sorted(set(recorded) - set(wanted))
    added = sorted(set(wanted) - set(recorded))
    for measure_id in removed:
        session.delete(recorded[measure_id])
    session.flush()
    add(session, rnd, [wanted[i] for i in added], RoundMeasureOrigin.EDITED, now)
    rnd.updated_at = now
    session.add(rnd)
    audit.record(
        session,
        actor,
        "round.measures.update",
        "round",
        round_id,
        case_id=case.id,
        detail={"added": added, "removed": removed},
    )
    return rnd
