"""Writing messages to the outbox, in the caller's transaction: a change that is rolled back
sends nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, update
from sqlmodel import Session, col, select

from service.models.case import Case
from service.models.municipality import Municipality
from service.models.outbox import Channel, DeliveryStatus, MessageKind, OutboxMessage
from service.models.round import Informant, ScoringRound
from service.models.staff import StaffUser
from service.notifications.messages import Rendered, render
from service.notifications.notice import contact, situation
from service.workflow import disclosure
from service.workflow.procedures import InformantStep
from service.workflow.roles import InformantRole
from service.workflow.states import RoundState


def _context(
    session: Session, rnd: ScoringRound, case: Case, informant: Informant | None = None
) -> dict[str, object]:
    """The values of a message; to an informant, what they are told of who sees the answers,
    and their rights, in their language."""
    municipality = session.get(Municipality, rnd.municipality_id)
    caseworker = session.get(StaffUser, case.caseworker_id)
    assert municipality is not None
    values: dict[str, object] = {
        "caseworker": caseworker.full_name if caseworker else "",
        "municipality": municipality.name,
        "child": case.display_name,
        "due": rnd.due_at,
    }
    if informant is not None:
        where = situation(rnd, informant, municipality)
        whom = contact(case, caseworker, municipality)
        language = informant.language.value
        values["name"] = informant.name
        values["who_sees"] = disclosure.who_sees(where, language, whom)
        values["rights"] = disclosure.rights(where, language, whom)
    return values


#: Stands in the body of a message for the personal link it carries: the link itself is kept
#: sealed beside it (`sealed_link`) and put in only as the message leaves.
LINK_PLACEHOLDER = "@@konsensus-personal-link@@"
#: What a link is sealed for (a sealed value opens only in its place).
LINK_SEAL_CONTEXT = "outbox.sealed_link"


def _to_informant(
    informant: Informant,
    rnd: ScoringRound,
    kind: MessageKind,
    rendered: Rendered,
    at: datetime,
    sealed_link: str | None = None,
) -> list[OutboxMessage]:
    """The message by email and by SMS, as the informant can be reached."""
    routes = [(Channel.EMAIL, informant.email), (Channel.SMS, informant.phone)]
    return [
        OutboxMessage(
            municipality_id=rnd.municipality_id,
            channel=channel,
            kind=kind,
            recipient=recipient,
            subject=rendered.subject if channel is Channel.EMAIL else "",
            body_text=rendered.text if channel is Channel.EMAIL else rendered.sms,
            body_html=rendered.html if channel is Channel.EMAIL else "",
            sealed_link=sealed_link,
            informant_id=informant.id,
            round_id=rnd.id,
            created_at=at,
            next_attempt_at=at,
        )
        for channel, recipient in routes
        if recipient
    ]


def invite(
    session: Session,
    rnd: ScoringRound,
    case: Case,
    informant: Informant,
    sealed_link: str,
    now: datetime,
) -> list[OutboxMessage]:
    """The invitation with the personal link, and its reminders, written ahead to go out the
    municipality's number of days before the due date (they carry the link, which only exists
    now) and cancelled if the informant submits, the link is withdrawn or the step closes.

    The bodies hold a placeholder; the link is kept sealed beside each (`sealed_link`, see
    `service.auth.seal`), put in as the message leaves, and dropped once it is sent, failed
    or cancelled: the outbox never holds a usable link."""
    cancel_reminders(session, informant_id=informant.id)
    values = {**_context(session, rnd, case, informant), "link": LINK_PLACEHOLDER}
    language = informant.language.value
    messages = _to_informant(
        informant,
        rnd,
        MessageKind.INVITATION,
        render("invitation", language, **values),
        now,
        sealed_link,
    )
    if waits_for_family_step(rnd, informant):
        # Their form opens with the family step: the invitation waits for it (released by
        # release_family_invitations), and no reminder runs ahead of it.
        for message in messages:
            message.next_attempt_at = HELD
        session.add_all(messages)
        return messages
    municipality = session.get(Municipality, rnd.municipality_id)
    assert municipality is not None
    for days in sorted({int(d) for d in municipality.reminder_days.split() if d.isdigit()}):
        at = rnd.due_at - timedelta(days=days)
        if at > now:
            messages += _to_informant(
                informant,
                rnd,
                MessageKind.REMINDER,
                render("reminder", language, **values),
                at,
                sealed_link,
            )
    session.add_all(messages)
    return messages


#: When a held invitation is due: never, until its step opens and releases it.
HELD = datetime(9999, 12, 31, tzinfo=UTC)


def waits_for_family_step(rnd: ScoringRound, informant: Informant) -> bool:
    """A parent or child who scores in the family step (KL 1 and 2), before it opens."""
    return informant.step is InformantStep.FAMILY and rnd.state in (
        RoundState.DRAFT,
        RoundState.COLLECTING,
        RoundState.CONSENSUS,
    )


def release_family_invitations(session: Session, rnd: ScoringRound, now: datetime) -> None:
    """The family step has opened: the invitations held for it go out now."""
    session.execute(
        update(_OUTBOX)
        .where(
            _OUTBOX.c.round_id == rnd.id,
            _OUTBOX.c.kind == MessageKind.INVITATION.value,
            _OUTBOX.c.status == DeliveryStatus.PENDING.value,
            _OUTBOX.c.next_attempt_at == HELD,
        )
        .values(next_attempt_at=now, created_at=now)
    )


def cancel_held(session: Session, rnd: ScoringRound) -> None:
    """A cancelled round sends no invitation it was holding."""
    session.execute(
        update(_OUTBOX)
        .where(
            _OUTBOX.c.round_id == rnd.id,
            _OUTBOX.c.status == DeliveryStatus.PENDING.value,
            _OUTBOX.c.next_attempt_at == HELD,
        )
        .values(status=DeliveryStatus.CANCELLED.value, sealed_link=None)
    )


def remind_now(session: Session, informant: Informant, now: datetime) -> list[OutboxMessage] | None:
    """A reminder sent by hand: the latest invitation's text and link, once more; None when
    the link is no longer kept (every message that carried it has gone: issue a new one)."""
    sent = session.exec(
        select(OutboxMessage)
        .where(
            OutboxMessage.informant_id == informant.id, OutboxMessage.kind == MessageKind.INVITATION
        )
        .order_by(col(OutboxMessage.created_at).desc(), col(OutboxMessage.id).desc())
    ).all()
    latest = [m for m in sent if m.created_at == sent[0].created_at] if sent else []
    carries_link = any(LINK_PLACEHOLDER in m.body_text for m in latest)
    # The link is kept while a message still needs it: the invitation, or a reminder due.
    kept = session.exec(
        select(OutboxMessage.sealed_link)
        .where(
            OutboxMessage.informant_id == informant.id,
            col(OutboxMessage.sealed_link).is_not(None),
            OutboxMessage.created_at >= (latest[0].created_at if latest else now),
        )
        .limit(1)
    ).first()
    if carries_link and kept is None:
        return None
    copies = [
        OutboxMessage(
            municipality_id=m.municipality_id,
            channel=m.channel,
            kind=MessageKind.REMINDER,
            recipient=m.recipient,
            subject=m.subject,
            body_text=m.body_text,
            body_html=m.body_html,
            sealed_link=kept if carries_link else None,
            informant_id=m.informant_id,
            round_id=m.round_id,
            created_at=now,
            next_attempt_at=now,
        )
        for m in latest
    ]
    session.add_all(copies)
    return copies


_OUTBOX = OutboxMessage.__table__  # type: ignore[attr-defined]
_PENDING_REMINDERS = (_OUTBOX.c.kind == MessageKind.REMINDER.value) & (
    _OUTBOX.c.status == DeliveryStatus.PENDING.value
)
# Built once: run at every submission.
_CANCEL_FOR_INFORMANT = (
    update(_OUTBOX)
    .where(_PENDING_REMINDERS, _OUTBOX.c.informant_id == bindparam("informant"))
    .values(status=DeliveryStatus.CANCELLED.value, sealed_link=None)
)
_CANCEL_FOR_ROUND = (
    update(_OUTBOX)
    .where(_PENDING_REMINDERS, _OUTBOX.c.round_id == bindparam("round"))
    .values(status=DeliveryStatus.CANCELLED.value, sealed_link=None)
)


def cancel_reminders(
    session: Session, *, informant_id: int | None = None, round_id: int | None = None
) -> None:
    """Reminders not yet sent are no longer needed."""
    if informant_id is not None:
        session.execute(_CANCEL_FOR_INFORMANT, {"informant": informant_id})
    if round_id is not None:
        session.execute(_CANCEL_FOR_ROUND, {"round": round_id})


def notice(
    session: Session, rnd: ScoringRound, case: Case, informant: Informant, now: datetime
) -> list[OutboxMessage]:
    """To a participant who gets no link (KL 1 and 3's first-time provider, who only meets;
    KL 2's, who is told the result): who sees what and their rights, as an invitation tells
    them, with no link."""
    values = _context(session, rnd, case, informant)
    rendered = render("notice", informant.language.value, **values)
    messages = _to_informant(informant, rnd, MessageKind.NOTICE, rendered, now)
    session.add_all(messages)
    return messages


def receipt(
    session: Session, rnd: ScoringRound, case: Case, informant: Informant, now: datetime
) -> None:
    """A "thank you, received": no score in it."""
    if not (informant.email or informant.phone):
        return
    values = _context(session, rnd, case, informant)
    rendered = render("receipt", informant.language.value, **values)
    session.add_all(_to_informant(informant, rnd, MessageKind.RECEIPT, rendered, now))


def result_notice(
    session: Session,
    rnd: ScoringRound,
    case: Case,
    informant: Informant,
    sealed_link: str,
    until: datetime,
    now: datetime,
) -> list[OutboxMessage]:
    """To a family member, once the round is completed: the result can be seen on the link
    (made now, as the message is written; the child reads its own words). A result message
    still waiting for an older link is no longer needed. The link is kept sealed, as an
    invitation's is."""
    session.execute(
        update(_OUTBOX)
        .where(
            _OUTBOX.c.informant_id == informant.id,
            _OUTBOX.c.kind == MessageKind.RESULT.value,
            _OUTBOX.c.status == DeliveryStatus.PENDING.value,
        )
        .values(status=DeliveryStatus.CANCELLED.value)
    )
    municipality = session.get(Municipality, rnd.municipality_id)
    caseworker = session.get(StaffUser, case.caseworker_id)
    assert municipality is not None
    kind = "result_child" if informant.role is InformantRole.CHILD else "result"
    rendered = render(
        kind,
        informant.language.value,
        name=informant.name,
        child=case.display_name,
        caseworker=caseworker.full_name if caseworker else "",
        municipality=municipality.name,
        link=LINK_PLACEHOLDER,
        until=until,
    )
    messages = _to_informant(informant, rnd, MessageKind.RESULT, rendered, now, sealed_link)
    session.add_all(messages)
    return messages


@dataclass(frozen=True, slots=True)
class ProviderRecipient:
    """Whom KL 2's trin 4 tells the result, and in which language."""

    name: str
    email: str
    informant_id: int | None
    language: str


@dataclass(frozen=True, slots=True)
class ProviderLine:
    """One factor of the official result, by language: its name, the score and the goal
    each with the scale's words for the point; or why it was not assessed."""

    factor: dict[str, str]
    score: dict[str, str] | None
    goal: dict[str, str] | None
    not_assessed_reason: str | None


@dataclass(frozen=True, slots=True)
class ProviderResult:
    """The official result as the provider reads it: which end of the scale is best, and
    each factor."""

    best: dict[str, str]
    worst: dict[str, str]
    lines: list[ProviderLine]


def inform_provider(
    session: Session,
    rnd: ScoringRound,
    case: Case,
    recipients: Sequence[ProviderRecipient],
    result: ProviderResult,
    now: datetime,
) -> list[OutboxMessage]:
    """KL 2, trin 4 ("leverandør orienteres om score og målfastsættelse"): the official score
    and goal of each factor, with the words of the scale's points and its direction, by email
    to each recipient in their language; nothing an informant submitted."""
    values = _context(session, rnd, case)
    messages = []
    for whom in recipients:
        language = whom.language if whom.language in ("da", "en") else "da"
        rendered = render(
            "provider_result",
            language,
            **values,
            name=whom.name,
            best=result.best[language],
            worst=result.worst[language],
            lines=[
                (
                    line.factor[language],
                    line.score[language] if line.score else None,
                    line.goal[language] if line.goal else None,
                    line.not_assessed_reason,
                )
                for line in result.lines
            ],
        )
        messages.append(
            OutboxMessage(
                municipality_id=rnd.municipality_id,
                channel=Channel.EMAIL,
                kind=MessageKind.PROVIDER_RESULT,
                recipient=whom.email,
                subject=rendered.subject,
                body_text=rendered.text,
                body_html=rendered.html,
                informant_id=whom.informant_id,
                round_id=rnd.id,
                created_at=now,
                next_attempt_at=now,
            )
        )
    session.add_all(messages)
    return messages


def notify_staff(
    session: Session,
    rnd: ScoringRound,
    case: Case,
    text: str,
    now: datetime,
    base_url: str | None = None,
) -> None:
    """A message to the case's caseworker and the team's leaders; with `base_url` (the
    service's public address), it links to the round's page."""
    from service.models.staff import StaffRole

    caseworker = session.get(StaffUser, case.caseworker_id)
    leaders = (
        session.exec(
            select(StaffUser).where(
                StaffUser.role == StaffRole.TEAM_LEADER,
                StaffUser.team_id == case.team_id,
                StaffUser.municipality_id == rnd.municipality_id,
                StaffUser.is_active == True,  # noqa: E712
            )
        ).all()
        if case.team_id
        else []
    )
    rendered = render(
        "caseworker", "da", child=case.display_name, text=text, round_url=round_url(base_url, rnd)
    )
    for user in [u for u in [caseworker, *leaders] if u is not None and u.is_active]:
        session.add(
            OutboxMessage(
                municipality_id=rnd.municipality_id,
                channel=Channel.EMAIL,
                kind=MessageKind.CASEWORKER,
                recipient=user.email,
                subject=rendered.subject,
                body_text=rendered.text,
                body_html=rendered.html,
                staff_user_id=user.id,
                round_id=rnd.id,
                created_at=now,
                next_attempt_at=now,
            )
        )


def round_url(base_url: str | None, rnd: ScoringRound) -> str | None:
    """The round's page for its caseworker (they log in to see it)."""
    return f"{base_url.rstrip('/')}/rounds/{rnd.id}" if base_url else None


def invitation_status(session: Session, round_id: int) -> dict[int, DeliveryStatus]:
    """Per informant, how the latest invitation went over all its channels: sent if any
    channel got through, pending while any is still trying, failed when none did."""
    rows = session.exec(
        select(OutboxMessage.informant_id, OutboxMessage.created_at, OutboxMessage.status)
        .where(OutboxMessage.round_id == round_id, OutboxMessage.kind == MessageKind.INVITATION)
        .order_by(col(OutboxMessage.created_at))
    ).all()
    latest: dict[int, tuple[datetime, set[DeliveryStatus]]] = {}
    for informant_id, created_at, status in rows:
        if informant_id is None:
            continue
        at, statuses = latest.get(informant_id, (created_at, set()))
        if created_at > at:
            at, statuses = created_at, set()
        statuses.add(DeliveryStatus(status))
        latest[informant_id] = (at, statuses)
    result = {}
    for informant_id, (_, statuses) in latest.items():
        if DeliveryStatus.SENT in statuses:
            result[informant_id] = DeliveryStatus.SENT
        elif DeliveryStatus.PENDING in statuses:
            result[informant_id] = DeliveryStatus.PENDING
        else:
            result[informant_id] = DeliveryStatus.FAILED
    return result


def follow_up_answer(
    session: Session,
    case: Case,
    round_id: int | None,
    recipient: str,
    name: str,
    *,
    accepted: bool,
    planned: str | None,
    reason: str,
    now: datetime,
) -> OutboxMessage:
    """The provider who asked for a follow-up round hears whether it was accepted (and when
    it is planned) or why not, in Danish."""
    rendered = render(
        "follow_up_answer",
        "da",
        child=case.display_name,
        name=name,
        accepted=accepted,
        planned=planned,
        reason=reason,
    )
    message = OutboxMessage(
        municipality_id=case.municipality_id,
        channel=Channel.EMAIL,
        kind=MessageKind.FOLLOW_UP_ANSWER,
        recipient=recipient,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        round_id=round_id,
        created_at=now,
        next_attempt_at=now,
    )
    session.add(message)
    return message
