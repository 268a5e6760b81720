"""Nothing secret at rest or in the logs: after a full round (links issued, one re-issued, one
withdrawn, invitations and reminders written ahead and sent, a reminder by hand, answers
through the links, an integrator client and its webhook, idempotent replays of each request
that answers with a secret), no issued
link token, client secret or webhook secret is found in any text column of any table, nor
in what was logged. The outbox keeps a message's link only sealed, and only until the
message has gone."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import JSON, Engine, MetaData, String, Table, Text, inspect, select
from sqlmodel import Session
from sqlmodel import select as sqlmodel_select

from service.clock import FrozenClock
from service.config import Settings
from service.models.outbox import DeliveryStatus, OutboxMessage
from service.notifications.dispatcher import Dispatcher, Policy, senders_for
from service.ops import logs
from tests.factories import ADMIN_A, CW_A
from tests.notifications.test_webhooks import Receiver, receiver  # noqa: F401 (fixture)
from tests.rounds_helpers import (
    add_informant,
    entries,
    issue_link,
    new_case,
    open_round,
    submit_link,
)
from tests.world import World

SCORES = [2, 3, 2, 1, 2, 0, 2, 0]


@pytest.fixture
def captured(capsys: pytest.CaptureFixture[str]) -> Iterator[pytest.CaptureFixture[str]]:
    """Every log line, at every level, as the service writes them (JSON)."""
    logs.configure("json", "DEBUG")
    yield capsys
    logs.configure("text", "WARNING")


def _dispatcher(settings: Settings, engine: Engine, clock: FrozenClock) -> Dispatcher:
    return Dispatcher(
        engine,
        clock,
        Policy(max_attempts=3, backoff=10, ceiling=60, lease=30),
        senders_for(settings, engine, clock),
    )


def scan(engine: Engine, secrets: list[str]) -> tuple[int, int, list[tuple[str, str]]]:
    """Every text (and JSON) column of every table: (columns scanned, values read, finds)."""
    columns = values = 0
    found: list[tuple[str, str]] = []
    with engine.connect() as conn:
        for name in inspect(engine).get_table_names():
            table = Table(name, MetaData(), autoload_with=engine)
            texts = [c for c in table.columns if isinstance(c.type, String | Text | JSON)]
            columns += len(texts)
            for row in conn.execute(select(*texts)) if texts else []:
                for column, value in zip(texts, row, strict=True):
                    values += 1
                    text = value if isinstance(value, str) else json.dumps(value, default=str)
                    found += [(f"{name}.{column.name}", s[:8]) for s in secrets if s in text]
    return columns, values, found


async def test_no_token_or_secret_readable_from_the_database_or_the_logs(
    client: httpx.AsyncClient,
    world: World,
    clock: FrozenClock,
    settings: Settings,
    engine: Engine,
    receiver: Receiver,  # noqa: F811
    captured: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    secrets: list[str] = []
    admin, cw = world.headers(ADMIN_A), world.headers(CW_A)
    client_body = {"name": "DUBU", "scopes": ["rounds:read", "webhooks:manage"]}
    keyed = {"Idempotency-Key": "scan-client", **admin}
    made = await client.post("/api/v1/clients", json=client_body, headers=keyed)
    assert made.status_code == 201, made.text
    replayed = await client.post("/api/v1/clients", json=client_body, headers=keyed)
    assert replayed.headers.get("idempotent-replayed") == "true", replayed.text
    assert replayed.json() == made.json()
    secrets.append(made.json()["client_secret"])
    token = await client.post(
        "/api/v1/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": made.json()["client_id"],
            "client_secret": secrets[0],
        },
    )
    integrator = {"Authorization": f"Bearer {token.json()['access_token']}"}
    hook_body = {"url": receiver.url, "events": ["round.opened", "informant.submitted"]}
    keyed = {"Idempotency-Key": "scan-hook", **integrator}
    hook = await client.post("/api/v1/webhooks", json=hook_body, headers=keyed)
    assert hook.status_code == 201, hook.text
    replayed = await client.post("/api/v1/webhooks", json=hook_body, headers=keyed)
    assert replayed.headers.get("idempotent-replayed") == "true", replayed.text
    whsec = hook.json()["secret"]
    secrets += [whsec, whsec.removeprefix("whsec_")]

    # An idempotent replay (of a request without secrets in its answer).
    key = {"Idempotency-Key": "scan-case-1", **cw}
    body = {"external_ref": "SCAN-1", "display_name": "Emma", "birth_year": 2015}
    first = await client.post("/api/v1/cases", json=body, headers=key)
    again = await client.post("/api/v1/cases", json=body, headers=key)
    assert again.headers.get("idempotent-replayed") == "true" and first.json() == again.json()

    rnd = await open_round(client, world, clock, await new_case(client, world))
    rid = rnd["id"]
    people = {}
    for role, name in (
        ("school", "Lærer Ane"),
        ("daycare", "Pædagog Bo"),
        ("psychologist", "PPR Sundhed"),
    ):
        r = await client.post(
            f"/api/v1/rounds/{rid}/informants",
            json={"role": role, "name": name, "email": f"{role}@example.dk", "phone": "12345678"},
            headers=cw,
        )
        assert r.status_code == 201, r.text
        people[role] = r.json()["id"]
    links = {}
    for role, iid in people.items():
        keyed = {"Idempotency-Key": f"scan-link-{role}", **cw}
        path = f"/api/v1/rounds/{rid}/informants/{iid}/link"
        issued = await client.post(path, headers=keyed)
        assert issued.status_code == 201, issued.text
        again = await client.post(path, headers=keyed)  # replayed: the same link, not a new one
        assert again.json()["token"] == issued.json()["token"]
        links[role] = issued.json()["token"]
    secrets += links.values()
    replaced = links["daycare"]
    links["daycare"] = await issue_link(client, world, rid, people["daycare"])  # re-issued
    secrets.append(links["daycare"])
    dispatcher = _dispatcher(settings, engine, clock)
    await dispatcher.run_once()  # the invitations, by email and SMS, and the webhook
    with Session(engine) as session:
        pending = session.exec(
            sqlmodel_select(OutboxMessage).where(OutboxMessage.status == DeliveryStatus.PENDING)
        ).all()
        # The reminders written ahead keep the link, sealed, until they go.
        assert pending and all(m.sealed_link for m in pending if m.informant_id)
    r = await client.post(
        f"/api/v1/rounds/{rid}/informants/{people['psychologist']}/reminder", headers=cw
    )
    assert r.status_code == 200, r.text
    await dispatcher.run_once()
    assert (await client.get(f"/api/v1/links/{replaced}")).status_code == 410
    assert (await client.get(f"/l/{links['school']}")).status_code == 200
    draft = await client.post(
        f"/api/v1/links/{links['school']}/draft", json={"scores": entries(SCORES)}
    )
    assert draft.status_code == 200, draft.text
    assert (await submit_link(client, links["school"], entries(SCORES))).status_code == 200
    revoked = await client.post(
        f"/api/v1/rounds/{rid}/informants/{people['psychologist']}/link/revoke", headers=cw
    )
    assert revoked.status_code == 200, revoked.text
    clock.advance(timedelta(days=11, minutes=1))  # the first reminders fall due
    await dispatcher.run_once()
    assert (await submit_link(client, links["daycare"], entries(SCORES))).status_code == 200
    clock.advance(timedelta(days=3))
    await dispatcher.run_once()
    deliveries = await client.get(
        f"/api/v1/webhooks/{hook.json()['id']}/deliveries", headers=integrator
    )
    assert deliveries.json()["total"] >= 2

    with Session(engine) as session:
        messages = session.exec(sqlmodel_select(OutboxMessage)).all()
        assert {m.status for m in messages} <= {DeliveryStatus.SENT, DeliveryStatus.CANCELLED}
        assert all(m.sealed_link is None for m in messages), "dropped once gone"
    assert len(receiver.requests) >= 2  # the webhooks were delivered, signed

    columns, values, found = scan(engine, secrets)
    logged = captured.readouterr().err + caplog.text
    in_logs = [s[:8] for s in secrets if s in logged]
    print(
        f"\nsecrets at rest: {len(secrets)} tokens/secrets issued, {columns} text columns "
        f"scanned ({values} values), {len(found)} found in the database, "
        f"{len(in_logs)} in {len(logged.splitlines())} log lines"
    )
    assert found == []
    assert in_logs == []
    assert columns > 100 and values > 1000


async def test_a_reminder_by_hand_needs_the_link_kept(
    client: httpx.AsyncClient,
    world: World,
    clock: FrozenClock,
    settings: Settings,
    engine: Engine,
) -> None:
    """Once every message that carried the link has gone, the link is no longer kept: a
    reminder by hand then asks for a new link instead of sending one without it."""
    rnd = await open_round(client, world, clock, await new_case(client, world))
    school = await add_informant(client, world, rnd["id"], "school", "Lærer Ane")
    await issue_link(client, world, rnd["id"], school["id"])
    dispatcher = _dispatcher(settings, engine, clock)
    clock.advance(timedelta(days=13))  # past every reminder written ahead
    while await dispatcher.run_once():
        pass
    r = await client.post(
        f"/api/v1/rounds/{rnd['id']}/informants/{school['id']}/reminder",
        headers=world.headers(CW_A),
    )
    assert r.status_code == 409 and r.json()["code"] == "link_not_kept", r.text
    with Session(engine) as session:
        assert all(m.sealed_link is None for m in session.exec(sqlmodel_select(OutboxMessage)))
