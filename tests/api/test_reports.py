"""Management reports on generated data: every breakdown answers, no count under the
smallest group is shown, the subtraction attack recovers no hidden count from any report,
the figures agree with a direct count, and each viewer sees the figures of their own scope."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from service.clock import FrozenClock
from service.config import Settings
from service.generator.run import GENERATED_PASSWORD, SCALES, ScaleName, ScaleSpec, generate
from service.main import create_app
from service.models.municipality import Municipality
from tests.suppression_attack import exposed

GROUPS = [
    "measure_category",
    "measure_type",
    "provider",
    "team",
    "age_band",
    "procedure",
    "period",
    "none",
]


@pytest.fixture
def generated(engine: Engine, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setitem(
        SCALES, ScaleName.MUNICIPALITY, ScaleSpec(160, 4, (("900", "Testkommune", 1),))
    )
    generate(engine, ScaleName.MUNICIPALITY, seed=5, as_of=clock.now().date())
    with Session(engine) as session:
        mun = session.exec(select(Municipality).where(Municipality.code == "900")).one()
        assert mun.id is not None
        return mun.id


@pytest.fixture
async def http(
    settings: Settings, engine: Engine, clock: FrozenClock
) -> AsyncIterator[httpx.AsyncClient]:
    app: FastAPI = create_app(settings, engine=engine, clock=clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        yield c


async def _headers(http: httpx.AsyncClient, username: str) -> dict[str, str]:
    r = await http.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": username, "password": GENERATED_PASSWORD},
    )
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


ADMIN = "admin1@900.demo.konsensus.dk"
LEADER = "leder1@900.demo.konsensus.dk"
CASEWORKER = "sagsbehandler1@900.demo.konsensus.dk"


def assert_nothing_exposed(table: dict[str, Any]) -> None:
    k = table["min_group_size"]
    shown = [v for row in table["rows"] for v in [*row["cells"], row["total"]]]
    shown += [*table["column_totals"], table["total"]]
    assert all(v is None or v == 0 or v >= k for v in shown), "a small count is shown"
    found = exposed(
        [row["cells"] for row in table["rows"]],
        [row["total"] for row in table["rows"]],
        table["column_totals"],
        table["total"],
    )
    assert found == [], f"hidden counts worked out: {found}"


async def test_every_report_hides_small_groups_and_gives_none_away(
    http: httpx.AsyncClient, generated: int
) -> None:
    suppressed = 0
    for who in (ADMIN, LEADER, CASEWORKER):
        headers = await _headers(http, who)
        variants = (
            ({}, {"factor": "udvikling_adfaerd"}, {"period": "quarter"}) if who == ADMIN else ({},)
        )
        for group in GROUPS:
            for params in variants:
                r = await http.get(
                    "/api/v1/reports/outcomes",
                    params={"group_by": group, **params},
                    headers=headers,
                )
                assert r.status_code == 200, r.text
                table = r.json()["table"]
                assert_nothing_exposed(table)
                suppressed += table["suppressed"]
        change = (await http.get("/api/v1/reports/change", headers=headers)).json()
        for factor in change["factors"]:
            assert factor["children"] is None or factor["children"] >= change["min_group_size"]
    assert suppressed > 0  # the data has small groups: the test saw suppression at work


async def test_the_figures_agree_with_a_direct_count(
    http: httpx.AsyncClient, generated: int, engine: Engine
) -> None:
    headers = await _headers(http, ADMIN)
    report = (
        await http.get("/api/v1/reports/outcomes", params={"group_by": "none"}, headers=headers)
    ).json()
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT o.outcome, count(*) FROM factor_outcome o "
                "JOIN scoring_round r ON r.id = o.round_id "
                "WHERE r.state = 'completed' AND o.outcome IS NOT NULL "
                "AND r.municipality_id = :m GROUP BY o.outcome"
            ),
            {"m": generated},
        ).all()
    direct: dict[str, int] = {str(o): int(n) for o, n in rows}
    table = report["table"]
    assert table["total"] == sum(direct.values())
    for column, count in zip(table["columns"], table["rows"][0]["cells"], strict=True):
        assert count == direct.get(column, 0)
    quality = report["quality"]
    assert quality["completed_rounds"] > 0
    for share in ("coverage", "completeness", "with_family_scores", "on_time"):
        assert 0 <= quality[share] <= 1
    assert quality["informants_per_round"] > 1 and quality["days_between_rounds"] > 30


async def test_each_viewer_sees_their_own_scope(
    http: httpx.AsyncClient, generated: int, settings: Settings
) -> None:
    totals = {}
    for who, scope in ((ADMIN, "municipality"), (LEADER, "team"), (CASEWORKER, "own")):
        report = (
            await http.get(
                "/api/v1/reports/outcomes",
                params={"group_by": "none"},
                headers=await _headers(http, who),
            )
        ).json()
        assert report["scope"] == scope
        totals[scope] = report["table"]["total"] or 0
    assert totals["municipality"] > totals["team"] > totals["own"] >= 0


async def test_an_integrator_needs_the_reports_scope(client: httpx.AsyncClient, world: Any) -> None:
    assert (
        await client.get("/api/v1/reports/outcomes", headers=world.headers("client-a-ro"))
    ).status_code == 403
    assert (
        await client.get("/api/v1/reports/outcomes", headers=world.headers("client-a"))
    ).status_code == 200


async def test_the_csv_is_the_table_suppressed_alike(
    http: httpx.AsyncClient, generated: int
) -> None:
    headers = await _headers(http, LEADER)
    report = (
        await http.get("/api/v1/reports/outcomes", params={"group_by": "provider"}, headers=headers)
    ).json()
    r = await http.get(
        "/api/v1/reports/outcomes.csv", params={"group_by": "provider"}, headers=headers
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0][2:-1] == report["table"]["columns"]
    for line, row in zip(rows[1:-1], report["table"]["rows"], strict=True):
        assert line[2:] == ["" if v is None else str(v) for v in [*row["cells"], row["total"]]]


async def test_a_window_narrows_the_rounds_counted(
    http: httpx.AsyncClient, generated: int, clock: FrozenClock
) -> None:
    headers = await _headers(http, ADMIN)
    everything = (
        await http.get("/api/v1/reports/outcomes", params={"group_by": "none"}, headers=headers)
    ).json()
    last_year = (
        await http.get(
            "/api/v1/reports/outcomes",
            params={"group_by": "none", "start": str(clock.now().date() - timedelta(days=365))},
            headers=headers,
        )
    ).json()
    assert 0 < (last_year["table"]["total"] or 0) < everything["table"]["total"]
