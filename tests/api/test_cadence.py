"""When the next round is due: from the planned date, not the completion date; by the
procedure's interval (KL 2: every four months) unless the municipality chose its own; by a
measure's own rhythm where it has one."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from dateutil.relativedelta import relativedelta

from service import wording
from service.clock import FrozenClock
from tests.factories import ADMIN_A, CW_A
from tests.rounds_helpers import (
    FACTORS,
    entries,
    fire,
    new_case,
    open_round,
    set_official,
    set_procedure,
    staff_login,
    submit_on_behalf,
)
from tests.world import World

LOCAL = ZoneInfo("Europe/Copenhagen")
SCORES = [2, 3, 2, 1, 2, 0, 2, 0]


async def _complete(
    client: httpx.AsyncClient, world: World, rnd: dict[str, object]
) -> dict[str, object]:
    """Two independent scores (the caseworker's and the school's), official, completed (KL 3)."""
    rid = rnd["id"]
    school = await client.post(
        f"/api/v1/rounds/{rid}/informants",
        json={"role": "school", "name": "Lærer Ane"},
        headers=world.headers(CW_A),
    )
    rows = (
        await client.get(f"/api/v1/rounds/{rid}/informants", headers=world.headers(CW_A))
    ).json()["items"]
    caseworker = next(i["id"] for i in rows if i["role"] == "caseworker")
    for informant in (school.json()["id"], caseworker):
        r = await submit_on_behalf(client, world, int(str(rid)), informant, entries(SCORES))
        assert r.status_code == 200, r.text
    official = {k: (s, s) for k, s in zip(FACTORS, SCORES, strict=True)}
    assert (await set_official(client, world, int(str(rid)), official)).status_code == 200
    r = await fire(client, world, int(str(rid)), "finish_consensus")
    assert r.json()["state"] == "completed", r.text
    data: dict[str, object] = r.json()
    return data


def _due(rnd: dict[str, object]) -> date:
    return datetime.fromisoformat(str(rnd["due_at"])).astimezone(LOCAL).date()


async def test_a_late_round_does_not_push_the_next_one(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    await set_procedure(client, world, "kl3")
    case_id = await new_case(client, world)
    rnd = await open_round(client, world, clock, case_id)
    clock.advance(timedelta(days=60))  # completed two months after its due date
    done = await _complete(client, world, rnd)
    assert done["next_due_on"] == (_due(rnd) + relativedelta(months=3)).isoformat()


async def test_a_round_more_than_one_interval_late_is_next_due_in_the_future(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    """Planned for one date, completed nine months after it: the first follow-up (three
    months on) and the next (six months on) have passed; the next round is due on the first
    planned date after the completion, and the passed ones show as skipped."""
    await set_procedure(client, world, "kl3", interval_months=3)
    case_id = await new_case(client, world)
    rnd = await open_round(client, world, clock, case_id)
    planned = _due(rnd)
    clock.advance(timedelta(days=14 + 275))  # about nine months after its due date
    done = await _complete(client, world, rnd)
    completed = clock.now().astimezone(LOCAL).date()
    due = date.fromisoformat(str(done["next_due_on"]))
    assert due > completed
    assert due == planned + relativedelta(months=12)
    assert done["skipped_due_on"] == [
        (planned + relativedelta(months=m)).isoformat() for m in (3, 6, 9)
    ]
    result = await client.get(f"/api/v1/rounds/{rnd['id']}/result", headers=world.headers(CW_A))
    assert result.json()["skipped_due_on"] == done["skipped_due_on"]
    assert result.json()["next_due_on"] == due.isoformat()
    # The round's page says so, in words.
    await staff_login(client)
    page = await client.get(f"/rounds/{rnd['id']}")
    assert page.status_code == 200, page.text
    skipped = [planned + relativedelta(months=m) for m in (3, 6, 9)]
    assert (
        "de planlagte runder "
        + ", ".join(wording.long_date(d, "da", weekday=False) for d in skipped)
        + " blev sprunget over"
        in page.text
    )


async def test_the_interval_follows_the_procedure_unless_the_municipality_chose_one(
    client: httpx.AsyncClient, world: World
) -> None:
    async def policy(**change: object) -> dict[str, object]:
        r = await client.patch(
            "/api/v1/municipality/policy", json=change, headers=world.headers(ADMIN_A)
        )
        assert r.status_code == 200, r.text
        data: dict[str, object] = r.json()["policy"]
        return data

    assert (await policy(procedure="kl2"))["interval_months"] == 4  # Tabel 2: every 4 months
    chosen = await policy(interval_months=5)
    assert (chosen["interval_months"], chosen["interval_months_own"]) == (5, True)
    assert (await policy(procedure="kl1"))["interval_months"] == 5  # the municipality's
    back = await policy(interval_months=None)
    assert (back["interval_months"], back["interval_months_own"]) == (6, False)


async def test_a_measure_sets_its_own_rhythm(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    await set_procedure(client, world, "kl3")
    case_id = await new_case(client, world)
    both = await client.post(
        f"/api/v1/cases/{case_id}/measures",
        json={
            "type": "home_based_support",
            "start_date": clock.now().date().isoformat(),
            "follow_up_weeks": 6,
            "follow_up_months": 3,
        },
        headers=world.headers(CW_A),
    )
    assert both.status_code == 422
    measure = await client.post(
        f"/api/v1/cases/{case_id}/measures",
        json={
            "type": "home_based_support",
            "start_date": (clock.now().date() - timedelta(days=10)).isoformat(),
            "follow_up_weeks": 6,
        },
        headers=world.headers(CW_A),
    )
    assert measure.status_code == 201, measure.text
    assert (measure.json()["follow_up_weeks"], measure.json()["follow_up_months"]) == (6, None)
    rnd = await open_round(client, world, clock, case_id)
    done = await _complete(client, world, rnd)
    assert done["next_due_on"] == (_due(rnd) + timedelta(weeks=6)).isoformat()
    changed = await client.patch(
        f"/api/v1/cases/{case_id}/measures/{measure.json()['id']}",
        json={"follow_up_months": 2},
        headers=world.headers(CW_A),
    )
    assert (changed.json()["follow_up_months"], changed.json()["follow_up_weeks"]) == (2, None)
