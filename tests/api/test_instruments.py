"""The catalogue, and a municipality's own instruments: draft, publish, versions."""

from __future__ import annotations

import httpx
import pytest

from service.clock import FrozenClock
from tests.factories import ADMIN_A, CW_A, instrument_definition, instrument_id
from tests.rounds_helpers import add_informant, entries, issue_link, new_case, open_round
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


async def test_a_form_without_free_text_per_factor_has_no_comment_box(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    """The original Århus forms have no comment with each score (KL recommends adding one):
    their form shows no box, a comment posted to it is not kept, and the API refuses one."""
    rnd = await open_round(client, world, clock, await new_case(client, world))
    school = await add_informant(client, world, rnd["id"], "school", "Lærer Ane")
    token = await issue_link(client, world, rnd["id"], school["id"])
    form = (await client.get(f"/api/v1/links/{token}")).json()
    assert form["instrument"]["free_text_per_factor"] is False
    page = await client.get(f"/l/{token}")
    assert page.status_code == 200 and 'name="comment-' not in page.text
    scores = entries([2] * 8, comment="Uro i timerne.")
    for path in ("draft", "submission"):
        r = await client.post(f"/api/v1/links/{token}/{path}", json={"scores": scores})
        assert (r.status_code, r.json()["code"]) == (422, "comment_not_taken"), r.text
        assert {e["loc"][-1] for e in r.json()["errors"]} == {"comment"}
    assert (
        await client.post(f"/api/v1/links/{token}/submission", json={"scores": entries([2] * 8)})
    ).status_code == 200


async def test_the_forms_say_whose_words_the_guidance_is_and_a_municipality_loads_its_own(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    """The shipped forms' guidance is this service's own wording of the Århus factors, and the
    form says so; a municipality that holds the licence for the original forms loads them as
    its own instrument (draft, publish, put in use), and that form claims no such thing."""
    rnd = await open_round(client, world, clock, await new_case(client, world))
    school = await add_informant(client, world, rnd["id"], "school", "Lærer Ane")
    token = await issue_link(client, world, rnd["id"], school["id"])
    assert (await client.get(f"/api/v1/links/{token}")).json()["instrument"]["catalogue"] is True
    page = await client.get(f"/l/{token}")
    assert "egen formulering af faktorerne i Århus-konceptet" in page.text
    assert "En kommune, der har licens til dem, kan lægge dem ind som sit eget skema." in page.text
    # The licensed original, loaded by the municipality with its own guidance text.
    admin = world.headers(ADMIN_A)
    original = instrument_definition(key="aarhus-original", points=range(0, 5))
    original["free_text_per_factor"] = False
    r = await client.post("/api/v1/instruments", json=original, headers=admin)
    assert r.status_code == 201, r.text
    iid = r.json()["id"]
    assert (await client.post(f"/api/v1/instruments/{iid}/publish", headers=admin)).is_success
    r = await client.patch(
        "/api/v1/municipality/policy",
        json={"instruments_in_use": ["aarhus-boern-familie", "aarhus-original"]},
        headers=admin,
    )
    assert r.status_code == 200, r.text
    own = await open_round(
        client, world, clock, await new_case(client, world, ref="DUBU-OWN"), instrument_id=iid
    )
    teacher = await add_informant(client, world, own["id"], "school", "Lærer Bo")
    own_token = await issue_link(client, world, own["id"], teacher["id"])
    form = (await client.get(f"/api/v1/links/{own_token}")).json()["instrument"]
    assert (form["catalogue"], form["key"]) == (False, "aarhus-original")
    assert "egen formulering" not in (await client.get(f"/l/{own_token}")).text
