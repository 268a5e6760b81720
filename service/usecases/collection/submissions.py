"""Use cases for informants' submissions: through the personal link, or entered by the
caseworker on an informant's behalf.

A submission is a draft until it is submitted; then it is final. Each save locks the round,
so that a submission and the closing of the independent step cannot interleave.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from service.auth.actor import Actor
from service.errors import Conflict, Forbidden, Unprocessable
from service.models.case import Case
from service.models.municipality import CollectionClose
from service.models.round import (
    AnswerChannel,
    Informant,
    ScoringRound,
    Submission,
    SubmissionScore,
    SubmissionStatus,
)
from service.models.webhook import EventType
from service.notifications import outbox, webhooks
from service.schemas.rounds import LinkFormPublic, LinkSubmissionPublic, ScoreEntry
from service.usecases.administration.instruments import PublishedForm, published_form
from service.usecases.collection.informants import (
    expected_submitters,
    is_accepting,
    link_state,
    load_informant,
)
from service.usecases.collection.link_access import LockedLink, informant_actor, record_opening
from service.usecases.collection.link_form import (
    ScoreRow,
    form_status,
    link_form,
    own_submission,
    submission_public,
)
from service.usecases.data_rights import audit
from service.usecases.procedure import round_data
from service.usecases.procedure.rounds import bump, fire_as_system, load_round, require_authority
from service.workflow import machine
from service.workflow.outcomes import GoalWorseThanStatus, check_goal
from service.workflow.states import RoundEvent, RoundState


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
    status, accepting = form_status(rnd, informant, submission)
    form = published_form(session, rnd.instrument_id)
    return LinkSubmissionPublic(
        status=status,
        accepting=accepting,
        submission=submission_public(informant, submission, rows, form),
    )


def require_on_behalf(
    session: Session, actor: Actor, informant: Informant, now: datetime
) -> Submission | None:
    """Entering on behalf (paper, phone, a child helped to answer) is for an informant
    without a link of their own; it never shows or changes what someone else typed. Only
    the informant's scores are the informant's: a staff informant enters their own, a link
    holder's answers stay theirs, and an entry begun by one member of staff is theirs to
    finish. Returns the submission so far (the actor's own entry), if any."""
    if informant.staff_user_id is not None:
        if informant.staff_user_id != actor.id:
            raise Forbidden(
                "A member of staff who informs the round enters their own scores.",
                code="own_scores_only",
            )
        submission, _ = own_submission(session, informant)
        return submission
    submission, _ = own_submission(session, informant)
    if submission is not None and submission.entered_by_id is None:
        raise Conflict(
            "The informant has answered through their personal link: what they typed is "
            "theirs alone, and cannot be shown or changed on their behalf.",
            code="answered_through_link",
        )
    if submission is not None and submission.entered_by_id != actor.id:
        raise Conflict(
            "Another member of staff has begun entering this informant's scores; only they "
            "can see and finish the entry.",
            code="entered_by_other_staff",
        )
    if link_state(informant, now) == "active":
        raise Conflict(
            "The informant has a working personal link and answers through it. Withdraw the "
            "link first to enter their scores on their behalf.",
            code="informant_has_link",
        )
    return submission


def on_behalf_form(
    session: Session, actor: Actor, round_id: int, informant_id: int, now: datetime
) -> tuple[Informant, LinkFormPublic, AnswerChannel | None]:
    """The form for entering an informant's scores on their behalf, with what the actor has
    entered so far and how she said the answers came; the read is audited."""
    rnd, case, _ = load_round(session, actor, round_id)
    require_authority(actor, case)
    informant = load_informant(session, rnd, informant_id)
    submission = require_on_behalf(session, actor, informant, now)
    audit.record(session, actor, "submission.read", "informant", informant_id, case_id=rnd.case_id)
    via = submission.received_via if submission is not None else None
    return informant, link_form(session, informant), via


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
    received_via: AnswerChannel | None = None,
) -> Informant:
    """The caseworker enters scores for an informant (children and parents often score with
    help), or their own scores as the caseworker informant; recorded as such, with how the
    answers reached her (phone, paper, in person) where she says."""
    rnd, case, municipality = load_round(session, actor, round_id, lock=True)
    require_authority(actor, case)
    informant = load_informant(session, rnd, informant_id)
    require_on_behalf(session, actor, informant, now)
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
        received_via=received_via,
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
    received_via: AnswerChannel | None = None,
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
        received_via=received_via,
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
        submission.received_via = received_via or submission.received_via
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
# Built once: the statements of every informant's submission.
_INSERT_IF_ABSENT = {
    name: dml(_SUBMISSIONS)
    .on_conflict_do_nothing(index_elements=["municipality_id", "informant_id"])
    .returning(_SUBMISSIONS.c.id)
    for name, dml in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}
