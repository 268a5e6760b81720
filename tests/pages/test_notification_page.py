"""The case page records a notification (underretning) and shows its deadlines, opens the
baseline round from it, sets the collaboration level and concern; the work list shows the
deadline at risk."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import httpx

from service.clock import FrozenClock
from tests.factories import CW_A, instrument_id
from tests.pages.test_round_measures_page import login
from tests.rounds_helpers import new_case
from tests.world import World

LOCAL = ZoneInfo("Europe/Copenhagen")


async def test_the_case_page_runs_from_the_notification(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    case_id = await new_case(client, world, ref="KOL-PAGE")
    csrf = await login(client)
    received = clock.now().astimezone(LOCAL).date() - timedelta(days=12)
    r = await client.post(
        f"/cases/{case_id}/notifications",
        data={"csrf": csrf, "received_on": received.isoformat(), "source": "school", "note": "x"},
    )
    assert r.status_code == 303, r.text
    r = await client.post(
        f"/cases/{case_id}/levels",
        data={"csrf": csrf, "kind": "collaboration", "value": "2", "note": "Skole og SFO"},
    )
    assert r.status_code == 303, r.text
    refused = await client.post(
        f"/cases/{case_id}/levels", data={"csrf": csrf, "kind": "concern", "value": "7"}
    )
    assert refused.status_code == 422

    page = (await client.get(f"/cases/{case_id}")).text
    assert "Modtaget" in page and "fra skole" in page
    assert "Plan inden for 14 dage" in page and "I fare: 2 dage tilbage" in page
    assert "to eller flere tilbud koordinerer deres indsats" in page
    work = (await client.get("/cases")).text
    assert "Frister fra underretninger" in work and "I fare: 2 dage tilbage" in work

    notification = (
        await client.get(f"/api/v1/cases/{case_id}/notifications", headers=world.headers(CW_A))
    ).json()[0]
    r = await client.post(
        f"/cases/{case_id}/notifications/{notification['id']}/baseline-round",
        data={
            "csrf": csrf,
            "instrument_id": str(await instrument_id(client, world, "aarhus-boern-familie")),
        },
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/rounds/"), r.text
    r = await client.post(
        f"/cases/{case_id}/notifications/{notification['id']}",
        data={"csrf": csrf, "field": "plan_made_on", "day": received.isoformat()},
    )
    assert r.status_code == 303, r.text
    page = (await client.get(f"/cases/{case_id}")).text
    assert "Første runde, startet ved underretningen" in page and "Nået" in page
