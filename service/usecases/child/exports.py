"""Exports for other systems: FHIR R4 resources of an instrument and of a completed round, and
the CSV of a case's official series."""

from __future__ import annotations

import csv
import io
from collections import defaultdict

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from service.auth.actor import Actor
from service.errors import Conflict
from service.exports import fhir
from service.models.instrument import InstrumentFactor
from service.models.round import Informant, Submission, SubmissionScore, SubmissionStatus
from service.models.staff import StaffUser
from service.schemas.instruments import InstrumentForm
from service.usecases.administration import instruments
from service.usecases.administration.instruments import published_form
from service.usecases.child import progress
from service.usecases.child.results import result
from service.usecases.data_rights import audit
from service.usecases.procedure.rounds import load_round
from service.workflow.states import RoundState


def instrument_questionnaire(session: Session, actor: Actor, instrument_id: int) -> fhir.Resource:
    instrument = instruments.get_instrument(session, actor, instrument_id)
    form = InstrumentForm.model_validate(instruments.public(session, instrument).model_dump())
    return fhir.questionnaire(form)


def round_bundle(session: Session, actor: Actor, round_id: int) -> fhir.Resource:
    rnd, case, _ = load_round(session, actor, round_id)
    if rnd.state is not RoundState.COMPLETED or rnd.completed_at is None:
        raise Conflict(
            "A completed round is exported.", code="round_not_completed", state=rnd.state.value
        )
    audit.record(session, actor, "round.fhir.read", "round", round_id, case_id=case.id)
    form = published_form(session, rnd.instrument_id).form
    caseworker = session.get(StaffUser, case.caseworker_id)
    answers: dict[int, list[fhir.Answer]] = defaultdict(list)
    for submission_id, key, score, goal, comment in session.execute(
        sa_select(
            col(SubmissionScore.submission_id),
            col(InstrumentFactor.key),
            col(SubmissionScore.score),
            col(SubmissionScore.goal),
            col(SubmissionScore.comment),
        )
        .join(InstrumentFactor, col(InstrumentFactor.id) == col(SubmissionScore.factor_id))
        .join(Submission, col(Submission.id) == col(SubmissionScore.submission_id))
        .where(col(Submission.round_id) == round_id)
        .order_by(col(SubmissionScore.submission_id), col(InstrumentFactor.position))
    ).all():
        answers[submission_id].append(fhir.Answer(key, score, goal, comment))
    submissions = [
        fhir.SubmissionRef(
            submission_id=s.id or 0,
            informant_name=i.name,
            role=i.role,
            submitted_at=s.submitted_at or rnd.completed_at,
            on_behalf=s.entered_by_id is not None and s.entered_by_id != i.staff_user_id,
            answers=answers.get(s.id or 0, []),
        )
        for s, i in session.exec(
            select(Submission, Informant)
            .join(Informant, col(Informant.id) == col(Submission.informant_id))
            .where(Submission.round_id == round_id, Submission.status == SubmissionStatus.SUBMITTED)
            .order_by(col(Submission.submitted_at), col(Submission.id))
        ).all()
    ]
    ref = fhir.RoundRef(
        round_id=round_id,
        child=case.display_name,
        case_ref=case.external_ref,
        caseworker=caseworker.full_name if caseworker else "",
        completed_at=rnd.completed_at,
    )
    return fhir.round_bundle(form, ref, submissions, result(session, rnd))


#: A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> object:
    """A text cell a spreadsheet shows as text, never runs (CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def series_csv(session: Session, actor: Actor, case_id: int) -> str:
    """The case's official series, one row per round and factor: each value as scored and on
    the newest round's scale, and under an earlier factor's own key and name where the newest
    factor was split out of it."""
    series = progress.case_progress(session, actor, case_id)
    rounds = {r.round_id: r for r in series.rounds}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            "round_id",
            "completed_on",
            "instrument",
            "instrument_version",
            "crosses",
            "factor_key",
            "factor",
            "score",
            "goal",
            "not_assessed",
            "outcome",
            "no_outcome",
            "scale",
            "score_on_newest_scale",
            "goal_on_newest_scale",
        ]
    )
    for factor in series.factors:
        for point in factor.official:
            rnd = rounds[point.round_id]
            writer.writerow(
                [
                    cell(value)
                    for value in (
                        rnd.round_id,
                        rnd.completed_at.date().isoformat(),
                        rnd.instrument_key,
                        rnd.instrument_version,
                        rnd.crosses.value if rnd.crosses else "",
                        point.factor_key,
                        point.factor_name_da,
                        "" if point.score is None else point.score,
                        "" if point.goal is None else point.goal,
                        "yes" if point.not_assessed else "",
                        point.outcome.value if point.outcome else "",
                        point.no_outcome.value if point.no_outcome else "",
                        f"{rnd.scale.min}-{rnd.scale.max}",
                        "" if point.score_on_newest_scale is None else point.score_on_newest_scale,
                        "" if point.goal_on_newest_scale is None else point.goal_on_newest_scale,
                    )
                ]
            )
    return out.getvalue()
