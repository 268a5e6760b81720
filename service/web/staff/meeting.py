"""The meeting page (konsensusmøde): an overview of every factor and informant, then per
factor everyone's scores side by side, the last round's official score and the fields for the
official score. Finishing a step saves what is on the page first."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from service.api.deps import ClockDep, SessionDep, SettingsDep
from service.api.unit_of_work import UnitOfWorkRoute
from service.auth.actor import Actor
from service.clock import Clock
from service.errors import ServiceError, Unprocessable
from service.models.staff import StaffRole
from service.rendering.language import Translator
from service.rendering.session_forms import meeting_lines
from service.schemas.common import Id
from service.schemas.rounds import (
    ConsensusView,
    OfficialScoresWrite,
    OfficialScoreWrite,
    TransitionRequest,
)
from service.usecases.administration import instruments, preferences
from service.usecases.collection import informants
from service.usecases.consensus import attendance, meeting, official_scores
from service.usecases.data_rights import audit
from service.usecases.procedure import rounds
from service.usecases.sessions import answers as session_answers
from service.web import forms
from service.web.staff.pages import (
    PageActor,
    Posted,
    csrf_failed,
    finishing_events,
    page,
    page_t,
    problem,
    refusal_items,
)
from service.workflow.procedures import PROCEDURES, Gathering, InformantStep, gatherings
from service.workflow.states import RoundEvent, RoundState

#: When the family's scores are visible at the meeting (after the official score is set).
_FAMILY_VISIBLE = (
    RoundState.FAMILY_DIALOGUE,
    RoundState.PROVIDER_INFORMATION,
    RoundState.COMPLETED,
)

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)


def meeting_page(
    request: Request,
    session: Any,
    actor: Actor,
    round_id: Id,
    clock: Clock,
    *,
    typed: dict[str, dict[str, str]] | None = None,
    errors: dict[str, ServiceError] | None = None,
    refusal: ServiceError | None = None,
    status: int = 200,
    typed_reason: str | None = None,
    typed_attendance: dict[int, bool | None] | None = None,
    unrecorded: list[int] | None = None,
) -> HTMLResponse:
    rnd, case, municipality = rounds.load_round(session, actor, round_id)
    rounds.require_authority(actor, case)
    view = meeting.meeting_view(session, rnd, municipality)
    audit.record(session, actor, "round.consensus.read", "round", round_id, case_id=case.id)
    form = instruments.published_form(session, rnd.instrument_id)
    previous = meeting.previous_result(session, rnd)
    official = {
        f.factor_key: {
            "score": ""
            if f.official is None
            else ("na" if f.official.not_assessed else str(f.official.score)),
            "goal": "" if f.official is None or f.official.goal is None else str(f.official.goal),
            "rationale": f.official.rationale if f.official else "",
            "not_assessed_reason": f.official.not_assessed_reason if f.official else "",
        }
        for f in view.factors
    }
    t = page_t(request)
    scored = {s.informant_id for f in view.factors for s in f.scores}
    everyone = informants.list_informants(session, actor, round_id, clock.now())
    people = [i for i in everyone if i.id in scored]
    projector = preferences.meeting_projector(session, actor)
    # On the projector the family in the room sees the page: the municipality may choose
    # that it shows only each informant's role.
    roles_only = projector and not municipality.projector_shows_names
    labels = _labels(t, [(i.id, i.name, i.role.value) for i in everyone], roles_only=roles_only)
    missing = [
        labels[i.id]
        for i in everyone
        if i.id not in scored
        and i.submission != "submitted"
        and (
            i.step is InformantStep.INDEPENDENT
            or (i.step is InformantStep.FAMILY and rnd.state in _FAMILY_VISIBLE)
        )
    ]
    public = rounds.public(session, rnd)
    meets = Gathering.MEETING in gatherings(PROCEDURES[rnd.procedure])
    came = (
        attendance.attendance_public(session, rnd, Gathering.MEETING).items
        if meets and rnd.state is RoundState.CONSENSUS
        else []
    )
    # What was chosen on the page wins over what is stored, so nothing typed is lost on a
    # refusal: present, absent, or "" for not recorded.
    stored = {a.informant_id: (a.present if a.recorded else None) for a in came}
    chosen = stored | (typed_attendance or {})
    attendance_values = {
        i: "" if state is None else ("present" if state else "absent")
        for i, state in chosen.items()
    }
    missing_attendance = set(unrecorded or [])
    decided = [f.official for f in view.factors if f.official is not None]
    last = max((o.set_at for o in decided), default=None)
    error_list = [
        (
            f"#{_control(errors[f.factor_key])}-{f.factor_key}",
            f"{t.name(f)}: {t.problem(errors[f.factor_key])}",
        )
        for f in view.factors
        if errors and f.factor_key in errors
    ] + [
        (
            f"#attendance-{a.informant_id}-present",
            t("meeting.attendance_unrecorded", name=a.name),
        )
        for a in came
        if a.informant_id in missing_attendance
    ]
    after = None
    if request.query_params.get("finished") == "1" and rnd.state is not RoundState.CONSENSUS:
        after = _after_texts(t, meeting.after_meeting(session, actor, round_id))
    return page(
        request,
        "meeting.html",
        {
            "round": public,
            "case": case,
            "view": view,
            "people": people,
            "missing": missing,
            "previous": {f.factor_key: f for f in previous.factors} if previous else {},
            "scale": form.form.scale,
            "points": list(form.scale.points),
            "values": official | (typed or {}),
            "errors": errors or {},
            # Which control of a refused factor needs the caseworker: it is marked, and the
            # summary's link leads there.
            "error_controls": {k: _control(e) for k, e in (errors or {}).items()},
            "error_list": error_list,
            "refusal": refusal_items(t, refusal) if refusal else None,
            "finishing": finishing_events(public.allowed_events),
            "saved": request.query_params.get("saved") == "1",
            "attendance": came,
            "attendance_values": attendance_values,
            "after": after,
            "save_status": _status_line(t, len(decided), len(view.factors), last),
            "attendance_missing": missing_attendance,
            "substitute": actor.id != case.caseworker_id or actor.role is StaffRole.TEAM_LEADER,
            "substitute_reason": (typed_reason or ""),
            "projector": projector,
            "roles_only": roles_only,
            "labels": labels,
            "sessions": meeting_lines(t, session_answers.for_meeting(session, actor, rnd, case)),
        },
        status=status,
    )


def _labels(
    t: Translator, people: list[tuple[int, str, str]], *, roles_only: bool
) -> dict[int, str]:
    """How each informant is named on the page: "Ane Lund (Skole)", or with `roles_only` the
    role alone, numbered where two share it ("Skole 1", "Skole 2")."""
    if not roles_only:
        return {i: f"{name} ({t('role.' + role)})" for i, name, role in people}
    counts: dict[str, int] = {}
    for _, _, role in people:
        counts[role] = counts.get(role, 0) + 1
    seen: dict[str, int] = {}
    labels = {}
    for i, _, role in people:
        seen[role] = seen.get(role, 0) + 1
        number = f" {seen[role]}" if counts[role] > 1 else ""
        labels[i] = t("role." + role) + number
    return labels


@router.get("/rounds/{round_id}/meeting", response_class=HTMLResponse)
def meetingpage(
    request: Request, round_id: Id, actor: PageActor, session: SessionDep, clock: ClockDep
) -> Response:
    try:
        return meeting_page(request, session, actor, round_id, clock)
    except ServiceError as error:
        return problem(request, error)


@router.post("/rounds/{round_id}/meeting/projector")
def meeting_projector(
    request: Request, round_id: Id, actor: PageActor, session: SessionDep, data: Posted
) -> Response:
    """Switch the meeting page's projector mode on or off; remembered for the person."""
    failed = csrf_failed(request, data)
    if failed:
        return failed
    try:
        preferences.set_meeting_projector(session, actor, data.get("on") == "1")
    except ServiceError as error:
        session.rollback()
        return problem(request, error)
    return RedirectResponse(f"/rounds/{round_id}/meeting", 303)


