"""The catalogue, and a municipality's own instruments: draft, publish, versions."""

from __future__ import annotations

import httpx
import pytest

from tests.factories import ADMIN_A, CW_A, instrument_definition, instrument_id
from tests.world import World

ARHUS_FACTORS = {
    "aarhus-unge": [
        "udvikling_adfaerd",
        "familieforhold",
        "skole_beskaeftigelse",
        "sundhedsforhold",
        "fritid_venskaber",
        "hverdagsliv",
        "misbrug",
        "kriminalitet",
    ],
    "aarhus-boern-familie": [
        "udvikling_adfaerd",
        "familieforhold",
        "skoleforhold",
        "sundhedsforhold",
        "fritid_venskaber",
        "selvhjulpenhed",
        "tilknytning",
        "kriminalitet",
    ],
    "aarhus-handicap": [
        "udvikling_adfaerd",
        "familieforhold",
        "skoleforhold",
        "sundhedsforhold",
        "fritid_venskaber",
        "selvhjulpenhed",
        "livsduelighed",
        "kommunikation",
    ],
}


async def test_catalogue_holds_the_aarhus_forms_and_kl_variants(
    client: httpx.AsyncClient, world: World
) -> None:
    r = await client.get("/api/v1/instruments", headers=world.headers(CW_A))
    items = {i["key"]: i for i in r.json()["items"]}
    assert set(items) == {*ARHUS_FACTORS, "kl-unge", "kl-boern-familie", "kl-handicap"}
    assert all(i["catalogue"] and i["status"] == "published" for i in items.values())
    assert items["kl-boern-familie"]["in_use"] and not items["kl-unge"]["in_use"]
    for key, factors in ARHUS_FACTORS.items():
        full = (
            await client.get(f"/api/v1/instruments/{items[key]['id']}", headers=world.headers(CW_A))
        ).json()
        assert (
            full["scale"]["min"] == 0
            and full["scale"]["max"] == 4
            and full["scale"]["best_end"] == "low"
        )
        assert [f["key"] for f in full["factors"]] == factors
        assert full["free_text_per_factor"] is False
        kl_key = key.replace("aarhus", "kl")
        kl = (
            await client.get(
                f"/api/v1/instruments/{items[kl_key]['id']}", headers=world.headers(CW_A)
            )
        ).json()
        assert (kl["scale"]["min"], kl["scale"]["max"], kl["scale"]["best_end"]) == (1, 5, "low")
        assert kl["free_text_per_factor"] is True
        kl_keys = [f["key"] for f in kl["factors"]]
        assert "familieforhold" not in kl_keys
        assert kl_keys[1:4] == ["relation_mor", "relation_far", "relation_soeskende"]
        assert len(kl_keys) == 10
        for instrument in (full, kl):
            points = list(range(instrument["scale"]["min"], instrument["scale"]["max"] + 1))
            assert [lab["value"] for lab in instrument["scale"]["labels"]] == points
            for factor in instrument["factors"]:
                assert [g["value"] for g in factor["guidance"]] == points
                assert all(
                    g["text_da"] and g["text_en"] and g["text_da"] != g["text_en"]
                    for g in factor["guidance"]
                )
        # The best point carries the 'no problem' guidance on both scales.
        assert (
            full["factors"][0]["guidance"][0]["text_en"]
            == kl["factors"][0]["guidance"][0]["text_en"]
        )
        assert full["scale"]["labels"][0]["label_en"] == "No problems"


