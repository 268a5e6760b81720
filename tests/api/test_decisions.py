"""The decision a completed round leads to: recorded with the reason and the day, linked to the
round, amended with history, announced as `round.decision_recorded`, and counted for
management by outcome and kind of measure with small groups hidden."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import httpx
from sqlalchemy import Engine
from sqlmodel import Session, select

from service.clock import FrozenClock, local_date
from service.models.outbox import OutboxMessage
from tests.api.test_flags import FIRST
from tests.factories import ADMIN_A, ADMIN_B, CW_A, LEADER_A
from tests.rounds_helpers import (
    complete_round,
    new_case,
    open_round,
    set_procedure,
    staff_login,
)
from tests.world import World


async def test_a_completed_round_leads_to_a_decision_amended_with_history(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, engine: Engine
) -> None:
    await set_procedure(client, world, "kl3")
    r = await client.post(
        "/api/v1/webhooks",
        json={"url": "http://127.0.0.1:9/hooks", "events": ["round.decision_recorded"]},
        headers=world.headers("client-a"),
    )
    assert r.status_code == 201, r.text
    case_id = await new_case(client, world)
    r = await client.post(
        f"/api/v1/cases/{case_id}/measures",
        json={"type": "contact_person", "category": "supportive", "start_date": "2026-01-05"},
        headers=world.headers(CW_A),
    )
    measure = r.json()["id"]
    rid = await complete_round(client, world, clock, case_id, FIRST, days_after=0)
    today = local_date(clock.now())
    url = f"/api/v1/rounds/{rid}/decisions"
    body = {
        "outcome": "continue",
        "measure_id": measure,
        "reason": "Fremgang i skolen; kontaktpersonen fortsætter.",
        "decided_on": today.isoformat(),
    }
    r = await client.post(url, json={**body, "reason": " "}, headers=world.headers(CW_A))
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    early = (today - timedelta(days=30)).isoformat()
    r = await client.post(url, json={**body, "decided_on": early}, headers=world.headers(CW_A))
    assert r.status_code == 422, r.text
    r = await client.post(url, json=body, headers=world.headers(ADMIN_B))
    assert r.status_code == 404, r.text
    r = await client.post(url, json=body, headers=world.headers(CW_A))
    assert r.status_code == 201, r.text
    first = r.json()
    assert (first["outcome"], first["measure_id"], first["round_id"]) == ("continue", measure, rid)
    r = await client.post(
        url,
        json={**body, "outcome": "adjust", "reason": "Flere timer om ugen."},
        headers=world.headers(LEADER_A),
    )
    assert r.status_code == 201, r.text
    r = await client.get(url, headers=world.headers(CW_A))
    assert r.json()["current"]["outcome"] == "adjust"
    assert [d["id"] for d in r.json()["history"]] == [first["id"]]
    assert r.json()["history"][0]["superseded_at"] is not None
    with Session(engine) as session:
        events = session.exec(
            select(OutboxMessage).where(OutboxMessage.subject == "round.decision_recorded")
        ).all()
    assert [e.payload["outcome"] for e in events] == ["continue", "adjust"]
    # The round's report says what it led to, and what was decided before the amendment.
    report = f"/api/v1/rounds/{rid}/report"
    r = await client.get(report, headers=world.headers(CW_A))
    assert r.json()["decisions"]["current"]["reason"] == "Flere timer om ugen."
    assert [d["outcome"] for d in r.json()["decisions"]["history"]] == ["continue"]
    page = await client.get(report, params={"format": "html"}, headers=world.headers(CW_A))
    assert "Beslutning om indsatsen" in page.text and "Flere timer om ugen." in page.text
    assert "1 tidligere beslutning" in page.text
    history = await client.get(f"/api/v1/rounds/{rid}/history", headers=world.headers(CW_A))
    assert [(d["outcome"], d["superseded_at"] is None) for d in history.json()["decisions"]] == [
        ("continue", False),
        ("adjust", True),
    ]

    # A round not completed leads to no decision yet.
    draft = await open_round(client, world, clock, case_id)
    r = await client.post(
        f"/api/v1/rounds/{draft['id']}/decisions", json=body, headers=world.headers(CW_A)
    )
    assert r.status_code == 409 and r.json()["code"] == "round_not_completed"

    # Management: one child is too few to show.
    r = await client.get("/api/v1/reports/decisions", headers=world.headers(ADMIN_A))
    assert r.status_code == 200, r.text
    report = r.json()
    cell = next(
        c
        for c in report["cells"]
        if (c["outcome"], c["measure_type"]) == ("adjust", "contact_person")
    )
    assert cell["children"] is None and report["total"] is None
    assert {c["children"] for c in report["cells"]} == {None, 0}
    r = await client.get("/api/v1/reports/decisions.csv", headers=world.headers(ADMIN_A))
    assert r.status_code == 200 and "adjust,contact_person,\r\n" in r.text

    # The same figure on the leaders' pages, hidden alike, and its CSV as the API's.
    await staff_login(client, ADMIN_A)
    page = await client.get("/reports/decisions")
    assert page.status_code == 200, page.status_code
    words = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.text)).split())
    assert "Hvad runderne førte til" in words and "Fast kontaktperson" in words
    row = page.text.split("Fast kontaktperson")[1].split("</tr>")[0]
    assert row.count('class="suppressed"') == 5  # four outcomes and the total, all hidden
    download = await client.get("/reports/decisions.csv")
    assert download.status_code == 200 and download.text == r.text

    # The statement of data use stands beside the figure; once the municipality says from when
    # figures may be used for management, a decision from before then is marked as such.
    assert report["data_use"]["implementation"] is False
    later = (today + timedelta(days=30)).isoformat()
    r = await client.patch(
        "/api/v1/municipality/policy",
        json={"management_from": later, "data_use_statement": "Til læring."},
        headers=world.headers(ADMIN_A),
    )
    assert r.status_code == 200, r.text
    r = await client.get("/api/v1/reports/decisions", headers=world.headers(ADMIN_A))
    use = r.json()["data_use"]
    assert (use["statement"], use["management_from"], use["implementation"]) == (
        "Til læring.",
        later,
        True,
    )
    page = await client.get("/reports/decisions")
    words = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.text)).split())
    assert "Til læring." in words and "kan omfatte runder fra indkøringsperioden" in words
    earlier = (today - timedelta(days=30)).isoformat()
    r = await client.patch(
        "/api/v1/municipality/policy",
        json={"management_from": earlier},
        headers=world.headers(ADMIN_A),
    )
    assert r.status_code == 200, r.text
    r = await client.get("/api/v1/reports/decisions", headers=world.headers(ADMIN_A))
    assert r.json()["data_use"]["implementation"] is False
