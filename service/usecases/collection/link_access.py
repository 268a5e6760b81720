"""A personal link (personligt link) as the person behind it uses it: the token checked and
turned into its informant, the round locked for a save, the first opening recorded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NoReturn

from sqlalchemy import bindparam, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from service.auth import links
from service.auth.actor import Actor
from service.auth.keys import Keyring
from service.errors import ServiceError
from service.models import tenancy
from service.models.audit import ActorKind
from service.models.link import InformantLink, LinkEnd
from service.models.municipality import CollectionClose, Municipality
from service.models.round import Informant, ScoringRound
from service.models.webhook import WebhookSubscription
from service.usecases.collection.informants import link_state
from service.usecases.data_rights import audit


class LinkGone(ServiceError):
    """An expired or revoked link: says so, and reveals nothing about the round."""

    status = 410
    code = "link_expired"
    title = "This link no longer works"


class UnknownLink(ServiceError):
    status = 404
    code = "link_not_found"
    title = "Unknown link"


def _token_hashes(keyring: Keyring, token: str) -> list[str]:
    if not links.looks_like_token(token):
        raise UnknownLink("This link is not known. Check that it was copied whole.")
    return links.candidate_hashes(keyring, token)


def _no_current_link(session: Session, hashes: list[str]) -> NoReturn:
    """No informant's current link: a replaced or withdrawn one says so (410), like a
    withdrawn link, and reveals nothing more; anything else is unknown (404)."""
    end = session.exec(
        select(InformantLink.end)
        .where(col(InformantLink.token_hash).in_(hashes))
        .execution_options(**tenancy.ALL_MUNICIPALITIES)
    ).first()
    if end is LinkEnd.REPLACED:
        raise LinkGone(
            "This link has been replaced by a newer one. Use the newest link you were sent, "
            "or contact the caseworker.",
            code="link_replaced",
        )
    if end is LinkEnd.REVOKED:
        raise LinkGone(
            "This link has been withdrawn. Contact the caseworker who sent it for a new one.",
            code="link_revoked",
        )
    raise UnknownLink("This link is not known. Check that it was copied whole.")


def _usable(session: Session, informant: Informant, now: datetime) -> Informant:
    """Refuse a revoked or expired link; bind the session to its municipality."""
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


def informant_by_token(session: Session, keyring: Keyring, token: str, now: datetime) -> Informant:
    """The informant whose link this is (for reading: nothing is locked)."""
    hashes = _token_hashes(keyring, token)
    for token_hash in hashes:  # the current key's hash first: nearly always the one
        informant = session.exec(_BY_TOKEN, params={"token_hash": token_hash}).first()
        if informant is not None:
            return _usable(session, informant, now)
    _no_current_link(session, hashes)


@dataclass
class LockedLink:
    """A link about to act: its informant, the round locked, the municipality's closing policy."""

    informant: Informant
    round: ScoringRound
    policy: CollectionClose
    webhooks: bool  # whether the municipality has any active webhook subscription


def lock_link(session: Session, keyring: Keyring, token: str, now: datetime) -> LockedLink:
    """For a POST: find the informant and lock its round in one statement."""
    hashes = _token_hashes(keyring, token)
    for token_hash in hashes:
        row = session.exec(_LOCK_LINK, params={"token_hash": token_hash}).first()
        if row is not None:
            informant = _usable(session, row[0], now)
            return LockedLink(informant, row[1], CollectionClose(row[2]), bool(row[3]))
    _no_current_link(session, hashes)


# Built once: every look at a link, and every submission through one, runs these.
_BY_TOKEN = (
    select(Informant)
    .where(col(Informant.token_hash) == bindparam("token_hash"))
    .execution_options(**tenancy.ALL_MUNICIPALITIES)
)
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
