"""Plain factory functions that go through the API, as a caller would."""

from __future__ import annotations

from typing import Any

import httpx

from tests.world import World

CW_A = "cw.a@aarhus.example.dk"
CW2_A = "cw2.a@aarhus.example.dk"
LEADER_A = "leader.a@aarhus.example.dk"
ADMIN_A = "admin.a@aarhus.example.dk"
CW_B = "cw.b@kolding.example.dk"
ADMIN_B = "admin.b@kolding.example.dk"


async def create_case(
    client: httpx.AsyncClient, world: World, who: str = CW_A, **fields: Any
) -> dict[str, Any]:
    body = {"external_ref": "DUBU-1", "display_name": "Emma", "birth_year": 2015, **fields}
    r = await client.post("/api/v1/cases", json=body, headers=world.headers(who))
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()
    return data


def instrument_definition(
    key: str = "egen-trivsel", points: range = range(1, 6), **fields: Any
) -> dict[str, Any]:
    """A small custom instrument (three factors) on the given scale."""
    return {
        "key": key,
        "name_da": "Egen trivselsskala",
        "name_en": "Own well-being scale",
        "scale": {
            "min": points.start,
            "max": points.stop - 1,
            "best_end": fields.pop("best_end", "low"),
        },
        "factors": [
            {
                "key": factor,
                "name_da": factor.title(),
                "name_en": factor.title(),
                "guidance": [
                    {"value": v, "text_da": f"{factor} {v}", "text_en": f"{factor} {v}"}
                    for v in points
                ],
            }
            for factor in ("trivsel", "skole", "venner")
        ],
        **fields,
    }


async def instrument_id(client: httpx.AsyncClient, world: World, key: str, who: str = CW_A) -> int:
    r = await client.get("/api/v1/instruments", params={"limit": 200}, headers=world.headers(who))
    assert r.status_code == 200, r.text
    matches = [i["id"] for i in r.json()["items"] if i["key"] == key]
    assert matches, key
    return int(max(matches))
