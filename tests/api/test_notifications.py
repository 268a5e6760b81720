"""A case from a notification (underretning): the plan's 14 days and the outcome checkpoint's
two months, the team's work list, the baseline round dated from it; and the collaboration
level and degree of concern with their history."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx

from service.clock import FrozenClock
from tests.factories import CW_A, CW_B, LEADER_A, create_case, instrument_id
from tests.world import World

LOCAL = ZoneInfo("Europe/Copenhagen")


async def test_a_notification_starts_the_plans_clock_and_opens_the_baseline_round(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    case = await create_case(client, world, CW_A, external_ref="KOL-1")
    today = clock.now().astimezone(LOCAL).date()
    received = today - timedelta(days=12)
    base = f"/api/v1/cases/{case['id']}/notifications"
    r = await client.post(
        base,
        json={"received_on": received.isoformat(), "source": "school", "note": "Fravær"},
        headers=world.headers(CW_A),
    )
    assert r.status_code == 201, r.text
    made = r.json()
    plan, checkpoint = made["deadlines"]
    assert (plan["kind"], plan["due_on"]) == ("plan", (received + timedelta(days=14)).isoformat())
    assert (plan["state"], plan["days_left"]) == ("at_risk", 2)
    assert checkpoint["kind"] == "checkpoint" and checkpoint["state"] == "upcoming"
    assert made["next_deadline"]["kind"] == "plan"

    # A notification cannot come from the future; another municipality does not see it.
    future = await client.post(
        base,
        json={"received_on": (today + timedelta(days=1)).isoformat(), "source": "police"},
        headers=world.headers(CW_A),
    )
    assert future.status_code == 422 and future.json()["code"] == "validation_failed"
    other = await client.get(f"{base}/{made['id']}", headers=world.headers(CW_B))
    assert other.status_code == 404

    # The team leader's work list shows it, at risk.
    listed = await client.get("/api/v1/notifications", headers=world.headers(LEADER_A))
    assert listed.status_code == 200, listed.text
    assert [(n["id"], n["next_deadline"]["state"]) for n in listed.json()["items"]] == [
        (made["id"], "at_risk")
    ]

    # The baseline round's answers are due on the plan's day.
    r = await client.post(
        f"{base}/{made['id']}/baseline-round",
        json={"instrument_id": await instrument_id(client, world, "aarhus-boern-familie")},
        headers=world.headers(CW_A),
    )
    assert r.status_code == 201, r.text
    due = datetime.fromisoformat(r.json()["due_at"]).astimezone(LOCAL).date()
    assert due.isoformat() == plan["due_on"]
    again = await client.post(
        f"{base}/{made['id']}/baseline-round",
        json={"instrument_id": await instrument_id(client, world, "aarhus-boern-familie")},
        headers=world.headers(CW_A),
    )
    assert again.status_code == 409 and again.json()["code"] == "baseline_round_exists"

    # Three days on, the plan is made late; the work list keeps the checkpoint.
    clock.advance(timedelta(days=3))
    r = await client.patch(
        f"{base}/{made['id']}",
        json={"plan_made_on": (today + timedelta(days=3)).isoformat()},
        headers=world.headers(CW_A),
    )
    assert r.status_code == 200, r.text
    plan = r.json()["deadlines"][0]
    assert (plan["state"], plan["late"]) == ("met", True)
    assert r.json()["round_id"] is not None
    assert r.json()["next_deadline"]["kind"] == "checkpoint"


async def test_collaboration_level_and_concern_keep_their_history(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    case = await create_case(client, world, CW_A, external_ref="KOL-2")
    path = f"/api/v1/cases/{case['id']}/levels"
    for kind, value in (("collaboration", 1), ("concern", 2), ("collaboration", 3)):
        clock.advance(timedelta(minutes=1))
        r = await client.post(
            path, json={"kind": kind, "value": value, "note": "SØM"}, headers=world.headers(CW_A)
        )
        assert r.status_code == 201, r.text
    refused = await client.post(
        path, json={"kind": "concern", "value": 4}, headers=world.headers(CW_A)
    )
    assert refused.status_code == 422
    r = await client.get(path, headers=world.headers(CW_A))
    assert r.status_code == 200, r.text
    levels = r.json()
    assert levels["collaboration"]["value"] == 3 and levels["concern"]["value"] == 2
    assert [(e["kind"], e["value"]) for e in levels["history"]] == [
        ("collaboration", 3),
        ("concern", 2),
        ("collaboration", 1),
    ]
    assert (await client.get(path, headers=world.headers(CW_B))).status_code == 404
