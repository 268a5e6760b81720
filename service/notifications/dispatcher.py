"""Delivering the outbox, after the transactions that wrote it have committed.

At least once: a message is claimed with a lease (on PostgreSQL with FOR UPDATE SKIP LOCKED,
so that several dispatchers never take the same row), sent, and marked; a dispatcher that
dies mid-delivery leaves the lease to run out, and the message is sent again. Failures are
retried with exponential backoff up to a ceiling; after the last attempt the message is
marked failed, and stays visible."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, or_
from sqlmodel import Session, col, select

from service.clock import Clock
from service.config import Settings
from service.db import new_session
from service.models.outbox import (
    Channel,
    DeliveryAttempt,
    DeliveryStatus,
    MessageKind,
    OutboxMessage,
)
from service.models.webhook import EventType, WebhookSubscription
from service.notifications import webhooks
from service.notifications.senders import DeliveryError, FileMailbox, Sender, SmtpSender
from service.notifications.sms import HttpSmsGateway, LoggingSms
from service.notifications.webhooks import WebhookSender

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

    def delay(self, attempts: int) -> timedelta:
        """Exponential backoff after `attempts` failures, never above the ceiling."""
        return timedelta(seconds=min(self.backoff * 2 ** (attempts - 1), self.ceiling))


def senders_for(settings: Settings, engine: Engine, clock: Clock) -> dict[Channel, Sender]:
    email: Sender = (
        SmtpSender(settings) if settings.email_backend == "smtp" else FileMailbox(settings)
    )

    def secret_for(subscription_id: int) -> str | None:
        # Read at each delivery: a deactivated subscription gets nothing more.
        with Session(engine) as session:
            subscription = session.get(WebhookSubscription, subscription_id)
            return subscription.secret if subscription and subscription.is_active else None

    sms: Sender = HttpSmsGateway(settings) if settings.sms_backend == "http" else LoggingSms()
    return {
        Channel.EMAIL: email,
        Channel.SMS: sms,
        Channel.WEBHOOK: WebhookSender(secret_for, clock.now),
    }


def claim(engine: Engine, now: datetime, policy: Policy, limit: int) -> list[OutboxMessage]:
    """Take up to `limit` due messages under a lease, in their own short transaction."""
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
            session.add(message)
        session.commit()
        return messages


def record(
    engine: Engine, message: OutboxMessage, error: str | None, now: datetime, policy: Policy
) -> None:
    """Write down how the attempt went, and what happens next."""
    with new_session(engine, write=True) as session:
        current = session.get(OutboxMessage, message.id)
        if current is None or current.status is not DeliveryStatus.PENDING:
            return
        current.attempts += 1
        current.claimed_until = None
        if error is None:
            current.status, current.sent_at, current.last_error = DeliveryStatus.SENT, now, None
        else:
            current.last_error = error[:2000]
            if current.attempts >= policy.max_attempts:
                current.status = DeliveryStatus.FAILED
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
    ) -> None:
        self.engine, self.clock, self.policy, self.senders = engine, clock, policy, senders
        self.batch, self.concurrency = batch, concurrency
        self.tick, self.tick_seconds = tick, tick_seconds
        self._last_tick: datetime | None = None

    async def _deliver(self, message: OutboxMessage, gate: asyncio.Semaphore) -> None:
        async with gate:
            sender = self.senders.get(message.channel)
            error: str | None = None
            if sender is None:
                error = f"no sender for {message.channel.value}"
            else:
                try:
                    await sender.send(message)
                except DeliveryError as exc:
                    error = str(exc)
                except Exception as exc:  # a sender's bug must not stop the others
                    log.exception("delivery of message %s failed", message.id)
                    error = f"{type(exc).__name__}: {exc}"
            await asyncio.to_thread(
                record, self.engine, message, error, self.clock.now(), self.policy
            )

    async def run_once(self) -> int:
        """Deliver what is due now; returns how many messages were tried."""
        messages = await asyncio.to_thread(
            claim, self.engine, self.clock.now(), self.policy, self.batch
        )
        gate = asyncio.Semaphore(self.concurrency)
        await asyncio.gather(*(self._deliver(m, gate) for m in messages))
        return len(messages)

    async def run(self, stop: asyncio.Event, interval: float) -> None:
        """Until stopped: deliver, and wait a little when there was nothing to do."""
        while not stop.is_set():
            now = self.clock.now()
            if self.tick is not None and (
                self._last_tick is None
                or now - self._last_tick >= timedelta(seconds=self.tick_seconds)
            ):
                self._last_tick = now
                try:
                    await asyncio.to_thread(self.tick, self.engine, now)
                except Exception:
                    log.exception("scheduled work failed; trying again later")
            try:
                tried = await self.run_once()
            except Exception:
                log.exception("dispatcher round failed; trying again")
                tried = 0
            if tried == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=interval)
