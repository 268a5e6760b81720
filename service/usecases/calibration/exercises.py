"""Opening and closing calibration exercises, and a person's own answer.

Administrators and team leaders organise; the invited staff score. Until an exercise closes
nobody sees another's scores, and a vignette's reference is shown only to those who organise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from service.auth.actor import Actor
from service.errors import Conflict, NotFound, Unprocessable
from service.models.calibration import (
    CalibrationAnswer,
    CalibrationExercise,
    CalibrationScore,
    CalibrationVignette,
)
from service.models.municipality import Team
from service.models.staff import StaffUser
from service.schemas.calibration import (
    AnswerPublic,
    AnswerWrite,
    CalibrationScoreEntry,
    ExerciseCreate,
    ExercisePublic,
    VignettePublic,
)
from service.schemas.common import PageParams
from service.schemas.instruments import InstrumentForm
from service.usecases.administration.instruments import published_form
from service.usecases.calibration import vignettes
from service.usecases.calibration.access import (
    SCORERS,
    is_organiser,
    require_organiser,
    require_staff,
)
from service.usecases.data_rights import audit


def is_closed(exercise: CalibrationExercise, now: datetime) -> bool:
    return exercise.closed_at is not None or exercise.closes_at <= now


def _invitees(session: Session, actor: Actor, body: ExerciseCreate) -> list[int]:
    ids: set[int] = set(body.staff_ids)
    if body.team_id is not None:
        if session.get(Team, body.team_id) is None:
            raise NotFound(f"Team {body.team_id} not found.", code="team_not_found")
        ids |= {
            u.id or 0
            for u in session.exec(
                select(StaffUser).where(
                    StaffUser.team_id == body.team_id,
                    col(StaffUser.is_active).is_(True),
                    col(StaffUser.role).in_(list(SCORERS)),
                )
            ).all()
        }
    if not ids:
        raise Unprocessable(
            "Invite someone: give staff_ids, or a team_id with staff in it.",
            code="invitees_required",
        )
    found = {
        u.id
        for u in session.exec(
            select(StaffUser).where(
                col(StaffUser.id).in_(sorted(ids)),
                col(StaffUser.is_active).is_(True),
                col(StaffUser.role).in_(list(SCORERS)),
            )
        ).all()
    }
    unknown = sorted(ids - {i for i in found if i is not None})
    if unknown:
        raise Unprocessable(
            "Only the municipality's active caseworkers and team leaders are invited.",
            code="invitees_required",
            staff_ids=unknown,
        )
    return sorted(ids)


def open_exercise(
    session: Session, actor: Actor, body: ExerciseCreate, now: datetime
) -> CalibrationExercise:
    """An organiser invites a team or named staff to score a vignette by a closing time."""
    require_organiser(actor)
    vignette = vignettes.load_vignette(session, body.vignette_id)
    if body.closes_at <= now:
        raise Unprocessable("The closing time is in the past.", code="closes_in_past")
    invited = _invitees(session, actor, body)
    exercise = CalibrationExercise(
        municipality_id=actor.municipality_id,
        vignette_id=vignette.id or 0,
        title=body.title,
        team_id=body.team_id,
        closes_at=body.closes_at,
        opened_by_id=actor.id,
    )
    session.add(exercise)
    session.flush()
    for staff_id in invited:
        session.add(
            CalibrationAnswer(
                municipality_id=actor.municipality_id,
                exercise_id=exercise.id or 0,
                staff_user_id=staff_id,
            )
        )
    session.flush()
    audit.record(
        session,
        actor,
        "calibration.exercise.open",
        "calibration_exercise",
        exercise.id or 0,
        detail={"vignette_id": vignette.id, "invited": len(invited)},
    )
    return exercise


def _answer_of(session: Session, exercise_id: int, staff_id: int) -> CalibrationAnswer | None:
    return session.exec(
        select(CalibrationAnswer).where(
            CalibrationAnswer.exercise_id == exercise_id,
            CalibrationAnswer.staff_user_id == staff_id,
        )
    ).first()


def load_exercise(
    session: Session, actor: Actor, exercise_id: int
) -> tuple[CalibrationExercise, CalibrationAnswer | None]:
    """The exercise, if the actor organises or is invited; with the actor's own answer."""
    require_staff(actor)
    exercise = session.get(CalibrationExercise, exercise_id)
    answer = _answer_of(session, exercise_id, actor.id) if exercise is not None else None
    if exercise is None or (answer is None and not is_organiser(actor)):
        raise NotFound(f"Exercise {exercise_id} not found.", code="exercise_not_found")
    return exercise, answer


