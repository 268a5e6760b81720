"""A round stays cheap as it grows: the SQL statements of a submission, of the meeting view and
of completing a round do not grow with the number of informants or factors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import Engine, event

from service.clock import FrozenClock
from tests.factories import ADMIN_A, CW_A, create_case, instrument_definition
from tests.rounds_helpers import (
    FACTORS,
    add_informant,
    complete_round,
    fire,
    hear_family,
    issue_link,
    new_case,
    open_round,
    set_procedure,
)
from tests.world import World


@contextmanager
def count_statements(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def on_execute(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)


async def _instrument(client: httpx.AsyncClient, world: World, key: str, factors: int) -> int:
    definition = instrument_definition(key=key, points=range(0, 5))
    template = definition["factors"][0]
    definition["factors"] = [
        {**template, "key": f"f{i:02d}", "name_da": f"F{i}", "name_en": f"F{i}"}
        for i in range(factors)
    ]
    admin = world.headers(ADMIN_A)
    r = await client.post("/api/v1/instruments", json=definition, headers=admin)
    assert r.status_code == 201, r.text
    iid = int(r.json()["id"])
    assert (
        await client.post(f"/api/v1/instruments/{iid}/publish", headers=admin)
    ).status_code == 200
    return iid


async def _measure(
    client: httpx.AsyncClient,
    world: World,
    clock: FrozenClock,
    engine: Engine,
    *,
    informants: int,
    factors: int,
    tag: str,
) -> dict[str, int]:
    """Statements per step for one round of `informants` x `factors`."""
    iid = await _instrument(client, world, f"size-{tag}", factors)
    keys = [f"f{i:02d}" for i in range(factors)]
    await client.patch(
        "/api/v1/municipality/policy",
        json={"instruments_in_use": [f"size-{tag}"], "collection_close": "manual"},
        headers=world.headers(ADMIN_A),
    )
    case = await create_case(client, world, CW_A, external_ref=f"SIZE-{tag}")
    r = await client.post(
        f"/api/v1/cases/{case['id']}/rounds",
        json={"instrument_id": iid, "due_at": (clock.now() + timedelta(days=7)).isoformat()},
        headers=world.headers(CW_A),
    )
    rid = r.json()["id"]
    await hear_family(client, world, rid, only_absent_child=True)
    tokens = []
    for n in range(informants):
        informant = await add_informant(client, world, rid, "school", f"Lærer {n}")
        tokens.append(await issue_link(client, world, rid, informant["id"]))
    body = {
        "scores": [
            {"factor_key": k, "score": (i + n) % 5, "comment": "x"} for i, k in enumerate(keys)
        ]
    }
    counts: dict[str, int] = {}
    for n, token in enumerate(tokens):
        body = {
            "scores": [
                {"factor_key": k, "score": (i + n) % 5, "comment": "x"} for i, k in enumerate(keys)
            ]
        }
        with count_statements(engine) as statements:
            assert (
                await client.post(f"/api/v1/links/{token}/submission", json=body)
            ).status_code == 200
        counts["submission"] = len(statements)
    # The caseworker has not scored: they close the step with a reason.
    closed = await fire(client, world, rid, "close_collection", "Skolens vurderinger er nok.")
    assert closed.status_code == 200
    with count_statements(engine) as statements:
        assert (
            await client.get(f"/api/v1/rounds/{rid}/consensus", headers=world.headers(CW_A))
        ).status_code == 200
    counts["meeting_view"] = len(statements)
    official = {
        "scores": [{"factor_key": k, "score": 2, "goal": 2, "rationale": "r"} for k in keys]
    }
    with count_statements(engine) as statements:
        r = await client.put(
            f"/api/v1/rounds/{rid}/official-scores", json=official, headers=world.headers(CW_A)
        )
        assert r.status_code == 200, r.text
    counts["official_scores"] = len(statements)
    with count_statements(engine) as statements:
        r = await fire(client, world, rid, "finish_consensus")
        assert r.json()["state"] == "completed"
    counts["complete"] = len(statements)
    return counts


async def test_statement_counts_do_not_grow(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, engine: Engine
) -> None:
    # The larger round's scores lie four points apart, the smaller's one: an advisory flag
    # (one row, and its webhook) would differ by what was scored, not by the round's size.
    await set_procedure(client, world, "kl3", flag_divergence_points=10)
    small = await _measure(client, world, clock, engine, informants=2, factors=3, tag="small")
    large = await _measure(client, world, clock, engine, informants=8, factors=11, tag="large")
    assert small == large, (small, large)
    assert small["submission"] <= 25 and small["meeting_view"] <= 15, small


async def _list_statements(
    client: httpx.AsyncClient, world: World, engine: Engine, query: str = ""
) -> int:
    with count_statements(engine) as statements:
        r = await client.get(f"/api/v1/rounds?limit=50{query}", headers=world.headers(CW_A))
        assert r.status_code == 200, r.text
    return len(statements)


async def test_a_page_of_rounds_costs_the_same_statements_as_a_few(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, engine: Engine
) -> None:
    """The case system polls the rounds list: what every round shows (its counts, measures
    and number) is read for the page at once."""

    async def finished_round(n: int) -> None:
        rnd = await open_round(client, world, clock, await new_case(client, world, f"LIST-{n}"))
        assert (await fire(client, world, rnd["id"], "cancel", "Forkert skema.")).is_success

    for n in range(2):
        await finished_round(n)
    few = await _list_statements(client, world, engine)
    for n in range(2, 7):
        await finished_round(n)
    many = await _list_statements(client, world, engine)
    assert many == few, (few, many)


async def test_a_page_of_open_rounds_costs_the_same_statements_and_says_what_each_does(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, engine: Engine
) -> None:
    """Which steps of an open round need the caseworker's reason is worked out for the page
    at once (its scores, official scores and the family's voices), and the list says for each
    round what the round itself says."""
    await set_procedure(client, world, "kl3")
    await client.patch(
        "/api/v1/municipality/policy",
        json={"collection_close": "manual"},
        headers=world.headers(ADMIN_A),
    )

    async def collecting(n: int, voices: int) -> int:
        rnd = await open_round(client, world, clock, await new_case(client, world, f"OPEN-{n}"))
        rid = int(rnd["id"])
        for v in range(voices):
            informant = await add_informant(client, world, rid, "school", f"Lærer {v}")
            token = await issue_link(client, world, rid, informant["id"])
            body = {"scores": [{"factor_key": k, "score": 1, "comment": ""} for k in FACTORS]}
            r = await client.post(f"/api/v1/links/{token}/submission", json=body)
            assert r.status_code == 200, r.text
        if voices > 1:
            await hear_family(client, world, rid)
        return rid

    rounds = [await collecting(0, 0), await collecting(1, 2)]
    few = await _list_statements(client, world, engine, "&state=collecting")
    rounds += [await collecting(n, n % 3) for n in range(2, 7)]
    many = await _list_statements(client, world, engine, "&state=collecting")
    assert many == few, (few, many)
    listed = (
        await client.get("/api/v1/rounds?state=collecting&limit=50", headers=world.headers(CW_A))
    ).json()["items"]
    by_id = {r["id"]: r["reason_needed"] for r in listed}
    alone = {}
    for rid in rounds:
        one = await client.get(f"/api/v1/rounds/{rid}", headers=world.headers(CW_A))
        alone[rid] = one.json()["reason_needed"]
    assert by_id == alone
    assert len({tuple(r) for r in alone.values()}) > 1, alone  # the rounds differ


async def test_the_list_numbers_each_round_as_the_round_itself_does(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    await set_procedure(client, world, "kl3")
    case_id = await new_case(client, world, "LIST-NUMBERS")
    first = await complete_round(client, world, clock, case_id, [(2, 2)] * 8)
    cancelled = await open_round(client, world, clock, case_id)
    assert (await fire(client, world, cancelled["id"], "cancel", "Forkert skema.")).is_success
    second = await open_round(client, world, clock, case_id)
    listed = (
        await client.get(f"/api/v1/rounds?case_id={case_id}", headers=world.headers(CW_A))
    ).json()["items"]
    numbers = {r["id"]: r["number"] for r in listed}
    for rid in (first, cancelled["id"], second["id"]):
        one = await client.get(f"/api/v1/rounds/{rid}", headers=world.headers(CW_A))
        assert numbers[rid] == one.json()["number"]
    assert [numbers[first], numbers[cancelled["id"]], numbers[second["id"]]] == [1, None, 2]
