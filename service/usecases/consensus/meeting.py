"""The meeting view (konsensusmøde): per factor, every informant's score, goal and comment side
by side, the most divergent first; hidden until the independent step closes."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlmodel import Session, col, select

from service.auth.actor import Actor
from service.errors import Conflict, Unprocessable
from service.models.municipality import Municipality
from service.models.outbox import DeliveryStatus, MessageKind, OutboxMessage
from service.models.round import Informant, ScoringRound
from service.notifications.outbox import HELD
from service.schemas.agreement import AgreementPublic
from service.schemas.rounds import (
    AttendancesPublic,
    AttendanceWrite,
    ConsensusView,
    FactorConsensus,
    InformantScorePublic,
    RoundResult,
)
from service.usecases.administration.instruments import published_form
from service.usecases.child import results
from service.usecases.child.outcomes import previous_round
from service.usecases.consensus import attendance
from service.usecases.consensus.notes import note_public, preview_notes, stored_notes
from service.usecases.data_rights import audit
from service.usecases.procedure.cadence import next_due
from service.usecases.procedure.round_data import (
    load_round_data,
    official_public,
    require_visible,
    visible_steps,
)
from service.usecases.procedure.rounds import load_round, require_authority
from service.workflow import consensus as rules
from service.workflow.agreement import factor_agreement
from service.workflow.procedures import (
    GATHERING_STATE,
    PROCEDURES,
    Gathering,
    InformantStep,
    gatherings,
)
from service.workflow.roles import FAMILY
from service.workflow.states import RoundEvent, RoundState


def meeting(session: Session, actor: Actor, round_id: int) -> bytes:
    """The meeting view as JSON (ConsensusView), for the case's caseworker or team leader."""
    rnd, case, municipality = load_round(session, actor, round_id)
    if actor.is_staff:
        require_authority(actor, case)
    view = meeting_view_json(session, rnd, municipality)
    audit.record(session, actor, "round.consensus.read", "round", round_id, case_id=case.id)
    return view


def meeting_view(session: Session, rnd: ScoringRound, municipality: Municipality) -> ConsensusView:
    """Per factor, every informant's score, goal and comment side by side, the most divergent
    first; hidden until the independent step closes."""
    require_visible(rnd)
    return _cached_view(session, rnd, municipality.divergence_threshold)[0]


def meeting_view_json(session: Session, rnd: ScoringRound, municipality: Municipality) -> bytes:
    """The meeting view, serialized once per revision of the round."""
    require_visible(rnd)
    return _cached_view(session, rnd, municipality.divergence_threshold)[1]


_NEVER = datetime(9999, 12, 31, tzinfo=UTC)


def previous_result(session: Session, rnd: ScoringRound) -> RoundResult | None:
    """The official scores and goals of the case's last completed round on the same form
    family and scale, shown at the meeting beside today's scores (None on a first round)."""
    form = published_form(session, rnd.instrument_id)
    # A case has one round in progress at a time: every completed round came before it.
    earlier = previous_round(session, rnd, form, before=_NEVER)
    return None if earlier is None else results.result(session, earlier)


# Meeting views by (database, round, revision, threshold): a meeting page is read again and
# again while nothing changes; any change bumps the round's revision.
_views: dict[tuple[str, int, int, int], tuple[ConsensusView, bytes]] = {}
_views_lock = threading.Lock()


def _cached_view(
    session: Session, rnd: ScoringRound, threshold: int
) -> tuple[ConsensusView, bytes]:
    key = (str(session.get_bind().engine.url), rnd.id or 0, rnd.revision, threshold)
    cached = _views.get(key)
    if cached is None:
        view = _meeting_view(session, rnd, threshold)
        cached = (view, view.model_dump_json().encode())
        with _views_lock:
            if len(_views) > 2000:
                _views.clear()
            _views[key] = cached
    return cached