def _counts(session: Session, exercise_ids: list[int]) -> dict[int, tuple[int, int]]:
    rows = session.exec(
        select(
            CalibrationAnswer.exercise_id,
            func.count(),
            func.count(col(CalibrationAnswer.submitted_at)),
        )
        .where(col(CalibrationAnswer.exercise_id).in_(exercise_ids))
        .group_by(col(CalibrationAnswer.exercise_id))
    ).all()
    return {e: (invited, submitted) for e, invited, submitted in rows}


def exercise_public(
    session: Session,
    exercise: CalibrationExercise,
    answer: CalibrationAnswer | None,
    now: datetime,
    counts: dict[int, tuple[int, int]] | None = None,
) -> ExercisePublic:
    counts = counts if counts is not None else _counts(session, [exercise.id or 0])
    invited, submitted = counts.get(exercise.id or 0, (0, 0))
    vignette = session.get(CalibrationVignette, exercise.vignette_id)
    return ExercisePublic(
        id=exercise.id or 0,
        vignette_id=exercise.vignette_id,
        instrument_id=vignette.instrument_id if vignette else 0,
        title=exercise.title,
        team_id=exercise.team_id,
        closes_at=exercise.closes_at,
        closed_at=exercise.closed_at,
        is_closed=is_closed(exercise, now),
        invited=invited,
        submitted=submitted,
        invited_me=answer is not None,
        submitted_by_me=answer is not None and answer.submitted_at is not None,
    )


def list_exercises(
    session: Session, actor: Actor, page: PageParams, now: datetime
) -> tuple[list[ExercisePublic], int]:
    """An organiser sees every exercise of the municipality; anyone else, those they are
    invited to. Newest first."""
    require_staff(actor)
    query = select(CalibrationExercise)
    if not is_organiser(actor):
        mine = select(CalibrationAnswer.exercise_id).where(
            CalibrationAnswer.staff_user_id == actor.id
        )
        query = query.where(col(CalibrationExercise.id).in_(mine))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(
            col(CalibrationExercise.closes_at).desc(), col(CalibrationExercise.id).desc()
        )
        .offset(page.offset)
        .limit(page.limit)
    ).all()
    ids = [r.id or 0 for r in rows]
    counts = _counts(session, ids)
    answers = {
        a.exercise_id: a
        for a in session.exec(
            select(CalibrationAnswer).where(
                col(CalibrationAnswer.exercise_id).in_(ids),
                CalibrationAnswer.staff_user_id == actor.id,
            )
        ).all()
    }
    return [exercise_public(session, r, answers.get(r.id or 0), now, counts) for r in rows], total


def get_exercise(session: Session, actor: Actor, exercise_id: int, now: datetime) -> ExercisePublic:
    exercise, answer = load_exercise(session, actor, exercise_id)
    return exercise_public(session, exercise, answer, now)


def close_exercise(
    session: Session, actor: Actor, exercise_id: int, now: datetime
) -> ExercisePublic:
    """An organiser closes an exercise before its closing time: the results show."""
    require_organiser(actor)
    exercise, answer = load_exercise(session, actor, exercise_id)
    if is_closed(exercise, now):
        raise Conflict("The exercise is closed already.", code="exercise_closed")
    exercise.closed_at = now
    session.add(exercise)
    session.flush()
    audit.record(session, actor, "calibration.exercise.close", "calibration_exercise", exercise_id)
    return exercise_public(session, exercise, answer, now)


# --- a person's answer -------------------------------------------------------------------


