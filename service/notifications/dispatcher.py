"""Delivering the outbox, after the transactions that wrote it have committed.

At least once, and no more than that: a message is claimed with a lease by one dispatcher
(on PostgreSQL with FOR UPDATE SKIP LOCKED, so that several never take the same row); right
before it is sent the dispatcher renews the lease, and only if the message is still its own,
and a send is cut off well inside the lease; so no other dispatcher can take it while it is
on its way. A dispatcher that dies mid-delivery leaves the lease to run out, and the message
is sent again, with the same Message-ID (webhook-id), so the receiver can drop the copy.
Failures are retried with exponential backoff up to a ceiling; after the last attempt the
message is marked failed, and stays visible. A stopping dispatcher hands back what it has not
begun, and gives what is on its way a bounded time."""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, bindparam, or_, update
from sqlmodel import Session, col, select

from service.auth.keys import Keyring
from service.auth.seal import Unsealable, unseal
from service.clock import Clock
from service.config import Environment, Settings
from service.db import new_session
from service.models.outbox import (
    Channel,
    DeliveryAttempt,
    DeliveryStatus,
    MessageKind,
    OutboxMessage,
)
from service.models.webhook import EventType, WebhookSubscription
from service.notifications import outbox, webhooks
from service.notifications.senders import DeliveryError, FileMailbox, Sender, SmtpSender
from service.notifications.sms import HttpSmsGateway, LoggingSms
from service.notifications.webhooks import WebhookSender
from service.ops import metrics
from service.ops.availability import UNAVAILABLE, first_line
from service.ops.health import Heartbeat

log = logging.getLogger("konsensus.dispatcher")


@dataclass(frozen=True, slots=True)
class Policy:
    max_attempts: int
    backoff: float
    ceiling: float
    lease: float

    @classmethod
    def of(cls, settings: Settings) -> Policy:
        return cls(
            settings.delivery_max_attempts,
            settings.delivery_backoff_seconds,
            settings.delivery_backoff_ceiling_seconds,
            settings.delivery_lease_seconds,
        )

    @property
    def send_deadline(self) -> float:
        """A send is cut off here, well inside the lease renewed just before it."""
        return self.lease * 0.75

    def delay(self, attempts: int) -> timedelta:
        """Exponential backoff after `attempts` failures, never above the ceiling."""
        return timedelta(seconds=min(self.backoff * 2 ** (attempts - 1), self.ceiling))


class WithLink:
    """Puts the personal link, kept sealed beside the message, into its body as it leaves
    (in memory only: what is stored keeps the placeholder)."""

    def __init__(self, sender: Sender, keyring: Keyring) -> None:
        self.sender, self.keyring = sender, keyring

    async def send(self, message: OutboxMessage) -> None:
        if message.sealed_link:
            try:
                url = unseal(self.keyring, message.sealed_link, outbox.LINK_SEAL_CONTEXT)
            except Unsealable as exc:
                raise DeliveryError(
                    "the link could not be opened: the secret it was sealed under is gone"
                ) from exc
            message.body_text = message.body_text.replace(outbox.LINK_PLACEHOLDER, url)
            message.body_html = message.body_html.replace(
                outbox.LINK_PLACEHOLDER, html.escape(url, quote=True)
            )
        await self.sender.send(message)


def senders_for(settings: Settings, engine: Engine, clock: Clock) -> dict[Channel, Sender]:
    keyring = settings.keyring()
    email: Sender = WithLink(
        SmtpSender(settings) if settings.email_backend == "smtp" else FileMailbox(settings),
        keyring,
    )

    def secret_for(subscription_id: int) -> str | None:
        # Read at each delivery: a deactivated subscription gets nothing more. The secret is
        # kept sealed; it is opened for the signature and held no longer.
        with Session(engine) as session:
            subscription = session.get(WebhookSubscription, subscription_id)
            if subscription is None or not subscription.is_active:
                return None
            try:
                return unseal(keyring, subscription.secret, webhooks.SECRET_SEAL_CONTEXT)
            except Unsealable:
                return None

    sms: Sender = WithLink(
        HttpSmsGateway(settings)
        if settings.sms_backend == "http"
        else LoggingSms(show_text=settings.environment is Environment.DEVELOPMENT),
        keyring,
    )
    return {
        Channel.EMAIL: email,
        Channel.SMS: sms,
        Channel.WEBHOOK: WebhookSender(
            secret_for, clock.now, allow_loopback=settings.webhook_allow_loopback
        ),
    }


