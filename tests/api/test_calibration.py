"""Calibration on a vignette: the organiser writes the reference, the invited score alone,
nobody sees another's scores before the exercise closes; then each sees the spread, the
reference and their own distance, and the organiser the group's agreement without names."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from service.clock import FrozenClock
from tests.factories import ADMIN_A, ADMIN_B, CW2_A, CW_A, LEADER_A, instrument_id
from tests.world import World

FACTORS = [
    "udvikling_adfaerd",
    "familieforhold",
    "skoleforhold",
    "sundhedsforhold",
    "fritid_venskaber",
    "selvhjulpenhed",
    "tilknytning",
    "kriminalitet",
]
REFERENCE = [2, 3, 1, 1, 2, 1, 2, None]


def _scores(values: list[int | None], field: str = "comment") -> list[dict[str, Any]]:
    return [
        {"factor_key": key, "cannot_assess": True, field: "Står ikke i teksten"}
        if value is None
        else {"factor_key": key, "score": value, field: "Se teksten"}
        for key, value in zip(FACTORS, values, strict=True)
    ]


async def test_an_exercise_from_vignette_to_results(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    form = await instrument_id(client, world, "aarhus-boern-familie")
    vignette = {
        "instrument_id": form,
        "title": "Sofie, 9 år, i plejefamilie",
        "story": "Sofie bor i plejefamilie og går i 3. klasse.",
        "references": _scores(REFERENCE, "rationale"),
    }
    refused = await client.post(
        "/api/v1/calibration/vignettes", json=vignette, headers=world.headers(CW_A)
    )
    assert refused.status_code == 403
    short = {**vignette, "references": _scores(REFERENCE, "rationale")[:7]}
    r = await client.post(
        "/api/v1/calibration/vignettes", json=short, headers=world.headers(ADMIN_A)
    )
    assert r.status_code == 422 and r.json()["code"] == "calibration_incomplete", r.text
    r = await client.post(
        "/api/v1/calibration/vignettes", json=vignette, headers=world.headers(ADMIN_A)
    )
    assert r.status_code == 201, r.text
    vignette_id = r.json()["id"]
    assert [ref["score"] for ref in r.json()["references"]] == REFERENCE

    invited = [world.user(who).id for who in (CW_A, CW2_A, LEADER_A)]
    r = await client.post(
        "/api/v1/calibration/exercises",
        json={
            "vignette_id": vignette_id,
            "title": "Kalibrering december",
            "closes_at": (clock.now() + timedelta(days=2)).isoformat(),
            "staff_ids": invited,
        },
        headers=world.headers(ADMIN_A),
    )
    assert r.status_code == 201, r.text
    exercise = r.json()
    assert (exercise["invited"], exercise["submitted"], exercise["is_closed"]) == (3, 0, False)
    path = f"/api/v1/calibration/exercises/{exercise['id']}"

    # Before it closes: the vignette without its reference, and no results for anyone.
    r = await client.get(f"{path}/vignette", headers=world.headers(CW_A))
    assert r.status_code == 200 and r.json()["references"] == []
    answers: dict[str, list[int | None]] = {
        CW_A: [2, 3, 1, 1, 2, 1, 2, None],
        CW2_A: [3, 4, 1, 2, 2, 1, 3, 0],
        LEADER_A: [2, 3, 2, 1, 1, 1, 2, None],
    }
    for who, values in answers.items():
        r = await client.put(
            f"{path}/answer", json={"scores": _scores(values)}, headers=world.headers(who)
        )
        assert r.status_code == 200, r.text
    again = await client.put(
        f"{path}/answer", json={"scores": _scores(answers[CW_A])}, headers=world.headers(CW_A)
    )
    assert again.status_code == 409 and again.json()["code"] == "already_submitted"
    early = await client.get(f"{path}/results", headers=world.headers(CW_A))
    assert early.status_code == 409 and early.json()["code"] == "exercise_still_open"
    elsewhere = await client.get(path, headers=world.headers(ADMIN_B))
    assert elsewhere.status_code == 404

    clock.advance(timedelta(days=3))
    late = await client.put(
        f"{path}/answer", json={"scores": _scores(answers[CW_A])}, headers=world.headers(CW2_A)
    )
    assert late.status_code == 409 and late.json()["code"] == "exercise_closed"

    # The invited see the spread, the reference and their own distance.
    mine = (await client.get(f"{path}/results", headers=world.headers(CW2_A))).json()
    factors = {f["factor_key"]: f for f in mine["factors"]}
    assert factors["familieforhold"]["own_distance"] == 1
    assert factors["familieforhold"]["reference"]["rationale"] == "Se teksten"
    assert {c["score"]: c["count"] for c in factors["familieforhold"]["counts"]}[3] == 2
    assert factors["kriminalitet"]["own_distance"] is None
    assert factors["kriminalitet"]["cannot_assess"] == 2
    assert factors["selvhjulpenhed"]["r_wg"] == 1.0

    # The organiser sees the group, never a person's own.
    group = (await client.get(f"{path}/results", headers=world.headers(ADMIN_A))).json()
    assert group["shown"] and group["submitted"] == 3
    assert group["alpha"] is not None and 0 < group["alpha"] <= 1
    assert all(f["own_score"] is None and f["own_distance"] is None for f in group["factors"])
    assert "cw" not in str(group).lower()
    over_time = (
        await client.get("/api/v1/calibration/agreement", headers=world.headers(ADMIN_A))
    ).json()["items"]
    assert [(p["exercise_id"], p["submitted"]) for p in over_time] == [(exercise["id"], 3)]
    assert over_time[0]["alpha"] == group["alpha"]

    # Each person's distances are their own.
    distances = (
        await client.get("/api/v1/calibration/distances/me", headers=world.headers(CW2_A))
    ).json()["items"]
    assert {d["factor_key"]: d["distance"] for d in distances} == {
        "udvikling_adfaerd": 1,
        "familieforhold": 1,
        "skoleforhold": 0,
        "sundhedsforhold": 1,
        "fritid_venskaber": 0,
        "selvhjulpenhed": 0,
        "tilknytning": 1,
    }
    admin_own = await client.get("/api/v1/calibration/distances/me", headers=world.headers(ADMIN_A))
    assert admin_own.json()["items"] == []


async def test_too_few_answers_show_the_organiser_no_group_figures(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    form = await instrument_id(client, world, "aarhus-boern-familie")
    r = await client.post(
        "/api/v1/calibration/vignettes",
        json={
            "instrument_id": form,
            "title": "Malik, 2 år",
            "story": "Malik bor hjemme med sin mor.",
            "references": _scores(REFERENCE, "rationale"),
        },
        headers=world.headers(LEADER_A),
    )
    assert r.status_code == 201, r.text
    r = await client.post(
        "/api/v1/calibration/exercises",
        json={
            "vignette_id": r.json()["id"],
            "title": "Team Nord",
            "closes_at": (clock.now() + timedelta(days=1)).isoformat(),
            "team_id": world.teams["Team Nord"],
        },
        headers=world.headers(LEADER_A),
    )
    assert r.status_code == 201 and r.json()["invited"] == 2, r.text
    path = f"/api/v1/calibration/exercises/{r.json()['id']}"
    await client.put(
        f"{path}/answer", json={"scores": _scores([1] * 8)}, headers=world.headers(CW_A)
    )
    not_invited = await client.get(path, headers=world.headers(CW2_A))
    assert not_invited.status_code == 404
    closed = await client.post(f"{path}/close", headers=world.headers(LEADER_A))
    assert closed.status_code == 200 and closed.json()["is_closed"]
    leader = (await client.get(f"{path}/results", headers=world.headers(ADMIN_A))).json()
    assert not leader["shown"] and leader["alpha"] is None
    assert all(c["count"] == 0 for f in leader["factors"] for c in f["counts"])
    own = (await client.get(f"{path}/results", headers=world.headers(CW_A))).json()
    assert own["shown"] and own["factors"][0]["own_distance"] == 1
