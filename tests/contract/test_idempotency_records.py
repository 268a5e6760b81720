"""The idempotency layer keeps no usable secret, takes no keys on personal links, forgets
what was revoked, and does its database work off the event loop, under concurrent writes."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from service.api import idempotency
from service.models.case import Case
from service.models.idempotency import IdempotencyRecord
from tests.factories import ADMIN_A, CW_A, CW_B
from tests.rounds_helpers import add_informant, new_case, open_round
from tests.world import World


def _records(engine: Engine) -> list[IdempotencyRecord]:
    with Session(engine) as session:
        return list(session.exec(select(IdempotencyRecord)).all())


def _stored_text(engine: Engine) -> str:
    """Every text column of every idempotency record, as the database holds it."""
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM idempotency_record")).all()
    return "\n".join(str(value) for row in rows for value in row)


async def test_personal_links_take_no_idempotency_keys(
    client: httpx.AsyncClient, world: World, clock: Any, engine: Engine
) -> None:
    case_id = await new_case(client, world)
    rnd = await open_round(client, world, clock, case_id)
    teacher = await add_informant(client, world, rnd["id"], "school", "Lærer")
    r = await client.post(
        f"/api/v1/rounds/{rnd['id']}/informants/{teacher['id']}/link", headers=world.headers(CW_A)
    )
    token = r.json()["token"]
    before = len(_records(engine))
    for _ in range(2):
        # Another municipality's token with a key: refused as staff on a link, never stored.
        r = await client.post(
            f"/api/v1/links/{token}/open",
            headers={**world.headers(CW_B), "Idempotency-Key": "probe-1"},
        )
        assert r.status_code == 403
        assert "idempotent-replayed" not in r.headers
    body = {"scores": [{"factor_key": "familieforhold", "score": 2}]}
    for _ in range(2):
        r = await client.post(
            f"/api/v1/links/{token}/draft", json=body, headers={"Idempotency-Key": "draft-1"}
        )
        assert r.status_code == 200, r.text
        assert "idempotent-replayed" not in r.headers
    assert len(_records(engine)) == before


async def test_no_secret_is_readable_in_a_record_and_replays_still_answer(
    client: httpx.AsyncClient, world: World, clock: Any, engine: Engine
) -> None:
    case_id = await new_case(client, world)
    rnd = await open_round(client, world, clock, case_id)
    teacher = await add_informant(client, world, rnd["id"], "school", "Lærer")
    keyed = {**world.headers("client-a"), "Idempotency-Key": "link-1"}
    url = f"/api/v1/rounds/{rnd['id']}/informants/{teacher['id']}/link"
    first = await client.post(url, headers=keyed)
    assert first.status_code == 201, first.text
    again = await client.post(url, headers=keyed)
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    admin = {**world.headers(ADMIN_A), "Idempotency-Key": "client-1"}
    created = await client.post(
        "/api/v1/clients", json={"name": "Nexus", "scopes": ["cases:read"]}, headers=admin
    )
    assert created.status_code == 201, created.text
    replayed = await client.post(
        "/api/v1/clients", json={"name": "Nexus", "scopes": ["cases:read"]}, headers=admin
    )
    assert replayed.json() == created.json()
    secrets = [first.json()["token"], created.json()["client_secret"]]
    hook = await client.post(
        "/api/v1/webhooks",
        json={"url": "http://127.0.0.1:9/hook", "events": ["round.opened"]},
        headers={**world.headers("client-a"), "Idempotency-Key": "hook-1"},
    )
    if hook.status_code == 201:
        secrets.append(hook.json()["secret"])
    stored = _stored_text(engine)
    assert stored
    for secret in secrets:
        assert secret not in stored
    holds = {r.holds for r in _records(engine)}
    assert f"link:{teacher['id']}" in holds and f"client:{created.json()['id']}" in holds


async def test_no_record_outlives_the_revocation_of_what_it_holds(
    client: httpx.AsyncClient, world: World, clock: Any, engine: Engine
) -> None:
    case_id = await new_case(client, world)
    rnd = await open_round(client, world, clock, case_id)
    teacher = await add_informant(client, world, rnd["id"], "school", "Lærer")
    keyed = {**world.headers("client-a"), "Idempotency-Key": "link-2"}
    url = f"/api/v1/rounds/{rnd['id']}/informants/{teacher['id']}/link"
    first = await client.post(url, headers=keyed)
    assert first.status_code == 201
    r = await client.post(f"{url}/revoke", headers=world.headers(CW_A))
    assert r.status_code == 200, r.text
    assert not [x for x in _records(engine) if x.holds == f"link:{teacher['id']}"]
    # The key is free again: the revoked link is never handed out a second time.
    again = await client.post(url, headers=keyed)
    assert again.status_code == 201 and "idempotent-replayed" not in again.headers
    assert again.json()["token"] != first.json()["token"]
    # Replaced by a reissue without the key, the link goes with its record too.
    other = await client.post(url, headers=world.headers(CW_A))
    assert other.status_code == 201
    third = await client.post(url, headers=keyed)
    assert "idempotent-replayed" not in third.headers
    assert third.json()["token"] not in (again.json()["token"], other.json()["token"])

    admin = {**world.headers(ADMIN_A), "Idempotency-Key": "client-2"}
    body = {"name": "DUBU 2", "scopes": ["cases:read"]}
    created = await client.post("/api/v1/clients", json=body, headers=admin)
    r = await client.post(
        f"/api/v1/clients/{created.json()['id']}/deactivate", headers=world.headers(ADMIN_A)
    )
    assert r.status_code == 200
    assert not [x for x in _records(engine) if x.holds == f"client:{created.json()['id']}"]


async def test_database_work_runs_off_the_event_loop(
    client: httpx.AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    loop_thread = threading.get_ident()
    threads: list[int] = []
    for name in ("_begin", "_finish"):
        original = getattr(idempotency, name)

        def spy(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
            threads.append(threading.get_ident())
            return _original(*args, **kwargs)

        monkeypatch.setattr(idempotency, name, spy)
    r = await client.post(
        "/api/v1/cases",
        json={"external_ref": "LOOP-1", "display_name": "Ida", "birth_year": 2016},
        headers={**world.headers(CW_A), "Idempotency-Key": "loop-1"},
    )
    assert r.status_code == 201
    assert len(threads) == 2 and loop_thread not in threads


async def test_concurrent_keyed_and_unkeyed_writes(
    live_client: httpx.AsyncClient, world: World, engine: Engine
) -> None:
    """Keyed and unkeyed writes at once, repeated keys among them: no error of ours, each key
    changes the data once, and every unkeyed write counts."""
    headers = world.headers("client-a")
    cw = world.user(CW_A).id

    def body(ref: str) -> dict[str, Any]:
        return {"external_ref": ref, "display_name": "Ida", "birth_year": 2016, "caseworker_id": cw}

    calls = []
    for i in range(8):
        for _ in range(3):  # the same key three times at once
            calls.append(
                live_client.post(
                    "/api/v1/cases",
                    json=body(f"K-{i}"),
                    headers={**headers, "Idempotency-Key": f"race-{i}"},
                )
            )
        calls.append(live_client.post("/api/v1/cases", json=body(f"U-{i}"), headers=headers))
    answers = await asyncio.gather(*calls)
    assert all(r.status_code in (201, 409) for r in answers), [
        (r.status_code, r.text) for r in answers if r.status_code not in (201, 409)
    ]
    for r in answers:
        if r.status_code == 409:
            assert r.json()["code"] == "idempotency_in_progress"
    with Session(engine) as session:
        refs = sorted(c.external_ref for c in session.exec(select(Case)).all())
    assert refs == sorted([f"K-{i}" for i in range(8)] + [f"U-{i}" for i in range(8)])
    # Afterwards every key replays its one answer.
    for i in range(8):
        r = await live_client.post(
            "/api/v1/cases",
            json=body(f"K-{i}"),
            headers={**headers, "Idempotency-Key": f"race-{i}"},
        )
        assert r.status_code == 201 and r.headers["idempotent-replayed"] == "true"


async def test_an_answer_the_caller_has_is_replayed_at_once(
    live_client: httpx.AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Storing the answer is slow here (a busy database): the caller still gets its answer
    only once it is stored, so the same key sent right after the answer replays it, never
    "still running"."""
    finish = idempotency._finish

    def slow_finish(*args: Any) -> None:
        threading.Event().wait(0.5)
        finish(*args)

    monkeypatch.setattr(idempotency, "_finish", slow_finish)
    headers = {**world.headers("client-a"), "Idempotency-Key": "at-once"}
    body = {
        "external_ref": "AT-ONCE",
        "display_name": "Ida",
        "birth_year": 2016,
        "caseworker_id": world.user(CW_A).id,
    }
    first = await live_client.post("/api/v1/cases", json=body, headers=headers)
    assert first.status_code == 201, first.text
    again = await live_client.post("/api/v1/cases", json=body, headers=headers)
    assert again.status_code == 201, again.text
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()


@pytest.mark.parametrize("key", ["", "x" * 201, "with space", "tab\tkey"])
async def test_a_malformed_key_is_refused_and_nothing_happens(
    client: httpx.AsyncClient, world: World, engine: Engine, key: str
) -> None:
    r = await client.post(
        "/api/v1/cases",
        json={"external_ref": "BAD-KEY", "display_name": "Ida", "birth_year": 2016},
        headers={**world.headers(CW_A), "Idempotency-Key": key},
    )
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "idempotency_key_invalid"
    with Session(engine) as session:
        assert session.exec(select(Case).where(Case.external_ref == "BAD-KEY")).first() is None
    assert _records(engine) == []