_OUTBOX = OutboxMessage.__table__  # type: ignore[attr-defined]
# Renew the lease of a message still ours and still to be sent; no row means it is not ours.
_HOLD = (
    update(_OUTBOX)
    .where(
        _OUTBOX.c.id == bindparam("message"),
        _OUTBOX.c.claimed_by == bindparam("owner"),
        _OUTBOX.c.status == DeliveryStatus.PENDING.value,
        _OUTBOX.c.claimed_until >= bindparam("now"),
    )
    .values(claimed_until=bindparam("until"))
)


def new_owner() -> str:
    """A dispatcher's name on the leases it takes."""
    return secrets.token_hex(8)


def claim(
    engine: Engine, now: datetime, policy: Policy, limit: int, owner: str | None = None
) -> list[OutboxMessage]:
    """Take up to `limit` due messages under a lease, in their own short transaction."""
    owner = owner or new_owner()
    with new_session(engine, write=True) as session:
        query = (
            select(OutboxMessage)
            .where(
                OutboxMessage.status == DeliveryStatus.PENDING,
                col(OutboxMessage.next_attempt_at) <= now,
                or_(
                    col(OutboxMessage.claimed_until).is_(None),
                    col(OutboxMessage.claimed_until) < now,
                ),
            )
            .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
            .limit(limit)
        )
        if engine.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        messages = list(session.exec(query).all())
        for message in messages:
            message.claimed_until = now + timedelta(seconds=policy.lease)
            message.claimed_by = owner
            session.add(message)
        session.commit()
        return messages


def hold(engine: Engine, message_id: int, owner: str, now: datetime, policy: Policy) -> bool:
    """Renew the lease on a message about to be sent; False if it is no longer ours (the
    lease ran out and another dispatcher took it, or it was sent or cancelled meanwhile)."""
    with new_session(engine, write=True) as session:
        result = session.execute(
            _HOLD,
            {
                "message": message_id,
                "owner": owner,
                "now": now,
                "until": now + timedelta(seconds=policy.lease),
            },
        )
        session.commit()
        return bool(getattr(result, "rowcount", 0) == 1)


def release(engine: Engine, message_ids: list[int], owner: str) -> None:
    """Hand back messages claimed but not begun, for any dispatcher to take at once."""
    if not message_ids:
        return
    with new_session(engine, write=True) as session:
        session.execute(
            update(_OUTBOX)
            .where(
                _OUTBOX.c.id.in_(message_ids),
                _OUTBOX.c.claimed_by == owner,
                _OUTBOX.c.status == DeliveryStatus.PENDING.value,
            )
            .values(claimed_until=None, claimed_by=None)
        )
        session.commit()


def record(
    engine: Engine,
    message: OutboxMessage,
    error: str | None,
    now: datetime,
    policy: Policy,
    owner: str | None = None,
) -> bool:
    """Write down how the attempt went, and what happens next; False if the message was not
    (or no longer) this dispatcher's to record."""
    with new_session(engine, write=True) as session:
        current = session.get(OutboxMessage, message.id)
        if current is None or current.status is not DeliveryStatus.PENDING:
            return False
        if owner is not None and current.claimed_by != owner:
            return False
        current.attempts += 1
        current.claimed_until = None
        current.claimed_by = None
        if error is None:
            current.status, current.sent_at, current.last_error = DeliveryStatus.SENT, now, None
            current.sealed_link = None  # the link has gone out: not kept a moment longer
        else:
            current.last_error = error[:2000]
            if current.attempts >= policy.max_attempts:
                current.status = DeliveryStatus.FAILED
                current.sealed_link = None
                if current.kind is MessageKind.INVITATION:
                    webhooks.emit(
                        session,
                        current.municipality_id,
                        EventType.INVITATION_NOT_DELIVERED,
                        {"round_id": current.round_id, "informant_id": current.informant_id},
                        now,
                    )
            else:
                current.next_attempt_at = now + policy.delay(current.attempts)
        session.add(current)
        session.add(
            DeliveryAttempt(
                municipality_id=current.municipality_id,
                message_id=current.id or 0,
                attempted_at=now,
                ok=error is None,
                error=error[:2000] if error else None,
            )
        )
        session.commit()
        result = "sent" if error is None else current.status.value
        metrics.DELIVERIES.labels(
            current.channel.value, "retry" if result == "pending" else result
        ).inc()
        return True


