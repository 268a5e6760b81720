"""What the family sees through its link once the round is completed (DOMAIN §8: the official
result and its own scores): the official score, goal and outcome per factor beside its own
answers, and its own series beside the official one. Never a professional's own score: the
professionals' spread is shown only to a member of the family recorded as present at the
meeting where it was shown (KL 3 has the family there); not to one who was absent or not
recorded."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from service.errors import Conflict, Forbidden
from service.models.case import Case
from service.models.round import Informant, ScoringRound
from service.schemas.family_result import (
    FamilyFactor,
    FamilyResultPublic,
    OwnAnswer,
    ProfessionalsSpread,
)
from service.schemas.instruments import FactorPublic
from service.schemas.progress import CaseProgress, ProgressScale
from service.schemas.rounds import RoundResult, SubmissionPublic
from service.usecases.administration.instruments import published_form
from service.usecases.child import progress
from service.usecases.child.results import result
from service.usecases.collection.link_access import informant_actor
from service.usecases.collection.link_form import own_submission, submission_public
from service.usecases.consensus import attendance
from service.usecases.data_rights import audit
from service.workflow.procedures import Gathering
from service.workflow.roles import FAMILY, InformantRole, audiences_for
from service.workflow.states import RoundState


@dataclass(frozen=True, slots=True)
class FamilyResult:
    role: InformantRole
    result: RoundResult  # without the notes: those are other people's scores
    progress: CaseProgress  # the official series and the reader's own role only
    met_professionals: bool  # recorded as present at the meeting with the professionals
    own: SubmissionPublic | None  # the reader's own answers
    round: ScoringRound
    child: str  # the child's display name
    factors: list[FactorPublic]  # the round's form, with the words of every audience
    scale: ProgressScale


def family_result(
    session: Session, informant: Informant, client_address: str | None
) -> FamilyResult | None:
    """The result for a family member's link, or None (not family, or not completed)."""
    if informant.role not in FAMILY:
        return None
    rnd = session.get(ScoringRound, informant.round_id)
    if rnd is None or rnd.state is not RoundState.COMPLETED:
        return None
    case = session.get(Case, rnd.case_id)
    assert case is not None
    official = result(session, rnd)
    official = official.model_copy(
        update={
            "factors": [f.model_copy(update={"disagreements": []}) for f in official.factors],
            "amendments": [],
        }
    )
    met = _was_at_meeting(session, rnd, informant)
    series = progress.progress(session, case, until=rnd)
    series = series.model_copy(
        update={
            "factors": [
                f.model_copy(
                    update={
                        "roles": [r for r in f.roles if r.role is informant.role],
                        "spread": f.spread if met else [],
                    }
                )
                for f in series.factors
            ],
            "rounds": [r.model_copy(update={"measures": []}) for r in series.rounds],
        }
    )
    audit.record(
        session,
        informant_actor(informant, client_address),
        "link.result.read",
        "round",
        rnd.id or 0,
        case_id=case.id,
    )
    form = published_form(session, rnd.instrument_id)
    submission, scores = own_submission(session, informant)
    own = submission_public(informant, submission, scores, form)
    return FamilyResult(
        informant.role,
        official,
        series,
        met,
        own,
        rnd,
        case.display_name,
        form.form.factors,
        ProgressScale(
            min=form.form.scale.min, max=form.form.scale.max, best_end=form.form.scale.best_end
        ),
    )


def _was_at_meeting(session: Session, rnd: ScoringRound, informant: Informant) -> bool:
    """The round's recorded attendance, not the procedure's default: only someone the
    caseworker recorded as present was at the meeting."""
    found = attendance.presence(session, rnd, [informant])
    return found.get((informant.id or 0, Gathering.MEETING)) is True


class NotFamily(Forbidden):
    code = "result_for_family_only"


class ResultNotReady(Conflict):
    code = "result_not_ready"


def family_result_public(
    session: Session, informant: Informant, client_address: str | None
) -> FamilyResultPublic:
    """The family's result as JSON: what their page shows, and nothing more."""
    if informant.role not in FAMILY:
        raise NotFamily(
            "Only the family's links show the round's result. A professional's link shows "
            "what was submitted through it."
        )
    found = family_result(session, informant, client_address)
    if found is None:
        raise ResultNotReady("The round is not completed yet; its result is shown after.")
    return public(found)


def public(found: FamilyResult) -> FamilyResultPublic:
    answers = {s.factor_key: s for s in found.own.scores} if found.own else {}
    words = {f.key: _words(f, found.role) for f in found.factors}
    spread = {
        f.factor_key: next((s for s in f.spread if s.round_id == found.round.id), None)
        for f in found.progress.factors
    }
    factors = []
    for factor in found.result.factors:
        official, outcome = factor.official, factor.outcome
        mine = answers.get(factor.factor_key)
        band = spread.get(factor.factor_key) if found.met_professionals else None
        name_da, name_en = words.get(factor.factor_key, (factor.name_da, factor.name_en))
        factors.append(
            FamilyFactor(
                factor_key=factor.factor_key,
                position=factor.position,
                name_da=name_da,
                name_en=name_en,
                official_score=official.score if official else None,
                official_goal=official.goal if official else None,
                not_assessed=official.not_assessed if official else False,
                outcome=outcome.outcome if outcome else None,
                no_outcome=outcome.no_outcome if outcome else None,
                previous_score=outcome.previous_score if outcome else None,
                previous_goal=outcome.previous_goal if outcome else None,
                own=OwnAnswer(
                    score=mine.score,
                    cannot_assess=mine.cannot_assess,
                    goal=mine.goal,
                    comment=mine.comment,
                )
                if mine
                else None,
                professionals=ProfessionalsSpread(
                    min=band.min, max=band.max, informants=band.informants
                )
                if band
                else None,
            )
        )
    rnd = found.round
    return FamilyResultPublic(
        round_id=rnd.id or 0,
        child=found.child,
        role=found.role,
        procedure=rnd.procedure,
        completed_at=rnd.completed_at or rnd.updated_at,
        met_professionals=found.met_professionals,
        scale=found.scale,
        factors=factors,
        progress=found.progress,
    )


def _words(factor: FactorPublic, role: InformantRole) -> tuple[str, str]:
    """The factor's name as the reader reads it on the form (the child: its question)."""
    for audience in audiences_for(role):
        words = factor.audiences.get(audience)
        if words is not None:
            return words.name_da, words.name_en
    return factor.name_da, factor.name_en
