"""Integrity under concurrency: real concurrent requests over loopback to uvicorn, exactly
one wins, nothing is lost.

Each race holds the first request inside its transaction for a moment, so that the second
truly overlaps it; without the row lock both would win.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest

from service.clock import FrozenClock
from service.usecases.collection import submissions
from service.usecases.procedure import round_data
from tests.factories import CW_A, LEADER_A
from tests.rounds_helpers import (
    add_informant,
    entries,
    fire,
    issue_link,
    new_case,
    open_round,
    submit_link,
)
from tests.world import World

SCORES = [2, 3, 2, 1, 2, 0, 2, 0]
#: One informant has scored: the caseworker closes the step with a reason.
SHORT = "Vi går videre med skolens vurdering."
HOLD = 0.3


def _slow(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> None:
    original = getattr(module, name)

    def slow(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        time.sleep(HOLD)  # inside the transaction, after reading
        return result

    monkeypatch.setattr(module, name, slow)


async def _collecting_round(
    live_client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> tuple[int, str, str]:
    rnd = await open_round(live_client, world, clock, await new_case(live_client, world))
    a = await add_informant(live_client, world, rnd["id"], "school", "Lærer Ane")
    b = await add_informant(live_client, world, rnd["id"], "psychologist", "Psykolog Bo")
    return (
        rnd["id"],
        await issue_link(live_client, world, rnd["id"], a["id"]),
        await issue_link(live_client, world, rnd["id"], b["id"]),
    )


async def test_two_caseworkers_closing_the_same_round(
    live_client: httpx.AsyncClient,
    world: World,
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rid, token, _ = await _collecting_round(live_client, world, clock)
    assert (await submit_link(live_client, token, entries(SCORES))).status_code == 200
    _slow(monkeypatch, round_data, "gather_facts")
    first, second = await asyncio.gather(
        fire(live_client, world, rid, "close_collection", SHORT, who=CW_A),
        fire(live_client, world, rid, "close_collection", SHORT, who=LEADER_A),
    )
    assert sorted([first.status_code, second.status_code]) == [200, 409]
    loser = first if first.status_code == 409 else second
    assert (loser.json()["code"], loser.json()["state"]) == ("illegal_transition", "consensus")
    history = (
        await live_client.get(f"/api/v1/rounds/{rid}/history", headers=world.headers(CW_A))
    ).json()["items"]
    assert [h["event"] for h in history] == ["open", "close_collection"]


async def test_a_link_used_twice_at_once(
    live_client: httpx.AsyncClient,
    world: World,
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _rid, token, _ = await _collecting_round(live_client, world, clock)
    _slow(monkeypatch, submissions, "_validated_scores")
    first, second = await asyncio.gather(
        submit_link(live_client, token, entries(SCORES)),
        submit_link(live_client, token, entries([1] * 8)),
    )
    assert sorted([first.status_code, second.status_code]) == [200, 409]
    winner = first if first.status_code == 200 else second
    loser = second if winner is first else first
    assert loser.json()["code"] == "already_submitted"
    form = (await live_client.get(f"/api/v1/links/{token}")).json()
    assert [s["score"] for s in form["submission"]["scores"]] == [
        s["score"] for s in winner.json()["submission"]["scores"]
    ]


async def test_submissions_racing_the_close(
    live_client: httpx.AsyncClient,
    world: World,
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rid, token_a, token_b = await _collecting_round(live_client, world, clock)
    assert (await submit_link(live_client, token_a, entries(SCORES))).status_code == 200
    _slow(monkeypatch, round_data, "gather_facts")
    _slow(monkeypatch, submissions, "_validated_scores")
    close, submit = await asyncio.gather(
        fire(live_client, world, rid, "close_collection", SHORT),
        submit_link(live_client, token_b, entries([1] * 8)),
    )
    assert close.status_code == 200
    view = (
        await live_client.get(f"/api/v1/rounds/{rid}/consensus", headers=world.headers(CW_A))
    ).json()
    names = {s["name"] for f in view["factors"] for s in f["scores"]}
    if submit.status_code == 200:
        assert names == {"Lærer Ane", "Psykolog Bo"}  # it got in before the close: counted
    else:
        assert (submit.status_code, submit.json()["code"]) == (409, "not_accepting")
        assert names == {"Lærer Ane"}  # refused whole: nothing half-stored
        form = (await live_client.get(f"/api/v1/links/{token_b}")).json()
        assert form["submission"] is None and form["status"] == "closed"