def _typed(data: dict[str, str]) -> dict[str, dict[str, str]]:
    keys = [k.removeprefix("official-") for k in data if k.startswith("official-")]
    return {
        k: {
            "score": data.get(f"official-{k}", ""),
            "goal": data.get(f"goal-{k}", ""),
            "rationale": data.get(f"rationale-{k}", ""),
            "not_assessed_reason": data.get(f"reason-{k}", ""),
        }
        for k in keys
    }


def _entries(typed: dict[str, dict[str, str]]) -> list[OfficialScoreWrite]:
    entries = []
    for key, v in typed.items():
        if not v["score"].lstrip("-").isdigit() and v["score"] != forms.CANNOT_ASSESS:
            continue  # not decided yet
        not_assessed = v["score"] == forms.CANNOT_ASSESS
        has_goal = v["goal"].lstrip("-").isdigit() and not not_assessed
        entries.append(
            OfficialScoreWrite(
                factor_key=key,
                score=None if not_assessed else int(v["score"]),
                goal=int(v["goal"]) if has_goal else None,
                rationale=v["rationale"][:4000],
                not_assessed_reason=v["not_assessed_reason"][:2000] if not_assessed else "",
            )
        )
    return entries


def _status_line(t: Translator, done: int, total: int, saved_at: datetime | None) -> str:
    """ "Sidst gemt 10:42. 5 af 8 områder er besluttet." (no time before the first save)."""
    decided = t("meeting.decided", count=done, total=total)
    return (
        decided if saved_at is None else f"{t('form.last_saved', when=t.time(saved_at))} {decided}"
    )


