"""Reads through the staff pages are audited as the API's are: the round's page with the
informant list and its contact details, the meeting page, and entering on behalf."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from sqlmodel import Session, col, select

from service.clock import FrozenClock
from service.models import audit_chain
from service.models.audit import AuditEvent
from tests.factories import CW_A
from tests.rounds_helpers import (
    add_informant,
    entries,
    new_case,
    open_round,
    round_informants,
    set_procedure,
    submit_on_behalf,
)
from tests.staff_browser import staff_browser
from tests.world import World

SCORES = [2, 3, 2, 1, 2, 0, 2, 0]


def _reads(db: Session, actor: str) -> list[tuple[str, str]]:
    db.rollback()  # a fresh look, not the snapshot of the last one
    audit_chain.read_buffer(db.get_bind().engine).flush()  # the reads the server saw so far
    rows = db.exec(
        select(AuditEvent.action, AuditEvent.object_id)
        .where(AuditEvent.actor_id == actor, col(AuditEvent.action).like("%.read"))
        .order_by(col(AuditEvent.id))
    ).all()
    return [(a, o) for a, o in rows]


async def test_staff_pages_record_what_they_show(
    app: FastAPI, client: httpx.AsyncClient, world: World, clock: FrozenClock, db: Session
) -> None:
    await set_procedure(client, world, "kl3")
    rnd = await open_round(client, world, clock, await new_case(client, world))
    rid = rnd["id"]
    paper = await add_informant(client, world, rid, "school", "Lærer Ane")  # answers on paper
    actor = f"staff:{world.user(CW_A).id}"
    api = await client.get(f"/api/v1/rounds/{rid}/informants", headers=world.headers(CW_A))
    assert api.status_code == 200
    assert ("round.informants.read", str(rid)) in _reads(db, actor)
    async with staff_browser(app, CW_A) as browser:
        pages = {
            f"/rounds/{rid}": [("round.read", str(rid)), ("round.informants.read", str(rid))],
            f"/rounds/{rid}/informants/{paper['id']}/scores": [
                ("submission.read", str(paper["id"]))
            ],
            f"/rounds/{rid}/meeting": [("round.consensus.read", str(rid))],
        }
        for path, expected in pages.items():
            if path.endswith("/meeting"):  # once everyone has answered
                for informant in await round_informants(client, world, rid):
                    r = await submit_on_behalf(client, world, rid, informant["id"], entries(SCORES))
                    assert r.status_code == 200, r.text
            before = len(_reads(db, actor))
            r = await browser.get(path)
            assert r.status_code == 200, (path, r.text[:300])
            recorded = _reads(db, actor)[before:]
            for event in expected:
                assert event in recorded, (path, recorded)
