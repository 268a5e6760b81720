"""Use cases for informants' submissions: through the personal link, or entered by the
caseworker on an informant's behalf.

A submission is a draft until it is submitted; then it is final. Each save locks the round,
so that a submission and the closing of the independent step cannot interleave.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from service.auth import links
from service.auth.actor import Actor
from service.errors import Conflict, ServiceError, Unprocessable
from service.models import tenancy
from service.models.audit import ActorKind
from service.models.case import Case
from service.models.municipality import CollectionClose, Municipality
from service.models.round import (
    Informant,
    ScoringRound,
    Submission,
    SubmissionScore,
    SubmissionStatus,
)
from service.models.staff import StaffUser
from service.models.webhook import EventType, WebhookSubscription
from service.notifications import outbox, webhooks
from service.schemas.rounds import (
    InformantSelf,
    LinkFormPublic,
    LinkSubmissionPublic,
    ScoreEntry,
    SubmissionPublic,
)
from service.usecases import audit
from service.usecases.informants import (
    expected_submitters,
    is_accepting,
    link_state,
    load_informant,
)
from service.usecases.instruments import PublishedForm, published_form
from service.usecases.rounds import bump, fire_as_system, load_round, require_authority
from service.workflow.outcomes import GoalWorseThanStatus, check_goal
from service.workflow.procedures import InformantStep
from service.workflow.states import RoundEvent, RoundState


class LinkGone(ServiceError):
    """An expired or revoked link: says so, and reveals nothing about the round."""

    status = 410
    code = "link_expired"
    title = "This link no longer works"


class UnknownLink(ServiceError):
    status = 404
    code = "link_not_found"
    title = "Unknown link"


def _token_hash(secret: str, token: str) -> str:
    if not links.looks_like_token(token):
        raise UnknownLink("This link is not known. Check that it was copied whole.")
    return links.token_hash(secret, token)


def _usable(session: Session, informant: Informant | None, now: datetime) -> Informant:
    """Refuse an unknown, revoked or expired link; bind the session to its municipality."""
    if informant is None:
        raise UnknownLink("This link is not known. Check that it was copied whole.")
    tenancy.bind_session(session, informant.municipality_id)
    state = link_state(informant, now)
    if state == "revoked":
        raise LinkGone(
            "This link has been withdrawn. Contact the caseworker who sent it for a new one.",
            code="link_revoked",
        )
    if state == "expired":
        raise LinkGone("This link has expired. Contact the caseworker who sent it for a new one.")
    return informant


def informant_by_token(session: Session, secret: str, token: str, now: datetime) -> Informant:
    """The informant whose link this is (for reading: nothing is locked)."""
    informant = session.exec(
        select(Informant)
        .where(Informant.token_hash == _token_hash(secret, token))
        .execution_options(**tenancy.ALL_MUNICIPALITIES)
    ).first()
    return _usable(session, informant, now)


@dataclass
class LockedLink:
    """A link about to act: its informant, the round locked, the municipality's closing policy."""

    informant: Informant
    round: ScoringRound
    policy: CollectionClose
    webhooks: bool  # whether the municipality has any active webhook subscription


def lock_link(session: Session, secret: str, token: str, now: datetime) -> LockedLink:
    """For a POST: find the informant and lock its round in one statement."""
    row = session.exec(_LOCK_LINK, params={"token_hash": _token_hash(secret, token)}).first()
    informant = _usable(session, row[0] if row else None, now)
    assert row is not None
    return LockedLink(informant, row[1], CollectionClose(row[2]), bool(row[3]))


# Built once: every submission through a link runs it.
_LOCK_LINK = (
    select(
        Informant,
        ScoringRound,
        Municipality.collection_close,
        select(WebhookSubscription.id)
        .where(
            col(WebhookSubscription.municipality_id) == col(Informant.municipality_id),
            col(WebhookSubscription.is_active).is_(True),
        )
        .exists(),
    )
    .join(ScoringRound, col(ScoringRound.id) == col(Informant.round_id))
    .join(Municipality, col(Municipality.id) == col(ScoringRound.municipality_id))
    .where(col(Informant.token_hash) == bindparam("token_hash"))
    .with_for_update(of=ScoringRound)
    .execution_options(**tenancy.ALL_MUNICIPALITIES)
)


