"""Idempotency-Key on integrators' POSTs: replayed for 24 hours, refused with another body."""

from __future__ import annotations

import httpx
from sqlmodel import Session, select

from service.models.case import Case
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
