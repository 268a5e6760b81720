"""The forms a round's pages post about one informant (a new link, a reminder, the scores
entered on their behalf) share one preamble: a form without the session's CSRF token is
refused with 403 and changes nothing; with it, the step is taken and the page moves on."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from service.clock import FrozenClock
from tests.factories import CW_A
from tests.rounds_helpers import add_informant, issue_link, new_case, open_round
from tests.staff_browser import form_csrf, staff_browser
from tests.world import World


async def _links(client: httpx.AsyncClient, world: World, rid: int) -> list[dict[str, object]]:
    r = await client.get(f"/api/v1/rounds/{rid}/informants", headers=world.headers(CW_A))
    assert r.status_code == 200, r.text
    items: list[dict[str, object]] = r.json()["items"]
    return items


async def test_each_informant_form_checks_csrf_then_acts(
    client: httpx.AsyncClient, app: FastAPI, world: World, clock: FrozenClock
) -> None:
    rid = (await open_round(client, world, clock, await new_case(client, world)))["id"]
    school = await add_informant(client, world, rid, "school", "Lærer Ane")
    mother = await add_informant(client, world, rid, "mother", "Mor Lene")
    await issue_link(client, world, rid, school["id"])
    before = await _links(client, world, rid)
    async with staff_browser(app, CW_A) as browser:
        csrf = form_csrf((await browser.get(f"/rounds/{rid}")).text)
        posts = {
            f"/rounds/{rid}/informants/{mother['id']}/link": {"confirmed": "1"},
            f"/rounds/{rid}/informants/{school['id']}/reminder": {},
            f"/rounds/{rid}/informants/{mother['id']}/scores": {"action": "save"},
        }
        for url, fields in posts.items():
            forged = await browser.post(url, data={"csrf": "forged", **fields})
            assert forged.status_code == 403, (url, forged.text)
        assert await _links(client, world, rid) == before  # nothing changed

        link_url = f"/rounds/{rid}/informants/{mother['id']}/link"
        made = await browser.post(link_url, data={"csrf": csrf, "confirmed": "1"})
        assert (made.status_code, made.headers["location"]) == (303, f"/rounds/{rid}"), made.text
        shown = await browser.get(f"/rounds/{rid}")
        assert "Mor Lene" in shown.text and "/l/" in shown.text  # the new link, shown once
        reminder_url = f"/rounds/{rid}/informants/{school['id']}/reminder"
        reminded = await browser.post(reminder_url, data={"csrf": csrf})
        assert reminded.status_code == 303, reminded.text
        assert reminded.headers["location"] == f"/rounds/{rid}#informants"
        unknown = await browser.post(
            f"/rounds/{rid}/informants/999999/scores", data={"csrf": csrf, "action": "save"}
        )
        assert unknown.status_code == 404, unknown.text
