"""A case that moves from the Århus 0-4 form to KL's 1-5 form keeps its outcome series: the
catalogue's declared mapping lets the next round measure against the last one, and the result
says that the comparison crossed a mapping. A municipality declares its own mappings."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlmodel import Session

from service.clock import FrozenClock
from service.instruments.catalogue import catalogue_mappings
from service.usecases.administration.mappings import check_definition
from tests.factories import ADMIN_A, CW_A, instrument_definition, instrument_id
from tests.rounds_helpers import (
    add_informant,
    fire,
    new_case,
    open_round,
    set_procedure,
    submit_on_behalf,
)
from tests.world import World

AARHUS_BF = [
    "udvikling_adfaerd",
    "familieforhold",
    "skoleforhold",
    "sundhedsforhold",
    "fritid_venskaber",
    "selvhjulpenhed",
    "tilknytning",
    "kriminalitet",
]
KL_BF = [
    "udvikling_adfaerd",
    "relation_mor",
    "relation_far",
    "relation_soeskende",
    "skoleforhold",
    "sundhedsforhold",
    "fritid_venskaber",
    "selvhjulpenhed",
    "tilknytning",
    "kriminalitet",
]


async def _complete(
    client: httpx.AsyncClient,
    world: World,
    clock: FrozenClock,
    case_id: int,
    key: str,
    official: dict[str, tuple[int, int]],
) -> dict[str, Any]:
    """A KL 3 round on instrument `key`: the caseworker and the school score as the official
    score; it completes with `official`; the clock moves on half a year."""
    rnd = await open_round(
        client, world, clock, case_id, instrument_id=await instrument_id(client, world, key)
    )
    rid = rnd["id"]
    school = await add_informant(client, world, rid, "school", "Lærer Ane")
    informants = (
        await client.get(f"/api/v1/rounds/{rid}/informants", headers=world.headers(CW_A))
    ).json()["items"]
    caseworker = next(i["id"] for i in informants if i["role"] == "caseworker")
    scores = [{"factor_key": k, "score": s} for k, (s, _) in official.items()]
    for informant in (school["id"], caseworker):
        r = await submit_on_behalf(client, world, rid, informant, scores)
        assert r.status_code == 200, r.text
    r = await client.put(
        f"/api/v1/rounds/{rid}/official-scores",
        json={
            "scores": [
                {"factor_key": k, "score": s, "goal": g, "rationale": "Drøftet."}
                for k, (s, g) in official.items()
            ]
        },
        headers=world.headers(CW_A),
    )
    assert r.status_code == 200, r.text
    r = await fire(client, world, rid, "finish_consensus")
    assert r.json()["state"] == "completed", r.text
    clock.advance(timedelta(days=182))
    result = await client.get(f"/api/v1/rounds/{rid}/result", headers=world.headers(CW_A))
    data: dict[str, Any] = result.json()
    return data


def _outcomes(result: dict[str, Any]) -> dict[str, tuple[str | None, list[str], int | None]]:
    return {
        f["factor_key"]: (
            f["outcome"]["outcome"],
            f["outcome"]["previous_factor_keys"],
            f["outcome"]["previous_score"],
        )
        for f in result["factors"]
    }


async def test_the_series_survives_a_move_from_the_aarhus_form_to_kls(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    await set_procedure(client, world, "kl3")
    case_id = await new_case(client, world)
    # Round 1, Århus 0-4: familieforhold 3 with the goal 2; udvikling 2, goal 1.
    first = dict.fromkeys(AARHUS_BF, (1, 1)) | {
        "familieforhold": (3, 2),
        "udvikling_adfaerd": (2, 1),
    }
    r1 = await _complete(client, world, clock, case_id, "aarhus-boern-familie", first)
    # Round 2, KL 1-5 (one step up for the same level): the relation to the mother is at 3,
    # which is 2 on the old scale: the goal was met; the father's at 4 (3): no progression.
    second = dict.fromkeys(KL_BF, (2, 2)) | {
        "relation_mor": (3, 3),
        "relation_far": (4, 3),
        "relation_soeskende": (5, 4),
        "udvikling_adfaerd": (2, 2),
    }
    r2 = await _complete(client, world, clock, case_id, "kl-boern-familie", second)
    assert r2["previous_round_id"] == r1["round_id"]
    assert r2["comparison"]["crossed_mapping"] is True
    assert r2["comparison"]["crossing"] == "mapping"
    mapping = await client.get(
        f"/api/v1/instrument-mappings/{r2['comparison']['mapping_id']}",
        headers=world.headers(CW_A),
    )
    assert (mapping.json()["from_key"], mapping.json()["to_key"]) == (
        "aarhus-boern-familie",
        "kl-boern-familie",
    )
    outcomes = _outcomes(r2)
    assert outcomes["relation_mor"] == ("progression_goal_met", ["familieforhold"], 4)
    assert outcomes["relation_far"] == ("no_progression", ["familieforhold"], 4)
    assert outcomes["relation_soeskende"] == ("negative_progression", ["familieforhold"], 4)
    assert outcomes["udvikling_adfaerd"] == ("progression_goal_met", ["udvikling_adfaerd"], 3)

    # A correction of round 1's familieforhold reaches every relation measured against it.
    r = await client.post(
        f"/api/v1/rounds/{r1['round_id']}/amendments",
        json={
            "factor_key": "familieforhold",
            "score": 4,
            "goal": 3,
            "rationale": "Psykologens vurdering.",
            "reason": "Rettet efter mødet.",
        },
        headers=world.headers(CW_A),
    )
    assert r.status_code == 201, r.text
    again = await client.get(f"/api/v1/rounds/{r2['round_id']}/result", headers=world.headers(CW_A))
    outcomes = _outcomes(again.json())
    assert outcomes["relation_far"] == ("progression_goal_met", ["familieforhold"], 5)

    # And back to the Århus form: familieforhold is measured against the most severe relation.
    third = dict.fromkeys(AARHUS_BF, (1, 1)) | {"familieforhold": (3, 3)}
    r3 = await _complete(client, world, clock, case_id, "aarhus-boern-familie", third)
    assert r3["previous_round_id"] == r2["round_id"]
    familie = _outcomes(r3)["familieforhold"]
    # The siblings' 5 on the 1-5 scale (4 here), with its goal 4 (3 here); now 3: goal met.
    assert familie == (
        "progression_goal_met",
        ["relation_mor", "relation_far", "relation_soeskende"],
        4,
    )


async def test_a_municipality_declares_its_own_mapping(
    client: httpx.AsyncClient, world: World
) -> None:
    listing = await client.get("/api/v1/instrument-mappings", headers=world.headers(CW_A))
    assert listing.status_code == 200
    catalogue = {(m["from_key"], m["to_key"]): m for m in listing.json()["items"]}
    split = catalogue[("aarhus-boern-familie", "kl-boern-familie")]
    assert split["catalogue"] is True
    assert "udvikling_adfaerd" in split["shared_factors"]
    assert {f["key"] for f in split["factors"]} == {
        "relation_mor",
        "relation_far",
        "relation_soeskende",
    }
    assert ("aarhus-boern-familie", "aarhus-unge") in catalogue  # as the child grows

    admin = world.headers(ADMIN_A)
    r = await client.post("/api/v1/instruments", json=instrument_definition(), headers=admin)
    assert r.status_code == 201, r.text
    assert (
        await client.post(f"/api/v1/instruments/{r.json()['id']}/publish", headers=admin)
    ).status_code == 200
    body = {
        "from_key": "egen-trivsel",
        "to_key": "kl-boern-familie",
        "name_da": "Egen skala til KL",
        "name_en": "Own scale to KL",
        "factors": [{"key": "skoleforhold", "sources": ["skole"]}],
    }
    by_caseworker = await client.post(
        "/api/v1/instrument-mappings", json=body, headers=world.headers(CW_A)
    )
    assert by_caseworker.status_code == 403
    unknown = await client.post(
        "/api/v1/instrument-mappings",
        json=body | {"factors": [{"key": "skoleforhold", "sources": ["nope"]}]},
        headers=admin,
    )
    assert (unknown.status_code, unknown.json()["code"]) == (422, "unknown_factor")
    two_without_rule = await client.post(
        "/api/v1/instrument-mappings",
        json=body | {"factors": [{"key": "skoleforhold", "sources": ["skole", "venner"]}]},
        headers=admin,
    )
    assert two_without_rule.status_code == 422
    made = await client.post("/api/v1/instrument-mappings", json=body, headers=admin)
    assert made.status_code == 201, made.text
    assert made.json()["catalogue"] is False
    twice = await client.post("/api/v1/instrument-mappings", json=body, headers=admin)
    assert (twice.status_code, twice.json()["code"]) == (409, "mapping_exists")
    other_scale = await client.post(
        "/api/v1/instruments",
        json=instrument_definition("ti-trin", range(0, 11)),
        headers=admin,
    )
    await client.post(f"/api/v1/instruments/{other_scale.json()['id']}/publish", headers=admin)
    differ = await client.post(
        "/api/v1/instrument-mappings",
        json=body | {"from_key": "ti-trin", "factors": []},
        headers=admin,
    )
    assert (differ.status_code, differ.json()["code"]) == (422, "scales_differ")


def test_every_catalogue_mapping_fits_the_catalogue(db: Session) -> None:
    """Both sides exist, the scales pair point for point, every stated factor exists."""
    found = catalogue_mappings()
    assert len(found) == 8
    for mapping in found:
        check_definition(db, mapping)