_INSERT_SCORES = _SCORES.insert()


def _merged(
    session: Session, informant: Informant, entries: list[ScoreEntry], form: PublishedForm
) -> list[ScoreEntry]:
    """The draft's entries, with `entries` laid over them."""
    _, scores = own_submission(session, informant)
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
    """INSERT ... ON CONFLICT (municipality_id, informant_id) DO NOTHING RETURNING id: the new
    id, or None."""
    statement = _INSERT_IF_ABSENT[session.get_bind().dialect.name]
    inserted: int | None = session.execute(
        statement, submission.model_dump(exclude={"id"})
    ).scalar_one_or_none()
    return inserted


def field_error(index: int, factor_key: str, field: str, code: str, msg: str) -> dict[str, Any]:
    """One refused field, in the shape of every field error (`loc`, `msg`, `type`), with the
    factor it concerns."""
    return {
        "loc": ["body", "scores", index, field],
        "msg": msg,
        "type": code,
        "factor_key": factor_key,
    }


def _validated_scores(
    form: PublishedForm, entries: list[ScoreEntry], *, submit: bool
) -> list[ScoreRow]:
    """A draft keeps whatever was chosen on the scale, even a goal worse than its score or a
    goal without a score yet: the checks of substance belong to submitting, and then every
    problem is reported at once (the form marks each beside its field)."""
    scale = form.scale
    errors: list[dict[str, Any]] = []
    rows = []
    for index, entry in enumerate(entries):
        factor = form.factor(entry.factor_key)
        if factor is None:
            errors.append(
                field_error(
                    index, entry.factor_key, "factor_key", "unknown_factor", "No such factor."
                )
            )
            continue
        off = [
            (name, value)
            for name, value in (("score", entry.score), ("goal", entry.goal))
            if value is not None and not scale.contains(value)
        ]
        if off:
            name = off[0][0]
            errors.append(
                field_error(
                    index,
                    entry.factor_key,
                    name,
                    "off_scale",
                    f"The {name} must be on the scale {scale.minimum}..{scale.maximum}.",
                )
            )
            continue
        if submit and entry.score is not None and entry.goal is not None:
            try:
                check_goal(scale, entry.score, entry.goal)
            except GoalWorseThanStatus:
                errors.append(
                    field_error(
                        index,
                        entry.factor_key,
                        "goal",
                        "goal_worse_than_status",
                        "The goal may keep the score or improve it, not aim lower.",
                    )
                )
                continue
        if entry.comment.strip() and not form.form.free_text_per_factor:
            errors.append(
                field_error(
                    index,
                    entry.factor_key,
                    "comment",
                    "comment_not_taken",
                    "This form has no comment box (free_text_per_factor is false).",
                )
            )
            continue
        rows.append(
            ScoreRow(factor.id, entry.score, entry.cannot_assess, entry.goal, entry.comment)
        )
    missing: list[str] = []
    if submit:
        answered = {e.factor_key for e in entries if e.score is not None or e.cannot_assess}
        flagged = {e["factor_key"] for e in errors}
        missing = [f.key for f in form.factors if f.key not in answered | flagged]
    if errors or missing:
        code = str(errors[0]["type"]) if errors else "incomplete"
        described = [f"{e['factor_key']}: {e['msg']}" for e in errors]
        if missing:
            described.append(
                "Score every factor, or say that you cannot assess it: " + ", ".join(missing)
            )
        raise Unprocessable("; ".join(described), code=code, errors=errors, missing=missing)
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
    closes = policy in (CollectionClose.ALL_SUBMITTED, CollectionClose.ALL_SUBMITTED_OR_DUE_DATE)
    # Too few independent scores, or none of the caseworker's, or (KL 3) a voice of the family
    # missing without a reason: the caseworker closes the step by hand.
    facts = round_data.gather_facts(session, rnd)
    if closes and not machine.unmet(rnd.procedure, facts, RoundEvent.CLOSE_COLLECTION):
        fire_as_system(session, rnd, RoundEvent.CLOSE_COLLECTION, now)


def _case(session: Session, rnd: ScoringRound) -> Case:
    case = session.get(Case, rnd.case_id)
    assert case is not None
    return case
