"""Idempotency-Key on integrators' POSTs: replayed for 24 hours, refused with another body."""

from __future__ import annotations

import httpx
from sqlalchemy import Engine
from sqlmodel import Session, select

from service.models.case import Case
from service.models.idempotency import IdempotencyRecord
from tests.factories import ADMIN_A
from tests.world import World


async def test_same_key_same_body_replays_and_creates_nothing(
    client: httpx.AsyncClient, world: World, db: Session
) -> None:
    headers = {**world.headers("client-a"), "Idempotency-Key": "dubu-7f1c"}
    body = {
        "external_ref": "IDEM-1",
        "display_name": "Ida",
        "birth_year": 2016,
        "caseworker_id": world.user("cw.a@aarhus.example.dk").id,
    }
    first = await client.post("/api/v1/cases", json=body, headers=headers)
    assert first.status_code == 201, first.text
    again = await client.post("/api/v1/cases", json=body, headers=headers)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert len(db.exec(select(Case).where(Case.external_ref == "IDEM-1")).all()) == 1
    other = await client.post("/api/v1/cases", json={**body, "display_name": "Bo"}, headers=headers)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    # Without the key, the duplicate is refused on its merits.
    plain = await client.post("/api/v1/cases", json=body, headers=world.headers("client-a"))
    assert plain.status_code == 409


async def test_a_refusal_is_replayed_too_and_keys_are_per_caller(
    client: httpx.AsyncClient, world: World
) -> None:
    body = {"external_ref": "bad ref", "display_name": "X", "birth_year": 2016}
    headers = {**world.headers("client-a"), "Idempotency-Key": "k-1"}
    first = await client.post("/api/v1/cases", json=body, headers=headers)
    assert first.status_code == 422
    again = await client.post("/api/v1/cases", json=body, headers=headers)
    assert again.json() == first.json() and again.headers.get("idempotent-replayed") == "true"
    theirs = await client.post(
        "/api/v1/cases", json=body, headers={**world.headers("client-b"), "Idempotency-Key": "k-1"}
    )
    assert theirs.status_code == 422 and "idempotent-replayed" not in theirs.headers


async def test_deactivating_a_client_forgets_the_responses_it_was_given(
    client: httpx.AsyncClient, world: World, engine: Engine
) -> None:
    """A client's stored answers may hold secrets (a webhook's signing secret, a personal
    link): they go with the client, in the deactivation's transaction; others' stay."""
    integrator = world.clients["client-a"]
    caseworker = world.user("cw.a@aarhus.example.dk").id
    hook = await client.post(
        "/api/v1/webhooks",
        json={"url": "http://127.0.0.1:9/hook", "events": ["round.opened"]},
        headers={**world.headers("client-a"), "Idempotency-Key": "hook-1"},
    )
    assert hook.status_code == 201, hook.text
    for who, ref in (("client-a", "FORGET-1"), ("client-b", "KEEP-1"), (ADMIN_A, "KEEP-2")):
        made = await client.post(
            "/api/v1/cases",
            json={
                "external_ref": ref,
                "display_name": "Ida",
                "birth_year": 2016,
                "caseworker_id": caseworker if who != "client-b" else None,
            },
            headers={**world.headers(who), "Idempotency-Key": f"case-{ref}"},
        )
        assert made.status_code in (201, 422), made.text
    mine = f"client:{integrator.id}"
    before = _callers(engine)
    assert before.count(mine) == 2 and len(before) == 4, before

    r = await client.post(
        f"/api/v1/clients/{integrator.id}/deactivate", headers=world.headers(ADMIN_A)
    )
    assert r.status_code == 200, r.text
    after = _callers(engine)
    assert mine not in after
    assert sorted(after) == sorted(c for c in before if c != mine)


def _callers(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return list(session.exec(select(IdempotencyRecord.caller)).all())
