"""The form behind a link: the child's display name, the instrument with its guidance, and
the informant's own submission, never anyone else's."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from service.models.case import Case
from service.models.municipality import Municipality
from service.models.round import (
    Informant,
    ScoringRound,
    Submission,
    SubmissionScore,
    SubmissionStatus,
)
from service.models.staff import StaffUser
from service.notifications.notice import informant_notice
from service.schemas.rounds import InformantSelf, LinkFormPublic, ScoreEntry, SubmissionPublic
from service.usecases.administration.instruments import PublishedForm, published_form
from service.usecases.child.plan_links import who_does_what
from service.usecases.collection.informants import is_accepting
from service.usecases.collection.link_access import record_opening
from service.workflow.procedures import InformantStep
from service.workflow.states import RoundState


@dataclass(frozen=True, slots=True)
class ScoreRow:
    """One validated factor of a submission, ready to insert."""

    factor_id: int
    score: int | None
    cannot_assess: bool
    goal: int | None
    comment: str


def own_submission(
    session: Session, informant: Informant
) -> tuple[Submission | None, list[SubmissionScore]]:
    rows = session.exec(
        select(Submission, SubmissionScore)
        .outerjoin(SubmissionScore, col(SubmissionScore.submission_id) == col(Submission.id))
        .where(Submission.informant_id == informant.id)
    ).all()
    if not rows:
        return None, []
    return rows[0][0], [score for _, score in rows if score is not None]


def submission_public(
    informant: Informant,
    submission: Submission | None,
    scores: Sequence[SubmissionScore | ScoreRow],
    form: PublishedForm,
) -> SubmissionPublic | None:
    if submission is None:
        return None
    keys = {f.id: f.key for f in form.factors}
    return SubmissionPublic(
        status=submission.status,
        saved_at=submission.updated_at,
        submitted_at=submission.submitted_at,
        entered_on_behalf=submission.entered_by_id is not None
        and submission.entered_by_id != informant.staff_user_id,
        scores=[
            # Stored values were validated on the way in.
            ScoreEntry.model_construct(
                factor_key=keys[s.factor_id],
                score=s.score,
                cannot_assess=s.cannot_assess,
                goal=s.goal,
                comment=s.comment,
            )
            for s in sorted(scores, key=lambda s: s.factor_id)
        ],
    )


def form_status(
    rnd: ScoringRound, informant: Informant, submission: Submission | None
) -> tuple[str, bool]:
    """Where the informant's form stands: not_open_yet, open, submitted or closed."""
    if submission is not None and submission.status is SubmissionStatus.SUBMITTED:
        return "submitted", False
    if is_accepting(rnd, informant):
        return "open", True
    waiting = rnd.state is RoundState.DRAFT or (
        informant.step is InformantStep.FAMILY
        and rnd.state in (RoundState.COLLECTING, RoundState.CONSENSUS)
    )
    return ("not_open_yet" if waiting else "closed"), False


def link_form(session: Session, informant: Informant) -> LinkFormPublic:
    """The form behind the link: the child's display name, the instrument with its guidance,
    and this informant's own submission. Reading it changes nothing."""
    rnd, case, municipality, caseworker = session.exec(
        select(ScoringRound, Case, Municipality, StaffUser)
        .join(Case, col(Case.id) == col(ScoringRound.case_id))
        .join(Municipality, col(Municipality.id) == col(ScoringRound.municipality_id))
        .join(StaffUser, col(StaffUser.id) == col(Case.caseworker_id))
        .where(ScoringRound.id == informant.round_id)
    ).one()
    form = published_form(session, rnd.instrument_id)
    submission, scores = own_submission(session, informant)
    status, accepting = form_status(rnd, informant, submission)
    return LinkFormPublic(
        municipality=municipality.name,
        caseworker=caseworker.full_name,
        child=case.display_name,
        informant=InformantSelf(name=informant.name, role=informant.role, step=informant.step),
        due_at=rnd.due_at,
        accepting=accepting,
        status=status,
        instrument=form.form,
        submission=submission_public(informant, submission, scores, form),
        notice=informant_notice(rnd, case, caseworker, municipality, informant),
        plan=who_does_what(session, rnd.case_id),
    )


def open_form(
    session: Session, informant: Informant, now: datetime, client_address: str | None
) -> LinkFormPublic:
    """The person opened the form (a POST): record the first opening, return the form."""
    form = link_form(session, informant)
    rnd = session.get(ScoringRound, informant.round_id)
    assert rnd is not None
    record_opening(session, informant, rnd.case_id, now, client_address)
    return form
