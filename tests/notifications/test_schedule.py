"""Reminders, receipts, the caseworker's notices, overdue rounds, drafts opened ahead and the
due list, with the clock moved instead of waiting."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from aiosmtpd.controller import Controller
from sqlalchemy import Engine
from sqlmodel import Session, select

from service.clock import FrozenClock
from service.config import Settings
from service.models.outbox import DeliveryStatus, MessageKind, OutboxMessage
from service.notifications.dispatcher import Dispatcher, Policy, senders_for
from service.usecases.procedure.schedule import run_tick
from tests.factories import ADMIN_A, CW_A
from tests.notifications.conftest import Inbox, html_of, text_of
from tests.rounds_helpers import (
    entries,
    fire,
    new_case,
    open_round,
    set_official,
    set_procedure,
    submit_link,
    submit_on_behalf,
)
from tests.world import World

SCORES = [2, 3, 2, 1, 2, 0, 2, 0]


def _dispatcher(settings: Settings, engine: Engine, clock: FrozenClock, port: int) -> Dispatcher:
    mail = settings.model_copy(
        update={"email_backend": "smtp", "smtp_port": port, "smtp_timeout_seconds": 3}
    )
    return Dispatcher(engine, clock, Policy.of(mail), senders_for(mail, engine, clock))


async def _school(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> tuple[dict[str, Any], int, str]:
    rnd = await open_round(client, world, clock, await new_case(client, world))
    r = await client.post(
        f"/api/v1/rounds/{rnd['id']}/informants",
        json={"role": "school", "name": "Lærer Ane", "email": "ane@skole.example.dk"},
        headers=world.headers(CW_A),
    )
    link = await client.post(
        f"/api/v1/rounds/{rnd['id']}/informants/{r.json()['id']}/link", headers=world.headers(CW_A)
    )
    return rnd, r.json()["id"], link.json()["url"].rsplit("/", 1)[1]


async def test_reminders_before_the_due_date_and_none_after_submission(
    client: httpx.AsyncClient,
    world: World,
    clock: FrozenClock,
    settings: Settings,
    engine: Engine,
    smtp: tuple[Controller, Inbox],
) -> None:
    controller, inbox = smtp
    _rnd, _iid, token = await _school(client, world, clock)
    dispatcher = _dispatcher(settings, engine, clock, controller.port)
    await dispatcher.run_once()
    assert [m["Subject"].startswith("Vurdering") for m in inbox.messages] == [
        True
    ]  # the invitation
    clock.advance(timedelta(days=11, minutes=1))  # 3 days before the due date (14 days out)
    await dispatcher.run_once()
    assert inbox.messages[-1]["Subject"].startswith("Påmindelse")
    assert token in text_of(inbox.messages[-1])
    assert (await submit_link(client, token, entries(SCORES))).status_code == 200
    await dispatcher.run_once()
    assert inbox.messages[-1]["Subject"].startswith("Tak for din vurdering")  # the receipt
    clock.advance(timedelta(days=2))  # 1 day before: that reminder was cancelled
    assert await dispatcher.run_once() == 0
    assert len(inbox.messages) == 3
    with Session(engine) as session:
        cancelled = session.exec(
            select(OutboxMessage).where(OutboxMessage.status == DeliveryStatus.CANCELLED)
        ).all()
        assert [m.kind for m in cancelled] == [MessageKind.REMINDER]


async def test_manual_reminder_and_revocation(
    client: httpx.AsyncClient,
    world: World,
    clock: FrozenClock,
    settings: Settings,
    engine: Engine,
    smtp: tuple[Controller, Inbox],
) -> None:
    controller, inbox = smtp
    rnd, iid, _token = await _school(client, world, clock)
    r = await client.post(
        f"/api/v1/rounds/{rnd['id']}/informants/{iid}/reminder", headers=world.headers(CW_A)
    )
    assert r.status_code == 200, r.text
    await _dispatcher(settings, engine, clock, controller.port).run_once()
    assert len(inbox.messages) == 2  # the invitation and the reminder sent by hand
    await client.post(
        f"/api/v1/rounds/{rnd['id']}/informants/{iid}/link/revoke", headers=world.headers(CW_A)
    )
    with Session(engine) as session:
        pending = session.exec(
            select(OutboxMessage).where(OutboxMessage.status == DeliveryStatus.PENDING)
        ).all()
        assert pending == []  # the reminders written ahead are cancelled with the link
    again = await client.post(
        f"/api/v1/rounds/{rnd['id']}/informants/{iid}/reminder", headers=world.headers(CW_A)
    )
    assert again.status_code == 409


async def test_caseworker_hears_when_all_have_submitted_and_when_overdue(
    client: httpx.AsyncClient,
    world: World,
    clock: FrozenClock,
    settings: Settings,
    engine: Engine,
    smtp: tuple[Controller, Inbox],
) -> None:
    controller, inbox = smtp
    await set_procedure(client, world, "kl1", collection_close="manual")
    rnd, _iid, token = await _school(client, world, clock)
    caseworker = (
        await client.get(f"/api/v1/rounds/{rnd['id']}/informants", headers=world.headers(CW_A))
    ).json()["items"][0]
    assert (await submit_link(client, token, entries(SCORES))).status_code == 200
    assert (
        await submit_on_behalf(client, world, rnd["id"], caseworker["id"], entries(SCORES))
    ).status_code == 200
    dispatcher = _dispatcher(settings, engine, clock, controller.port)
    await dispatcher.run_once()
    notices = [m for m in inbox.messages if m["Subject"].startswith("Konsensus")]
    assert sorted(m["To"] for m in notices) == [CW_A, "leader.a@aarhus.example.dk"]
    # The notice links to the round's page, in the text and in the HTML.
    round_page = f"{settings.public_base_url}/rounds/{rnd['id']}"
    assert all(f"Åbn runden: {round_page}" in text_of(m) for m in notices)
    assert all(f'href="{round_page}"' in html_of(m) for m in notices)
    # A second round, left to run over its due date.
    await fire(client, world, rnd["id"], "cancel", reason="Test")
    late = await open_round(client, world, clock, rnd["case_id"])
    clock.advance(timedelta(days=15))
    assert run_tick(engine, clock.now(), settings.public_base_url).overdue == 1
    assert run_tick(engine, clock.now(), settings.public_base_url).overdue == 0  # once
    await dispatcher.run_once()
    overdue = [m for m in inbox.messages if "overskredet" in text_of(m)]
    assert len(overdue) == 2 and str(late["id"]) in text_of(overdue[0])
    assert f"{settings.public_base_url}/rounds/{late['id']}" in text_of(overdue[0])


async def test_the_next_round_opens_as_a_draft_ahead_and_the_due_list(
    client: httpx.AsyncClient,
    world: World,
    clock: FrozenClock,
    engine: Engine,
) -> None:
    await set_procedure(client, world, "kl3")
    r = await client.patch(
        "/api/v1/municipality/policy",
        json={"auto_open_days": 14, "reminder_days": [5, 2]},
        headers=world.headers(ADMIN_A),
    )
    assert r.json()["policy"]["auto_open_days"] == 14 and r.json()["policy"]["reminder_days"] == [
        5,
        2,
    ]
    fresh = await new_case(client, world, ref="DUE-1")
    due = (await client.get("/api/v1/due", headers=world.headers(CW_A))).json()["items"]
    assert [(d["case_id"], d["status"]) for d in due] == [(fresh, "due")]  # intake: due at once
    rnd = await open_round(client, world, clock, fresh)
    own = (
        await client.get(f"/api/v1/rounds/{rnd['id']}/informants", headers=world.headers(CW_A))
    ).json()["items"][0]
    assert (
        await submit_on_behalf(client, world, rnd["id"], own["id"], entries(SCORES))
    ).status_code == 200
    # The caseworker alone: the step closes on their reason.
    assert (await fire(client, world, rnd["id"], "close_collection", "Alene.")).status_code == 200
    keys = [
        "udvikling_adfaerd",
        "familieforhold",
        "skoleforhold",
        "sundhedsforhold",
        "fritid_venskaber",
        "selvhjulpenhed",
        "tilknytning",
        "kriminalitet",
    ]
    assert (
        await set_official(
            client, world, rnd["id"], {k: (s, s) for k, s in zip(keys, SCORES, strict=True)}
        )
    ).status_code == 200
    done = await fire(client, world, rnd["id"], "finish_consensus")
    assert done.json()["state"] == "completed"
    due = (await client.get("/api/v1/due", headers=world.headers(CW_A))).json()["items"]
    assert due == []  # next due in three months
    assert run_tick(engine, clock.now()).opened == 0
    # Due three months after the date the round was planned for (its due date, 14 days on),
    # whenever it was completed: the draft opens 14 days before that.
    clock.advance(timedelta(days=80))
    assert run_tick(engine, clock.now()).opened == 0
    clock.advance(timedelta(days=12))
    assert run_tick(engine, clock.now()).opened == 1
    assert run_tick(engine, clock.now()).opened == 0
    rounds = (
        await client.get("/api/v1/rounds", params={"case_id": fresh}, headers=world.headers(CW_A))
    ).json()["items"]
    assert [(r["state"], r["variant"]) for r in rounds] == [
        ("draft", "follow_up"),
        ("completed", "first_time"),
    ]
    due = (await client.get("/api/v1/due", headers=world.headers(CW_A))).json()["items"]
    assert due[0]["round_state"] == "draft" and due[0]["status"] == "soon"
