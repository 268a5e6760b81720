"""Two compasses side by side through the API: per factor over the rounds, the caseworker's and
the provider's own scores, the official score as a reference, where they part and meet; for
staff who may see the case, audited as a read."""

from __future__ import annotations

import httpx

from service.clock import FrozenClock
from tests.factories import CW2_A, CW_A, CW_B, LEADER_A
from tests.rounds_helpers import complete_round, new_case, set_procedure
from tests.world import World

#: Three rounds on the 0-4 form. The provider scores from the first follow-up on (KL 3); at
#: the second round they see less trouble than the caseworker (2 apart), at the third they meet.
OFFICIAL = ([(3, 2)] * 8, [(3, 2)] * 8, [(2, 1)] * 8)
CASEWORKER = ([3] * 8, [3] * 8, [2] * 8)
PROVIDER = (None, [1] * 8, [2] * 8)


async def test_the_two_views_part_and_meet_beside_the_official_score(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    await set_procedure(client, world, "kl3")
    case_id = await new_case(client, world)
    url = f"/api/v1/cases/{case_id}/compasses"
    round_ids = [
        await complete_round(
            client,
            world,
            clock,
            case_id,
            official,
            {"caseworker": caseworker, "school": [4] * 8}
            | ({"provider": provider} if provider else {}),
        )
        for official, caseworker, provider in zip(OFFICIAL, CASEWORKER, PROVIDER, strict=True)
    ]
    r = await client.get(url, headers=world.headers(CW_A))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["snapshot"] is False and body["threshold"] == 1
    assert [x["round_id"] for x in body["rounds"]] == round_ids
    first = body["factors"][0]
    assert first["factor_key"] == "udvikling_adfaerd"
    points = first["points"]
    assert [(p["caseworker"], p["provider"], p["official"]) for p in points] == [
        (3, None, 3),
        (3, 1, 3),
        (2, 2, 2),
    ]
    assert [p["provider_scores"] for p in points] == [[], [1], [2]]
    assert [(p["gap"], p["stance"], p["turn"]) for p in points] == [
        (None, None, None),
        (2, "apart", None),
        (0, "together", "meet"),
    ]
    # Another caseworker's case and another municipality's are not found; every read audited.
    assert (await client.get(url, headers=world.headers(CW2_A))).status_code == 404
    assert (await client.get(url, headers=world.headers(CW_B))).status_code == 404
    audit = await client.get(
        f"/api/v1/cases/{case_id}/audit-events?limit=200", headers=world.headers(LEADER_A)
    )
    reads = [e for e in audit.json()["items"] if e["action"] == "case.compasses.read"]
    assert len(reads) == 1
