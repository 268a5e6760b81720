"""Getting a new round going (rundens opstart): who the procedure expects to inform it, who of
them is on the round already, and who informed the child's last round and could be added
again, so that the caseworker adds them, sends their links and then waits for the answers."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from service.auth.actor import Actor
from service.models.round import Informant, Language, ScoringRound, Submission, SubmissionStatus
from service.usecases.data_rights import audit
from service.usecases.procedure.rounds import load_round
from service.workflow.procedures import PROCEDURES, InformantStep, ProcedureSpec, informant_step
from service.workflow.roles import FAMILY, NETWORK, PROFESSIONALS, PROVIDER, InformantRole
from service.workflow.states import RoundState

#: The procedure's kinds of informant besides the caseworker (who is always added), in the
#: order the guide names them.
GROUPS: tuple[tuple[str, frozenset[InformantRole]], ...] = (
    ("professionals", PROFESSIONALS - {InformantRole.CASEWORKER}),
    ("provider", PROVIDER),
    ("family", FAMILY),
    ("network", NETWORK),  # optional: the guide names it, the step never waits for it
)


@dataclass(frozen=True, slots=True)
class ExpectedGroup:
    """One kind of informant the procedure expects, when it takes part, and how many of them
    the round has."""

    key: str
    step: InformantStep
    added: int


@dataclass(frozen=True, slots=True)
class Suggestion:
    """Someone who informed the child's last round and is not on this one yet."""

    role: InformantRole
    name: str
    email: str | None
    phone: str | None
    language: Language


@dataclass(frozen=True, slots=True)
class RoundGuide:
    expected: list[ExpectedGroup]
    suggestions: list[Suggestion]
    #: Informants besides the caseworker: none yet means there is nobody to send to.
    others: int
    #: Of those who score in the collection step, how many have sent their answers in.
    waiting_for: int
    answered: int


def round_guide(session: Session, actor: Actor, round_id: int) -> RoundGuide:
    """The guide for a round before and during its collection; reads nobody's answers."""
    rnd, _, _ = load_round(session, actor, round_id)
    spec = PROCEDURES[rnd.procedure]
    rows = session.exec(
        select(Informant, Submission.status)
        .outerjoin(Submission, col(Submission.informant_id) == col(Informant.id))
        .where(Informant.round_id == rnd.id)
    ).all()
    present = [informant for informant, _ in rows]
    expected = []
    for key, roles in GROUPS:
        steps = set()
        for role in roles:
            try:
                steps.add(informant_step(spec, rnd.variant, role))
            except ValueError:  # no part in this procedure
                continue
        if steps:
            step = min(steps, key=list(InformantStep).index)
            added = sum(1 for i in present if i.role in roles)
            expected.append(ExpectedGroup(key, step, added))
    scoring = [(i, s) for i, s in rows if i.step is InformantStep.INDEPENDENT]
    return RoundGuide(
        expected=expected,
        suggestions=_from_last_round(session, actor, rnd, present),
        others=sum(1 for i in present if i.role is not InformantRole.CASEWORKER),
        waiting_for=len(scoring),
        answered=sum(1 for _, s in scoring if s == SubmissionStatus.SUBMITTED),
    )


def _from_last_round(
    session: Session, actor: Actor, rnd: ScoringRound, present: list[Informant]
) -> list[Suggestion]:
    """The informants of the case's last round before this one (cancelled rounds aside) that
    this round does not have yet, with their contact details, to add in one step."""
    last = session.exec(
        select(ScoringRound.id)
        .where(
            ScoringRound.case_id == rnd.case_id,
            ScoringRound.state != RoundState.CANCELLED,
            col(ScoringRound.id) != rnd.id,
            col(ScoringRound.created_at) <= rnd.created_at,
        )
        .order_by(col(ScoringRound.created_at).desc(), col(ScoringRound.id).desc())
        .limit(1)
    ).first()
    if last is None:
        return []
    spec = PROCEDURES[rnd.procedure]
    have = {(i.role, i.name.casefold()) for i in present}
    audit.record(session, actor, "round.informants.read", "round", last, case_id=rnd.case_id)
    before = session.exec(
        select(Informant)
        .where(Informant.round_id == last, Informant.role != InformantRole.CASEWORKER)
        .order_by(col(Informant.id))
    ).all()
    return [
        Suggestion(i.role, i.name, i.email, i.phone, i.language)
        for i in before
        if (i.role, i.name.casefold()) not in have and _takes_part(spec, rnd, i.role)
    ]


def _takes_part(spec: ProcedureSpec, rnd: ScoringRound, role: InformantRole) -> bool:
    try:
        informant_step(spec, rnd.variant, role)
    except ValueError:
        return False
    return True
