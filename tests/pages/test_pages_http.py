"""The pages over HTTP: security headers, plain pages for dead links, CSRF, refusals."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx

from service.clock import FrozenClock
from tests.factories import CW_A, LEADER_A
from tests.pages.test_round_measures_page import login
from tests.rounds_helpers import add_informant, issue_link, new_case, open_round
from tests.world import PASSWORD, World


async def _link(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> tuple[int, int, str]:
    rnd = await open_round(client, world, clock, await new_case(client, world))
    school = await add_informant(client, world, rnd["id"], "school", "Lærer Ane")
    return rnd["id"], school["id"], await issue_link(client, world, rnd["id"], school["id"])


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field in the form"
    return found.group(1)


async def test_link_page_headers_and_scanner_safety(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    _, _, token = await _link(client, world, clock)
    for method in ("GET", "HEAD", "GET"):
        r = await client.request(method, f"/l/{token}")
        assert r.status_code == 200
        assert r.headers["referrer-policy"] == "no-referrer"
        assert r.headers["cache-control"] == "no-store"
        assert r.headers["x-frame-options"] == "DENY"
        csp = r.headers["content-security-policy"]
        assert (
            "frame-ancestors 'none'" in csp
            and "script-src 'self'" in csp
            and "unsafe-inline" not in csp
        )
    page = (await client.get(f"/l/{token}")).text
    assert "<script>" not in page and " style=" not in page  # nothing inline for the CSP to allow
    assert 'lang="da"' in page and "Emma" in page


async def test_dead_links_get_a_plain_page(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    rid, iid, token = await _link(client, world, clock)
    unknown = await client.get("/l/not-a-real-token-aaaaaaaaaaaaaaaaaaaaa")
    assert unknown.status_code == 404 and "Vi kender ikke linket" in unknown.text
    await client.post(
        f"/api/v1/rounds/{rid}/informants/{iid}/link/revoke", headers=world.headers(CW_A)
    )
    revoked = await client.get(f"/l/{token}")
    assert revoked.status_code == 410
    assert "lukket linket" in revoked.text
    assert "Emma" not in revoked.text and "Aarhus" not in revoked.text  # nothing about the round
    fresh = await issue_link(client, world, rid, iid)
    clock.advance(timedelta(days=30))
    expired = await client.get(f"/l/{fresh}?lang=en")
    assert expired.status_code == 410 and "expired" in expired.text


async def test_refused_form_keeps_what_was_typed(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    _, _, token = await _link(client, world, clock)
    csrf = _csrf((await client.get(f"/l/{token}")).text)
    form = {
        "csrf": csrf,
        "action": "submit",
        "score-udvikling_adfaerd": "2",
        "goal-udvikling_adfaerd": "3",
        # The Århus form has no comment box: a comment posted anyway is not kept.
        "comment-udvikling_adfaerd": "Bedre om morgenen",
        "score-skoleforhold": "9",
    }
    r = await client.post(f"/l/{token}", data=form)
    assert r.status_code == 422
    assert "<title>Fejl: " in r.text
    assert "Vælg et punkt på skalaen" in r.text
    assert "Bedre om morgenen" not in r.text and 'name="comment-' not in r.text
    assert re.search(r'value="2"[^>]*\schecked', r.text)
    # Nothing was stored.
    assert (await client.get(f"/api/v1/links/{token}")).json()["submission"] is None
    no_csrf = await client.post(f"/l/{token}", data={**form, "csrf": "forged"})
    assert no_csrf.status_code == 403
    # A draft keeps the goal worse than its score; submitting refuses it beside the goal.
    draft = {k: v for k, v in form.items() if k != "score-skoleforhold"} | {"action": "draft"}
    assert (await client.post(f"/l/{token}", data=draft)).status_code == 303
    stored = (await client.get(f"/api/v1/links/{token}")).json()["submission"]["scores"]
    assert [(s["score"], s["goal"]) for s in stored] == [(2, 3)]
    refused = await client.post(f"/l/{token}", data={**draft, "action": "submit"})
    assert refused.status_code == 422
    assert 'href="#goal-udvikling_adfaerd"' in refused.text
    assert "Målet må ikke være dårligere" in refused.text


async def test_autosave_answers_with_a_status_line(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    _, _, token = await _link(client, world, clock)
    csrf = _csrf((await client.get(f"/l/{token}")).text)
    r = await client.post(
        f"/l/{token}",
        data={"csrf": csrf, "action": "autosave", "score-skoleforhold": "1"},
    )
    assert r.status_code == 200
    assert r.json()["saved"] is True and r.json()["answered"] == 1
    assert "Du har svaret på 1 af 8. 7 områder mangler." in r.json()["message"]
    english = await client.post(
        f"/l/{token}?lang=en",
        data={
            "csrf": csrf,
            "action": "autosave",
            "score-skoleforhold": "1",
            "score-kriminalitet": "na",
        },
    )
    assert "You have answered 2 of 8. 6 areas to go." in english.json()["message"]


async def test_staff_pages_need_a_login_and_csrf(client: httpx.AsyncClient, world: World) -> None:
    r = await client.get("/cases")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    login = await client.get("/login")
    csrf = _csrf(login.text)
    forged = await client.post("/login", data={"csrf": "x", "username": CW_A, "password": PASSWORD})
    assert forged.status_code == 403
    wrong = await client.post(
        "/login", data={"csrf": csrf, "username": CW_A, "password": "nope nope nope"}
    )
    assert wrong.status_code == 400 and "Forkert brugernavn" in wrong.text
    ok = await client.post(
        "/login", data={"csrf": csrf, "username": CW_A, "password": PASSWORD, "next": "/cases"}
    )
    assert ok.status_code == 303
    cookie = ok.headers["set-cookie"]
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    cases = await client.get("/cases")
    assert cases.status_code == 200 and "Mine sager" in cases.text


async def test_every_page_names_an_icon_that_is_there(client: httpx.AsyncClient) -> None:
    """Without one, every page's visit asked for /favicon.ico and got a 404."""
    page = (await client.get("/login")).text
    found = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page)
    assert found, "no icon named"
    icon = await client.get(found.group(1))
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.text.startswith("<svg")


async def test_a_page_address_with_an_unknown_choice_is_a_page_that_says_so(
    client: httpx.AsyncClient, world: World
) -> None:
    """An old bookmark or a filter edited by hand: the reader's language on a page, not the
    API's problem document (which the API keeps)."""
    await login(client, LEADER_A)
    r = await client.get("/reports?group_by=bogus", headers={"Accept": "text/html"})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("text/html")
    assert "Adressen indeholder et valg, som siden ikke kender." in r.text
    r = await client.get("/reports?group_by=bogus&lang=en", headers={"Accept": "text/html"})
    assert "The address holds a choice this page does not know." in r.text
    api = await client.get(
        "/api/v1/reports/outcomes?group_by=bogus",
        headers={**world.headers(LEADER_A), "Accept": "text/html"},
    )
    assert api.status_code == 422
    assert api.headers["content-type"] == "application/problem+json"
