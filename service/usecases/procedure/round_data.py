"""A round's data as the consensus step reads it: the published form, the informants, their
submitted scores per factor and the official scores; and the facts the state machine's guards
need. Every read here is a fixed number of queries, whatever the number of informants or
factors."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from service.errors import Conflict, Unprocessable
from service.models.case import Provider
from service.models.round import (
    Informant,
    OfficialScore,
    ScoringRound,
    Submission,
    SubmissionScore,
    SubmissionStatus,
)
from service.models.round_measure import RoundMeasure
from service.schemas.rounds import OfficialPublic
from service.usecases.administration.instruments import FactorInfo, PublishedForm, published_form
from service.usecases.collection import family_voices
from service.usecases.consensus import attendance
from service.workflow import consensus as rules
from service.workflow.machine import RoundFacts
from service.workflow.procedures import PROCEDURES, Gathering, InformantStep, guarded_from
from service.workflow.roles import InformantRole
from service.workflow.scale import Scale
from service.workflow.states import RoundState

#: States in which the independent scores may be seen (the independent step is closed).
SCORES_VISIBLE = frozenset(
    {
        RoundState.CONSENSUS,
        RoundState.FAMILY_DIALOGUE,
        RoundState.PROVIDER_INFORMATION,
        RoundState.COMPLETED,
    }
)

#: The scores the official decision weighs (trin 1): the first decision and every amendment
#: of it alike. The family's scores of trin 3 come after it and are kept as notes.
DECIDING_STEPS = frozenset({InformantStep.INDEPENDENT})


# --- facts for the guards ---------------------------------------------------------------


def gather_facts(session: Session, rnd: ScoringRound) -> RoundFacts:
    """What the state machine's guards need: two queries, and one or two more for the guard
    of the step the round is in."""
    return gather_facts_many(session, [rnd])[rnd.id or 0]


def gather_facts_many(session: Session, rounds: Sequence[ScoringRound]) -> dict[int, RoundFacts]:
    """`gather_facts` of each round, by id: the counts every guard reads in two queries for
    all the rounds, the family's voices in two more for the rounds whose step waits on them;
    attendance and the provider's recipients (a round at its meeting or informing its
    provider) are read round by round."""
    ids = [r.id or 0 for r in rounds]
    if not ids:
        return {}
    is_caseworker = col(Informant.role) == InformantRole.CASEWORKER.value
    rows = session.execute(
        sa_select(
            col(Informant.round_id),
            col(Informant.step),
            is_caseworker,
            func.count(),
            func.count(col(Submission.id)),
        )
        .select_from(Informant)
        .outerjoin(
            Submission,
            (col(Submission.informant_id) == col(Informant.id))
            & (col(Submission.status) == SubmissionStatus.SUBMITTED.value),
        )
        .where(col(Informant.round_id).in_(ids))
        .group_by(col(Informant.round_id), col(Informant.step), is_caseworker)
    ).all()
    by_step: dict[int, dict[InformantStep, int]] = {i: defaultdict(int) for i in ids}
    caseworker_submitted: set[int] = set()
    for round_id, step, caseworker, _, done in rows:
        by_step[round_id][InformantStep(step)] += int(done or 0)
        if caseworker and step == InformantStep.INDEPENDENT.value and done:
            caseworker_submitted.add(round_id)
    settled: dict[int, int] = {
        round_id: int(n)
        for round_id, n in session.execute(
            sa_select(col(OfficialScore.round_id), func.count())
            .where(col(OfficialScore.round_id).in_(ids))
            .group_by(col(OfficialScore.round_id))
        ).all()
    }
    # What only one step's guard reads is counted in that step alone.
    unheard = family_voices.unheard_counts(
        session,
        [r for r in rounds if r.state in guarded_from(PROCEDURES[r.procedure], "family_heard")],
    )
    facts = {}
    for rnd in rounds:
        spec = PROCEDURES[rnd.procedure]
        round_id = rnd.id or 0
        unrecorded = (
            len(
                attendance.unrecorded(
                    session, rnd, Gathering.MEETING, attendance.round_informants(session, rnd)
                )
            )
            if rnd.state in guarded_from(spec, "attendance_recorded")
            else 0
        )
        recipients = (
            len(provider_recipients(session, rnd))
            if rnd.state in guarded_from(spec, "provider_reached")
            else 0
        )
        facts[round_id] = RoundFacts(
            state=rnd.state.value,
            independent_submissions=by_step[round_id][InformantStep.INDEPENDENT],
            caseworker_submitted=round_id in caseworker_submitted,
            unsettled_factors=len(published_form(session, rnd.instrument_id).factors)
            - settled.get(round_id, 0),
            family_unheard=unheard.get(round_id, 0),
            unrecorded_attendance=unrecorded,
            provider_recipients=recipients,
        )
    return facts


@dataclass(frozen=True, slots=True)
class ProviderRecipient:
    """Whom trin 4 of KL 2 tells the result: the round's provider, or its measures'."""

    name: str
    email: str
    informant_id: int | None


def provider_recipients(session: Session, rnd: ScoringRound) -> list[ProviderRecipient]:
    """The provider informants of the round with an email address; failing those, the
    providers of the measures the round evaluates that have one."""
    found = [
        ProviderRecipient(i.name, i.email, i.id)
        for i in session.exec(
            select(Informant)
            .where(Informant.round_id == rnd.id, Informant.role == InformantRole.PROVIDER)
            .order_by(col(Informant.id))
        ).all()
        if i.email
    ]
    if found:
        return found
    rows = session.exec(
        select(Provider.name, Provider.email)
        .join(RoundMeasure, col(RoundMeasure.provider_id) == col(Provider.id))
        .where(RoundMeasure.round_id == rnd.id, col(Provider.email).is_not(None))
        .distinct()
        .order_by(col(Provider.name))
    ).all()
    return [ProviderRecipient(name, email, None) for name, email in rows if email]


# --- loading a round's data -------------------------------------------------------------


@dataclass
class RoundData:
    form: PublishedForm
    informants: dict[int, Informant]
    #: factor id -> the submitted informant scores on it
    scores: dict[int, list[rules.InformantScore]]
    on_behalf: set[int]
    officials: dict[int, OfficialScore]

    @property
    def scale(self) -> Scale:
        return self.form.scale

    @property
    def factors(self) -> tuple[FactorInfo, ...]:
        return self.form.factors

    def factor_by_key(self, key: str) -> FactorInfo:
        factor = self.form.factor(key)
        if factor is not None:
            return factor
        raise Unprocessable(
            f"The instrument has no factor {key!r}.", code="unknown_factor", factor_key=key
        )


def load_round_data(
    session: Session, rnd: ScoringRound, steps: set[InformantStep] | frozenset[InformantStep]
) -> RoundData:
    form = published_form(session, rnd.instrument_id)
    informants = {
        i.id or 0: i
        for i in session.exec(
            select(Informant).where(Informant.round_id == rnd.id).order_by(col(Informant.id))
        ).all()
    }
    scores: dict[int, list[rules.InformantScore]] = defaultdict(list)
    on_behalf: set[int] = set()
    # Plain rows, not ORM objects: a meeting has informants x factors of them.
    rows = session.execute(
        sa_select(
            col(SubmissionScore.factor_id),
            col(SubmissionScore.score),
            col(SubmissionScore.goal),
            col(SubmissionScore.comment),
            col(Submission.informant_id),
            col(Submission.entered_by_id),
        )
        .join(Submission, col(Submission.id) == col(SubmissionScore.submission_id))
        .where(
            col(Submission.round_id) == rnd.id, col(Submission.status) == SubmissionStatus.SUBMITTED
        )
        .order_by(col(Submission.informant_id), col(SubmissionScore.factor_id))
    ).all()
    for factor_id, score, goal, comment, informant_id, entered_by in rows:
        informant = informants[informant_id]
        if informant.step not in steps:
            continue
        if entered_by is not None and entered_by != informant.staff_user_id:
            on_behalf.add(informant_id)
        scores[factor_id].append(
            rules.InformantScore(
                informant_id=informant_id,
                role=informant.role,
                name=informant.name,
                score=score,
                goal=goal,
                comment=comment,
            )
        )
    officials = {
        o.factor_id: o
        for o in session.exec(select(OfficialScore).where(OfficialScore.round_id == rnd.id)).all()
    }
    return RoundData(form, informants, scores, on_behalf, officials)


def visible_steps(rnd: ScoringRound) -> set[InformantStep]:
    """The family's scores join the view from the family dialogue on."""
    steps = {InformantStep.INDEPENDENT}
    if rnd.state in (
        RoundState.FAMILY_DIALOGUE,
        RoundState.PROVIDER_INFORMATION,
        RoundState.COMPLETED,
    ):
        steps.add(InformantStep.FAMILY)
    return steps


def decision_of(official: OfficialScore) -> rules.OfficialDecision:
    return rules.OfficialDecision(
        official.score, official.goal, official.rationale, official.not_assessed_reason
    )


def require_visible(rnd: ScoringRound) -> None:
    """Independence: the informants' scores stay hidden until the independent step closes."""
    if rnd.state not in SCORES_VISIBLE:
        raise Conflict(
            "The informants' scores stay hidden until the independent step closes.",
            code="scores_hidden",
            state=rnd.state.value,
        )


def official_public(factor: FactorInfo, official: OfficialScore) -> OfficialPublic:
    return OfficialPublic(
        factor_key=factor.key,
        score=official.score,
        goal=official.goal,
        rationale=official.rationale,
        not_assessed=official.score is None,
        not_assessed_reason=official.not_assessed_reason,
        set_by_id=official.set_by_id,
        set_as="substitute" if official.substitute_reason else "caseworker",
        substitute_reason=official.substitute_reason,
        set_at=official.set_at,
    )
