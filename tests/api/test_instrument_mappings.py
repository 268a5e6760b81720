"""A case that moves from the Århus 0-4 form to KL's 1-5 form keeps its outcome series: the
catalogue's declared mapping lets the next round measure against the last one, and the result
says that the comparison crossed a mapping. Factors split or combined by the move start a new
baseline. A municipality declares its own mappings."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import Engine
from sqlmodel import Session

from service.auth.actor import ROLE_SCOPES, Actor
from service.clock import FrozenClock
from service.instruments.catalogue import catalogue_mappings
from service.models import tenancy
from service.models.audit import ActorKind
from service.usecases.administration.mappings import check_definition
from service.usecases.reports.change import change_query
from service.usecases.reports.groups import GroupBy
from service.usecases.reports.outcomes import OutcomeFilter, outcome_counts
from service.usecases.reports.scope import Window, report_scope
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


def _outcomes(
    result: dict[str, Any],
) -> dict[str, tuple[str | None, str | None, list[str], int | None]]:
    return {
        f["factor_key"]: (
            f["outcome"]["outcome"],
            f["outcome"]["no_outcome"],
            f["outcome"]["previous_factor_keys"],
            f["outcome"]["previous_score"],
        )
        for f in result["factors"]
    }


def _admin(world: World) -> Actor:
    user = world.user(ADMIN_A)
    assert user.id is not None and user.role is not None
    return Actor(
        kind=ActorKind.STAFF,
        id=user.id,
        municipality_id=user.municipality_id,
        label=ADMIN_A,
        role=user.role,
        team_id=user.team_id,
        scopes=ROLE_SCOPES[user.role],
    )


def _counted(engine: Engine, world: World) -> tuple[dict[str, int], set[str]]:
    """What management sees: the outcomes counted per factor, and the factors with a change."""
    with Session(engine) as session:
        tenancy.bind_session(session, world.user(CW_A).municipality_id)
        scope = report_scope(session, _admin(world))
        counted: dict[str, int] = {}
        for key in [*KL_BF, "familieforhold"]:
            flt = OutcomeFilter(group_by=GroupBy.NONE, factor=key)
            rows = session.execute(outcome_counts(scope, flt)).all()
            counted[key] = sum(int(count) for _, _, count, _ in rows)
        changed = {row[0] for row in session.execute(change_query(scope, Window.of(None, None)))}
    return counted, changed


async def test_a_move_from_the_aarhus_form_to_kls_starts_the_split_factors_anew(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, engine: Engine
) -> None:
    """The relations to mother, father and siblings were split out of familieforhold: no goal
    was ever set for them, so their first round on KL's form is a new baseline, with no
    outcome and no earlier status, and no aggregate counts them. A factor the two forms share
    is measured across the mapping, its status and goal translated point for point."""
    await set_procedure(client, world, "kl3")
    case_id = await new_case(client, world)
    # Round 1, Århus 0-4: familieforhold 3 with the goal 2; udvikling 2, goal 1.
    first = dict.fromkeys(AARHUS_BF, (1, 1)) | {
        "familieforhold": (3, 2),
        "udvikling_adfaerd": (2, 1),
    }
    r1 = await _complete(client, world, clock, case_id, "aarhus-boern-familie", first)
    # Round 2, KL 1-5 (one step up for the same level).
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
    split = (None, "split_after_form_change", ["familieforhold"], None)
    for key in ("relation_mor", "relation_far", "relation_soeskende"):
        assert outcomes[key] == split, key
    # udvikling 2 -> 3 on 1-5, its goal 1 -> 2; now 2: the goal was met.
    assert outcomes["udvikling_adfaerd"] == (
        "progression_goal_met",
        None,
        ["udvikling_adfaerd"],
        3,
    )
    development = next(f for f in r2["factors"] if f["factor_key"] == "udvikling_adfaerd")
    assert (
        development["outcome"]["previous_score_as_scored"],
        development["outcome"]["previous_goal_as_scored"],
    ) == (2, 1)
    counted, changed = _counted(engine, world)
    assert counted["relation_mor"] == counted["relation_far"] == counted["relation_soeskende"] == 0
    assert counted["udvikling_adfaerd"] == 1
    assert not {"relation_mor", "relation_far", "relation_soeskende"} & changed
    assert "udvikling_adfaerd" in changed

    # A correction of round 1 reaches the outcome of the factor measured against it; the
    # split factors stay a new baseline.
    r = await client.post(
        f"/api/v1/rounds/{r1['round_id']}/amendments",
        json={
            "factor_key": "udvikling_adfaerd",
            "score": 4,
            "goal": 4,
            "rationale": "Psykologens vurdering.",
            "reason": "Rettet efter mødet.",
        },
        headers=world.headers(CW_A),
    )
    assert r.status_code == 201, r.text
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
    again = _outcomes(
        (
            await client.get(f"/api/v1/rounds/{r2['round_id']}/result", headers=world.headers(CW_A))
        ).json()
    )
    assert again["udvikling_adfaerd"] == (
        "maintenance_goal_met",
        None,
        ["udvikling_adfaerd"],
        5,
    )
    assert again["relation_far"] == split

    # And back to the Århus form: familieforhold combined from the three relations has no
    # goal of its own either.
    third = dict.fromkeys(AARHUS_BF, (1, 1)) | {"familieforhold": (3, 3)}
    r3 = await _complete(client, world, clock, case_id, "aarhus-boern-familie", third)
    assert r3["previous_round_id"] == r2["round_id"]
    assert _outcomes(r3)["familieforhold"] == (
        None,
        "merged_after_form_change",
        ["relation_mor", "relation_far", "relation_soeskende"],
        None,
    )
    counted, changed = _counted(engine, world)
    assert counted["familieforhold"] == 0 and "familieforhold" not in changed


async def test_the_series_across_the_move_reads_on_the_newest_scale(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    """The progress API gives every earlier value as scored and, beside it, on the newest
    round's scale; the father relation's line starts from familieforhold, named as such."""
    await set_procedure(client, world, "kl3")
    case_id = await new_case(client, world)
    first = dict.fromkeys(AARHUS_BF, (1, 1)) | {
        "familieforhold": (3, 2),
        "udvikling_adfaerd": (2, 1),
    }
    r1 = await _complete(client, world, clock, case_id, "aarhus-boern-familie", first)
    second = dict.fromkeys(KL_BF, (2, 2)) | {"relation_far": (4, 3), "udvikling_adfaerd": (2, 2)}
    r2 = await _complete(client, world, clock, case_id, "kl-boern-familie", second)
    r = await client.get(f"/api/v1/cases/{case_id}/progress", headers=world.headers(CW_A))
    assert r.status_code == 200, r.text
    body = r.json()
    assert [(x["round_id"], x["scale"]["min"], x["scale"]["max"]) for x in body["rounds"]] == [
        (r1["round_id"], 0, 4),
        (r2["round_id"], 1, 5),
    ]
    factors = {f["factor_key"]: f for f in body["factors"]}

    def line(key: str) -> list[tuple[Any, ...]]:
        return [
            (
                p["factor_key"],
                p["factor_name_da"],
                p["score"],
                p["goal"],
                p["score_on_newest_scale"],
                p["goal_on_newest_scale"],
                p["outcome"],
                p["no_outcome"],
            )
            for p in factors[key]["official"]
        ]

    assert line("relation_far") == [
        ("familieforhold", "Familieforhold", 3, 2, 4, 3, None, "no_previous_round"),
        ("relation_far", "Relation til far", 4, 3, 4, 3, None, "split_after_form_change"),
    ]
    assert line("udvikling_adfaerd") == [
        ("udvikling_adfaerd", "Udvikling og adfærd", 2, 1, 3, 2, None, "no_previous_round"),
        ("udvikling_adfaerd", "Udvikling og adfærd", 2, 2, 2, 2, "progression_goal_met", None),
    ]
    spread = factors["udvikling_adfaerd"]["spread"][0]
    assert (spread["min"], spread["max"], spread["min_on_newest_scale"]) == (2, 2, 3)

    csv_text = (
        await client.get(f"/api/v1/cases/{case_id}/progress.csv", headers=world.headers(CW_A))
    ).text
    rows = [
        row
        for row in csv.DictReader(io.StringIO(csv_text))
        if row["round_id"] == str(r1["round_id"])
    ]
    far = next(row for row in rows if row["factor_key"] == "familieforhold")
    assert (far["factor"], far["score"], far["scale"], far["score_on_newest_scale"]) == (
        "Familieforhold",
        "3",
        "0-4",
        "4",
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
