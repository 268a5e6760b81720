"""A personal link (personligt link) as the person behind it uses it: the token checked and
turned into its informant, the round locked for a save, the first opening recorded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from service.auth import links
from service.auth.actor import Actor
from service.errors import ServiceError
from service.models import tenancy
from service.models.audit import ActorKind
from service.models.municipality import CollectionClose, Municipality
from service.models.round import Informant, ScoringRound
from service.models.webhook import WebhookSubscription
from service.usecases import audit
from service.usecases.informants import link_state


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


_INFORMANTS = Informant.__table__  # type: ignore[attr-defined]
# Built once: every first opening runs it.
_FIRST_OPENING = (
    update(_INFORMANTS)
    .where(_INFORMANTS.c.id == bindparam("informant"), _INFORMANTS.c.first_opened_at.is_(None))
    .values(first_opened_at=bindparam("now"))
)
