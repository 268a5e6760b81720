"""Scoring rounds: opening, steps, informants and links, the consensus and the result."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from service.api.deps import ClockDep, CurrentActor, PageDep, SessionDep, SettingsDep
from service.api.unit_of_work import UnitOfWorkRoute
from service.auth.links import link_url
from service.errors import Conflict, Forbidden, NotFound, Unprocessable, problem_responses
from service.schemas.common import Id
from service.schemas.meetings import MeetingKindPublic, MeetingKindWrite
from service.schemas.rounds import (
    AmendmentCreate,
    AttendancesPublic,
    AttendanceWrite,
    ConsensusView,
    DisagreementPublic,
    DueCases,
    FamilyVoicesPublic,
    InformantCreate,
    InformantPublic,
    InformantsPublic,
    LinkIssued,
    LinkRequest,
    NoteReasonWrite,
    NotHeardWrite,
    OfficialScoresWrite,
    OnBehalfWrite,
    RoundCreate,
    RoundHistoryPublic,
    RoundMeasuresWrite,
    RoundPublic,
    RoundResult,
    RoundsPublic,
    TransitionRequest,
)
from service.usecases.child import results
from service.usecases.collection import family_step, informants, submissions
from service.usecases.consensus import (
    amendments,
    meeting,
    meeting_kind,
    note_reasons,
    official_scores,
)
from service.usecases.procedure import due, round_history, round_measure_edits, rounds
from service.workflow.procedures import Gathering
from service.workflow.states import RoundState

router = APIRouter(tags=["rounds"], route_class=UnitOfWorkRoute)
#: A round's id as the database can hold it (an `integer` column on PostgreSQL).
RoundId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.post(
    "/cases/{case_id}/rounds",
    operation_id="open_round",
    summary="Open a scoring round for a case",
    status_code=status.HTTP_201_CREATED,
    response_model=RoundPublic,
    responses=problem_responses(Forbidden, NotFound, Conflict),
)
def open_round(
    actor: CurrentActor, session: SessionDep, clock: ClockDep, case_id: Id, body: RoundCreate
) -> RoundPublic:
    """On the municipality's adopted procedure; the first-time or follow-up variant is picked
    from the case's history. The caseworker is added as the first informant. The round
    evaluates the case's measures in force in its period, or those named in `measure_ids`."""
    rnd = rounds.open_round(session, actor, case_id, body, clock.now())
    return rounds.public(session, rnd)


