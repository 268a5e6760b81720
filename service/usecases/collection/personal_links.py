"""A personal link's life (personligt link): a new one replaces the one before, and an ended
one, replaced or revoked, stays ended. Issuing a link to an informant and sending the family
its links to the result when the round completes both go through here."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from service.auth import links
from service.auth.actor import Actor
from service.auth.keys import Keyring
from service.models.link import InformantLink, LinkEnd
from service.models.round import Informant, ScoringRound
from service.usecases.data_rights import idempotency

#: A family informant's link outlives the due date: the family step comes after the meeting.
FAMILY_LINK_EXTRA = timedelta(days=30)


def new_link(
    session: Session,
    rnd: ScoringRound,
    informant: Informant,
    expires: datetime,
    actor: Actor,
    keyring: Keyring,
    now: datetime,
) -> str:
    """A new personal link for the informant, replacing the one before; only its hash is
    kept, so the token exists only in what the caller does with it now."""
    token = links.new_token()
    token_hash, key_id = links.current_hash(keyring, token)
    end_link(session, informant, LinkEnd.REPLACED, actor, now)
    informant.token_hash = token_hash
    informant.token_issued_at = now
    informant.token_expires_at = expires
    informant.token_revoked_at = None
    session.add(informant)
    session.add(
        InformantLink(
            municipality_id=informant.municipality_id,
            round_id=rnd.id or 0,
            informant_id=informant.id or 0,
            token_hash=token_hash,
            key_id=key_id,
            issued_at=now,
            expires_at=expires,
            issued_by=actor.audit_id,
            issued_by_label=actor.label,
        )
    )
    return token


def end_link(
    session: Session, informant: Informant, end: LinkEnd, actor: Actor, now: datetime
) -> None:
    """The informant's link that still works ends: replaced by a new one, or revoked. A
    stored answer that carries it goes too."""
    idempotency.forget(session, idempotency.link(informant.id))
    for link in session.exec(
        select(InformantLink).where(
            InformantLink.informant_id == informant.id, col(InformantLink.ended_at).is_(None)
        )
    ).all():
        link.ended_at, link.end = now, end
        link.ended_by, link.ended_by_label = actor.audit_id, actor.label
        session.add(link)