def informant_actor(informant: Informant, client_address: str | None) -> Actor:
    return Actor(
        kind=ActorKind.INFORMANT,
        id=informant.id or 0,
        municipality_id=informant.municipality_id,
        label=informant.name,
        client_address=client_address,
    )


def _submission(
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


def _submission_public(
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


def _status(
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
    submission, scores = _submission(session, informant)
    status, accepting = _status(rnd, informant, submission)
    return LinkFormPublic(
        municipality=municipality.name,
        caseworker=caseworker.full_name,
        child=case.display_name,
        informant=InformantSelf(name=informant.name, role=informant.role, step=informant.step),
        due_at=rnd.due_at,
        accepting=accepting,
        status=status,
        instrument=form.form,
        submission=_submission_public(informant, submission, scores, form),
    )


def record_opening(
    session: Session,
    informant: Informant,
    case_id: int,
    now: datetime,
    client_address: str | None,
    *,
    audited: bool = True,
) -> bool:
    """The person behind the link acted for the first time (a POST, never a mere GET).

    A conditional UPDATE, so that two first requests at once record one opening. Returns
    whether this was the first; with `audited` False the caller's audit event says so."""
    if informant.first_opened_at is not None:
        return False
    opened = session.execute(_FIRST_OPENING, {"informant": informant.id, "now": now})
    if not opened.rowcount:  # type: ignore[attr-defined]
        return False
    set_committed_value(informant, "first_opened_at", now)  # stored already: no second UPDATE
    if audited:
        audit.record(
            session,
            informant_actor(informant, client_address),
            "link.open",
            "informant",
            informant.id or 0,
            case_id=case_id,
        )
    return True


def open_form(
    session: Session, informant: Informant, now: datetime, client_address: str | None
) -> LinkFormPublic:
    """The person opened the form (a POST): record the first opening, return the form."""
    form = link_form(session, informant)
    rnd = session.get(ScoringRound, informant.round_id)
    assert rnd is not None
    record_opening(session, informant, rnd.case_id, now, client_address)
    return form


def save_via_link(
    session: Session,
    link: LockedLink,
    entries: list[ScoreEntry],
    *,
    submit: bool,
    now: datetime,
    client_address: str | None,
    merge: bool = False,
    base_url: str | None = None,
) -> LinkSubmissionPublic:
    """Save a draft or submit through the link. With `merge`, the given factors are added to
    the draft instead of replacing it (the child's form asks one factor at a time). With
    `base_url`, the service's public address, notices to staff link to the round."""
    informant, rnd = link.informant, link.round
    first = record_opening(session, informant, rnd.case_id, now, client_address, audited=False)
    submission, rows = _save(
        session,
        rnd,
        informant,
        entries,
        submit=submit,
        entered_by=None,
        now=now,
        actor=informant_actor(informant, client_address),
        policy=link.policy,
        first_opening=first,
        webhooks_possible=link.webhooks,
        merge=merge,
        base_url=base_url,
    )
    status, accepting = _status(rnd, informant, submission)
    form = published_form(session, rnd.instrument_id)
    return LinkSubmissionPublic(
        status=status,
        accepting=accepting,
        submission=_submission_public(informant, submission, rows, form),
    )


def save_on_behalf(
    session: Session,
    actor: Actor,
    round_id: int,
    informant_id: int,
    entries: list[ScoreEntry],
    *,
    submit: bool,
    now: datetime,
    base_url: str | None = None,
) -> Informant:
    """The caseworker enters scores for an informant (children and parents often score with
    help), or their own scores as the caseworker informant; recorded as such."""
    rnd, case, municipality = load_round(session, actor, round_id, lock=True)
    require_authority(actor, case)
    informant = load_informant(session, rnd, informant_id)
    _save(
        session,
        rnd,
        informant,
        entries,
        submit=submit,
        entered_by=actor.id,
        now=now,
        actor=actor,
        policy=municipality.collection_close,
        base_url=base_url,
    )
    return informant


def _save(
    session: Session,
    rnd: ScoringRound,
    informant: Informant,
    entries: list[ScoreEntry],
    *,
    submit: bool,
    entered_by: int | None,
    now: datetime,
    actor: Actor,
    policy: CollectionClose,
    first_opening: bool = False,
    merge: bool = False,
    webhooks_possible: bool = True,
    base_url: str | None = None,
) -> tuple[Submission, list[ScoreRow]]:
    """Validate and store a draft or the submission; a fixed number of statements."""
    if not is_accepting(rnd, informant):
        raise Conflict(
            "This form does not take scores now: "
            + ("it is not open yet." if rnd.state is RoundState.DRAFT else "its step is closed."),
            code="not_accepting",
        )
    if merge:
        entries = _merged(session, informant, entries, published_form(session, rnd.instrument_id))
    rows = _validated_scores(published_form(session, rnd.instrument_id), entries, submit=submit)
    fresh = Submission(
        municipality_id=rnd.municipality_id,
        round_id=rnd.id or 0,
        informant_id=informant.id or 0,
        status=SubmissionStatus.SUBMITTED if submit else SubmissionStatus.DRAFT,
        entered_by_id=entered_by,
        created_at=now,
        updated_at=now,
        submitted_at=now if submit else None,
    )
    # The common case, an informant's first save, is one INSERT; an existing submission makes
    # it do nothing, and is then read and changed (under the round's lock).
    fresh.id = _insert_if_absent(session, fresh)
    if fresh.id is not None:
        submission = fresh
    else:
        submission = session.exec(
            select(Submission).where(Submission.informant_id == informant.id)
        ).one()
        if submission.status is SubmissionStatus.SUBMITTED:
            raise Conflict(
                "The scores have been submitted already and can no longer change.",
                code="already_submitted",
            )
        session.execute(
            delete(SubmissionScore).where(col(SubmissionScore.submission_id) == submission.id)
        )
        submission.entered_by_id = entered_by
        submission.updated_at = now
        if submit:
            submission.status = SubmissionStatus.SUBMITTED
            submission.submitted_at = now
        session.add(submission)
    if rows:
        session.execute(
            _INSERT_SCORES,
            [
                {
                    "municipality_id": rnd.municipality_id,
                    "submission_id": submission.id,
                    "factor_id": row.factor_id,
                    "score": row.score,
                    "cannot_assess": row.cannot_assess,
                    "goal": row.goal,
                    "comment": row.comment,
                }
                for row in rows
            ],
        )
    detail: dict[str, object] = {
        "on_behalf": entered_by is not None and entered_by != informant.staff_user_id
    }
    if first_opening:
        detail["first_opening"] = True
    audit.record(
        session,
        actor,
        "submission.submit" if submit else "submission.draft",
        "informant",
        informant.id or 0,
        case_id=rnd.case_id,
        detail=detail,
    )
    if submit:
        if informant.email or informant.phone:  # only they can have reminders waiting
            outbox.cancel_reminders(session, informant_id=informant.id)
        if entered_by is None and (informant.email or informant.phone):
            outbox.receipt(session, rnd, _case(session, rnd), informant, now)
        if webhooks_possible:
            webhooks.emit(
                session,
                rnd.municipality_id,
                EventType.INFORMANT_SUBMITTED,
                {"round_id": rnd.id, "case_id": rnd.case_id, "informant_id": informant.id},
                now,
            )
    if rnd.state is not RoundState.COLLECTING:
        bump(rnd)  # a family score changes what the meeting view shows
    elif submit:
        _when_all_submitted(session, rnd, policy, now, base_url)
    return submission, rows


_SUBMISSIONS = Submission.__table__  # type: ignore[attr-defined]
_SCORES = SubmissionScore.__table__  # type: ignore[attr-defined]
_INFORMANTS = Informant.__table__  # type: ignore[attr-defined]
# Built once: the statements of every informant's submission.
_INSERT_IF_ABSENT = {
    name: dml(_SUBMISSIONS)
    .on_conflict_do_nothing(index_elements=["informant_id"])
    .returning(_SUBMISSIONS.c.id)
    for name, dml in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}
_INSERT_SCORES = _SCORES.insert()
_FIRST_OPENING = (
    update(_INFORMANTS)
    .where(_INFORMANTS.c.id == bindparam("informant"), _INFORMANTS.c.first_opened_at.is_(None))
    .values(first_opened_at=bindparam("now"))
)


def _merged(
    session: Session, informant: Informant, entries: list[ScoreEntry], form: PublishedForm
) -> list[ScoreEntry]:
    """The draft's entries, with `entries` laid over them."""
    _, scores = _submission(session, informant)
    keys = {f.id: f.key for f in form.factors}
    given = {e.factor_key for e in entries}
    kept = [
        ScoreEntry.model_construct(
            factor_key=keys[s.factor_id],
            score=s.score,
            cannot_assess=s.cannot_assess,
            goal=s.goal,
            comment=s.comment,
        )
        for s in scores
        if keys[s.factor_id] not in given
    ]
    return kept + entries


def _insert_if_absent(session: Session, submission: Submission) -> int | None:
    """INSERT ... ON CONFLICT (informant_id) DO NOTHING RETURNING id: the new id, or None."""
    statement = _INSERT_IF_ABSENT[session.get_bind().dialect.name]
    inserted: int | None = session.execute(
        statement, submission.model_dump(exclude={"id"})
    ).scalar_one_or_none()
    return inserted


@dataclass(frozen=True, slots=True)
class ScoreRow:
    """One validated factor of a submission, ready to insert."""

    factor_id: int
    score: int | None
    cannot_assess: bool
    goal: int | None
    comment: str


def _validated_scores(
    form: PublishedForm, entries: list[ScoreEntry], *, submit: bool
) -> list[ScoreRow]:
    scale = form.scale
    errors = []
    rows = []
    for entry in entries:
        factor = form.factor(entry.factor_key)
        if factor is None:
            errors.append(
                {"factor_key": entry.factor_key, "code": "unknown_factor", "msg": "No such factor."}
            )
            continue
        if entry.score is not None and not scale.contains(entry.score):
            errors.append(
                {
                    "factor_key": entry.factor_key,
                    "field": "score",
                    "code": "off_scale",
                    "msg": f"The score must be on the scale {scale.minimum}..{scale.maximum}.",
                }
            )
            continue
        if entry.score is not None and entry.goal is not None:
            try:
                check_goal(scale, entry.score, entry.goal)
            except GoalWorseThanStatus:
                errors.append(
                    {
                        "factor_key": entry.factor_key,
                        "field": "goal",
                        "code": "goal_worse_than_status",
                        "msg": "The goal may keep the score or improve it, not aim lower.",
                    }
                )
                continue
            except ValueError as exc:
                errors.append(
                    {
                        "factor_key": entry.factor_key,
                        "field": "goal",
                        "code": "off_scale",
                        "msg": str(exc),
                    }
                )
                continue
        rows.append(
            ScoreRow(factor.id, entry.score, entry.cannot_assess, entry.goal, entry.comment)
        )
    if submit and not errors:
        answered = {e.factor_key for e in entries if e.score is not None or e.cannot_assess}
        missing = [f.key for f in form.factors if f.key not in answered]
        if missing:
            raise Unprocessable(
                "Score every factor, or say that you cannot assess it: " + ", ".join(missing),
                code="incomplete",
                missing=missing,
            )
    if errors:
        code = errors[0]["code"]
        raise Unprocessable(
            "; ".join(f"{e['factor_key']}: {e['msg']}" for e in errors), code=code, errors=errors
        )
    return rows


def _when_all_submitted(
    session: Session,
    rnd: ScoringRound,
    policy: CollectionClose,
    now: datetime,
    base_url: str | None,
) -> None:
    """Everyone has answered: tell the caseworker, and close the step if the policy says so."""
    expected, submitted = expected_submitters(session, rnd)
    if not expected or submitted < expected:
        return
    outbox.notify_staff(
        session,
        rnd,
        _case(session, rnd),
        f"Alle {expected} informanter har svaret i runde {rnd.id}. Indsamlingen kan lukkes.",
        now,
        base_url,
    )
    if policy in (CollectionClose.ALL_SUBMITTED, CollectionClose.ALL_SUBMITTED_OR_DUE_DATE):
        fire_as_system(session, rnd, RoundEvent.CLOSE_COLLECTION, now)


def _case(session: Session, rnd: ScoringRound) -> Case:
    case = session.get(Case, rnd.case_id)
    assert case is not None
    return case
