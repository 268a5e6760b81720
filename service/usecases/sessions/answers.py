"""Each use of a standing link: one form's answers for one session, idempotent on a double
submit; and the child's series, for the caseworker, the provider and the meeting."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from service.auth.actor import Actor
from service.errors import Forbidden, Unprocessable
from service.models import tenancy
from service.models.case import Case
from service.models.round import ScoringRound
from service.models.session_form import SessionAnswer, SessionFormVersion, SessionLink
from service.schemas.sessions import (
    AnswerItem,
    SessionAnswerPublic,
    SessionAnswerWrite,
    SessionPointPublic,
    SessionSeriesPublic,
)
from service.usecases.child.cases import load_case
from service.usecases.data_rights import audit
from service.usecases.sessions import forms
from service.usecases.sessions.links import HeldLink, today
from service.workflow import sessions as rules
from service.workflow.sessions import LinkHolder


def _answers(row: SessionAnswer) -> dict[str, int]:
    return {str(k): int(v) for k, v in row.answers.items()}


def answer_public(row: SessionAnswer, pair: rules.FormPair = rules.SHIPPED) -> SessionAnswerPublic:
    answers = _answers(row)
    definition = pair[row.form]
    return SessionAnswerPublic(
        id=row.id or 0,
        session_date=row.session_date,
        form=row.form,
        timing=row.timing,
        answers=[AnswerItem(item=k, value=v) for k, v in answers.items()],
        score=rules.mean(answers),
        lowest=definition.lowest,
        highest=definition.highest,
        recorded_at=row.recorded_at,
    )


def form_version(session: Session, held: HeldLink) -> SessionFormVersion | None:
    """The municipality's own forms the link was made with (None: the shipped forms)."""
    if held.link.form_version_id is None:
        return None
    return session.get(SessionFormVersion, held.link.form_version_id)


def form_pair(session: Session, held: HeldLink) -> rules.FormPair:
    return forms.pair(form_version(session, held))


def _same_key(session: Session, held: HeldLink, key: str) -> SessionAnswer | None:
    return session.exec(
        select(SessionAnswer).where(
            SessionAnswer.link_id == held.link.id, SessionAnswer.submission_key == key
        )
    ).first()


def record(
    session: Session,
    held: HeldLink,
    data: SessionAnswerWrite,
    now: datetime,
    client_address: str | None,
) -> tuple[SessionAnswerPublic, bool]:
    """The young person's answers to one form for today's session. Returns the answer and
    whether it is new: the same submission key again records nothing and returns the first."""
    if held.link.holder is not LinkHolder.YOUNG_PERSON:
        raise Forbidden(
            "A provider's standing link reads the series; the young person answers through "
            "their own.",
            code="session_link_reads_only",
        )
    given: dict[str, int] = {}
    for answer in data.answers:
        if answer.item in given:
            raise Unprocessable(f"{answer.item!r} is answered twice.", code="validation_failed")
        given[answer.item] = answer.value
    pair = form_pair(session, held)
    try:
        answers = rules.check_answers(data.form, given, pair)
    except rules.AnswerError as refused:
        raise Unprocessable(str(refused), code="validation_failed") from refused
    earlier = _same_key(session, held, data.submission_key)
    if earlier is not None:
        return answer_public(earlier, pair), False
    row = SessionAnswer(
        municipality_id=held.link.municipality_id,
        case_id=held.case.id or 0,
        link_id=held.link.id or 0,
        measure_id=held.measure.id or 0,
        session_date=today(now),
        form=data.form,
        timing=data.timing or rules.USUAL_TIMING[data.form],
        answers=answers,
        submission_key=data.submission_key,
        recorded_at=now,
    )
    try:
        with session.begin_nested():  # two taps at once: the second finds the first
            session.add(row)
            session.flush()
    except IntegrityError:
        earlier = _same_key(session, held, data.submission_key)
        if earlier is None:
            raise
        return answer_public(earlier, pair), False
    audit.record(
        session,
        held.actor(client_address),
        "session.record",
        "session_answer",
        row.id or 0,
        case_id=held.case.id,
        detail={"form": data.form.value},
    )
    return answer_public(row, pair), True


