"""The drift pages on the demo data, and the compliance page beside the data quality: the caseworker's own "Min scoring over tid" shows her
figures in words, reachable from her navigation; the leader's spread names nobody and hides a
factor with fewer caseworkers than the smallest group; a caseworker cannot open the spread."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import Engine

from service.demo import demo_logins, load_demo
from tests.factories import LEADER_A
from tests.rounds_helpers import staff_login
from tests.world import World


async def _login(client: httpx.AsyncClient, role: str) -> None:
    who = next(login for login in demo_logins() if login.role == role)
    page = await client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    r = await client.post(
        "/login", data={"csrf": csrf.group(1), "username": who.username, "password": who.password}
    )
    assert r.status_code == 303, r.text


async def test_the_caseworker_sees_her_own_drift_and_the_leader_only_the_spread(
    client: httpx.AsyncClient, engine: Engine
) -> None:
    load_demo(engine)
    await _login(client, "caseworker")
    cases = await client.get("/cases")
    assert 'href="/my-scoring"' in cases.text
    page = await client.get("/my-scoring", params={"period": "year"})
    assert page.status_code == 200, page.text
    assert "Min scoring over tid" in page.text
    assert "Kun du kan se disse tal." in page.text
    assert re.search(r"point mere (håbefuldt|bekymret) end informanternes median", page.text)
    assert (await client.get("/reports/drift-spread")).status_code == 403

    client.cookies.clear()
    await _login(client, "team_leader")
    page = await client.get("/reports/drift-spread")
    assert page.status_code == 200, page.text
    assert "Teamets spredning i scoring" in page.text
    assert 'class="suppressed"' in page.text  # one caseworker in the demo's team
    caseworker = next(login for login in demo_logins() if login.role == "caseworker")
    assert caseworker.username not in page.text and "Sara Sagsbehandler" not in page.text


async def test_the_compliance_page_is_reached_from_the_data_quality(
    client: httpx.AsyncClient, world: World
) -> None:
    await staff_login(client, LEADER_A)
    reports = await client.get("/reports")
    assert 'href="/reports/compliance"' in reports.text
    page = await client.get("/reports/compliance")
    assert page.status_code == 200, page.text
    assert "Procedurefølgning" in page.text and "14 dage efter fristen" in page.text