class Dispatcher:
    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        policy: Policy,
        senders: dict[Channel, Sender],
        *,
        batch: int = 50,
        concurrency: int = 8,
        tick: Callable[[Engine, datetime], object] | None = None,
        tick_seconds: float = 60.0,
        stop_grace: float = 10.0,
        heartbeat: Heartbeat | None = None,
    ) -> None:
        self.engine, self.clock, self.policy, self.senders = engine, clock, policy, senders
        self.batch, self.concurrency = batch, concurrency
        self.tick, self.tick_seconds = tick, tick_seconds
        self.stop_grace = stop_grace
        self.heartbeat = heartbeat
        self.owner = new_owner()
        self._last_tick: datetime | None = None
        self._failures = self._tick_failures = 0

    async def _send(self, message: OutboxMessage) -> str | None:
        sender = self.senders.get(message.channel)
        if sender is None:
            return f"no sender for {message.channel.value}"
        try:
            await asyncio.wait_for(sender.send(message), timeout=self.policy.send_deadline)
        except DeliveryError as exc:
            return str(exc)
        except TimeoutError:
            return f"no answer within {self.policy.send_deadline:.0f} s"
        except Exception as exc:  # a sender's bug must not stop the others
            log.exception("delivery of message %s failed", message.id)
            return f"{type(exc).__name__}: {exc}"
        return None

    async def _deliver(
        self, message: OutboxMessage, gate: asyncio.Semaphore, started: set[int]
    ) -> None:
        async with gate:
            started.add(message.id or 0)
            held = await asyncio.to_thread(
                hold, self.engine, message.id or 0, self.owner, self.clock.now(), self.policy
            )
            if not held:
                metrics.DELIVERIES.labels(message.channel.value, "lease_lost").inc()
                log.warning("message %s is no longer this dispatcher's; not sent", message.id)
                return
            error = await self._send(message)
            await asyncio.to_thread(
                record, self.engine, message, error, self.clock.now(), self.policy, self.owner
            )

    async def run_once(self, stop: asyncio.Event | None = None) -> int:
        """Deliver what is due now; returns how many messages were claimed.

        Once `stop` is set, messages not yet begun are handed back at once, and those on
        their way get `stop_grace` seconds before they are cut off."""
        messages = await asyncio.to_thread(
            claim, self.engine, self.clock.now(), self.policy, self.batch, self.owner
        )
        if not messages:
            return 0
        gate = asyncio.Semaphore(self.concurrency)
        started: set[int] = set()
        tasks = {
            message.id or 0: asyncio.create_task(self._deliver(message, gate, started))
            for message in messages
        }
        everything: asyncio.Future[Any] = asyncio.gather(*tasks.values())
        stopping: asyncio.Future[Any] = asyncio.ensure_future((stop or asyncio.Event()).wait())
        try:
            await asyncio.wait({everything, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if not everything.done():
                waiting = [mid for mid in tasks if mid not in started]
                for mid in waiting:
                    tasks[mid].cancel()
                await asyncio.to_thread(release, self.engine, waiting, self.owner)
                on_their_way = [t for mid, t in tasks.items() if mid in started and not t.done()]
                if on_their_way:
                    await asyncio.wait(on_their_way, timeout=self.stop_grace)
                for task in on_their_way:
                    task.cancel()  # left to its lease: sent again later, same Message-ID
            with contextlib.suppress(asyncio.CancelledError):
                await everything
        finally:
            stopping.cancel()
        return len(messages)

    def _log_failure(self, what: str, error: Exception, streak: int, wait: float) -> None:
        """One line per failure; a traceback only for the first of a streak, and only for an
        error that is not the database being away."""
        if isinstance(error, UNAVAILABLE):
            log.warning(
                "%s: database unavailable (%s); again in %.0f s", what, first_line(error), wait
            )
        elif streak == 1:
            log.exception("%s failed; again in %.0f s", what, wait)
        else:
            log.warning(
                "%s failed again: %s: %s; again in %.0f s",
                what,
                type(error).__name__,
                first_line(error),
                wait,
            )

    async def _tick(self, now: datetime) -> None:
        """The scheduled work, once per `tick_seconds`; a failure waits for the next turn."""
        if self.tick is None or (
            self._last_tick is not None
            and now - self._last_tick < timedelta(seconds=self.tick_seconds)
        ):
            return
        self._last_tick = now
        try:
            await asyncio.to_thread(self.tick, self.engine, now)
            self._tick_failures = 0
        except Exception as error:
            self._tick_failures += 1
            self._log_failure("scheduled work", error, self._tick_failures, self.tick_seconds)

    async def run(self, stop: asyncio.Event, interval: float) -> None:
        """Until stopped: deliver, and wait a little when there was nothing to do; while
        deliveries fail (the database away), wait twice as long each time, up to a minute."""
        while not stop.is_set():
            await self._tick(self.clock.now())
            wait = interval
            try:
                tried = await self.run_once(stop)
                self._failures = 0
                if self.heartbeat is not None:
                    self.heartbeat.beat()
            except Exception as error:
                self._failures += 1
                tried, wait = 0, min(interval * 2 ** (self._failures - 1), 60.0)
                self._log_failure("delivery", error, self._failures, wait)
            if tried == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=wait)
