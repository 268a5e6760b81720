"""The caseworker's daily work in a real browser: rounds named by their place among the
child's rounds, the cases list ordered by what needs doing, a new round that guides its
caseworker, and scores entered on an informant's behalf."""

from __future__ import annotations

import httpx
from playwright.sync_api import Browser, expect

from tests.pages import axe
from tests.pages.flows import api, complete_round, informant_link, new_round, scores
from tests.pages.test_meeting import login
from tests.world import World


def test_rounds_are_numbered_per_child_by_date_without_the_cancelled(
    live_server: str, world: World, browser: Browser
) -> None:
    with api(live_server, world) as http:
        # Another child's round first, so that database ids and the child's count differ.
        new_round(http, ref="WEB-OTHER", name="Ida")
        cancelled = new_round(http, ref="WEB-NUM", name="Valdemar")
        case_id = int(cancelled["case_id"])
        r = http.post(
            f"/rounds/{cancelled['id']}/transitions",
            json={"event": "cancel", "reason": "Oprettet ved en fejl."},
        )
        assert r.status_code == 200, r.text
        first = completed_round(http, live_server, case_id)
        follow_up = new_round(http, case_id=case_id)
        numbers = {
            r["id"]: r["number"]
            for r in http.get("/rounds", params={"case_id": case_id}).json()["items"]
        }
    assert numbers == {cancelled["id"]: None, first: 1, follow_up["id"]: 2}
    page = browser.new_page(viewport=axe.DESKTOP)
    login(page, live_server, f"/rounds/{follow_up['id']}")
    expect(page.locator("h1")).to_have_text("Opfølgning 1: Valdemar")
    page.goto(f"{live_server}/rounds/{first}")
    expect(page.locator("h1")).to_have_text("Første runde: Valdemar")
    page.goto(f"{live_server}/cases/{case_id}")
    rows = page.locator("main table tbody tr")
    expect(rows.nth(0)).to_contain_text("Opfølgning 1")
    expect(rows.nth(1)).to_contain_text("Første runde")
    expect(rows.nth(2)).to_contain_text("Annulleret runde")
    axe.check(page, "case with numbered rounds")


def completed_round(http: httpx.Client, base: str, case_id: int) -> int:
    """A round of the case with the caseworker's and the school's scores in, and its result
    set (the collection closes itself once both are in): a completed round."""
    rid = int(new_round(http, case_id=case_id)["id"])
    _, url = informant_link(http, rid, "school", "Ane Lund")
    r = httpx.post(
        f"{base}/api/v1/links/{url.rsplit('/', 1)[1]}/submission",
        json={"scores": scores([3, 3, 1, 1, 4, 0, 2, 0])},
    )
    assert r.status_code == 200, r.text
    own = http.get(f"/rounds/{rid}/informants").json()["items"][0]
    r = http.post(
        f"/rounds/{rid}/informants/{own['id']}/submission",
        json={"scores": scores([2, 3, 2, 1, 2, 0, 2, 0]), "submit": True},
    )
    assert r.status_code == 200, r.text
    complete_round(http, rid, [2, 3, 2, 1, 3, 0, 2, 0])
    return rid
