"""A completed round's report for the case file: who took part, the official scores, goals and
outcomes, the disagreement notes, the measures, the child's series up to the round, the
advisory flags it raised and what it led to (the decision)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from service.auth.actor import Actor
from service.errors import Conflict
from service.models.instrument import Instrument
from service.models.round import ScoringRound
from service.models.staff import StaffUser
from service.schemas.decisions import DecisionPublic, DecisionsPublic
from service.schemas.flags import FlagPublic
from service.schemas.progress import ProgressScale
from service.schemas.report import ReportInstrument, ReportParticipant, ReportPeriod, RoundReport
from service.usecases.child import compasses, flags, progress
from service.usecases.child.results import result
from service.usecases.collection import informants
from service.usecases.consensus import meeting_kind
from service.usecases.data_rights import audit
from service.usecases.procedure import decisions, round_measures
from service.usecases.procedure.rounds import load_round
from service.workflow.procedures import InformantStep
from service.workflow.states import RoundState


def round_report(session: Session, actor: Actor, round_id: int, now: datetime) -> RoundReport:
    rnd, case, municipality = load_round(session, actor, round_id)
    if rnd.state is not RoundState.COMPLETED or rnd.completed_at is None:
        raise Conflict(
            "A report is made of a completed round.",
            code="round_not_completed",
            state=rnd.state.value,
        )
    audit.record(session, actor, "round.report.read", "round", round_id, case_id=case.id)
    instrument = session.get(Instrument, rnd.instrument_id)
    caseworker = session.get(StaffUser, case.caseworker_id)
    assert instrument is not None and caseworker is not None
    span = round_measures.period(session, rnd)
    people = informants.list_informants(session, actor, round_id, now)
    decided = result(session, rnd)
    took_part = {p.informant_id: p for p in decided.participants}
    series = progress.progress(session, case, until=rnd)
    return RoundReport(
        round_id=round_id,
        case_id=case.id or 0,
        municipality=municipality.name,
        child=case.display_name,
        case_ref=case.external_ref,
        caseworker=caseworker.full_name,
        instrument=ReportInstrument(
            id=instrument.id or 0,
            key=instrument.key,
            version=instrument.version,
            name_da=instrument.name_da,
            name_en=instrument.name_en,
            scale=ProgressScale(
                min=instrument.scale_min, max=instrument.scale_max, best_end=instrument.best_end
            ),
        ),
        procedure=rnd.procedure,
        variant=rnd.variant,
        period=ReportPeriod(
            opened_at=rnd.created_at,
            due_at=rnd.due_at,
            meeting_at=rnd.meeting_at,
            completed_at=rnd.completed_at,
            measures_from=span.start,
            measures_to=span.end,
        ),
        participants=[
            ReportParticipant(
                role=p.role,
                name=p.name,
                step=p.step,
                part=p.step.value
                if p.step in (InformantStep.MEETING_ONLY, InformantStep.INFORMED)
                else ("submitted" if p.submission == "submitted" else "not_submitted"),
                entered_on_behalf=p.entered_on_behalf,
                meeting=took_part[p.id].meeting if p.id in took_part else None,
                family_dialogue=took_part[p.id].family_dialogue if p.id in took_part else None,
                not_scored_reason=took_part[p.id].not_scored_reason if p.id in took_part else None,
                not_heard=took_part[p.id].not_heard if p.id in took_part else None,
            )
            for p in people
        ],
        family_note=rnd.family_note,
        measures=round_measures.measures_of(session, [round_id]).get(round_id, []),
        result=decided,
        progress=series,
        meeting_kind=held.kind if (held := meeting_kind.kind_of(session, rnd)) else None,
        compasses=compasses.compasses(series, municipality.divergence_threshold),
        flags=[
            FlagPublic.model_validate(f, from_attributes=True)
            for f in flags.raised_by(session, rnd)
        ],
        decisions=_decisions(session, rnd),
        generated_at=now,
    )


def _decisions(session: Session, rnd: ScoringRound) -> DecisionsPublic | None:
    current, history = decisions.of_round(session, rnd)
    if current is None and not history:
        return None
    return DecisionsPublic(
        current=DecisionPublic.model_validate(current, from_attributes=True) if current else None,
        history=[DecisionPublic.model_validate(d, from_attributes=True) for d in history],
    )
