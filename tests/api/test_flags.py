"""Advisory flags: raised as a round completes, by the municipality's thresholds, each saying
why; listed with the case; signed off by the case's caseworker with a note, once; announced
to the case system as `case.flag_raised`."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import Engine
from sqlmodel import Session, select

from service.clock import FrozenClock
from service.models.outbox import OutboxMessage
from tests.factories import ADMIN_B, CW2_A, CW_A, LEADER_A
from tests.rounds_helpers import complete_round, new_case, set_procedure
from tests.world import World

#: aarhus-boern-familie, 0-4 with 0 best.
FIRST = [(3, 2), (1, 1), (1, 1), (1, 1), (0, 0), (2, 1), (2, 2), (None, None)]
#: The first factor stays put, the second falls two points.
SECOND = [(3, 2), (3, 2), (1, 1), (1, 1), (0, 0), (1, 1), (2, 2), (None, None)]
#: The child sees school much worse than the official score; the school sees health far off.
CHILD = [3, 3, 4, 1, 0, 1, 2, None]
SCHOOL = [3, 3, 1, 4, 0, 1, 2, None]


def _kinds(body: dict[str, Any]) -> dict[str, list[str]]:
    return {f["kind"]: [x["factor_key"] for x in f["why"]["factors"]] for f in body["items"]}


async def test_a_completed_round_raises_flags_the_caseworker_signs_off(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, engine: Engine
) -> None:
    await set_procedure(client, world, "kl3")
    r = await client.post(
        "/api/v1/webhooks",
        json={"url": "http://127.0.0.1:9/hooks", "events": ["case.flag_raised"]},
        headers=world.headers("client-a"),
    )
    assert r.status_code == 201, r.text
    case_id = await new_case(client, world)
    await complete_round(client, world, clock, case_id, FIRST)
    url = f"/api/v1/cases/{case_id}/flags"
    assert (await client.get(url, headers=world.headers(CW_A))).json() == {"items": [], "open": 0}

    rid = await complete_round(
        client, world, clock, case_id, SECOND, {"child": CHILD, "school": SCHOOL}
    )
    r = await client.get(url, headers=world.headers(CW_A))
    assert r.status_code == 200, r.text
    body = r.json()
    assert _kinds(body) == {
        "sharp_deterioration": ["familieforhold"],
        "informants_diverge": ["skoleforhold", "sundhedsforhold"],
        "child_sees_worse": ["skoleforhold"],
    }
    assert body["open"] == 3
    assert all(f["advisory"] and f["round_id"] == rid for f in body["items"])
    worse = next(f for f in body["items"] if f["kind"] == "sharp_deterioration")
    assert worse["why"] == {
        "threshold": 2,
        "factors": [{"factor_key": "familieforhold", "previous": 1, "official": 3, "points": 2}],
    }
    with Session(engine) as session:
        events = session.exec(
            select(OutboxMessage).where(OutboxMessage.subject == "case.flag_raised")
        ).all()
    assert sorted(int(str(e.payload["flag_id"])) for e in events) == sorted(
        f["id"] for f in body["items"]
    )

    sign = f"{url}/{worse['id']}/sign-off"
    r = await client.post(sign, json={"note": "  "}, headers=world.headers(CW_A))
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    r = await client.post(sign, json={"note": "Talt med skolen."}, headers=world.headers(LEADER_A))
    assert r.status_code == 403, r.text
    r = await client.post(sign, json={"note": "Talt med skolen."}, headers=world.headers(CW2_A))
    assert r.status_code == 404, r.text
    r = await client.post(sign, json={"note": "Talt med skolen."}, headers=world.headers(ADMIN_B))
    assert r.status_code == 404, r.text
    r = await client.post(sign, json={"note": "Talt med skolen."}, headers=world.headers(CW_A))
    assert r.status_code == 200, r.text
    assert r.json()["sign_off_note"] == "Talt med skolen."
    assert r.json()["signed_off_by_id"] == world.user(CW_A).id
    r = await client.post(sign, json={"note": "Igen."}, headers=world.headers(CW_A))
    assert r.status_code == 409 and r.json()["code"] == "flag_signed_off"
    r = await client.get(url, params={"open": "true"}, headers=world.headers(LEADER_A))
    assert r.json()["open"] == 2 and len(r.json()["items"]) == 2
    # The round's report carries the flags it raised, the signed one with its note.
    report = f"/api/v1/rounds/{rid}/report"
    r = await client.get(report, headers=world.headers(CW_A))
    assert {f["kind"]: f["sign_off_note"] for f in r.json()["flags"]} == {
        "sharp_deterioration": "Talt med skolen.",
        "informants_diverge": None,
        "child_sees_worse": None,
    }
    page = await client.get(report, params={"format": "html"}, headers=world.headers(CW_A))
    assert "Opmærksomhedspunkter" in page.text and "Talt med skolen." in page.text
    assert page.text.count("Ikke kvitteret endnu.") == 2
    history = await client.get(f"/api/v1/rounds/{rid}/history", headers=world.headers(CW_A))
    assert sorted(f["kind"] for f in history.json()["flags"]) == [
        "child_sees_worse",
        "informants_diverge",
        "sharp_deterioration",
    ]

    # A third round: the first factor has not moved for two rounds, the second has fallen
    # and then stayed.
    await complete_round(client, world, clock, case_id, SECOND)
    r = await client.get(url, params={"open": "true"}, headers=world.headers(CW_A))
    assert _kinds(r.json())["no_progress"] == ["udvikling_adfaerd", "familieforhold"]


async def test_the_thresholds_are_the_municipalitys_policy(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    await set_procedure(client, world, "kl3", flag_deterioration_points=3, flag_divergence_points=4)
    r = await client.get("/api/v1/municipality", headers=world.headers(CW_A))
    policy = r.json()["policy"]
    assert (policy["flag_deterioration_points"], policy["flag_child_gap_points"]) == (3, 2)
    case_id = await new_case(client, world)
    await complete_round(client, world, clock, case_id, FIRST)
    await complete_round(client, world, clock, case_id, SECOND, {"child": CHILD, "school": SCHOOL})
    r = await client.get(f"/api/v1/cases/{case_id}/flags", headers=world.headers(CW_A))
    assert _kinds(r.json()) == {"child_sees_worse": ["skoleforhold"]}
