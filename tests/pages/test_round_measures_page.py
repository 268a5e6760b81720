"""The round page shows the measures the round evaluates and changes them until it is finished."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx

from service.clock import FrozenClock
from tests.factories import CW_A
from tests.rounds_helpers import new_case, open_round
from tests.world import PASSWORD, World


async def login(client: httpx.AsyncClient, who: str = CW_A) -> str:
    """Log in on the pages; returns the session's CSRF token."""
    page = await client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    r = await client.post(
        "/login", data={"csrf": csrf.group(1), "username": who, "password": PASSWORD}
    )
    assert r.status_code == 303, r.text
    cases = await client.get("/cases")
    found = re.search(r'name="csrf" value="([^"]+)"', cases.text)
    assert found
    return found.group(1)


async def test_round_page_shows_and_changes_the_measures(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    case_id = await new_case(client, world)
    today = clock.now().date()
    made = []
    for kind, start in (
        ("foster_care", today - timedelta(days=30)),
        ("contact_person", today - timedelta(days=500)),
    ):
        r = await client.post(
            f"/api/v1/cases/{case_id}/measures",
            json={
                "type": kind,
                "category": "placement_with_consent" if kind == "foster_care" else "supportive",
                "start_date": start.isoformat(),
                "end_date": None
                if kind == "foster_care"
                else (today - timedelta(days=400)).isoformat(),
            },
            headers=world.headers(CW_A),
        )
        made.append(r.json()["id"])
    rnd = await open_round(client, world, clock, case_id)
    csrf = await login(client)
    page = (await client.get(f"/rounds/{rnd['id']}")).text
    section = page.split('id="measures-heading"')[1].split("</section>")[0]
    listed = section.split("<details>")[0]
    assert "Anbringelse i plejefamilie" in listed and "Fast kontaktperson" not in listed
    assert "Fast kontaktperson" in section  # offered in the form
    r = await client.post(
        f"/rounds/{rnd['id']}/measures",
        data={"csrf": csrf, "measure": [str(made[0]), str(made[1])]},
    )
    assert r.status_code == 303, r.text
    after = await client.get(f"/api/v1/rounds/{rnd['id']}", headers=world.headers(CW_A))
    assert {m["measure_id"] for m in after.json()["measures"]} == set(made)
    forged = await client.post(f"/rounds/{rnd['id']}/measures", data={"csrf": "x", "measure": []})
    assert forged.status_code == 403
