"""A measure's kind in barnets lov (LBK nr. 282 af 17/03/2025): § 30 early preventive, § 32
supportive, §§ 37-41 supportive without consent, § 46 and § 47 placements. Reports group by
it; a placement's consent is never guessed."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from service.models.case import CATEGORIES, MeasureType
from tests.factories import CW_A, create_case
from tests.world import World


async def _measure(
    client: httpx.AsyncClient, world: World, case_id: int, **fields: Any
) -> httpx.Response:
    return await client.post(
        f"/api/v1/cases/{case_id}/measures",
        json={"start_date": "2026-01-05", **fields},
        headers=world.headers(CW_A),
    )


@pytest.mark.parametrize(
    ("kind", "category", "paragraph"),
    [
        ("preventive", "early_preventive", "§ 30"),
        ("home_based_support", "supportive", "§ 32, stk. 1"),
        ("contact_person", "supportive", "§ 32, stk. 1"),
    ],
)
async def test_a_measure_with_one_sensible_provision_gets_it(
    client: httpx.AsyncClient, world: World, kind: str, category: str, paragraph: str
) -> None:
    case = await create_case(client, world)
    r = await _measure(client, world, case["id"], type=kind)
    assert r.status_code == 201, r.text
    assert (r.json()["category"], r.json()["paragraph"]) == (category, paragraph)


async def test_a_placement_says_whether_it_has_consent(
    client: httpx.AsyncClient, world: World
) -> None:
    case = await create_case(client, world)
    unsaid = await _measure(client, world, case["id"], type="foster_care")
    assert (unsaid.status_code, unsaid.json()["code"]) == (422, "category_required")
    assert "placement_without_consent" in unsaid.json()["allowed"]
    r = await _measure(
        client, world, case["id"], type="foster_care", category="placement_without_consent"
    )
    assert (r.json()["category"], r.json()["paragraph"]) == ("placement_without_consent", "§ 47")
    wrong = await _measure(
        client, world, case["id"], type="preventive", category="placement_with_consent"
    )
    assert (wrong.status_code, wrong.json()["code"]) == (422, "category_not_for_type")
    changed = await client.patch(
        f"/api/v1/cases/{case['id']}/measures/{r.json()['id']}",
        json={"category": "placement_with_consent"},
        headers=world.headers(CW_A),
    )
    assert (changed.json()["category"], changed.json()["paragraph"]) == (
        "placement_with_consent",
        "§ 46",
    )
    listing = await client.get(f"/api/v1/cases/{case['id']}/measures", headers=world.headers(CW_A))
    assert {m["category"] for m in listing.json()["items"]} == {"placement_with_consent"}


def test_every_kind_of_measure_has_its_provisions() -> None:
    for kind in MeasureType:
        allowed, default = CATEGORIES[kind]
        assert allowed, kind
        assert default is None or default in allowed, kind
