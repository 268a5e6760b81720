"""Standing links (stående links) for session forms: issued and revoked by the caseworker,
found by the holder's token, valid while the measure runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam
from sqlmodel import Session, col, func, select

from service.auth import links
from service.auth.actor import Actor
from service.auth.keys import Keyring
from service.clock import LOCAL_TIME
from service.errors import Conflict, NotFound
from service.models import tenancy
from service.models.audit import ActorKind
from service.models.case import Case, CaseStatus, Measure
from service.models.session_form import SessionLink
from service.models.staff import Scope
from service.schemas.common import PageParams
from service.schemas.sessions import SessionLinkCreate, SessionLinkPublic
from service.usecases.child.cases import load_case
from service.usecases.collection.link_access import LinkGone, UnknownLink
from service.usecases.data_rights import audit
from service.usecases.sessions import forms


def today(now: datetime) -> date:
    return now.astimezone(LOCAL_TIME).date()


def measure_running(measure: Measure, on: date) -> bool:
    return measure.end_date is None or measure.end_date >= on


def is_active(link: SessionLink, measure: Measure, case: Case, now: datetime) -> bool:
    return (
        link.revoked_at is None
        and case.status is CaseStatus.ACTIVE
        and measure_running(measure, today(now))
    )


def public(link: SessionLink, measure: Measure, case: Case, now: datetime) -> SessionLinkPublic:
    return SessionLinkPublic.model_validate(
        {**link.model_dump(), "active": is_active(link, measure, case, now)}
    )


def _require_writer(actor: Actor) -> None:
    if actor.is_client:
        actor.require_scope(Scope.CASES_WRITE)


def _measure_of(session: Session, case_id: int, measure_id: int) -> Measure:
    measure = session.exec(
        select(Measure).where(Measure.id == measure_id, Measure.case_id == case_id)
    ).first()
    if measure is None:
        raise NotFound(f"Measure {measure_id} not found in the case.", code="measure_not_found")
    return measure


def issue(
    session: Session,
    actor: Actor,
    case_id: int,
    data: SessionLinkCreate,
    keyring: Keyring,
    now: datetime,
) -> tuple[SessionLink, Measure, Case, str]:
    """A new standing link for the measure; the token exists only in the answer."""
    _require_writer(actor)
    case = load_case(session, actor, case_id)
    if case.status is not CaseStatus.ACTIVE:
        raise Conflict("The case is closed.", code="case_closed")
    measure = _measure_of(session, case_id, data.measure_id)
    if not measure_running(measure, today(now)):
        raise Conflict(
            f"Measure {measure.id} ended on {measure.end_date}: a standing link lives as long "
            "as its measure.",
            code="measure_ended",
        )
    token = links.new_token()
    token_hash, key_id = links.current_hash(keyring, token)
    version = forms.current(session)
    link = SessionLink(
        municipality_id=actor.municipality_id,
        case_id=case_id,
        measure_id=measure.id or 0,
        holder=data.holder,
        label=data.label,
        token_hash=token_hash,
        key_id=key_id,
        issued_at=now,
        issued_by=actor.audit_id,
        issued_by_label=actor.label,
        form_version_id=version.id if version is not None else None,
    )
    session.add(link)
    session.flush()
    audit.record(
        session,
        actor,
        "session_link.issue",
        "session_link",
        link.id or 0,
        case_id=case_id,
        detail={
            "holder": data.holder.value,
            "measure_id": measure.id,
            "form_version": version.version if version is not None else None,
        },
    )
    return link, measure, case, token


def list_links(
    session: Session, actor: Actor, case_id: int, page: PageParams, now: datetime
) -> tuple[list[SessionLinkPublic], int]:
    case = load_case(session, actor, case_id)
    where = col(SessionLink.case_id) == case_id
    total = session.exec(select(func.count()).select_from(SessionLink).where(where)).one()
    rows = session.exec(
        select(SessionLink, Measure)
        .join(Measure, col(Measure.id) == col(SessionLink.measure_id))
        .where(where)
        .order_by(col(SessionLink.issued_at).desc(), col(SessionLink.id).desc())
        .offset(page.offset)
        .limit(page.limit)
    ).all()
    audit.record(session, actor, "session_link.list", "case", case_id, case_id=case_id)
    return [public(link, measure, case, now) for link, measure in rows], total


def revoke(
    session: Session, actor: Actor, case_id: int, link_id: int, now: datetime
) -> SessionLinkPublic:
    """The link stops working at once; what was answered through it stays in the series.
    Revoking a revoked link changes nothing."""
    _require_writer(actor)
    case = load_case(session, actor, case_id)
    row = session.exec(
        select(SessionLink, Measure)
        .join(Measure, col(Measure.id) == col(SessionLink.measure_id))
        .where(SessionLink.id == link_id, SessionLink.case_id == case_id)
    ).first()
    if row is None:
        raise NotFound(f"Standing link {link_id} not found.", code="session_link_not_found")
    link, measure = row
    if link.revoked_at is None:
        link.revoked_at = now
        link.revoked_by, link.revoked_by_label = actor.audit_id, actor.label
        session.add(link)
        audit.record(
            session, actor, "session_link.revoke", "session_link", link_id, case_id=case_id
        )
    return public(link, measure, case, now)


@dataclass(frozen=True, slots=True)
class HeldLink:
    """A standing link in use: its row, its measure and case, and who acts through it."""

    link: SessionLink
    measure: Measure
    case: Case

    def actor(self, client_address: str | None) -> Actor:
        return Actor(
            kind=ActorKind.INFORMANT,
            id=self.link.id or 0,
            municipality_id=self.link.municipality_id,
            label=self.link.label,
            client_address=client_address,
        )


def by_token(session: Session, keyring: Keyring, token: str, now: datetime) -> HeldLink:
    """The link behind a token, if it still works; binds the session to its municipality.
    An unknown token is 404 (and counts against the caller's address); a revoked one, or one
    whose measure or case has ended, is 410 and names nothing."""
    if not links.looks_like_token(token):
        raise UnknownLink("This link is not known. Check that it was copied whole.")
    for token_hash in links.candidate_hashes(keyring, token):
        row = session.exec(_BY_TOKEN, params={"token_hash": token_hash}).first()
        if row is None:
            continue
        link, measure, case = row
        tenancy.bind_session(session, link.municipality_id)
        if link.revoked_at is not None:
            raise LinkGone(
                "This link has been withdrawn. Contact the caseworker who gave it for a new one.",
                code="link_revoked",
            )
        if not is_active(link, measure, case, now):
            raise LinkGone("This link no longer works: the support it was for has ended.")
        return HeldLink(link, measure, case)
    raise UnknownLink("This link is not known. Check that it was copied whole.")


# Built once: every use of a standing link runs it.
# Found before the municipality is known: the joins name it, so they stay on one shard.
_BY_TOKEN = (
    select(SessionLink, Measure, Case)
    .join(
        Measure,
        tenancy.joined_within(Measure, SessionLink, col(Measure.id) == col(SessionLink.measure_id)),
    )
    .join(Case, tenancy.joined_within(Case, SessionLink, col(Case.id) == col(SessionLink.case_id)))
    .where(col(SessionLink.token_hash) == bindparam("token_hash"))
    .execution_options(**tenancy.ALL_MUNICIPALITIES)
)
