"""Procedure compliance per team and period: the share of completed rounds on the adopted
procedure, with every voice heard or reasoned, held within the municipality's days of the due
date (a policy setting), with attendance recorded and the family's result sent; a row with
fewer rounds than the smallest group shows nothing; the same as CSV."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from service.clock import FrozenClock
from tests.factories import ADMIN_A, LEADER_A
from tests.rounds_helpers import (
    FACTORS,
    add_informant,
    complete_round,
    entries,
    fire,
    new_case,
    open_round,
    round_informants,
    set_official,
    set_procedure,
    submit_on_behalf,
)
from tests.world import World

SHARES = ("procedure_followed", "voices_heard", "on_time", "attendance_recorded", "result_sent")


async def test_compliance_per_team_and_period(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    clock.set(datetime(2026, 2, 2, 9, tzinfo=UTC))
    await set_procedure(client, world, "kl3", min_group_size=3, on_time_days=10)
    r = await client.get("/api/v1/municipality", headers=world.headers(ADMIN_A))
    assert r.json()["policy"]["on_time_days"] == 10
    official = [(2, 1)] * len(FACTORS)
    mother = {"mother": [2] * len(FACTORS)}  # has an email: the result goes to her
    for n in range(2):
        case_id = await new_case(client, world, f"DUBU-C{n}")
        await complete_round(client, world, clock, case_id, official, mother, days_after=7)
    # Completed 21 days after its due date: more than the 10 days the municipality allows.
    case_id = await new_case(client, world, "DUBU-LATE")
    rid = int(
        (
            await open_round(
                client, world, clock, case_id, due_at=(clock.now() + timedelta(days=1)).isoformat()
            )
        )["id"]
    )
    caseworker = (await round_informants(client, world, rid))[0]["id"]
    informant = (await add_informant(client, world, rid, "mother", "Mor"))["id"]
    for who in (informant, caseworker):
        r = await submit_on_behalf(client, world, rid, who, entries([2] * len(FACTORS)))
        assert r.status_code == 200, r.text
    clock.advance(timedelta(days=22))
    r = await set_official(client, world, rid, dict(zip(FACTORS, official, strict=True)))
    assert r.status_code == 200, r.text
    r = await fire(client, world, rid, "finish_consensus")
    assert r.json()["state"] == "completed", r.text

    r = await client.get("/api/v1/reports/compliance", headers=world.headers(LEADER_A))
    assert r.status_code == 200, r.text
    report = r.json()
    assert (report["procedure"], report["on_time_days"], report["scope"]) == ("kl3", 10, "team")
    (row,) = report["rows"]
    assert (row["team"], row["period"], row["rounds"]) == ("Team Nord", "2026-H1", 3)
    assert [row[s] for s in SHARES] == [1.0, 1.0, 0.667, 1.0, 1.0]
    assert row["all_met"] == 0.667

    # The municipality adopts KL 1: the rounds held on KL 3 no longer follow it.
    await set_procedure(client, world, "kl1", min_group_size=4)
    r = await client.get("/api/v1/reports/compliance.csv", headers=world.headers(LEADER_A))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    header, line = r.text.splitlines()
    assert header.startswith("team_id,team,period,rounds,procedure_followed")
    assert line.endswith(",Team Nord,2026-H1,,,,,,,")  # 3 rounds under the smallest group of 4
    await set_procedure(client, world, "kl1", min_group_size=3)
    r = await client.get("/api/v1/reports/compliance", headers=world.headers(LEADER_A))
    (row,) = r.json()["rows"]
    assert (row["procedure_followed"], row["all_met"]) == (0.0, 0.0)