def _meeting_view(session: Session, rnd: ScoringRound, threshold: int) -> ConsensusView:
    data = load_round_data(session, rnd, visible_steps(rnd))
    stored = stored_notes(session, rnd)
    spreads = {f.key: rules.spread(data.scores.get(f.id or 0, [])) for f in data.factors}
    positions = {f.key: f.position for f in data.factors}
    by_key = {f.key: f for f in data.factors}
    submitted = {s.informant_id for scores in data.scores.values() for s in scores}
    factors = []
    for key in rules.order_by_divergence(spreads, positions):
        factor = by_key[key]
        fid = factor.id or 0
        official = data.officials.get(fid)
        spread = spreads[key]
        if fid in stored:
            notes = [note_public(n) for n in stored[fid]]
        elif official is not None:
            notes = preview_notes(data, factor, official)
        else:
            notes = []
        factors.append(
            FactorConsensus(
                factor_key=key,
                position=factor.position,
                name_da=factor.name_da,
                name_en=factor.name_en,
                scores=[
                    InformantScorePublic(
                        informant_id=s.informant_id,
                        role=s.role,
                        name=s.name,
                        step=data.informants[s.informant_id].step,
                        score=s.score,
                        cannot_assess=s.score is None,
                        goal=s.goal,
                        comment=s.comment,
                        entered_on_behalf=s.informant_id in data.on_behalf,
                    )
                    for s in data.scores.get(fid, [])
                ],
                spread_min=spread.minimum,
                spread_max=spread.maximum,
                spread=spread.width,
                diverges=spread.diverges(threshold),
                official=official_public(factor, official) if official else None,
                disagreements=notes,
                agreement=AgreementPublic.of(
                    factor_agreement(
                        [
                            s.score
                            for s in data.scores.get(fid, [])
                            if data.informants[s.informant_id].step is InformantStep.INDEPENDENT
                        ],
                        data.scale,
                    )
                ),
            )
        )
    missing = [
        f"{i.name} ({i.role.value})"
        for i in data.informants.values()
        if i.step in visible_steps(rnd) and (i.id or 0) not in submitted
    ]
    return ConsensusView(
        round_id=rnd.id or 0,
        state=rnd.state,
        divergence_threshold=threshold,
        not_submitted=missing,
        factors=factors,
    )


# --- who was there -----------------------------------------------------------------------


def _check_gathering(rnd: ScoringRound, gathering: Gathering) -> None:
    if gathering not in gatherings(PROCEDURES[rnd.procedure]):
        raise Conflict(
            f"Procedure {rnd.procedure.value} has no {gathering.value.replace('_', ' ')}.",
            code="no_such_gathering",
            gathering=gathering.value,
        )


def get_attendance(
    session: Session, actor: Actor, round_id: int, gathering: Gathering
) -> AttendancesPublic:
    rnd, case, _ = load_round(session, actor, round_id)
    if actor.is_staff:
        require_authority(actor, case)
    _check_gathering(rnd, gathering)
    audit.record(session, actor, "round.attendance.read", "round", round_id, case_id=case.id)
    return attendance.attendance_public(session, rnd, gathering)


def record_attendance(
    session: Session, actor: Actor, round_id: int, body: AttendanceWrite, now: datetime
) -> AttendancesPublic:
    """The caseworker records who came. Without `absent`, everyone else the table has there
    was absent; with it, those named absent were and the rest are not recorded."""
    rnd, _, _ = load_round(session, actor, round_id)
    there = _expected_ids(session, rnd, body.gathering)
    states: dict[int, bool | None]
    if body.absent is None:
        states = {informant_id: informant_id in body.present for informant_id in there}
    else:
        states = dict.fromkeys(there, None) | dict.fromkeys(body.absent, False)
    states |= dict.fromkeys(body.present, True)
    return record_attendance_states(session, actor, round_id, body.gathering, states, now)


def _expected_ids(session: Session, rnd: ScoringRound, gathering: Gathering) -> set[int]:
    informants = attendance.round_informants(session, rnd)
    extra = attendance.invited(session, rnd)
    return {i.id or 0 for i in informants if attendance.expected(rnd, i, gathering, extra)}