#: The control on the page of each part of a decision the rules name (`DecisionRefused.field`).
_CONTROLS = {"goal": "goal", "rationale": "rationale", "not_assessed_reason": "reason"}


def _control(error: ServiceError) -> str:
    """The control a refusal of one factor's decision is about: the score's by default."""
    return _CONTROLS.get(str(error.extra.get("field", "")), "official")


def _autosaved(
    t: Translator,
    view: ConsensusView | None,
    now: datetime,
    refused: int = 0,
    status: int = 200,
) -> JSONResponse:
    """The answer to the page's script saving as the caseworker goes. `complete`: everything
    on the page is saved; otherwise the page keeps warning before it is left."""
    if view is None:
        return JSONResponse(
            {"saved": False, "complete": False, "message": t("meeting.autosave_failed")}, status
        )
    done = sum(1 for f in view.factors if f.official is not None)
    message = _status_line(t, done, len(view.factors), now)
    if refused:
        message += " " + t.plural("meeting.autosave_refused", refused)
    return JSONResponse(
        {"saved": True, "complete": not refused, "message": message, "decided": done}, status
    )


def _autosave(
    request: Request,
    session: Any,
    actor: Actor,
    round_id: Id,
    now: datetime,
    entries: list[OfficialScoreWrite],
    came: dict[int, bool | None] | None,
    reason: str | None,
) -> JSONResponse:
    """Save what can be saved: the attendance and every factor the rules accept. The rest
    stays on the page until it is complete, and is reported when the caseworker saves."""
    t = page_t(request)
    try:
        if came is not None:
            meeting.record_attendance_states(session, actor, round_id, Gathering.MEETING, came, now)
        refused = official_scores.refusals(session, actor, round_id, entries)
        accepted = [e for e in entries if e.factor_key not in refused]
        if accepted:
            view = official_scores.set_official(
                session,
                actor,
                round_id,
                OfficialScoresWrite(scores=accepted, substitute_reason=reason),
                now,
            )
        else:
            rnd, _, municipality = rounds.load_round(session, actor, round_id)
            view = meeting.meeting_view(session, rnd, municipality)
    except ServiceError as error:
        session.rollback()
        return _autosaved(t, None, now, status=error.status)
    return _autosaved(t, view, now, refused=len(refused))


def _attendance_typed(data: dict[str, str]) -> dict[int, bool | None] | None:
    """The meeting's attendance as chosen on the page: present, absent, or (nothing chosen)
    not recorded, for everyone in the form; None when the form had no attendance."""
    if data.get("attendance") != Gathering.MEETING.value:
        return None
    people = data.get("attendance_people", "")
    ids = [int(i) for i in people.split(",") if i.isdigit()]
    states: dict[str, bool | None] = {"present": True, "absent": False}
    return {i: states.get(data.get(f"attendance-{i}", "")) for i in ids}


@router.post("/rounds/{round_id}/meeting", response_class=HTMLResponse)
def meeting_save(
    request: Request,
    round_id: Id,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    data: Posted,
) -> Response:
    """Save every official score and the attendance on the page; then, if a finishing step
    was pressed, ask to confirm it. Saving returns to the factor the caseworker was at. A
    refusal shows the page again with everything as typed and every error at once."""
    failed = csrf_failed(request, data)
    if failed:
        return failed
    typed = _typed(data)
    entries = _entries(typed)
    came = _attendance_typed(data)
    reason = data.get("substitute_reason", "").strip()[:2000] or None
    finish = data.get("finish", "")
    if data.get("action") == "autosave":
        return _autosave(request, session, actor, round_id, clock.now(), entries, came, reason)
    again = partial(
        _again, request, session, actor, round_id, clock, typed, reason=reason, came=came
    )
    try:
        unrecorded: list[int] = []
        if came is not None:
            recorded = meeting.record_attendance_states(
                session, actor, round_id, Gathering.MEETING, came, clock.now()
            )
            if finish == RoundEvent.FINISH_CONSENSUS.value:
                # The step ends only when everyone expected is recorded present or absent.
                unrecorded = [a.informant_id for a in recorded.items if not a.recorded]
        refused = official_scores.refusals(session, actor, round_id, entries)
        if refused or unrecorded:
            session.rollback()
            return again(errors=dict(refused), unrecorded=unrecorded)
        if entries:
            body = OfficialScoresWrite(scores=entries, substitute_reason=reason)
            official_scores.set_official(session, actor, round_id, body, clock.now())
    except Unprocessable as error:
        session.rollback()
        key = str(error.extra.get("factor_key", ""))
        return again(errors={key: error}) if key else again(refusal=error)
    except ServiceError as error:
        session.rollback()
        return again(refusal=error)
    if finish == RoundEvent.FINISH_CONSENSUS.value:
        return RedirectResponse(f"/rounds/{round_id}/meeting/finish", 303)
    if finish:
        return RedirectResponse(f"/rounds/{round_id}/confirm?event={finish}&from=meeting", 303)
    at = data.get("at", "")
    anchor = f"#f-{at}" if at in typed else ""
    return RedirectResponse(f"/rounds/{round_id}/meeting?saved=1{anchor}", 303)


