"""The leader's page on the demo data: real figures as a chart and a table, at least one
suppressed cell, and the table as CSV."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import Engine

from service.demo import demo_logins, load_demo


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found
    return found.group(1)


async def test_the_demo_leader_sees_figures_a_chart_and_a_suppressed_cell(
    client: httpx.AsyncClient, engine: Engine
) -> None:
    load_demo(engine)
    leader = next(login for login in demo_logins() if login.role == "team_leader")
    login = await client.get("/login")
    r = await client.post(
        "/login",
        data={"csrf": _csrf(login.text), "username": leader.username, "password": leader.password},
    )
    assert r.status_code == 303
    page = await client.get("/reports", params={"group_by": "provider"})
    assert page.status_code == 200
    assert "<svg" in page.text and 'class="chart bar-chart"' in page.text
    assert 'class="suppressed"' in page.text
    assert "Målopfyldelse" in page.text and "Datakvalitet" in page.text
    counts = re.findall(r"<td>(\d+)</td>", page.text)
    assert sum(int(n) for n in counts) > 0
    exported = await client.get("/reports/outcomes.csv", params={"group_by": "provider"})
    assert exported.status_code == 200 and exported.text.startswith("group,label,")
    assert ",," in exported.text  # a suppressed count is an empty field
    for group in ("measure_category", "measure_type", "team", "age_band", "procedure", "period"):
        assert (await client.get("/reports", params={"group_by": group})).status_code == 200