Answer = tuple[SessionAnswer, rules.FormPair]


def _rows(
    session: Session, case_id: int, measure_id: int | None, since: date | None
) -> list[Answer]:
    """The answers, oldest first, each with the pair of forms its link was made with."""
    query = (
        select(SessionAnswer, SessionLink.form_version_id)
        .join(
            SessionLink,
            tenancy.joined_within(
                SessionLink, SessionAnswer, col(SessionLink.id) == col(SessionAnswer.link_id)
            ),
        )
        .where(SessionAnswer.case_id == case_id)
    )
    if measure_id is not None:
        query = query.where(SessionAnswer.measure_id == measure_id)
    if since is not None:
        query = query.where(col(SessionAnswer.session_date) > since)
    found = session.exec(
        query.order_by(col(SessionAnswer.session_date), col(SessionAnswer.recorded_at))
    ).all()
    kept = forms.versions(session, (version_id for _, version_id in found))
    return [
        (row, forms.pair(kept.get(version_id) if version_id is not None else None))
        for row, version_id in found
    ]


def _answered(rows: Sequence[Answer]) -> list[rules.Answered]:
    return [
        rules.Answered(
            r.session_date,
            r.form,
            r.timing,
            _answers(r),
            pair[r.form].lowest,
            pair[r.form].highest,
        )
        for r, pair in rows
    ]


def _series(case: Case, rows: Sequence[Answer]) -> SessionSeriesPublic:
    points = rules.series(_answered(rows))
    return SessionSeriesPublic(
        case_id=case.id or 0,
        child=case.display_name,
        points=[
            SessionPointPublic(session_date=p.on, outcome=p.outcome, alliance=p.alliance)
            for p in points
        ],
        outcome_trend=rules.trend([p.outcome for p in points]),
        alliance_trend=rules.trend([p.alliance for p in points]),
        answers=[answer_public(r, pair) for r, pair in rows],
    )


def case_series(session: Session, actor: Actor, case_id: int) -> SessionSeriesPublic:
    """Every session of the child, for the caseworker (and whoever may see the case)."""
    case = load_case(session, actor, case_id)
    audit.record(session, actor, "session.list", "case", case_id, case_id=case_id)
    return _series(case, _rows(session, case_id, None, None))


def provider_series(
    session: Session, held: HeldLink, client_address: str | None
) -> SessionSeriesPublic:
    """The provider sees the sessions of the measure it delivers, and nothing else of the
    case; a young person's link does not show the series."""
    if held.link.holder is not LinkHolder.PROVIDER:
        raise Forbidden(
            "The series is shown to the provider and the caseworker; the young person's "
            "link is for answering.",
            code="session_link_answers_only",
        )
    audit.record(
        session,
        held.actor(client_address),
        "session.list",
        "case",
        held.case.id or 0,
        case_id=held.case.id,
    )
    return _series(held.case, _rows(session, held.case.id or 0, held.measure.id, None))


def for_meeting(
    session: Session, actor: Actor, rnd: ScoringRound, case: Case
) -> rules.SeriesSummary:
    """For the meeting page: the sessions after the case's last completed round (all of them
    before the first). The caller has checked that the actor leads the meeting."""
    last = session.exec(
        select(func.max(ScoringRound.completed_at)).where(
            ScoringRound.case_id == case.id,
            ScoringRound.id != rnd.id,
            col(ScoringRound.completed_at).is_not(None),
        )
    ).one()
    since = today(last) if last is not None else None
    rows = _rows(session, case.id or 0, None, since)
    if rows:
        audit.record(session, actor, "session.list", "case", case.id or 0, case_id=case.id)
    return rules.summary(rules.series(_answered(rows)))
