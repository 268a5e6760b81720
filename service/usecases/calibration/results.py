"""What an exercise shows once it closes: the spread per factor, the reference and its
rationale, each person's own distance from the reference (to that person alone), and the
group's agreement, per exercise and over time (to those who organise, never by name).

Everything here is advisory: a figure that calibration gives changes nothing by itself and
ranks nobody.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlmodel import Session, col, select

from service.auth.actor import Actor
from service.errors import Conflict
from service.models.calibration import (
    CalibrationAnswer,
    CalibrationExercise,
    CalibrationScore,
    CalibrationVignette,
)
from service.models.tenancy import joined_within
from service.schemas.calibration import (
    AgreementOverTime,
    AgreementPoint,
    CalibrationDistance,
    CalibrationFactorResult,
    ExerciseResults,
    PointCount,
)
from service.usecases.administration.instruments import published_form
from service.usecases.calibration.access import require_organiser, require_staff
from service.usecases.calibration.exercises import exercise_public, is_closed, load_exercise
from service.usecases.calibration.vignettes import references
from service.usecases.data_rights import audit
from service.workflow import calibration as rules

#: The fewest answers behind a group figure that someone outside the group sees: fewer, and
#: a team leader could tell who scored what.
MIN_GROUP = 3


def _scores(
    session: Session, exercise_ids: list[int]
) -> dict[int, dict[int, dict[int, int | None]]]:
    """exercise id -> staff id -> factor id -> score (None: cannot assess), submitted only."""
    rows = session.exec(
        select(CalibrationAnswer.exercise_id, CalibrationAnswer.staff_user_id, CalibrationScore)
        .join(
            CalibrationScore,
            joined_within(
                CalibrationScore,
                CalibrationAnswer,
                col(CalibrationScore.answer_id) == col(CalibrationAnswer.id),
            ),
        )
        .where(
            col(CalibrationAnswer.exercise_id).in_(exercise_ids),
            col(CalibrationAnswer.submitted_at).is_not(None),
        )
    ).all()
    result: dict[int, dict[int, dict[int, int | None]]] = defaultdict(lambda: defaultdict(dict))
    for exercise_id, staff_id, score in rows:
        result[exercise_id][staff_id][score.factor_id] = score.value
    return result


def exercise_results(
    session: Session, actor: Actor, exercise_id: int, now: datetime
) -> ExerciseResults:
    """After the exercise closes: for the invited, the spread, the reference and their own
    distance; for an organiser, the spread and the agreement when enough answered."""
    exercise, answer = load_exercise(session, actor, exercise_id)
    if not is_closed(exercise, now):
        raise Conflict(
            "The results show when the exercise closes: until then each scores alone.",
            code="exercise_still_open",
            closes_at=exercise.closes_at.isoformat(),
        )
    vignette = session.get(CalibrationVignette, exercise.vignette_id)
    assert vignette is not None
    form = published_form(session, vignette.instrument_id)
    refs = references(session, vignette)
    by_person = _scores(session, [exercise_id]).get(exercise_id, {})
    submitted = len(by_person)
    shown = answer is not None or submitted >= MIN_GROUP
    own = by_person.get(actor.id) if answer is not None else None
    per_factor = {
        factor.key: [row.get(factor.id) for row in by_person.values() if factor.id in row]
        for factor in form.factors
    }
    group = rules.exercise_agreement(form.scale, per_factor if shown else {})
    factors: list[CalibrationFactorResult] = []
    for factor in form.factors:
        spread = rules.spread(form.scale, per_factor[factor.key] if shown else [])
        measured = group.factors.get(factor.key)
        ref = refs.get(factor.key)
        result = CalibrationFactorResult(
            factor_key=factor.key,
            factor_name_da=factor.name_da,
            factor_name_en=factor.name_en,
            counts=[PointCount(score=p, count=n) for p, n in spread.counts.items()],
            cannot_assess=spread.cannot_assess,
            r_wg=measured.r_wg if measured else None,
            reference=ref,
        )
        if own is not None and factor.id in own:
            value = own[factor.id]
            result.own_score = value
            result.own_cannot_assess = value is None
            if value is not None and ref is not None and ref.score is not None:
                result.own_distance = abs(value - ref.score)
        factors.append(result)
    alpha = group.alpha
    audit.record(session, actor, "calibration.results.read", "calibration_exercise", exercise_id)
    return ExerciseResults(
        exercise=exercise_public(session, exercise, answer, now),
        story=vignette.story,
        submitted=submitted,
        shown=shown,
        alpha=alpha,
        factors=factors,
    )


def agreement_over_time(session: Session, actor: Actor, now: datetime) -> AgreementOverTime:
    """The closed exercises of the municipality, oldest first, each with how alike the group
    scored: is the municipality scoring more alike? Never a name; an exercise with fewer
    than `MIN_GROUP` answers shows no figures."""
    require_organiser(actor)
    exercises = [e for e in session.exec(select(CalibrationExercise)).all() if is_closed(e, now)]
    scores = _scores(session, [e.id or 0 for e in exercises])
    vignettes = {
        v.id: v
        for v in session.exec(
            select(CalibrationVignette).where(
                col(CalibrationVignette.id).in_({e.vignette_id for e in exercises})
            )
        ).all()
    }
    points: list[AgreementPoint] = []
    for exercise in sorted(exercises, key=lambda e: (e.closed_at or e.closes_at, e.id or 0)):
        by_person = scores.get(exercise.id or 0, {})
        vignette = vignettes[exercise.vignette_id]
        scale = published_form(session, vignette.instrument_id).scale
        alpha = mean_r_wg = None
        if len(by_person) >= MIN_GROUP:
            per_factor: dict[str, list[int | None]] = defaultdict(list)
            for row in by_person.values():
                for factor_id, value in row.items():
                    per_factor[str(factor_id)].append(value)
            group = rules.exercise_agreement(scale, per_factor)
            alpha, mean_r_wg = group.alpha, group.mean_r_wg
        points.append(
            AgreementPoint(
                exercise_id=exercise.id or 0,
                title=exercise.title,
                closed_at=exercise.closed_at or exercise.closes_at,
                submitted=len(by_person),
                alpha=alpha,
                mean_r_wg=mean_r_wg,
            )
        )
    return AgreementOverTime(items=points)


def own_distances(session: Session, actor: Actor, now: datetime) -> list[CalibrationDistance]:
    """The actor's own distance from the reference, per factor and closed exercise, oldest
    first: for the person's own eyes (the drift page shows them beside the person's own
    scores); nobody else's distances are ever read here."""
    require_staff(actor)
    answers = session.exec(
        select(CalibrationAnswer, CalibrationExercise)
        .join(
            CalibrationExercise,
            joined_within(
                CalibrationExercise,
                CalibrationAnswer,
                col(CalibrationExercise.id) == col(CalibrationAnswer.exercise_id),
            ),
        )
        .where(
            CalibrationAnswer.staff_user_id == actor.id,
            col(CalibrationAnswer.submitted_at).is_not(None),
        )
    ).all()
    closed = [(a, e) for a, e in answers if is_closed(e, now)]
    closed.sort(key=lambda pair: (pair[1].closed_at or pair[1].closes_at, pair[1].id or 0))
    result: list[CalibrationDistance] = []
    for answer, exercise in closed:
        vignette = session.get(CalibrationVignette, exercise.vignette_id)
        assert vignette is not None
        form = published_form(session, vignette.instrument_id)
        refs = references(session, vignette)
        own = {
            s.factor_id: s.value
            for s in session.exec(
                select(CalibrationScore).where(CalibrationScore.answer_id == answer.id)
            ).all()
        }
        for factor in form.factors:
            value, ref = own.get(factor.id), refs.get(factor.key)
            if value is None or ref is None or ref.score is None:
                continue
            result.append(
                CalibrationDistance(
                    exercise_id=exercise.id or 0,
                    exercise_title=exercise.title,
                    closed_at=exercise.closed_at or exercise.closes_at,
                    factor_key=factor.key,
                    factor_name_da=factor.name_da,
                    factor_name_en=factor.name_en,
                    own_score=value,
                    reference_score=ref.score,
                    distance=abs(value - ref.score),
                )
            )
    return result
