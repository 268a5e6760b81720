"""Calibration on vignettes (kalibrering): vignettes with reference scores, exercises staff
score independently, each person's answer, and the results."""

from __future__ import annotations

from fastapi import APIRouter, status

from service.api.deps import ClockDep, CurrentActor, PageDep, SessionDep
from service.api.unit_of_work import UnitOfWorkRoute
from service.errors import Conflict, Forbidden, NotFound, Unprocessable, problem_responses
from service.schemas.calibration import (
    AgreementOverTime,
    AnswerPublic,
    AnswerWrite,
    CalibrationDistances,
    ExerciseCreate,
    ExercisePublic,
    ExerciseResults,
    ExercisesPublic,
    VignetteCreate,
    VignettePublic,
    VignettesPublic,
)
from service.schemas.common import Id
from service.usecases.calibration import exercises as usecase
from service.usecases.calibration import results, vignettes

router = APIRouter(prefix="/calibration", tags=["calibration"], route_class=UnitOfWorkRoute)


@router.post(
    "/vignettes",
    operation_id="create_calibration_vignette",
    summary="Write a vignette with its reference scores",
    status_code=status.HTTP_201_CREATED,
    response_model=VignettePublic,
    responses=problem_responses(Forbidden, NotFound, Conflict, Unprocessable),
)
def create_vignette(
    actor: CurrentActor, session: SessionDep, body: VignetteCreate
) -> VignettePublic:
    """An administrator or team leader writes a fictitious child's situation in the terms of
    a published instrument version, with the reference score and rationale of every factor."""
    vignette = vignettes.create_vignette(session, actor, body)
    return vignettes.vignette_public(session, vignette, with_references=True)


@router.get(
    "/vignettes",
    operation_id="list_calibration_vignettes",
    summary="List the vignettes",
    response_model=VignettesPublic,
    responses=problem_responses(Forbidden),
)
def list_vignettes(actor: CurrentActor, session: SessionDep, page: PageDep) -> VignettesPublic:
    """The municipality's vignettes with their references, newest first (organisers only)."""
    items, total = vignettes.list_vignettes(session, actor, page)
    return VignettesPublic(items=items, total=total, **page.model_dump())


@router.get(
    "/vignettes/{vignette_id}",
    operation_id="get_calibration_vignette",
    summary="Get a vignette with its reference scores",
    response_model=VignettePublic,
    responses=problem_responses(Forbidden, NotFound),
)
def get_vignette(actor: CurrentActor, session: SessionDep, vignette_id: Id) -> VignettePublic:
    """One vignette and its reference per factor (organisers only)."""
    return vignettes.get_vignette(session, actor, vignette_id)


@router.post(
    "/exercises",
    operation_id="open_calibration_exercise",
    summary="Open a calibration exercise",
    status_code=status.HTTP_201_CREATED,
    response_model=ExercisePublic,
    responses=problem_responses(Forbidden, NotFound, Unprocessable),
)
def open_exercise(
    actor: CurrentActor, session: SessionDep, clock: ClockDep, body: ExerciseCreate
) -> ExercisePublic:
    """Invite a team or named staff to score a vignette, each alone, until `closes_at`."""
    now = clock.now()
    exercise = usecase.open_exercise(session, actor, body, now)
    return usecase.exercise_public(session, exercise, None, now)


@router.get(
    "/exercises",
    operation_id="list_calibration_exercises",
    summary="List calibration exercises",
    response_model=ExercisesPublic,
    responses=problem_responses(Forbidden),
)
def list_exercises(
    actor: CurrentActor, session: SessionDep, clock: ClockDep, page: PageDep
) -> ExercisesPublic:
    """Organisers see every exercise; anyone else, those they are invited to."""
    items, total = usecase.list_exercises(session, actor, page, clock.now())
    return ExercisesPublic(items=items, total=total, **page.model_dump())