async def test_own_instrument_lifecycle(client: httpx.AsyncClient, world: World) -> None:
    admin = world.headers(ADMIN_A)
    r = await client.post("/api/v1/instruments", json=instrument_definition(), headers=admin)
    assert r.status_code == 201, r.text
    draft = r.json()
    assert (draft["status"], draft["version"], draft["catalogue"]) == ("draft", 1, False)
    # A draft can be replaced.
    changed = instrument_definition(name_en="Changed")
    r = await client.put(f"/api/v1/instruments/{draft['id']}", json=changed, headers=admin)
    assert r.status_code == 200 and r.json()["name_en"] == "Changed"
    # Publishing freezes it.
    r = await client.post(f"/api/v1/instruments/{draft['id']}/publish", headers=admin)
    assert r.status_code == 200 and r.json()["status"] == "published"
    r = await client.put(
        f"/api/v1/instruments/{draft['id']}",
        json=instrument_definition(name_en="Again"),
        headers=admin,
    )
    assert r.status_code == 409
    assert r.json()["code"] == "instrument_published"
    again = await client.get(f"/api/v1/instruments/{draft['id']}", headers=admin)
    assert again.json()["name_en"] == "Changed"
    # A new version is a new row.
    r = await client.post(f"/api/v1/instruments/{draft['id']}/versions", headers=admin)
    assert r.status_code == 201
    v2 = r.json()
    assert v2["id"] != draft["id"] and v2["version"] == 2 and v2["status"] == "draft"
    assert [f["key"] for f in v2["factors"]] == ["trivsel", "skole", "venner"]
    # Only one draft at a time.
    r = await client.post("/api/v1/instruments", json=instrument_definition(), headers=admin)
    assert r.status_code == 409
    # Put in use once published.
    r = await client.patch(
        "/api/v1/municipality/policy", json={"instruments_in_use": ["egen-trivsel"]}, headers=admin
    )
    assert r.status_code == 200
    assert r.json()["policy"]["instruments_in_use"] == ["egen-trivsel"]


async def test_catalogue_is_read_only(client: httpx.AsyncClient, world: World) -> None:
    admin = world.headers(ADMIN_A)
    kl = await instrument_id(client, world, "kl-unge", ADMIN_A)
    r = await client.put(
        f"/api/v1/instruments/{kl}", json=instrument_definition(key="kl-unge"), headers=admin
    )
    assert r.status_code == 403
    r = await client.post(
        "/api/v1/instruments", json=instrument_definition(key="kl-unge"), headers=admin
    )
    assert r.status_code == 409


async def test_only_administrators_define_instruments(
    client: httpx.AsyncClient, world: World
) -> None:
    r = await client.post(
        "/api/v1/instruments", json=instrument_definition(), headers=world.headers(CW_A)
    )
    assert r.status_code == 403


async def test_a_scale_with_high_as_best_and_other_range(
    client: httpx.AsyncClient, world: World
) -> None:
    body = instrument_definition(key="linealen", points=range(1, 11), best_end="high")
    r = await client.post("/api/v1/instruments", json=body, headers=world.headers(ADMIN_A))
    assert r.status_code == 201, r.text
    assert r.json()["scale"] == {"min": 1, "max": 10, "best_end": "high", "labels": []}


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d["factors"][0]["guidance"].pop(),  # a point without guidance
        lambda d: d["factors"][1].update(key=d["factors"][0]["key"]),  # duplicate factor
        lambda d: d["scale"].update(min=5, max=1),  # empty scale
        lambda d: d["scale"].update(best_end="middle"),
        lambda d: d.update(factors=[]),
        lambda d: d.update(key="Has Spaces"),
        lambda d: d.update(name_da="x" * 201),
    ],
)
async def test_invalid_definitions_are_refused(
    client: httpx.AsyncClient, world: World, mutate: object
) -> None:
    body = instrument_definition()
    mutate(body)  # type: ignore[operator]
    r = await client.post("/api/v1/instruments", json=body, headers=world.headers(ADMIN_A))
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "validation_failed"


async def test_policy_refuses_unknown_instruments(client: httpx.AsyncClient, world: World) -> None:
    r = await client.patch(
        "/api/v1/municipality/policy",
        json={"instruments_in_use": ["nope"]},
        headers=world.headers(ADMIN_A),
    )
    assert r.status_code == 422
    assert r.json()["code"] == "instrument_not_published"
    r = await client.get("/api/v1/municipality", headers=world.headers(ADMIN_A))
    assert r.json()["policy"]["instruments_in_use"] == ["aarhus-boern-familie", "kl-boern-familie"]
