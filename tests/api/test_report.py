"""A completed round's report for the case file, as JSON, HTML and PDF (looked at: its text
extracted), with the fonts the project ships and nothing fetched; a webhook tells case systems
it is ready."""

from __future__ import annotations

import io
import socket

import httpx
import pytest
from pypdf import PdfReader
from sqlalchemy import Engine
from sqlmodel import Session, select

from service.clock import FrozenClock
from service.models.outbox import OutboxMessage
from service.reports.pdf import render_pdf
from tests.factories import CW2_A, CW_A, LEADER_A
from tests.reports_helpers import require_pdf
from tests.rounds_helpers import (
    amend,
    complete_round,
    new_case,
    open_round,
    set_procedure,
)
from tests.world import World

FIRST = [(3, 2), (2, 2), (4, 3), (1, 1), (0, 0), (2, 1), (3, 3), (None, None)]
SECOND = [(2, 1), (2, 2), (3, 2), (1, 1), (0, 0), (2, 2), (3, 3), (None, None)]
SCHOOL = [3, 2, 4, 1, 1, 2, 3, None]


async def _two_rounds(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> tuple[int, int]:
    await set_procedure(client, world, "kl3")
    hook = await client.post(
        "/api/v1/webhooks",
        json={"url": "http://127.0.0.1:9/hook", "events": ["round.report_ready"]},
        headers=world.headers("client-a"),
    )
    assert hook.status_code == 201, hook.text
    case_id = await new_case(client, world)
    await complete_round(
        client, world, clock, case_id, FIRST, {"school": SCHOOL, "child": [2] * 7 + [None]}
    )
    rid = await complete_round(
        client, world, clock, case_id, SECOND, {"school": SCHOOL, "child": [1] * 7 + [None]}
    )
    return case_id, rid


async def test_report_as_json_html_and_pdf(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, engine: Engine
) -> None:
    require_pdf()
    case_id, rid = await _two_rounds(client, world, clock)
    url = f"/api/v1/rounds/{rid}/report"
    r = await client.get(url, headers=world.headers(CW_A))
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert body["child"] == "Emma" and body["procedure"] == "kl3" and body["variant"] == "follow_up"
    assert {(p["role"], p["part"]) for p in body["participants"]} == {
        ("caseworker", "submitted"),
        ("school", "submitted"),
        ("child", "submitted"),
    }
    first = body["result"]["factors"][0]
    assert (first["official"]["score"], first["official"]["goal"]) == (2, 1)
    assert first["outcome"]["outcome"] == "progression_goal_met"
    assert any(f["disagreements"] for f in body["result"]["factors"])
    assert len(body["progress"]["rounds"]) == 2 and body["progress"]["snapshot"] is False
    # The caseworker's own view beside the official score; no provider scored in these rounds.
    compass = body["compasses"]["factors"][0]["points"]
    assert [(p["caseworker"], p["provider"], p["official"]) for p in compass] == [
        (3, None, 3),
        (2, None, 2),
    ]

    html = await client.get(url, params={"format": "html"}, headers=world.headers(CW_A))
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "script-src" not in html.headers["content-security-policy"]
    assert "default-src 'none'" in html.headers["content-security-policy"]
    assert "Resultatdokumentation for Emma" in html.text
    assert html.text.count('class="chart line-chart"') == 8 and "star-chart" in html.text
    assert html.text.count('class="chart compass-chart"') == 8
    assert "<script" not in html.text and "http://" not in html.text.replace(
        "http://www.w3.org/2000/svg", ""
    )

    pdf = await client.get(url, headers={**world.headers(CW_A), "Accept": "application/pdf"})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert 'filename="konsensus-DUBU-R1-runde-' in pdf.headers["content-disposition"]
    reader = PdfReader(io.BytesIO(pdf.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    for expected in (
        "Resultatdokumentation for Emma",
        "DUBU-R1",
        "Udvikling og adfærd",
        "Progressionsmål opfyldt",
        "Uenighedsnotater",
        "Hvem deltog",
        "Udvikling over tid",
        "Sagsbehandler og leverandør side om side",
    ):
        assert expected in text, expected
    fonts = {
        str(font.get("/BaseFont", ""))
        for page in reader.pages
        for font in (page.get("/Resources") or {}).get("/Font", {}).values()
        for font in [font.get_object()]
    }
    assert fonts and all("Konsensus-Sans" in f for f in fonts), fonts  # the shipped fonts only

    english = await client.get(
        url, params={"format": "html", "lang": "en"}, headers=world.headers(CW_A)
    )
    assert "Outcome documentation for Emma" in english.text

    # Only who may see the case; every read is audited; case systems hear it is ready.
    assert (await client.get(url, headers=world.headers(CW2_A))).status_code == 404
    audit = await client.get(
        f"/api/v1/cases/{case_id}/audit-events", headers=world.headers(LEADER_A)
    )
    assert sum(e["action"] == "round.report.read" for e in audit.json()["items"]) == 4
    with Session(engine) as session:
        ready = session.exec(
            select(OutboxMessage).where(OutboxMessage.subject == "round.report_ready")
        ).all()
    assert [m.payload["round_id"] for m in ready][-1] == rid and len(ready) == 2
    amended = await amend(client, world, rid, "udvikling_adfaerd", (1, 1), rationale="Ny viden.")
    assert amended.status_code == 201, amended.text
    # The amendment line names the factor as the reader knows it, not by its key.
    for lang, name in (("da", "Udvikling og adfærd"), ("en", "Development and behaviour")):
        page = await client.get(
            url, params={"format": "html", "lang": lang}, headers=world.headers(CW_A)
        )
        line = page.text.split('class="amendments"', 1)[1].split("</ul>", 1)[0]
        assert f"<li>{name}: 2 &rarr; 1" in line, line
        assert "udvikling_adfaerd" not in line, line
    with Session(engine) as session:
        assert (
            len(
                session.exec(
                    select(OutboxMessage).where(OutboxMessage.subject == "round.report_ready")
                ).all()
            )
            == 3
        )


async def test_no_report_before_the_round_is_completed(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    rnd = await open_round(client, world, clock, await new_case(client, world))
    r = await client.get(f"/api/v1/rounds/{rnd['id']}/report", headers=world.headers(CW_A))
    assert r.status_code == 409 and r.json()["code"] == "round_not_completed"


def test_a_pdf_fetches_nothing() -> None:
    """A document that points elsewhere is drawn without it: nothing connects."""
    require_pdf()
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.settimeout(0.3)
        port = listener.getsockname()[1]
        pdf = render_pdf(
            f'<html><head><link rel="stylesheet" href="http://127.0.0.1:{port}/x.css"></head>'
            f'<body><p>Hej</p><img src="http://127.0.0.1:{port}/x.png">'
            '<img src="file:///etc/hostname"></body></html>'
        )
        with pytest.raises(TimeoutError):
            listener.accept()
    assert pdf.startswith(b"%PDF")
