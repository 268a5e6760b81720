"""The family's private network (grandparents, neighbours, a coach) as an informant of its own:
it scores in the family's step of each procedure, is never one of the voices that step waits
for, has its own series beside the official one (not counted among the professionals), and the
round's result says whether it was involved."""

from __future__ import annotations

import httpx

from service.clock import FrozenClock
from tests.factories import CW_A
from tests.rounds_helpers import (
    add_informant,
    complete_round,
    entries,
    fire,
    hear_family,
    new_case,
    open_round,
    set_procedure,
    submit_on_behalf,
)
from tests.world import World

OFFICIAL = [(2, 1)] * 8


async def test_the_network_scores_in_the_familys_step_and_is_counted_as_involved(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    await set_procedure(client, world, "kl3")
    case_id = await new_case(client, world)
    # KL 3 hears the family in trin 1: a network informant added and never scoring does not
    # hold the step, which waits only for the child's and the parents' voices.
    rid = int((await open_round(client, world, clock, case_id))["id"])
    grandmother = await add_informant(client, world, rid, "network", "Inger Holm")
    assert grandmother["step"] == "independent"
    school = await add_informant(client, world, rid, "school", "Jonas Kirk")
    r = await submit_on_behalf(client, world, rid, school["id"], entries([1] * 8))
    assert r.status_code == 200, r.text
    voices = await hear_family(client, world, rid)
    assert {v["role"] for v in voices} == {"child"}  # the network is not a voice owed
    closed = await fire(client, world, rid, "close_collection", reason="Mormor svarede ikke.")
    assert closed.status_code == 200, closed.text
    # A round where the neighbour scores: the result counts the network as involved.
    case_id = await new_case(client, world, ref="DUBU-R2")
    rid = await complete_round(
        client, world, clock, case_id, OFFICIAL, {"network": [4] * 8, "school": [1] * 8}
    )
    result = (await client.get(f"/api/v1/rounds/{rid}/result", headers=world.headers(CW_A))).json()
    assert result["network_involved"] == 1
    assert [p["role"] for p in result["participants"] if p["scored"]].count("network") == 1
    progress = (
        await client.get(f"/api/v1/cases/{case_id}/progress", headers=world.headers(CW_A))
    ).json()
    first = progress["factors"][0]
    assert [p["scores"] for r in first["roles"] if r["role"] == "network" for p in r["points"]] == [
        [4]
    ]
    # The professionals' spread is the caseworker's 2 and the school's 1, not the network's 4.
    assert (first["spread"][-1]["min"], first["spread"][-1]["max"]) == (1, 2)


async def test_under_kl1_the_network_scores_in_the_family_dialogue(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    await set_procedure(client, world, "kl1")
    case_id = await new_case(client, world)
    rid = int((await open_round(client, world, clock, case_id))["id"])
    neighbour = await add_informant(client, world, rid, "network", "Per Nabo")
    assert neighbour["step"] == "family"
