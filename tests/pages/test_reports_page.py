"""The leader's page on the demo data: real figures as a chart and a table, at least one
suppressed cell, and the table as CSV."""

from __future__ import annotations

import csv
import io
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


async def _leader(client: httpx.AsyncClient, engine: Engine) -> None:
    load_demo(engine)
    leader = next(login for login in demo_logins() if login.role == "team_leader")
    login = await client.get("/login")
    r = await client.post(
        "/login",
        data={"csrf": _csrf(login.text), "username": leader.username, "password": leader.password},
    )
    assert r.status_code == 303


async def test_the_demo_leader_sees_who_sees_the_child_differently(
    client: httpx.AsyncClient, engine: Engine
) -> None:
    await _leader(client, engine)
    page = await client.get("/reports/disagreement", params={"period": "quarter"})
    assert page.status_code == 200
    assert 'class="chart series-chart"' in page.text and "<polyline" in page.text
    assert "Hvem ser barnet anderledes" in page.text and "Skole" in page.text
    assert 'class="suppressed"' in page.text
    means = re.findall(r"<td>(\d\.\d\d) <span class=\"direction\">", page.text)
    assert means, "no mean distance is shown"
    exported = await client.get("/reports/disagreement.csv", params={"period": "quarter"})
    assert exported.status_code == 200
    assert exported.text.startswith("role,period,scores,mean_distance,mean_towards_worse")
    assert ",,," in exported.text  # a suppressed figure is an empty field
    for period in ("quarter", "half_year", "year"):
        r = await client.get("/reports/disagreement", params={"period": period})
        assert r.status_code == 200
        exported = await client.get("/reports/disagreement.csv", params={"period": period})
        lines = list(csv.reader(io.StringIO(exported.text)))
        # A period without scores says so; it is not a distance of 0, nor hidden.
        empty = [line for line in lines[1:] if line[1] != "total" and line[2] == "0"]
        assert r.text.count("Ingen scorer i perioden") == len(empty)


async def test_the_demo_leader_sees_the_childs_and_parents_view_beside_the_official(
    client: httpx.AsyncClient, engine: Engine
) -> None:
    await _leader(client, engine)
    page = await client.get("/reports/own-views")
    assert page.status_code == 200
    assert page.text.count('class="chart bar-chart"') == 2
    assert "Barnets eget syn" in page.text and "Forældrenes eget syn" in page.text
    assert 'class="suppressed"' in page.text
    assert sum(int(n) for n in re.findall(r"<td>(\d+)</td>", page.text)) > 0
    for viewer in ("child", "parents"):
        exported = await client.get("/reports/own-views.csv", params={"viewer": viewer})
        assert exported.status_code == 200
        assert exported.text.startswith("group,label,fewer_problems,same,more_problems,total,mean")
