"""Idempotency-Key on integrators' POSTs: replayed for 24 hours, refused with another body."""

from __future__ import annotations

import base64
import os

import httpx
import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Engine
from sqlmodel import Session, select

from service.auth import seal
from service.auth.keys import Keyring, Purpose
from service.config import Settings
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


def _sealed_the_old_way(keyring: Keyring, associated_data: bytes, body: bytes) -> str:
    """How the idempotency layer sealed its records with a helper of its own, before it used
    `service.auth.seal`: `<key id>.<nonce and ciphertext, base64>`."""
    key = keyring.current(Purpose.SEAL)
    nonce = os.urandom(12)
    sealed = AESGCM(key.material).encrypt(nonce, body, associated_data)
    return f"{key.id}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"


async def test_a_response_sealed_before_the_shared_sealing_still_replays(
    client: httpx.AsyncClient, world: World, engine: Engine, settings: Settings
) -> None:
    headers = {**world.headers("client-a"), "Idempotency-Key": "old-seal-1"}
    body = {
        "external_ref": "OLD-SEAL-1",
        "display_name": "Ida",
        "birth_year": 2016,
        "caseworker_id": world.user("cw.a@aarhus.example.dk").id,
    }
    first = await client.post("/api/v1/cases", json=body, headers=headers)
    assert first.status_code == 201, first.text
    with Session(engine) as session:
        record = session.exec(
            select(IdempotencyRecord).where(IdempotencyRecord.key == "old-seal-1")
        ).one()
        assert record.response is not None and seal.is_sealed(record.response), record.response
        # The same record, as the layer's own helper wrote it before.
        data = f"idempotency/{record.municipality_id}/{record.caller}/{record.key}".encode()
        record.response = _sealed_the_old_way(settings.keyring(), data, first.content)
        session.add(record)
        session.commit()
    again = await client.post("/api/v1/cases", json=body, headers=headers)
    assert again.headers.get("idempotent-replayed") == "true", again.text
    assert again.json() == first.json()


def test_one_sealing_reads_both_forms_and_binds_the_place() -> None:
    keyring = Keyring("a-secret-that-is-long-enough-for-the-test-0123")
    value = b"\x00bytes \xff as sent"
    new = seal.seal_bytes(keyring, value, b"here")
    assert seal.is_sealed(new)
    assert seal.unseal_bytes(keyring, new, b"here") == value
    assert (
        seal.unseal_bytes(keyring, _sealed_the_old_way(keyring, b"here", value), b"here") == value
    )
    for elsewhere in (new, _sealed_the_old_way(keyring, b"here", value)):
        with pytest.raises(seal.Unsealable):
            seal.unseal_bytes(keyring, elsewhere, b"there")
    # The text form is the same sealing, with its context as the associated data.
    assert seal.unseal_bytes(keyring, seal.seal(keyring, "text", "ctx"), b"ctx") == b"text"
    assert seal.unseal(keyring, seal.seal_bytes(keyring, b"text", b"ctx"), "ctx") == "text"