@router.get(
    "/due",
    operation_id="list_due_cases",
    summary="Cases whose next round is due",
    response_model=DueCases,
    responses=problem_responses(Forbidden),
)
def list_due_cases(
    actor: CurrentActor,
    session: SessionDep,
    clock: ClockDep,
    page: PageDep,
    include_later: Annotated[bool, Query(description="Also cases not due for a while")] = False,
) -> DueCases:
    """Overdue and soon-due cases of the caller (a team leader: the team's), from the cadence,
    overdue first."""
    items, total = due.due_list(session, actor, clock.now(), page, include_later=include_later)
    return DueCases(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get(
    "/rounds",
    operation_id="list_rounds",
    summary="List rounds",
    response_model=RoundsPublic,
    responses=problem_responses(Forbidden),
)
def list_rounds(
    actor: CurrentActor,
    session: SessionDep,
    page: PageDep,
    case_id: Annotated[Id | None, Query()] = None,
    state: Annotated[RoundState | None, Query()] = None,
) -> RoundsPublic:
    """The rounds of the cases the caller may see, newest first."""
    rows, total = rounds.list_rounds(session, actor, page, case_id=case_id, state=state)
    return RoundsPublic(items=rounds.public_many(session, rows), total=total, **page.model_dump())


@router.get(
    "/rounds/{round_id}",
    operation_id="get_round",
    summary="Get a round",
    response_model=RoundPublic,
    responses=problem_responses(Forbidden, NotFound),
)
def get_round(actor: CurrentActor, session: SessionDep, round_id: Id) -> RoundPublic:
    """The round's state, its procedure's steps and the events allowed now."""
    return rounds.public(session, rounds.get_round(session, actor, round_id))


@router.post(
    "/rounds/{round_id}/transitions",
    operation_id="transition_round",
    summary="Move a round to its next step",
    response_model=RoundPublic,
    responses=problem_responses(Forbidden, NotFound, Conflict),
)
def transition_round(
    actor: CurrentActor,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    round_id: Id,
    body: TransitionRequest,
) -> RoundPublic:
    """Fire an event of the procedure; 409 names the current state and the allowed events.
    When the round completes, the family (mother, father, the child) is sent a new link to
    the result by email or SMS, as each can be reached."""
    rnd = rounds.transition(
        session,
        actor,
        round_id,
        body,
        clock.now(),
        keyring=settings.keyring(),
        base_url=settings.public_base_url,
    )
    return rounds.public(session, rnd)


@router.put(
    "/rounds/{round_id}/measures",
    operation_id="set_round_measures",
    summary="Set the measures a round evaluates",
    response_model=RoundPublic,
    responses=problem_responses(Forbidden, NotFound, Conflict),
)
def set_round_measures(
    actor: CurrentActor,
    session: SessionDep,
    clock: ClockDep,
    round_id: Id,
    body: RoundMeasuresWrite,
) -> RoundPublic:
    """Replace them with these measures of the case, until the round is finished (409 after)."""
    rnd = round_measure_edits.set_round_measures(session, actor, round_id, body, clock.now())
    return rounds.public(session, rnd)


@router.get(
    "/rounds/{round_id}/history",
    operation_id="get_round_history",
    summary="A round's history",
    response_model=RoundHistoryPublic,
    responses=problem_responses(Forbidden, NotFound),
)
def get_round_history(actor: CurrentActor, session: SessionDep, round_id: Id) -> RoundHistoryPublic:
    """Every transition with who, when and why; every personal link with who issued it."""
    return round_history.round_history(session, actor, round_id)


@router.get(
    "/rounds/{round_id}/informants",
    operation_id="list_informants",
    summary="A round's informants and who has submitted",
    response_model=InformantsPublic,
    responses=problem_responses(Forbidden, NotFound),
)
def list_informants(
    actor: CurrentActor, session: SessionDep, clock: ClockDep, round_id: Id
) -> InformantsPublic:
    """Who has submitted, never what: scores stay hidden until the independent step closes."""
    return InformantsPublic(items=informants.read_informants(session, actor, round_id, clock.now()))


@router.post(
    "/rounds/{round_id}/informants",
    operation_id="add_informant",
    summary="Add an informant",
    status_code=status.HTTP_201_CREATED,
    response_model=InformantPublic,
    responses=problem_responses(Forbidden, NotFound, Conflict),
)
def add_informant(
    actor: CurrentActor, session: SessionDep, clock: ClockDep, round_id: Id, body: InformantCreate
) -> InformantPublic:
    """School, daycare, provider, psychologist, mother, father, child...; a role may repeat."""
    now = clock.now()
    informant = informants.add_informant(session, actor, round_id, body, now=now)
    return informants.informant_public(informant, None, now)


@router.post(
    "/rounds/{round_id}/informants/{informant_id}/link",
    operation_id="issue_link",
    summary="Issue or re-issue an informant's personal link",
    status_code=status.HTTP_201_CREATED,
    response_model=LinkIssued,
    responses=problem_responses(Forbidden, NotFound, Conflict),
)
def issue_link(
    actor: CurrentActor,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    round_id: Id,
    informant_id: Id,
    body: LinkRequest | None = None,
) -> LinkIssued:
    """Returned this once: only a keyed hash is stored. A re-issue invalidates the old link."""
    informant, token = informants.issue_link(
        session,
        actor,
        round_id,
        informant_id,
        body or LinkRequest(),
        settings.keyring(),
        clock.now(),
        base_url=settings.public_base_url,
    )
    assert informant.token_expires_at is not None
    return LinkIssued(
        informant_id=informant_id,
        url=link_url(settings.public_base_url, token),
        token=token,
        expires_at=informant.token_expires_at,
    )


@router.post(
    "/rounds/{round_id}/informants/{informant_id}/link/revoke",
    operation_id="revoke_link",
    summary="Revoke an informant's link",
    response_model=InformantPublic,
    responses=problem_responses(Forbidden, NotFound, Conflict),
)
def revoke_link(
    actor: CurrentActor, session: SessionDep, clock: ClockDep, round_id: Id, informant_id: Id
) -> InformantPublic:
    """The link stops working at once; issue a new one to let the informant back in."""
    informant = informants.revoke_link(session, actor, round_id, informant_id, clock.now())
    return informants.informant_public(informant, None, clock.now())


@router.post(
    "/rounds/{round_id}/informants/{informant_id}/reminder",
    operation_id="remind_informant",
    summary="Send an informant a reminder now",
    response_model=InformantPublic,
    responses=problem_responses(Forbidden, NotFound, Conflict),
)
def remind_informant(
    actor: CurrentActor, session: SessionDep, clock: ClockDep, round_id: Id, informant_id: Id
) -> InformantPublic:
    """The latest invitation, with its link, once more; 409 once they have submitted."""
    informants.remind(session, actor, round_id, informant_id, clock.now())
    rows = informants.list_informants(session, actor, round_id, clock.now())
    return next(i for i in rows if i.id == informant_id)


@router.post(
    "/rounds/{round_id}/informants/{informant_id}/submission",
    operation_id="submit_on_behalf",
    summary="Enter scores for an informant",
    response_model=InformantPublic,
    responses=problem_responses(Forbidden, NotFound, Conflict),
)
def submit_on_behalf(
    actor: CurrentActor,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    round_id: Id,
    informant_id: Id,
    body: OnBehalfWrite,
) -> InformantPublic:
    """The caseworker's own scores, or an informant's entered with or for them (recorded as
    on behalf). A draft until `submit` is true."""
    informant = submissions.save_on_behalf(
        session,
        actor,
        round_id,
        informant_id,
        body.scores,
        submit=body.submit,
        now=clock.now(),
        base_url=settings.public_base_url,
        received_via=body.received_via,
    )
    rows = informants.list_informants(session, actor, round_id, clock.now())
    return next(i for i in rows if i.id == informant.id)


@router.get(
    "/rounds/{round_id}/consensus",
    operation_id="get_consensus",
    summary="The meeting view: every informant's score side by side",
    response_model=ConsensusView,
    responses=problem_responses(Forbidden, NotFound, Conflict),
)
def get_consensus(actor: CurrentActor, session: SessionDep, round_id: Id) -> Response:
    """Per factor, the most divergent first; hidden (409) while the independent step is open."""
    # Serialized once per revision of the round: a meeting page is read again and again.
    return Response(meeting.meeting(session, actor, round_id), media_type="application/json")


@router.put(
    "/rounds/{round_id}/official-scores",
    operation_id="set_official_scores",
    summary="Set official scores and goals",
    response_model=ConsensusView,
    responses=problem_responses(Forbidden, NotFound, Conflict),
)
def set_official_scores(
    actor: CurrentActor,
    session: SessionDep,
    clock: ClockDep,
    round_id: Id,
    body: OfficialScoresWrite,
) -> ConsensusView:
    """The case's caseworker's final say, per factor; a rationale where informants diverge or
    the score lies outside their range. A team leader sets it only as the caseworker's
    substitute, with `substitute_reason` (422 `substitute_reason_required` without); the
    result and the history show it as such."""
    return official_scores.set_official(session, actor, round_id, body, clock.now())


@router.get(
    "/rounds/{round_id}/attendance/{gathering}",
    operation_id="get_attendance",
    summary="Who is, or was, at the meeting or the family dialogue",
    response_model=AttendancesPublic,
    responses=problem_responses(Forbidden, NotFound, Conflict),
)
def get_attendance(
    actor: CurrentActor, session: SessionDep, round_id: RoundId, gathering: Gathering
) -> AttendancesPublic:
    """Everyone the procedure's table has there, each `present`, `absent` or `not_recorded`
    (`state`): nobody is shown as having come without the caseworker's word. 409
    `no_such_gathering` where the procedure has none (KL 2 has no meeting, KL 3 no family
    dialogue)."""
    return meeting.get_attendance(session, actor, round_id, gathering)


@router.put(
    "/rounds/{round_id}/attendance",
    operation_id="record_attendance",
    summary="Record who came to the meeting or the family dialogue",
    response_model=AttendancesPublic,
    responses=problem_responses(Forbidden, NotFound, Conflict),
)
def record_attendance(
    actor: CurrentActor,
    session: SessionDep,
    clock: ClockDep,
    round_id: RoundId,
    body: AttendanceWrite,
) -> AttendancesPublic:
    """During the meeting (the consensus step) or the family dialogue: the informants in
    `present` came. Without `absent`, every other one the table has there did not; with it,
    those in `absent` did not and the rest are not recorded. The meeting step does not end
    while anyone expected at the meeting is not recorded (409 `transition_not_ready`, unmet
    `attendance_recorded`)."""
    return meeting.record_attendance(session, actor, round_id, body, clock.now())


@router.get(
    "/rounds/{round_id}/meeting-kind",
    operation_id="get_meeting_kind",
    summary="How the round's consensus meeting is held",
    response_model=MeetingKindPublic,
    responses=problem_responses(Forbidden, NotFound, Conflict),
)
def get_meeting_kind(
    actor: CurrentActor, session: SessionDep, round_id: RoundId
) -> MeetingKindPublic:
    """The meeting's kind (`consensus` unless the caseworker chose another), who is expected
    there and who decides: the caseworker, in every kind. 409 `no_such_gathering` where the
    procedure has no meeting (KL 2)."""
    return meeting_kind.get_meeting_kind(session, actor, round_id)


@router.put(
    "/rounds/{round_id}/meeting-kind",
    operation_id="set_meeting_kind",
    summary="Hold the meeting as a family council or a cross-disciplinary network meeting",
    response_model=MeetingKindPublic,
    responses=problem_responses(Forbidden, NotFound, Conflict),
)
def set_meeting_kind(
    actor: CurrentActor,
    session: SessionDep,
    clock: ClockDep,
    round_id: RoundId,
    body: MeetingKindWrite,
) -> MeetingKindPublic:
    """Until the meeting ends, the caseworker chooses its kind: a family council
    (familierådslagning) invites the family and its network, a cross-disciplinary network
    meeting the professionals and the parents. Those invited are expected at the meeting and
    their attendance is recorded; the caseworker still sets the official scores. 409
    `not_at_gathering` after the meeting, `no_such_gathering` under KL 2."""
    return meeting_kind.set_meeting_kind(session, actor, round_id, body, clock.now())


@router.put(
    "/rounds/{round_id}/disagreement-notes/{note_id}",
    operation_id="record_note_reason",
    summary="Record the informant's own reason for disagreeing",
    response_model=DisagreementPublic,
    responses=problem_responses(Forbidden, NotFound, Conflict),
)
def record_note_reason(
    actor: CurrentActor,
    session: SessionDep,
    clock: ClockDep,
    round_id: RoundId,
    note_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    body: NoteReasonWrite,
) -> DisagreementPublic:
    """Beside a stored disagreement note (the result's `disagreements`, with their `id`): why
    the informant sees it differently, in their words as the caseworker records them (in
    the dialogue with the family, for instance). Apart from the official rationale; the
    note's score, goal and comment stay the informant's. 404 `note_not_found`."""
    return note_reasons.record_reason(
        session, actor, round_id, note_id, body.reason.strip(), clock.now()
    )


@router.get(
    "/rounds/{round_id}/family-voices",
    operation_id="get_family_voices",
    summary="The child's and the parents' voices: who has scored, and why not",
    response_model=FamilyVoicesPublic,
    responses=problem_responses(Forbidden, NotFound),
)
def get_family_voices(
    actor: CurrentActor, session: SessionDep, round_id: RoundId
) -> FamilyVoicesPublic:
    """The voices the family's step owes: the child (even when not an informant of the
    round) and each parent in the round, with whether each scored or why not. `missing`
    counts those that keep the step open."""
    return family_step.get_family_voices(session, actor, round_id)


@router.put(
    "/rounds/{round_id}/family-voices",
    operation_id="record_not_heard",
    summary="Record why the child or a parent does not score",
    response_model=FamilyVoicesPublic,
    responses=problem_responses(Forbidden, NotFound, Conflict, Unprocessable),
)
def record_not_heard(
    actor: CurrentActor,
    session: SessionDep,
    clock: ClockDep,
    round_id: RoundId,
    body: NotHeardWrite,
) -> FamilyVoicesPublic:
    """Per person: the step that takes the family's scores (trin 3 of KL 1 and 2, trin 1 of
    KL 3) ends only when the child and each parent in the round have scored or have a reason
    recorded here (Barnets Lov § 5: the child's views are obtained before decisions, set
    aside only for its age or maturity, and then found out in another way: say how in
    `note`). 404 `no_such_voice`; 422 `reason_for_child_only`, `not_family`; 409
    `already_scored`, `family_step_over`."""
    return family_step.record_not_heard(session, actor, round_id, body, clock.now())


@router.get(
    "/rounds/{round_id}/result",
    operation_id="get_round_result",
    summary="Official scores, goals, disagreement notes and outcomes",
    response_model=RoundResult,
    responses=problem_responses(Forbidden, NotFound),
)
def get_round_result(actor: CurrentActor, session: SessionDep, round_id: Id) -> RoundResult:
    """What the round decided, what was kept beside it, and goal attainment per factor."""
    return results.round_result(session, actor, round_id)


@router.post(
    "/rounds/{round_id}/amendments",
    operation_id="amend_round",
    summary="Amend a completed round's official score",
    status_code=status.HTTP_201_CREATED,
    response_model=RoundResult,
    responses=problem_responses(Forbidden, NotFound, Conflict),
)
def amend_round(
    actor: CurrentActor, session: SessionDep, clock: ClockDep, round_id: Id, body: AmendmentCreate
) -> RoundResult:
    """A completed round is frozen; a correction keeps the values it replaces."""
    return amendments.amend_round(session, actor, round_id, body, clock.now())
