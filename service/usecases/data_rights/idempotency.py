"""What a stored idempotent response holds goes with it: revoking a personal link, a client or
a webhook subscription deletes, in the same transaction, every idempotency record whose
response carries its secret, so that no replay hands out something that was revoked. A
deactivated client's own records go too: what it was answered (a webhook's signing secret, a
personal link) is no longer anyone's to replay."""

from __future__ import annotations

from sqlalchemy import delete
from sqlmodel import Session, col

from service.models.idempotency import IdempotencyRecord


def link(informant_id: int | None) -> str:
    return f"link:{informant_id}"


def client(client_pk: int | None) -> str:
    return f"client:{client_pk}"


def webhook(webhook_id: int | None) -> str:
    return f"webhook:{webhook_id}"


def client_caller(client_pk: int | None) -> str:
    """The caller a client's records are kept under: the subject of its access tokens."""
    return f"client:{client_pk}"


def forget(session: Session, holds: str) -> None:
    """Delete the stored responses that carry `holds` (see `link`, `client`, `webhook`)."""
    session.execute(delete(IdempotencyRecord).where(col(IdempotencyRecord.holds) == holds))


def forget_caller(session: Session, caller: str) -> None:
    """Delete the stored responses given to `caller` (see `client_caller`)."""
    session.execute(delete(IdempotencyRecord).where(col(IdempotencyRecord.caller) == caller))