def record_attendance_states(
    session: Session,
    actor: Actor,
    round_id: int,
    gathering: Gathering,
    states: Mapping[int, bool | None],
    now: datetime,
) -> AttendancesPublic:
    """The caseworker records, per informant the table has at the gathering, present (True),
    absent (False) or not recorded (None). Informants not named keep their state."""
    rnd, case, _ = load_round(session, actor, round_id, lock=True)
    require_authority(actor, case)
    _check_gathering(rnd, gathering)
    if rnd.state is not GATHERING_STATE[gathering]:
        raise Conflict(
            f"Who came to the {gathering.value.replace('_', ' ')} is recorded during it.",
            code="not_at_gathering",
            state=rnd.state.value,
        )
    unknown = sorted(set(states) - _expected_ids(session, rnd, gathering))
    if unknown:
        raise Unprocessable(
            "The procedure does not have these informants at the "
            f"{gathering.value.replace('_', ' ')}: {', '.join(map(str, unknown))}.",
            code="not_expected_there",
            informant_ids=unknown,
        )
    attendance.record(session, rnd, gathering, states, actor.id, now)
    audit.record(
        session,
        actor,
        "round.attendance",
        "round",
        round_id,
        case_id=case.id,
        detail={
            "gathering": gathering.value,
            "present": sorted(i for i, s in states.items() if s is True),
            "absent": sorted(i for i, s in states.items() if s is False),
            "not_recorded": sorted(i for i, s in states.items() if s is None),
        },
    )
    session.flush()
    return attendance.attendance_public(session, rnd, gathering)


# --- what finishing the meeting does -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class AfterMeeting:
    """What finishing the consensus (trin 2) does and what comes next: said on the
    confirmation before the step, and on the meeting page after it."""

    finished: bool
    next_state: RoundState
    #: Trin 3 (KL 1, 2): the child and parents who score next, in dialogue with the caseworker.
    family: list[str]
    #: Of the family, who gets the invitation held back for trin 3 (sent as the step ends).
    invited: list[str]
    #: The round completes (KL 3): the family members sent a new link to the result.
    result_to: list[str]
    #: The round completes: when the child's next round is due.
    next_due_on: date | None


def after_meeting(session: Session, actor: Actor, round_id: int) -> AfterMeeting:
    rnd, case, _ = load_round(session, actor, round_id)
    require_authority(actor, case)
    spec = PROCEDURES[rnd.procedure]
    next_state = next(tr.dest for tr in spec.transitions if tr.event is RoundEvent.FINISH_CONSENSUS)
    finished = rnd.state is not RoundState.CONSENSUS
    everyone = attendance.round_informants(session, rnd)
    family = [i for i in everyone if i.step is InformantStep.FAMILY]
    invited: list[str] = []
    result_to: list[str] = []
    due: date | None = None
    if next_state is RoundState.FAMILY_DIALOGUE:
        invited = _invited(session, rnd, family, released=finished)
    elif next_state is RoundState.COMPLETED:
        # As the completion sends them (round_effects.send_result_links): the family members
        # who can be reached, whose link was not withdrawn.
        result_to = [
            i.name
            for i in everyone
            if i.role in FAMILY
            and (i.email or i.phone)
            and i.token_revoked_at is None
            and i.staff_user_id is None
        ]
        due = rnd.next_due_on or next_due(session, rnd)
    return AfterMeeting(
        finished=finished,
        next_state=next_state,
        family=[i.name for i in family] if next_state is RoundState.FAMILY_DIALOGUE else [],
        invited=invited,
        result_to=result_to,
        next_due_on=due,
    )


def _invited(
    session: Session, rnd: ScoringRound, family: list[Informant], *, released: bool
) -> list[str]:
    """The family members whose invitation waits for trin 3 (before the step ends), or was
    released as it ended."""
    held = col(OutboxMessage.next_attempt_at) == HELD
    ids = set(
        session.exec(
            select(OutboxMessage.informant_id).where(
                OutboxMessage.round_id == rnd.id,
                OutboxMessage.kind == MessageKind.INVITATION,
                OutboxMessage.status != DeliveryStatus.CANCELLED,
                ~held if released else held,
            )
        ).all()
    )
    return [i.name for i in family if i.id in ids]
