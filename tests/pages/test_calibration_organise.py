"""Those who organise calibration do it on the pages: a vignette written on the instrument's own
form with the reference and its rationale per factor, and an exercise opened on it for a
team. A refused form keeps what was typed and stores nothing; a caseworker organises nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx

from service.clock import FrozenClock
from tests.api.test_calibration import FACTORS, REFERENCE
from tests.factories import ADMIN_A, CW_A, LEADER_A, instrument_id
from tests.pages.test_round_measures_page import login
from tests.world import World

VIGNETTES = "/api/v1/calibration/vignettes"


def _reference_fields(values: list[int | None]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for key, value in zip(FACTORS, values, strict=True):
        fields[f"score-{key}"] = "na" if value is None else str(value)
        fields[f"comment-{key}"] = f"Begrundelse for {key}"
    return fields


async def test_the_leader_writes_a_vignette_and_opens_an_exercise_on_it(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    form_id = await instrument_id(client, world, "aarhus-boern-familie")
    csrf = await login(client, LEADER_A)
    listing = await client.get("/calibration")
    assert 'href="/calibration/vignettes/new"' in listing.text
    assert "Der er endnu ingen vignetter" in listing.text

    chooser = await client.get("/calibration/vignettes/new")
    assert chooser.status_code == 200 and f'<option value="{form_id}">' in chooser.text
    page = await client.get(f"/calibration/vignettes/new?instrument_id={form_id}")
    assert page.status_code == 200
    assert all(f'name="score-{key}"' in page.text for key in FACTORS)
    assert "Begrundelse for referencen" in page.text and 'name="goal-' not in page.text

    typed = {
        "csrf": csrf,
        "instrument_id": str(form_id),
        "title": "Emil, 7 år",
        "story": "Emil bor hos sin mor.\n\nHan går i 1. klasse.",
    }
    # One factor left without a reference: refused, nothing stored, everything kept.
    incomplete = {**typed, **_reference_fields(REFERENCE)}
    del incomplete["score-kriminalitet"]
    refused = await client.post("/calibration/vignettes/new", data=incomplete)
    assert refused.status_code == 422 and 'id="error-summary"' in refused.text
    assert "Emil bor hos sin mor." in refused.text
    assert "Begrundelse for familieforhold" in refused.text
    assert re.search(r'name="score-familieforhold" value="3"[^>]* checked', refused.text)
    assert (await client.get(VIGNETTES, headers=world.headers(LEADER_A))).json()["items"] == []

    saved = await client.post(
        "/calibration/vignettes/new", data={**typed, **_reference_fields(REFERENCE)}
    )
    assert saved.status_code == 303, saved.text
    assert "Vignetten er gemt" in (await client.get("/calibration")).text
    [vignette] = (await client.get(VIGNETTES, headers=world.headers(LEADER_A))).json()["items"]
    assert [r["score"] for r in vignette["references"]] == REFERENCE
    assert vignette["references"][1]["rationale"] == "Begrundelse for familieforhold"

    team_id = world.user(LEADER_A).team_id
    exercise = {
        "csrf": csrf,
        "vignette_id": str(vignette["id"]),
        "title": "Kalibrering i januar",
        "closes_on": (clock.now() - timedelta(days=1)).date().isoformat(),
        "team_id": str(team_id),
    }
    past = await client.post("/calibration/exercises", data=exercise)
    assert past.status_code == 422 and 'href="#exercise-closes_on"' in past.text
    assert 'value="Kalibrering i januar"' in past.text
    exercise["closes_on"] = (clock.now() + timedelta(days=7)).date().isoformat()
    opened = await client.post("/calibration/exercises", data=exercise)
    assert opened.status_code == 303, opened.text
    assert re.fullmatch(r"/calibration/\d+", opened.headers["location"])
    r = await client.get("/api/v1/calibration/exercises", headers=world.headers(LEADER_A))
    [made] = r.json()["items"]
    assert (made["title"], made["team_id"], made["vignette_id"]) == (
        "Kalibrering i januar",
        team_id,
        vignette["id"],
    )


async def test_a_caseworker_organises_nothing(client: httpx.AsyncClient, world: World) -> None:
    form_id = await instrument_id(client, world, "aarhus-boern-familie")
    csrf = await login(client, CW_A)
    assert 'href="/calibration/vignettes/new"' not in (await client.get("/calibration")).text
    assert (await client.get("/calibration/vignettes/new")).status_code == 403
    data = {"csrf": csrf, "instrument_id": str(form_id), "title": "X", "story": "Y"}
    data |= _reference_fields(REFERENCE)
    assert (await client.post("/calibration/vignettes/new", data=data)).status_code == 403
    assert (await client.get(VIGNETTES, headers=world.headers(ADMIN_A))).json()["items"] == []