def _again(
    request: Request,
    session: Any,
    actor: Actor,
    round_id: Id,
    clock: Clock,
    typed: dict[str, dict[str, str]],
    errors: dict[str, ServiceError] | None = None,
    refusal: ServiceError | None = None,
    reason: str | None = None,
    came: dict[int, bool | None] | None = None,
    unrecorded: list[int] | None = None,
) -> HTMLResponse:
    """The meeting page again, with what was typed and why it was refused."""
    first = refusal or next(iter((errors or {}).values()), None)
    try:
        return meeting_page(
            request,
            session,
            actor,
            round_id,
            clock,
            typed=typed,
            errors=errors,
            refusal=refusal,
            status=first.status if first else 422,
            typed_reason=reason,
            typed_attendance=came,
            unrecorded=unrecorded,
        )
    except ServiceError as error:
        return problem(request, error)


# --- finishing the meeting: what it will do, and then what it did -------------------------


def _names(names: list[str]) -> str:
    return ", ".join(names)


def _after_texts(t: Translator, after: meeting.AfterMeeting) -> dict[str, Any]:
    """What finishing the consensus does (before) or did (after), and the next action."""
    tense = "finished" if after.finished else "finish"
    texts = []
    if after.next_state is RoundState.FAMILY_DIALOGUE:
        if after.family:
            texts.append(t(f"meeting.{tense}.family", names=_names(after.family)))
        else:
            texts.append(t(f"meeting.{tense}.family_none"))
        if after.invited:
            texts.append(t(f"meeting.{tense}.invited", names=_names(after.invited)))
        next_label = t("meeting.next.dialogue")
    else:
        texts.append(t(f"meeting.{tense}.completed", due=t.date(after.next_due_on)))
        if after.result_to:
            texts.append(t(f"meeting.{tense}.result", names=_names(after.result_to)))
        else:
            texts.append(t(f"meeting.{tense}.result_none"))
        next_label = t("meeting.next.result")
    return {"texts": texts, "next_label": next_label}


@router.get("/rounds/{round_id}/meeting/finish", response_class=HTMLResponse)
def meeting_finish_confirm(
    request: Request, round_id: Id, actor: PageActor, session: SessionDep
) -> Response:
    """Before the consensus is finished: what it will do and what comes next."""
    try:
        rnd, case, _ = rounds.load_round(session, actor, round_id)
        after = meeting.after_meeting(session, actor, round_id)
    except ServiceError as error:
        return problem(request, error)
    if after.finished:
        return RedirectResponse(f"/rounds/{round_id}/meeting", 303)
    t = page_t(request)
    event = RoundEvent.FINISH_CONSENSUS
    return page(
        request,
        "confirm.html",
        {
            "title": t(f"confirm.{event.value}.title", child=case.display_name),
            "texts": [t(f"confirm.{event.value}.text"), *_after_texts(t, after)["texts"]],
            "action": f"/rounds/{rnd.id}/meeting/finish",
            "fields": {"confirmed": "1"},
            "reason": t("round.reason"),
            "reason_required": False,
            "button": t(f"event.{event.value}"),
            "danger": False,
            "back": f"/rounds/{rnd.id}/meeting",
        },
    )


@router.post("/rounds/{round_id}/meeting/finish")
def meeting_finish(
    request: Request,
    round_id: Id,
    actor: PageActor,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    data: Posted,
) -> Response:
    """Finish the consensus, then say on the meeting page what was done and what is next."""
    failed = csrf_failed(request, data)
    if failed:
        return failed
    try:
        rounds.transition(
            session,
            actor,
            round_id,
            TransitionRequest(event=RoundEvent.FINISH_CONSENSUS, reason=data.get("reason") or None),
            clock.now(),
            keyring=settings.keyring(),
            base_url=settings.public_base_url,
        )
    except (ServiceError, ValueError) as error:
        session.rollback()
        if isinstance(error, ServiceError):
            return _again(request, session, actor, round_id, clock, {}, refusal=error)
        return problem(request, error)
    return RedirectResponse(f"/rounds/{round_id}/meeting?finished=1#finished", 303)
