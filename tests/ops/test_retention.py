"""Retention, run by the tick: a closed case past the municipality's period is erased with
a record of it (its audit events pseudonymised, the chain intact), unless under a legal hold;
informants' contact details go after their round plus a grace period; message bodies,
delivery attempts, idempotency records and callers' addresses have their own periods."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import Engine, text, update
from sqlmodel import Session, col, select

from service.clock import FrozenClock
from service.models import audit_chain
from service.models.audit import AuditEvent
from service.models.case import Case
from service.models.idempotency import IdempotencyRecord
from service.models.outbox import DeliveryAttempt, OutboxMessage
from service.models.retention import ErasureRecord
from service.models.round import Informant, ScoringRound
from service.usecases.data_rights.retention import Periods
from service.usecases.procedure.schedule import run_tick
from tests.factories import ADMIN_A, CW_A
from tests.rounds_helpers import complete_round, fire, new_case, open_round, set_procedure
from tests.world import World

PERIODS = Periods(
    outbox_body_days=30, delivery_attempt_days=90, idempotency_hours=48, address_days=90
)


async def _case_with_round(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, ref: str
) -> tuple[int, int]:
    case_id = await new_case(client, world, ref=ref)
    rnd = await open_round(client, world, clock, case_id)
    r = await client.post(
        f"/api/v1/rounds/{rnd['id']}/informants",
        json={
            "role": "school",
            "name": "Lærer Ane",
            "email": "ane@skole.example.dk",
            "phone": "+4512345678",
        },
        headers=world.headers(CW_A),
    )
    assert r.status_code == 201, r.text
    link = await client.post(
        f"/api/v1/rounds/{rnd['id']}/informants/{r.json()['id']}/link",
        headers=world.headers(CW_A),
    )
    assert link.status_code == 201
    return case_id, rnd["id"]


async def _close(client: httpx.AsyncClient, world: World, case_id: int) -> None:
    r = await client.patch(
        f"/api/v1/cases/{case_id}", json={"status": "closed"}, headers=world.headers(CW_A)
    )
    assert r.status_code == 200, r.text


def _closed_years_ago(engine: Engine, case_id: int, clock: FrozenClock, years: int) -> None:
    with Session(engine) as session:
        session.execute(
            update(Case)
            .where(col(Case.id) == case_id)
            .values(closed_at=clock.now() - timedelta(days=365 * years + 2))
        )
        session.commit()


async def test_a_closed_case_past_retention_is_erased_unless_held(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, engine: Engine
) -> None:
    old, old_round = await _case_with_round(client, world, clock, "OLD-1")
    held, _ = await _case_with_round(client, world, clock, "HELD-1")
    recent, _ = await _case_with_round(client, world, clock, "RECENT-1")
    active, _ = await _case_with_round(client, world, clock, "ACTIVE-1")
    for case_id in (old, held, recent):
        await _close(client, world, case_id)
    r = await client.put(
        f"/api/v1/cases/{held}/legal-hold",
        json={"hold": True, "reason": "Klage til Ankestyrelsen"},
        headers=world.headers(ADMIN_A),
    )
    assert r.status_code == 200 and r.json()["legal_hold"] is True
    _closed_years_ago(engine, old, clock, 6)
    _closed_years_ago(engine, held, clock, 6)
    _closed_years_ago(engine, recent, clock, 4)  # inside the default five years
    result = run_tick(engine, clock.now(), periods=PERIODS)
    assert result.retention is not None and result.retention.cases_erased == 1
    with Session(engine) as session:
        left = {c.id for c in session.exec(select(Case)).all()}
        assert old not in left and {held, recent, active} <= left
        assert session.get(ScoringRound, old_round) is None
        assert not session.exec(select(Informant).where(Informant.round_id == old_round)).all()
        assert not session.exec(
            select(OutboxMessage).where(OutboxMessage.round_id == old_round)
        ).all()
        record = session.exec(select(ErasureRecord).where(ErasureRecord.case_id == old)).one()
        assert (record.external_ref, record.rounds, record.informants) == ("OLD-1", 1, 2)
        assert record.audit_events_pseudonymised >= 3
        events = session.exec(select(AuditEvent).where(AuditEvent.case_id == old)).all()
        assert events and all(e.pseudonymised_at and e.client_address is None for e in events)
        assert audit_chain.verify(session, world.municipalities["751"]).intact
    again = run_tick(engine, clock.now(), periods=PERIODS)
    assert again.retention is not None and again.retention.cases_erased == 0


async def test_an_erased_case_takes_its_rounds_disagreement_sums_along(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, engine: Engine
) -> None:
    await set_procedure(client, world, "kl3")
    official = [(2, 2), (1, 1), (3, 3), (1, 1), (2, 2), (0, 0), (2, 2), (0, 0)]
    school = {"school": [3, 1, 3, 1, 2, 0, 2, 1]}
    old = await new_case(client, world, ref="OLD-2")
    gone = await complete_round(client, world, clock, old, official, school)
    stays = await complete_round(
        client, world, clock, await new_case(client, world, ref="KEPT-2"), official, school
    )

    def summed() -> set[int]:
        with engine.connect() as conn:
            return {
                int(r)
                for table in ("round_disagreement", "round_factor_disagreement")
                for (r,) in conn.execute(text(f"SELECT round_id FROM {table}"))
            }

    assert summed() == {gone, stays}
    await _close(client, world, old)
    _closed_years_ago(engine, old, clock, 6)
    result = run_tick(engine, clock.now(), periods=PERIODS)
    assert result.retention is not None and result.retention.cases_erased == 1
    assert summed() == {stays}


async def test_informants_contact_details_go_after_the_round_and_grace(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, engine: Engine
) -> None:
    _, rid = await _case_with_round(client, world, clock, "CONTACT-1")
    _, still = await _case_with_round(client, world, clock, "CONTACT-2")
    assert (await fire(client, world, rid, "cancel", reason="Sagen er lukket")).status_code == 200
    run_tick(engine, clock.now(), periods=PERIODS)
    with Session(engine) as session:  # within the grace period: kept
        assert session.exec(
            select(Informant.email).where(Informant.round_id == rid, Informant.role == "school")
        ).one()
        session.execute(
            update(ScoringRound)
            .where(col(ScoringRound.id) == rid)
            .values(cancelled_at=clock.now() - timedelta(days=31))
        )
        session.commit()
    result = run_tick(engine, clock.now(), periods=PERIODS)
    # The school's, and the caseworker's own as the round's first informant.
    assert result.retention is not None and result.retention.contacts_erased == 2
    with Session(engine) as session:
        gone = session.exec(
            select(Informant).where(Informant.round_id == rid, Informant.role == "school")
        ).one()
        assert (gone.email, gone.phone, gone.name) == (None, None, "Lærer Ane")
        kept = session.exec(
            select(Informant).where(Informant.round_id == still, Informant.role == "school")
        ).one()
        assert kept.email == "ane@skole.example.dk"
        recipients = session.exec(
            select(OutboxMessage.recipient).where(
                OutboxMessage.informant_id == gone.id, OutboxMessage.status != "pending"
            )
        ).all()
        assert recipients and set(recipients) == {""}
        assert session.exec(
            select(ErasureRecord).where(
                ErasureRecord.informants == 2, col(ErasureRecord.case_id).is_(None)
            )
        ).one()


async def test_operational_records_have_short_periods(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, engine: Engine
) -> None:
    await _case_with_round(client, world, clock, "OPS-1")
    r = await client.post(
        "/api/v1/cases",
        json={"external_ref": "IDEM-1", "display_name": "Barn", "birth_year": 2016},
        headers={**world.headers(CW_A), "Idempotency-Key": "k-1"},
    )
    assert r.status_code == 201
    old = clock.now() - timedelta(days=100)
    with Session(engine) as session:
        message = session.exec(select(OutboxMessage)).first()
        assert message is not None
        message_id = message.id
        session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == message.id)
            .values(status="sent", created_at=old)
        )
        session.add(
            DeliveryAttempt(
                municipality_id=message.municipality_id,
                message_id=message.id or 0,
                attempted_at=old,
                ok=True,
            )
        )
        session.execute(
            update(IdempotencyRecord).values(created_at=clock.now() - timedelta(hours=49))
        )
        # Audit events are append-only: the test ages them as time would, trigger aside.
        session.commit()
    with engine.begin() as connection:
        trigger_off = (
            "DROP TRIGGER audit_event_no_update"
            if engine.dialect.name == "sqlite"
            else "ALTER TABLE audit_event DISABLE TRIGGER USER"
        )
        connection.execute(text(trigger_off))
        connection.execute(update(AuditEvent).values(occurred_at=old).where(col(AuditEvent.id) > 0))
    result = run_tick(engine, clock.now(), periods=PERIODS)
    kept = result.retention
    assert kept is not None
    assert (kept.bodies_erased, kept.attempts_deleted, kept.idempotency_deleted) == (1, 1, 1)
    assert kept.addresses_erased >= 3
    with Session(engine) as session:
        blank = session.get(OutboxMessage, message_id)
        assert blank is not None and (blank.body_text, blank.recipient) == ("", "")
        assert not session.exec(
            select(AuditEvent).where(col(AuditEvent.client_address).is_not(None))
        ).all()


async def test_legal_hold_is_for_administrators_with_a_reason(
    client: httpx.AsyncClient, world: World
) -> None:
    case_id = await new_case(client, world, ref="HOLD-2")
    r = await client.put(
        f"/api/v1/cases/{case_id}/legal-hold",
        json={"hold": True, "reason": "Retssag"},
        headers=world.headers(CW_A),
    )
    assert r.status_code == 403
    r = await client.put(
        f"/api/v1/cases/{case_id}/legal-hold", json={"hold": True}, headers=world.headers(ADMIN_A)
    )
    assert r.status_code == 422 and r.json()["code"] == "legal_hold_reason_required"


async def test_closing_a_case_starts_the_count(client: httpx.AsyncClient, world: World) -> None:
    case_id = await new_case(client, world, ref="CLOSE-1")
    await _close(client, world, case_id)
    r = await client.get(f"/api/v1/cases/{case_id}", headers=world.headers(CW_A))
    assert r.json()["closed_at"] is not None
    r = await client.patch(
        f"/api/v1/cases/{case_id}", json={"status": "active"}, headers=world.headers(CW_A)
    )
    assert r.json()["closed_at"] is None