@router.get(
    "/exercises/{exercise_id}",
    operation_id="get_calibration_exercise",
    summary="Get a calibration exercise",
    response_model=ExercisePublic,
    responses=problem_responses(Forbidden, NotFound),
)
def get_exercise(
    actor: CurrentActor, session: SessionDep, clock: ClockDep, exercise_id: Id
) -> ExercisePublic:
    """The exercise: its closing time, how many are invited and how many have answered."""
    return usecase.get_exercise(session, actor, exercise_id, clock.now())


@router.get(
    "/exercises/{exercise_id}/vignette",
    operation_id="get_calibration_exercise_vignette",
    summary="Read the exercise's vignette",
    response_model=VignettePublic,
    responses=problem_responses(Forbidden, NotFound),
)
def get_exercise_vignette(
    actor: CurrentActor, session: SessionDep, clock: ClockDep, exercise_id: Id
) -> VignettePublic:
    """The vignette to score; its reference shows once the exercise closes."""
    return usecase.exercise_vignette(session, actor, exercise_id, clock.now())


@router.post(
    "/exercises/{exercise_id}/close",
    operation_id="close_calibration_exercise",
    summary="Close a calibration exercise now",
    response_model=ExercisePublic,
    responses=problem_responses(Forbidden, NotFound, Conflict),
)
def close_exercise(
    actor: CurrentActor, session: SessionDep, clock: ClockDep, exercise_id: Id
) -> ExercisePublic:
    """An organiser closes the exercise before its closing time: the results show."""
    return usecase.close_exercise(session, actor, exercise_id, clock.now())


@router.get(
    "/exercises/{exercise_id}/answer",
    operation_id="get_own_calibration_answer",
    summary="Read your own answer",
    response_model=AnswerPublic,
    responses=problem_responses(Forbidden, NotFound),
)
def get_own_answer(actor: CurrentActor, session: SessionDep, exercise_id: Id) -> AnswerPublic:
    """The caller's own answer to the exercise (never another's)."""
    return usecase.own_answer(session, actor, exercise_id)


@router.put(
    "/exercises/{exercise_id}/answer",
    operation_id="submit_calibration_answer",
    summary="Submit your own answer",
    response_model=AnswerPublic,
    responses=problem_responses(Forbidden, NotFound, Conflict, Unprocessable),
)
def submit_answer(
    actor: CurrentActor, session: SessionDep, clock: ClockDep, exercise_id: Id, body: AnswerWrite
) -> AnswerPublic:
    """The invited person's scores of the vignette, once: a score or `cannot_assess` on every
    factor, with an optional comment each."""
    return usecase.submit_answer(session, actor, exercise_id, body, clock.now())


@router.get(
    "/exercises/{exercise_id}/results",
    operation_id="get_calibration_results",
    summary="Read an exercise's results",
    response_model=ExerciseResults,
    responses=problem_responses(Forbidden, NotFound, Conflict),
)
def get_results(
    actor: CurrentActor, session: SessionDep, clock: ClockDep, exercise_id: Id
) -> ExerciseResults:
    """Once closed: the spread and the reference per factor; the caller's own distance from
    the reference if they answered; the group's agreement, never by name."""
    return results.exercise_results(session, actor, exercise_id, clock.now())


@router.get(
    "/agreement",
    operation_id="get_calibration_agreement",
    summary="How alike the staff score, over time",
    response_model=AgreementOverTime,
    responses=problem_responses(Forbidden),
)
def get_agreement(actor: CurrentActor, session: SessionDep, clock: ClockDep) -> AgreementOverTime:
    """Each closed exercise's agreement (Krippendorff's alpha, mean r_wg), oldest first."""
    return results.agreement_over_time(session, actor, clock.now())


@router.get(
    "/distances/me",
    operation_id="get_own_calibration_distances",
    summary="Your own distances from the references",
    response_model=CalibrationDistances,
    responses=problem_responses(Forbidden),
)
def get_own_distances(
    actor: CurrentActor, session: SessionDep, clock: ClockDep
) -> CalibrationDistances:
    """Per closed exercise and factor, how far the caller's score lay from the reference:
    the caller's own, shown to nobody else."""
    return CalibrationDistances(items=results.own_distances(session, actor, clock.now()))
