"""Access requests (GDPR art. 15): everything held about a child, or an informant, from the
API and from `konsensus export-person`; the demo's Emma as the worked example."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from service.cli import app as cli
from service.clock import FrozenClock
from service.config import get_settings
from service.demo import load_demo
from service.models.base import utcnow
from tests.factories import ADMIN_A, ADMIN_B, CW_A
from tests.rounds_helpers import new_case, open_round
from tests.world import World


async def test_a_childs_access_request(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    case_id = await new_case(client, world, ref="INDSIGT-1")
    rnd = await open_round(client, world, clock, case_id)
    r = await client.post(
        f"/api/v1/rounds/{rnd['id']}/informants",
        json={"role": "school", "name": "Lærer Ane", "email": "ane@skole.example.dk"},
        headers=world.headers(CW_A),
    )
    assert r.status_code == 201
    await client.get(f"/api/v1/cases/{case_id}", headers=world.headers(CW_A))  # a read
    url = f"/api/v1/cases/{case_id}/access-request"
    assert (await client.get(url, headers=world.headers(CW_A))).status_code == 403
    assert (await client.get(url, headers=world.headers(ADMIN_B))).status_code == 404
    r = await client.get(url, headers=world.headers(ADMIN_A))
    assert r.status_code == 200, r.text
    record = r.json()
    assert record["case"]["external_ref"] == "INDSIGT-1"
    assert record["case"]["display_name"] == "Emma"
    [round_] = record["rounds"]
    assert {i["role"] for i in round_["informants"]} == {"caseworker", "school"}
    assert "ane@skole.example.dk" not in r.text  # an informant's contact details are theirs
    actions = [e["action"] for e in record["access_log"]]
    assert "case.create" in actions and "case.read" in actions
    assert all(e["who"] for e in record["access_log"])
    after = await client.get(url, headers=world.headers(ADMIN_A))
    assert "case.access_request" in [e["action"] for e in after.json()["access_log"]]


async def test_an_informants_access_request(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    rnd = await open_round(client, world, clock, await new_case(client, world, ref="INF-1"))
    r = await client.post(
        f"/api/v1/rounds/{rnd['id']}/informants",
        json={"role": "school", "name": "Lærer Ane", "email": "Ane@Skole.example.dk"},
        headers=world.headers(CW_A),
    )
    await client.post(
        f"/api/v1/rounds/{rnd['id']}/informants/{r.json()['id']}/link",
        headers=world.headers(CW_A),
    )
    r = await client.post(
        "/api/v1/access-requests/informant",
        json={"email": "ane@skole.example.dk"},
        headers=world.headers(ADMIN_A),
    )
    assert r.status_code == 200, r.text
    [entry] = r.json()["rounds"]
    assert entry["contact_details"]["email"].lower() == "ane@skole.example.dk"
    assert entry["link_issued_at"] and entry["messages"]
    assert {m["kind"] for m in entry["messages"]} >= {"invitation"}
    r = await client.post(
        "/api/v1/access-requests/informant", json={}, headers=world.headers(ADMIN_A)
    )
    assert r.status_code == 422


@pytest.fixture
def cli_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("KONSENSUS_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_export_person_for_the_demos_emma(engine: Engine, cli_env: None, tmp_path: Path) -> None:
    load_demo(engine)
    out = tmp_path / "emma.json"
    result = CliRunner().invoke(
        cli,
        [
            "export-person",
            "--municipality-code",
            "999",
            "--case-ref",
            "DUBU-2024-0117",
            "--output",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    record = json.loads(out.read_text(encoding="utf-8"))
    rounds = record["rounds"]
    scores = sum(
        len(i["submission"]["scores"]) for r in rounds for i in r["informants"] if i["submission"]
    )
    summary: dict[str, Any] = {
        "measures": len(record["measures"]),
        "rounds": len(rounds),
        "states": [r["state"] for r in rounds],
        "informants": sum(len(r["informants"]) for r in rounds),
        "informant scores": scores,
        "official scores": sum(len(r["official_scores"]) for r in rounds),
        "disagreement notes": sum(len(r["disagreement_notes"]) for r in rounds),
        "outcomes": sum(len(r["outcomes"]) for r in rounds),
        "history steps": sum(len(r["history"]) for r in rounds),
        "access log entries": len(record["access_log"]),
    }
    print(f"\naccess request for the demo's Emma: {summary}")
    assert record["case"]["display_name"] == "Emma" and len(rounds) >= 3
    assert summary["official scores"] >= 16 and summary["outcomes"] >= 8
    missing = CliRunner().invoke(
        cli, ["export-person", "--municipality-code", "999", "--case-ref", "NOPE"]
    )
    assert missing.exit_code == 1 and "no case" in missing.output


@pytest.mark.slow
def test_the_access_request_as_a_readable_pdf(
    engine: Engine, cli_env: None, tmp_path: Path
) -> None:
    from pypdf import PdfReader
    from weasyprint import HTML

    from service.reports.access_request import html

    load_demo(engine)
    out = tmp_path / "emma.pdf"
    result = CliRunner().invoke(
        cli,
        [
            "export-person",
            "--municipality-code",
            "999",
            "--case-ref",
            "DUBU-2024-0117",
            "--pdf",
            "--output",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF-")
    text = " ".join(page.extract_text() for page in PdfReader(out).pages)
    assert "Emma" in text and "DUBU-2024-0117" in text
    record = json.loads(
        CliRunner()
        .invoke(
            cli, ["export-person", "--municipality-code", "999", "--case-ref", "DUBU-2024-0117"]
        )
        .output
    )
    page = html(record, utcnow())
    for text in ("Indsigt: oplysninger om Emma", "DUBU-2024-0117", "Målopfyldelse", "Uenighed"):
        assert text in page
    pages = HTML(string=page).render().pages
    print(
        f"\naccess request PDF for the demo's Emma: {len(pages)} pages, {out.stat().st_size:,} bytes"
    )
    assert len(pages) >= 3


async def test_the_pdf_from_the_api(client: httpx.AsyncClient, world: World) -> None:
    case_id = await new_case(client, world, ref="PDF-1")
    url = f"/api/v1/cases/{case_id}/access-request.pdf"
    assert (await client.get(url, headers=world.headers(CW_A))).status_code == 403
    r = await client.get(url, headers=world.headers(ADMIN_A))
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF-")
