"""The case page shows the case's advisory flags, each saying it is advisory and why, and lets
the caseworker sign one off with a note; the work lists count the open ones."""

from __future__ import annotations

import html

import httpx

from service.clock import FrozenClock, local_date
from tests.api.test_flags import CHILD, FIRST, SCHOOL, SECOND
from tests.factories import LEADER_A
from tests.pages.test_round_measures_page import login
from tests.rounds_helpers import complete_round, new_case, set_procedure
from tests.world import World


async def test_the_caseworker_reads_and_signs_off_flags_on_the_case_page(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    await set_procedure(client, world, "kl3")
    case_id = await new_case(client, world)
    await complete_round(client, world, clock, case_id, FIRST)
    await complete_round(client, world, clock, case_id, SECOND, {"child": CHILD, "school": SCHOOL})
    csrf = await login(client)
    cases = html.unescape((await client.get("/cases")).text)
    assert "3 åbne opmærksomhedspunkter" in cases
    page = html.unescape((await client.get(f"/cases/{case_id}")).text)
    flags = page.split('id="flags"')[1].split("</section>")[0]
    assert "vejledende" in flags
    assert "Markant forværring" in flags
    assert "Familieforhold: fra 1 til 3, 2 point værre" in flags
    assert "Barnet ser det værre" in flags
    assert flags.count('name="note"') == 3
    action = flags.split('<form method="post" action="')[1].split('"')[0]

    r = await client.post(action, data={"csrf": csrf, "note": " "})
    assert r.status_code == 422
    r = await client.post(action, data={"csrf": csrf, "note": "Aftalt opfølgning med skolen."})
    assert r.status_code == 303, r.text
    page = html.unescape((await client.get(f"/cases/{case_id}")).text)
    flags = page.split('id="flags"')[1].split("</section>")[0]
    assert "Aftalt opfølgning med skolen." in flags and flags.count('name="note"') == 2

    await client.post("/logout", data={"csrf": csrf})
    await login(client, LEADER_A)
    cases = html.unescape((await client.get("/cases")).text)
    assert "2 åbne opmærksomhedspunkter" in cases
    page = html.unescape((await client.get(f"/cases/{case_id}")).text)
    assert 'name="note"' not in page.split('id="flags"')[1].split("</section>")[0]


async def test_the_round_page_records_and_amends_the_decision_it_led_to(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    await set_procedure(client, world, "kl3")
    case_id = await new_case(client, world)
    rid = await complete_round(client, world, clock, case_id, FIRST, days_after=0)
    csrf = await login(client)
    page = html.unescape((await client.get(f"/rounds/{rid}")).text)
    assert "Beslutning om indsatsen" in page and "Der er ikke skrevet en beslutning endnu." in page
    form = {"csrf": csrf, "outcome": "adjust", "decided_by": "meeting", "measure_id": ""}
    # The caseworker's today: between 23 and 24 o'clock UTC it is already tomorrow in Denmark.
    today = local_date(clock.now()).isoformat()
    r = await client.post(f"/rounds/{rid}/decisions", data={**form, "decided_on": today})
    assert r.status_code == 422  # no reason given
    r = await client.post(
        f"/rounds/{rid}/decisions",
        data={**form, "decided_on": today, "reason": "Flere timer i hjemmet."},
    )
    assert r.status_code == 303, r.text
    r = await client.post(
        f"/rounds/{rid}/decisions",
        data={**form, "outcome": "end", "decided_on": today, "reason": "Målene er nået."},
    )
    page = html.unescape((await client.get(f"/rounds/{rid}")).text)
    section = page.split('id="decision"')[1].split("<form")[0]
    assert "Afslutte indsatsen" in section and "Målene er nået." in section
    assert "1 tidligere beslutning" in section and "Flere timer i hjemmet." in section
