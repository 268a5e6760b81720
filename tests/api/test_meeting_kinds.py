"""The kind of the consensus meeting: a family council invites the family's network, whose
attendance is then recorded; the caseworker still decides; the kind is fixed once the meeting
is over, and a procedure without a meeting has none."""

from __future__ import annotations

import httpx

from service.clock import FrozenClock
from tests.factories import CW_A, CW_B
from tests.rounds_helpers import (
    FACTORS,
    add_informant,
    entries,
    fire,
    new_case,
    open_round,
    set_official,
    set_procedure,
    submit_on_behalf,
)
from tests.world import World

OFFICIAL = [(2, 1)] * 8


async def test_a_family_council_invites_the_network_and_the_caseworker_decides(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    await set_procedure(client, world, "kl3")
    case_id = await new_case(client, world)
    rid = int((await open_round(client, world, clock, case_id))["id"])
    url = f"/api/v1/rounds/{rid}/meeting-kind"
    cw = world.headers(CW_A)
    ordinary = (await client.get(url, headers=cw)).json()
    assert ordinary["kind"] == "consensus" and "network" not in ordinary["expected"]
    r = await client.put(url, json={"kind": "family_council"}, headers=cw)
    assert r.status_code == 200, r.text
    assert "network" in r.json()["expected"] and r.json()["decides"] == "caseworker"
    assert (await client.put(url, json={"kind": "party"}, headers=cw)).status_code == 422
    assert (await client.get(url, headers=world.headers(CW_B))).status_code == 404
    grandmother = await add_informant(client, world, rid, "network", "Inger Holm")
    mother = await add_informant(client, world, rid, "mother", "Lene Holm")
    child = await add_informant(client, world, rid, "child", "Emma")
    caseworker = (await client.get(f"/api/v1/rounds/{rid}/informants", headers=cw)).json()
    for informant in (grandmother, mother, child, caseworker["items"][0]):
        r = await submit_on_behalf(client, world, rid, informant["id"], entries([2] * 8))
        assert r.status_code == 200, r.text
    # Everyone asked has answered: the collection closed by itself, the meeting is on.
    at_meeting = (await client.get(f"/api/v1/rounds/{rid}/attendance/meeting", headers=cw)).json()
    assert grandmother["id"] in [a["informant_id"] for a in at_meeting["items"]]
    # The meeting does not end before the grandmother's attendance is recorded.
    r = await fire(client, world, rid, "finish_consensus", prepare=False)
    assert r.status_code == 409, r.text
    assert (
        await set_official(client, world, rid, dict(zip(FACTORS, OFFICIAL, strict=True)))
    ).status_code == 200
    r = await fire(client, world, rid, "finish_consensus")
    assert r.status_code == 200 and r.json()["state"] == "completed", r.text
    assert (await client.put(url, json={"kind": "consensus"}, headers=cw)).status_code == 409
    result = (await client.get(f"/api/v1/rounds/{rid}/result", headers=cw)).json()
    assert result["network_involved"] == 1


async def test_a_procedure_without_a_meeting_has_no_kind(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    await set_procedure(client, world, "kl2")
    case_id = await new_case(client, world)
    rid = int((await open_round(client, world, clock, case_id))["id"])
    r = await client.get(f"/api/v1/rounds/{rid}/meeting-kind", headers=world.headers(CW_A))
    assert r.status_code == 409 and r.json()["code"] == "no_such_gathering"
