"""The leader's page on the demo data: real figures as a chart and a table, at least one
suppressed cell, and the table as CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import httpx
from sqlalchemy import Engine
from sqlmodel import Session, select

from service.demo import demo_logins, load_demo
from service.models.municipality import Municipality


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
    assert exported.status_code == 200
    # For Danish Excel: a byte order mark, semicolons, the page's words as headers.
    assert exported.text.startswith("\ufeffLeverandør;Progressionsmål opfyldt;")
    for group in ("measure_category", "measure_type", "team", "age_band", "procedure", "period"):
        assert (await client.get("/reports", params={"group_by": group})).status_code == 200


HIDDEN = '<span class="suppressed"'


#: The Danish thousands separator between digits.
_THOUSANDS = re.compile(r"(?<=\d)\.(?=\d{3}(?!\d))")


def _table(html: str, caption_id: str) -> list[list[str]]:
    """The rows (body and footer) of the table with that caption, each cell a count as the
    CSV writes it (the page writes 1.063, the file 1063) or "HIDDEN"."""
    table = html.split(f'<caption id="{caption_id}">', 1)[1].split("</table>", 1)[0]
    table = table.split("</thead>", 1)[1]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        cells = re.findall(r"<td>(.*?)</td>", row, re.S)
        rows.append(["HIDDEN" if c.startswith(HIDDEN) else _THOUSANDS.sub("", c) for c in cells])
    return rows


def _csv(text: str, mark: str = "–") -> list[list[str]]:
    assert text.startswith("\ufeff")
    lines = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    body = lines[1 : lines.index([])]  # the legend follows an empty line
    return [["HIDDEN" if f == mark else f for f in line[1:]] for line in body]


async def test_one_suppression_decision_feeds_the_chart_the_table_and_the_csv(
    client: httpx.AsyncClient, engine: Engine
) -> None:
    """Whatever hid a figure, the table, the chart and the CSV hide the same ones with the
    same neutral mark; no figure is called too small; the legend gives both reasons; a
    breakdown that counts a round under several groups says so beside its total."""
    await _leader(client, engine)
    hidden_totals = 0
    for group in ("measure_category", "provider", "team", "age_band", "procedure", "period"):
        page = (await client.get("/reports", params={"group_by": group})).text
        assert "For få børn til at vise" not in page
        assert "betyder skjult" in page and "så et lille tal ikke kan regnes ud" in page
        table = _table(page, "outcomes-caption")
        exported = await client.get("/reports/outcomes.csv", params={"group_by": group})
        assert _csv(exported.text) == table, group
        assert "" not in [f for line in _csv(exported.text) for f in line]
        svg = page.split('class="chart bar-chart"', 1)[1].split("</svg>", 1)[0]
        # One bar per row; a row whose total is hidden is one hatched bar, and a row with a
        # hidden part has a hatched part: the chart hides what the table hides.
        hatched = svg.count('class="hidden-part"')
        rows = table[:-1]
        assert hatched == sum("HIDDEN" in row[:-1] or row[-1] == "HIDDEN" for row in rows)
        hidden_totals += sum(row[-1] == "HIDDEN" and row[:-1] != ["HIDDEN"] * 6 for row in rows)
        overlap = "tæller med under hver af dem" in page
        assert overlap == (group in ("measure_category", "provider")), group
    # The case: a group showing some counts (35; 12) whose total hides another's.
    assert hidden_totals, "no group in the demo shows counts beside a hidden total"


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
    # Danish numbers: a decimal comma, and a minus or a plus before the direction.
    means = re.findall(r"<td>(\d,\d\d) <span class=\"direction\">\([-+]?\d,\d\d\)", page.text)
    assert means, "no mean distance is shown"
    assert ">0,5</text>" in page.text and ">0.5</text>" not in page.text  # the chart's axis
    exported = await client.get("/reports/disagreement.csv", params={"period": "quarter"})
    assert exported.status_code == 200
    assert exported.text.startswith("\ufeffInformant;Periode;Sammenlignede scorer;")
    assert ";–;–;–" in exported.text  # a suppressed figure is the page's mark, never empty
    assert re.search(r";\d+;\d+,\d\d;-?\d+,\d\d\r?\n", exported.text)  # decimal commas
    english = await client.get(
        "/reports/disagreement.csv", params={"period": "quarter", "lang": "en"}
    )
    assert english.text.startswith("\ufeffInformant,Period,Scores compared,")
    for period in ("quarter", "half_year", "year"):
        r = await client.get("/reports/disagreement", params={"period": period})
        assert r.status_code == 200
        exported = await client.get("/reports/disagreement.csv", params={"period": period})
        lines = list(csv.reader(io.StringIO(exported.text.removeprefix("\ufeff")), delimiter=";"))
        # A period without scores says so; it is not a distance of 0, nor hidden.
        empty = [
            line for line in lines[1:] if len(line) > 2 and line[1] != "I alt" and line[2] == "0"
        ]
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
        assert exported.text.startswith(
            "\ufeffFaktor;Ser færre problemer;Som den officielle score;Ser flere problemer;I alt;"
        )
        table = _table(page.text, f"own-{viewer}-caption")
        assert [line[:-1] for line in _csv(exported.text)] == [row[:-1] for row in table]


async def test_the_demo_leader_sees_every_factor_over_time_on_one_page(
    client: httpx.AsyncClient, engine: Engine
) -> None:
    await _leader(client, engine)
    page = await client.get("/reports/factors", params={"period": "year"})
    assert page.status_code == 200
    assert "Målopfyldelse over tid, efter faktor" in page.text
    captions = re.findall(r'<caption id="(factor-[a-z_]+-caption)">', page.text)
    assert len(captions) >= 8, captions
    assert page.text.count('class="chart bar-chart"') == len(captions)
    # Each factor's table is the one Goal attainment shows for it by period.
    key = captions[0].removeprefix("factor-").removesuffix("-caption")
    alone = await client.get(
        "/reports", params={"group_by": "period", "period": "year", "factor": key}
    )
    shown = [row for row in _table(page.text, captions[0]) if row != ["0"] * 7]
    assert shown == _table(alone.text, "outcomes-caption")
    english = await client.get("/reports/factors", params={"lang": "en"})
    assert "Goal attainment over time, by factor" in english.text


async def test_the_report_pages_show_the_data_use_statement_and_mark_earlier_periods(
    client: httpx.AsyncClient, engine: Engine
) -> None:
    await _leader(client, engine)
    page = await client.get("/reports", params={"group_by": "period"})
    assert "Ledelsen har endnu ikke beskrevet, hvordan tallene skal bruges." in page.text
    assert "(indkøring)" not in page.text
    labels = [
        f"{year}-H{half}"
        for half, year in re.findall(r'<tr><th scope="row">(\d)\. halvår (\d{4})</th>', page.text)
    ]
    assert len(labels) >= 2, labels
    year, half = labels[1].split("-H")
    with Session(engine) as session:
        for municipality in session.exec(select(Municipality)).all():
            municipality.data_use_statement = "Tallene bruges på kommuneniveau, hvert halve år."
            municipality.management_from = date(int(year), 1 if half == "1" else 7, 1)
            session.add(municipality)
        session.commit()
    for url, params in (
        ("/reports", {"group_by": "period"}),
        ("/reports/factors", {}),
        ("/reports/disagreement", {}),
        ("/reports/own-views", {}),
    ):
        page = await client.get(url, params=params)
        assert "Tallene bruges på kommuneniveau, hvert halve år." in page.text, url
        assert "Tallene må bruges til ledelse fra 1. " in page.text, url
        assert "indkøringsperioden" in page.text, url
        for figure in ("team", "leverandør", "faggruppes", "Datakvalitet"):
            assert figure in page.text, (url, figure)
    page = await client.get("/reports", params={"group_by": "period"})
    marked = [
        f"{year}-H{half}"
        for half, year in re.findall(
            r'<tr><th scope="row">(\d)\. halvår (\d{4}) <span class="implementation-mark">',
            page.text,
        )
    ]
    assert marked == labels[:1]
    english = await client.get("/reports", params={"group_by": "period", "lang": "en"})
    assert "(implementation)" in english.text