def exercise_vignette(
    session: Session, actor: Actor, exercise_id: int, now: datetime
) -> VignettePublic:
    """The vignette as the invited read it: the reference only once the exercise closes."""
    exercise, _ = load_exercise(session, actor, exercise_id)
    vignette = vignettes.load_vignette(session, exercise.vignette_id)
    shown = is_closed(exercise, now) or is_organiser(actor)
    return vignettes.vignette_public(session, vignette, with_references=shown)


def own_answer(session: Session, actor: Actor, exercise_id: int) -> AnswerPublic:
    exercise, answer = load_exercise(session, actor, exercise_id)
    if answer is None:
        raise NotFound("You are not invited to score this exercise.", code="exercise_not_found")
    return _answer_public(session, exercise, answer)


def _answer_public(
    session: Session, exercise: CalibrationExercise, answer: CalibrationAnswer
) -> AnswerPublic:
    vignette = vignettes.load_vignette(session, exercise.vignette_id)
    form = published_form(session, vignette.instrument_id)
    keys = {f.id: f.key for f in form.factors}
    rows = session.exec(
        select(CalibrationScore).where(CalibrationScore.answer_id == answer.id)
    ).all()
    by_factor = {r.factor_id: r for r in rows}
    return AnswerPublic(
        exercise_id=exercise.id or 0,
        submitted_at=answer.submitted_at,
        scores=[
            CalibrationScoreEntry(
                factor_key=keys[f.id],
                score=by_factor[f.id].value,
                cannot_assess=by_factor[f.id].value is None,
                comment=by_factor[f.id].comment,
            )
            for f in form.factors
            if f.id in by_factor
        ],
    )


def submit_answer(
    session: Session, actor: Actor, exercise_id: int, body: AnswerWrite, now: datetime
) -> AnswerPublic:
    """The invited person scores the vignette alone, once: a score or "cannot assess" on
    every factor, each with an optional comment."""
    exercise, answer = load_exercise(session, actor, exercise_id)
    if answer is None:
        raise NotFound("You are not invited to score this exercise.", code="exercise_not_found")
    if is_closed(exercise, now):
        raise Conflict("The exercise has closed.", code="exercise_closed")
    locked = session.exec(
        select(CalibrationAnswer).where(CalibrationAnswer.id == answer.id).with_for_update()
    ).one()
    if locked.submitted_at is not None:
        raise Conflict("Your answer is in already.", code="already_submitted")
    vignette = vignettes.load_vignette(session, exercise.vignette_id)
    form = published_form(session, vignette.instrument_id)
    vignettes.check_scores(form, body.scores)
    vignettes.require_every_factor(form, {s.factor_key for s in body.scores}, "An answer")
    for entry in body.scores:
        factor = form.factor(entry.factor_key)
        assert factor is not None
        session.add(
            CalibrationScore(
                municipality_id=actor.municipality_id,
                answer_id=locked.id or 0,
                factor_id=factor.id,
                value=entry.score,
                comment=entry.comment,
            )
        )
    locked.submitted_at = now
    session.add(locked)
    session.flush()
    audit.record(session, actor, "calibration.answer.submit", "calibration_exercise", exercise_id)
    return _answer_public(session, exercise, locked)


@dataclass(frozen=True, slots=True)
class ExerciseView:
    """What the exercise's page shows the person: the exercise, the vignette (its reference
    only once closed, or to an organiser), the form to score on, and the person's own answer."""

    exercise: ExercisePublic
    vignette: VignettePublic
    form: InstrumentForm
    answer: AnswerPublic | None
    organiser: bool


def exercise_view(session: Session, actor: Actor, exercise_id: int, now: datetime) -> ExerciseView:
    exercise, answer = load_exercise(session, actor, exercise_id)
    vignette = vignettes.load_vignette(session, exercise.vignette_id)
    shown = is_closed(exercise, now) or is_organiser(actor)
    return ExerciseView(
        exercise=exercise_public(session, exercise, answer, now),
        vignette=vignettes.vignette_public(session, vignette, with_references=shown),
        form=published_form(session, vignette.instrument_id).form,
        answer=_answer_public(session, exercise, answer) if answer is not None else None,
        organiser=is_organiser(actor),
    )
