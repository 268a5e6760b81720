"""Use cases for a round's informants and their personal links."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, func
from sqlalchemy import case as sa_case
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from service.auth.actor import Actor
from service.auth.keys import Keyring
from service.auth.links import link_url
from service.auth.seal import seal
from service.errors import Conflict, NotFound, Unprocessable
from service.models.link import LinkEnd
from service.models.outbox import DeliveryStatus
from service.models.round import Informant, ScoringRound, Submission, SubmissionStatus
from service.models.tenancy import joined_within
from service.notifications import outbox
from service.schemas.rounds import InformantCreate, InformantPublic, LinkRequest
from service.usecases.collection.personal_links import FAMILY_LINK_EXTRA, end_link, new_link
from service.usecases.data_rights import audit
from service.usecases.procedure.rounds import load_round, require_round_writer
from service.workflow.procedures import PROCEDURES, InformantStep, informant_step
from service.workflow.roles import FAMILY
from service.workflow.states import FINAL_STATES, RoundState

#: The informants who get no link, and why.
_NO_SCORE = {
    InformantStep.MEETING_ONLY: "takes part in the meeting without scoring beforehand",
    InformantStep.INFORMED: "does not score; it is told the official score and goals",
}


def add_informant(
    session: Session, actor: Actor, round_id: int, data: InformantCreate, *, now: datetime
) -> Informant:
    """An informant in the round, at the step its role has in the procedure. One who gets no
    link (it only meets, or is told the result) is sent a notice of who sees what and of its
    rights at once, by the outbox."""
    rnd, case, _ = load_round(session, actor, round_id, lock=True)
    require_round_writer(actor, case)
    if rnd.state in FINAL_STATES:
        raise Conflict("The round is finished.", code="round_finished", state=rnd.state.value)
    step = informant_step(PROCEDURES[rnd.procedure], rnd.variant, data.role)
    informant = Informant(
        municipality_id=rnd.municipality_id,
        round_id=round_id,
        role=data.role,
        step=step,
        name=data.name,
        email=str(data.email) if data.email else None,
        phone=data.phone,
        language=data.language,
    )
    session.add(informant)
    session.flush()
    if step in _NO_SCORE:  # no link to carry who sees what: a notice tells them instead
        outbox.notice(session, rnd, case, informant, now)
    audit.record(
        session, actor, "informant.create", "informant", informant.id or 0, case_id=case.id
    )
    return informant


def load_informant(session: Session, rnd: ScoringRound, informant_id: int) -> Informant:
    informant = session.exec(
        select(Informant).where(Informant.id == informant_id, Informant.round_id == rnd.id)
    ).first()
    if informant is None:
        raise NotFound(f"Informant {informant_id} not found.", code="informant_not_found")
    return informant


def issue_link(
    session: Session,
    actor: Actor,
    round_id: int,
    informant_id: int,
    request: LinkRequest,
    keyring: Keyring,
    now: datetime,
    *,
    base_url: str | None = None,
) -> tuple[Informant, str]:
    """Issue (or re-issue) the informant's personal link; the token is returned this once.

    A re-issued link replaces the one before, which from then on answers as withdrawn; the
    link history keeps who issued each. With `base_url`, an informant with an email address
    is sent the invitation (through the outbox, so only once this transaction commits)."""
    rnd, case, municipality = load_round(session, actor, round_id, lock=True)
    require_round_writer(actor, case)
    informant = load_informant(session, rnd, informant_id)
    # A family member's link shows the result once the round is completed: it can be renewed.
    for_result = rnd.state is RoundState.COMPLETED and informant.role in FAMILY
    if rnd.state in FINAL_STATES and not for_result:
        raise Conflict("The round is finished.", code="round_finished", state=rnd.state.value)
    if informant.step in _NO_SCORE and not for_result:
        raise Conflict(
            f"In this procedure's {rnd.variant.value.replace('_', ' ')} variant the "
            f"{informant.role.value} {_NO_SCORE[informant.step]}.",
            code="informant_does_not_score",
            step=informant.step.value,
        )
    if informant.staff_user_id is not None:
        raise Conflict("Staff score through their own login, not a link.", code="staff_informant")
    default_expiry = rnd.due_at + timedelta(days=municipality.link_grace_days)
    if informant.step is InformantStep.FAMILY:
        default_expiry = max(rnd.meeting_at or rnd.due_at, rnd.due_at) + FAMILY_LINK_EXTRA
    if for_result:
        default_expiry = now + FAMILY_LINK_EXTRA
    expires = request.expires_at or default_expiry
    if expires <= now:
        raise Unprocessable("expires_at must be in the future.", code="expiry_in_past")
    reissued = informant.token_hash is not None
    token = new_link(session, rnd, informant, expires, actor, keyring, now)
    if base_url and (informant.email or informant.phone):
        sealed = seal(keyring, link_url(base_url, token), outbox.LINK_SEAL_CONTEXT)
        if for_result:
            outbox.result_notice(session, rnd, case, informant, sealed, expires, now)
        else:
            outbox.invite(session, rnd, case, informant, sealed, now)
    audit.record(
        session,
        actor,
        "link.reissue" if reissued else "link.issue",
        "informant",
        informant_id,
        case_id=case.id,
    )
    return informant, token


def revoke_link(
    session: Session, actor: Actor, round_id: int, informant_id: int, now: datetime
) -> Informant:
    rnd, case, _ = load_round(session, actor, round_id, lock=True)
    require_round_writer(actor, case)
    informant = load_informant(session, rnd, informant_id)
    if informant.token_hash is None:
        raise Conflict("The informant has no link.", code="no_link")
    informant.token_revoked_at = now
    session.add(informant)
    end_link(session, informant, LinkEnd.REVOKED, actor, now)
    outbox.cancel_reminders(session, informant_id=informant.id)
    audit.record(session, actor, "link.revoke", "informant", informant_id, case_id=case.id)
    return informant


def link_state(informant: Informant, now: datetime) -> str:
    if informant.token_hash is None:
        return "none"
    if informant.token_revoked_at is not None:
        return "revoked"
    if informant.token_expires_at is not None and informant.token_expires_at <= now:
        return "expired"
    return "active"


def list_informants(
    session: Session, actor: Actor, round_id: int, now: datetime
) -> list[InformantPublic]:
    """Who informs the round and who has submitted; never what (the scores stay hidden)."""
    rnd, _, _ = load_round(session, actor, round_id)
    rows = session.exec(
        select(Informant, Submission)
        .outerjoin(Submission, col(Submission.informant_id) == col(Informant.id))
        .where(Informant.round_id == rnd.id)
        .order_by(col(Informant.id))
    ).all()
    invitations = outbox.invitation_status(session, round_id)
    return [informant_public(i, s, now, invitations.get(i.id or 0)) for i, s in rows]


def read_informants(
    session: Session, actor: Actor, round_id: int, now: datetime
) -> list[InformantPublic]:
    """The informant list with their contact details, as a person reads it (API or page):
    the read is audited."""
    listed = list_informants(session, actor, round_id, now)
    rnd, _, _ = load_round(session, actor, round_id)
    audit.record(session, actor, "round.informants.read", "round", round_id, case_id=rnd.case_id)
    return listed


def informant_public(
    informant: Informant,
    submission: Submission | None,
    now: datetime,
    invitation: DeliveryStatus | None = None,
) -> InformantPublic:
    return InformantPublic(
        id=informant.id or 0,
        role=informant.role,
        step=informant.step,
        name=informant.name,
        email=informant.email,
        phone=informant.phone,
        language=informant.language,
        link=link_state(informant, now),
        link_expires_at=informant.token_expires_at,
        first_opened_at=informant.first_opened_at,
        submission=submission.status.value if submission else "none",
        invitation=invitation.value if invitation else "none",
        submitted_at=submission.submitted_at if submission else None,
        entered_on_behalf=bool(
            submission
            and submission.entered_by_id is not None
            and submission.entered_by_id != informant.staff_user_id
        ),
        received_via=submission.received_via if submission else None,
    )


def is_accepting(rnd: ScoringRound, informant: Informant) -> bool:
    from service.workflow.procedures import SCORING_STATE

    return SCORING_STATE.get(informant.step) is rnd.state


_INFORMANTS = Informant.__table__  # type: ignore[attr-defined]
_SUBMISSIONS = Submission.__table__  # type: ignore[attr-defined]
# Built once: asked after every submission.
_EXPECTED = (
    sa_select(
        func.count(),
        func.count(sa_case((_SUBMISSIONS.c.status == SubmissionStatus.SUBMITTED.value, 1))),
    )
    .select_from(
        _INFORMANTS.outerjoin(
            _SUBMISSIONS,
            joined_within(
                _SUBMISSIONS, _INFORMANTS, _SUBMISSIONS.c.informant_id == _INFORMANTS.c.id
            ),
        )
    )
    .where(
        _INFORMANTS.c.municipality_id == bindparam("municipality_id"),
        _INFORMANTS.c.round_id == bindparam("round_id"),
        _INFORMANTS.c.step == InformantStep.INDEPENDENT.value,
        _INFORMANTS.c.token_revoked_at.is_(None),
    )
)


def expected_submitters(session: Session, rnd: ScoringRound) -> tuple[int, int]:
    """(independent informants still reachable, how many of them have submitted)."""
    expected, submitted = session.execute(
        _EXPECTED, {"municipality_id": rnd.municipality_id, "round_id": rnd.id}
    ).one()
    return int(expected), int(submitted)


def remind(
    session: Session, actor: Actor, round_id: int, informant_id: int, now: datetime
) -> Informant:
    """A reminder sent by hand, to an informant who has not submitted."""
    rnd, case, _ = load_round(session, actor, round_id, lock=True)
    require_round_writer(actor, case)
    informant = load_informant(session, rnd, informant_id)
    submission = session.exec(
        select(Submission).where(Submission.informant_id == informant.id)
    ).first()
    if submission is not None and submission.status is SubmissionStatus.SUBMITTED:
        raise Conflict("The informant has submitted already.", code="already_submitted")
    if not is_accepting(rnd, informant) or link_state(informant, now) != "active":
        raise Conflict(
            "The informant cannot answer now; no reminder is sent.", code="not_accepting"
        )
    copies = outbox.remind_now(session, informant, now)
    if copies is None:
        raise Conflict(
            "The link is no longer kept for sending (every message that carried it has gone "
            "out); issue a new link to send the informant one.",
            code="link_not_kept",
        )
    if not copies:
        raise Conflict("The informant has had no invitation to remind of.", code="no_invitation")
    audit.record(session, actor, "informant.remind", "informant", informant_id, case_id=case.id)
    return informant
