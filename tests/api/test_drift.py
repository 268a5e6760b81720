"""A caseworker's drift: her official scores beside the median of the other informants'
scores, per factor and period, with her calibration distances, answered for her alone
(anyone else's id is not found, in her municipality or another); rewritten when an official
score is amended; and the team's spread, which shows nothing while the team has fewer
caseworkers with figures than the smallest group."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from service.clock import FrozenClock
from tests.factories import ADMIN_A, CW2_A, CW_A, CW_B, LEADER_A, instrument_id
from tests.rounds_helpers import FACTORS, amend, complete_round, new_case, set_procedure
from tests.world import World

FACTOR = FACTORS[0]


async def _drift(
    client: httpx.AsyncClient, world: World, who: str, staff_id: int
) -> httpx.Response:
    return await client.get(
        f"/api/v1/staff/{staff_id}/drift", params={"period": "year"}, headers=world.headers(who)
    )


async def test_own_drift_for_the_caseworker_alone(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    clock.set(datetime(2026, 3, 2, 9, tzinfo=UTC))  # both rounds in one year
    await set_procedure(client, world, "kl3")
    case_id = await new_case(client, world)
    official = [(2, 1)] * len(FACTORS)
    # Informants 3, 3, 1: median 3, the official 2 lies one point more hopeful. The
    # caseworker's own 2 is not one of the informants (with it the median would be 2.5).
    first = await complete_round(
        client,
        world,
        clock,
        case_id,
        official,
        {"school": [3] * 8, "mother": [3] * 8, "child": [1] * 8},
        days_after=30,
    )
    # Informants 2, 3: median 2.5, half a point more hopeful.
    await complete_round(
        client, world, clock, case_id, official, {"school": [2] * 8, "mother": [3] * 8}
    )
    me = world.user(CW_A).id
    assert me is not None
    r = await _drift(client, world, CW_A, me)
    assert r.status_code == 200, r.text
    factors = {f["factor"]: f for f in r.json()["factors"]}
    assert set(factors) == set(FACTORS)
    (point,) = factors[FACTOR]["points"]
    assert point | {"period": None} == {
        "period": None,
        "rounds": 2,
        "mean": -0.75,
        "spread": 0.25,
        "leaning": "hopeful",
    }

    # An amended official score is set against the informants anew: 3 is their median.
    r = await amend(client, world, first, FACTOR, (3, 2), rationale="Skolen og mor ser mere.")
    assert r.status_code in (200, 201), r.text
    r = await _drift(client, world, CW_A, me)
    (point,) = next(f for f in r.json()["factors"] if f["factor"] == FACTOR)["points"]
    assert (point["rounds"], point["mean"]) == (2, -0.25)

    # Nobody else's figures: a colleague, a leader, another municipality's caseworker.
    colleague = world.user(CW2_A).id
    assert colleague is not None
    for who, staff_id in ((CW_A, colleague), (LEADER_A, me), (CW_B, me)):
        r = await _drift(client, world, who, staff_id)
        assert r.status_code == 404, (who, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")

    # The leader's spread: one caseworker with figures is under the smallest group.
    r = await client.get("/api/v1/reports/drift-spread", headers=world.headers(LEADER_A))
    assert r.status_code == 200, r.text
    spread = {f["factor"]: f for f in r.json()["factors"]}
    assert set(spread) == set(FACTORS)
    assert spread[FACTOR] | {"name_da": "", "name_en": ""} == {
        "factor": FACTOR,
        "name_da": "",
        "name_en": "",
        "caseworkers": None,
        "lower_quartile": None,
        "median": None,
        "upper_quartile": None,
    }
    assert "drift_spread" in r.json()["data_use"]["staff_figures"]
    r = await client.get("/api/v1/reports/drift-spread", headers=world.headers(CW_A))
    assert r.status_code == 403, r.text

    # A closed calibration exercise she answered: her distances from the reference are there.
    assert (await _drift(client, world, CW_A, me)).json()["calibration"] == []
    await _calibrate(client, world, clock, [2, 3, 1, 1, 2, 1, 2, 0], [3, 3, 1, 1, 2, 1, 0, 0])
    r = await _drift(client, world, CW_A, me)
    distances = {d["factor_key"]: d["distance"] for d in r.json()["calibration"]}
    assert distances == dict(zip(FACTORS, [1, 0, 0, 0, 0, 0, 2, 0], strict=True))


async def _calibrate(
    client: httpx.AsyncClient,
    world: World,
    clock: FrozenClock,
    reference: list[int],
    mine: list[int],
) -> None:
    """An exercise on a vignette, answered by the caseworker, then closed."""

    def scores(values: list[int], field: str) -> list[dict[str, object]]:
        return [
            {"factor_key": key, "score": value, field: "Se teksten"}
            for key, value in zip(FACTORS, values, strict=True)
        ]

    r = await client.post(
        "/api/v1/calibration/vignettes",
        json={
            "instrument_id": await instrument_id(client, world, "aarhus-boern-familie"),
            "title": "Sofie, 9 år",
            "story": "Sofie bor i plejefamilie og går i 3. klasse.",
            "references": scores(reference, "rationale"),
        },
        headers=world.headers(ADMIN_A),
    )
    assert r.status_code == 201, r.text
    r = await client.post(
        "/api/v1/calibration/exercises",
        json={
            "vignette_id": r.json()["id"],
            "title": "Kalibrering marts",
            "closes_at": (clock.now() + timedelta(days=2)).isoformat(),
            "staff_ids": [world.user(CW_A).id],
        },
        headers=world.headers(ADMIN_A),
    )
    assert r.status_code == 201, r.text
    r = await client.put(
        f"/api/v1/calibration/exercises/{r.json()['id']}/answer",
        json={"scores": scores(mine, "comment")},
        headers=world.headers(CW_A),
    )
    assert r.status_code == 200, r.text
    clock.advance(timedelta(days=3))
