"""Management reports on generated data: every breakdown answers, no count under the
smallest group is shown, the subtraction attack recovers no hidden count from any report,
the figures agree with a direct count, and each viewer sees the figures of their own scope."""

from __future__ import annotations

import csv
import io
import re
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


FACTOR = "udvikling_adfaerd"
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
        suppressed += await _disagreement_gives_none_away(http, headers, who == ADMIN)
        suppressed += await _own_views_give_none_away(http, headers)
    assert suppressed > 0  # the data has small groups: the test saw suppression at work


async def _disagreement_gives_none_away(
    http: httpx.AsyncClient, headers: dict[str, str], every_variant: bool
) -> int:
    suppressed = 0
    variants: tuple[dict[str, str], ...] = (
        ({"period": "quarter"}, {"period": "half_year"}, {"period": "year"}, {"factor": FACTOR})
        if every_variant
        else ({},)
    )
    for params in variants:
        r = await http.get("/api/v1/reports/disagreement", params=params, headers=headers)
        assert r.status_code == 200, r.text
        report = r.json()
        table = report["table"]
        assert_nothing_exposed(table)
        suppressed += table["suppressed"]
        assert [s["role"] for s in report["series"]] == [row["key"] for row in table["rows"]]
        for series, row in zip(report["series"], table["rows"], strict=True):
            for point, count in zip(series["points"], row["cells"], strict=True):
                # A mean is shown exactly where its count is, never where the count is hidden.
                assert point["scores"] == count
                assert (point["mean_distance"] is None) == (not count)
                assert (point["mean_towards_worse"] is None) == (not count)
    return suppressed


async def _own_views_give_none_away(http: httpx.AsyncClient, headers: dict[str, str]) -> int:
    r = await http.get("/api/v1/reports/own-views", headers=headers)
    assert r.status_code == 200, r.text
    report = r.json()
    assert [v["viewer"] for v in report["views"]] == ["child", "parents"]
    suppressed = 0
    for view in report["views"]:
        assert_nothing_exposed(view["table"])
        suppressed += view["table"]["suppressed"]
        for factor, row in zip(view["factors"], view["table"]["rows"], strict=True):
            assert factor["factor_key"] == row["key"] and factor["scores"] == row["total"]
            assert (factor["mean_towards_worse"] is None) == (not row["total"])
    return suppressed


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


async def test_the_csv_for_excel_has_the_pages_words_and_the_same_suppression(
    http: httpx.AsyncClient, generated: int
) -> None:
    """`format=excel`: a byte order mark, the pages' words, in Danish semicolons and decimal
    commas; every figure the codes' shape leaves empty is the pages' mark, and no other."""
    headers = await _headers(http, LEADER)
    params = {"group_by": "provider"}
    codes = await http.get("/api/v1/reports/outcomes.csv", params=params, headers=headers)
    for lang, sep, words in (("da", ";", "Leverandør"), ("en", ",", "Provider")):
        excel = await http.get(
            "/api/v1/reports/outcomes.csv",
            params={**params, "format": "excel", "lang": lang},
            headers=headers,
        )
        assert excel.status_code == 200, excel.text
        assert excel.content.startswith(b"\xef\xbb\xbf")  # UTF-8's byte order mark
        lines = list(csv.reader(io.StringIO(excel.text.removeprefix("\ufeff")), delimiter=sep))
        assert lines[0][0] == words
        body = lines[1 : lines.index([])]
        expected = list(csv.reader(io.StringIO(codes.text)))[1:]
        assert [line[1:] for line in body] == [
            ["–" if f == "" else f for f in line[2:]] for line in expected
        ]
        assert any("–" in line for line in body)
        assert lines[lines.index([]) + 1][0].startswith("–")  # the legend of the mark
    means = await http.get(
        "/api/v1/reports/own-views.csv", params={"format": "excel"}, headers=headers
    )
    assert re.search(r";-?\d+,\d\d\r?\n", means.text), means.text  # decimal commas
    wrong = await http.get(
        "/api/v1/reports/outcomes.csv", params={"format": "xlsx"}, headers=headers
    )
    assert wrong.status_code == 422
    assert wrong.headers["content-type"].startswith("application/problem+json")


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


#: Each informant's submitted score beside the official score of the same factor and round,
#: in completed rounds: (role, |difference|, difference towards the worst end, case).
COMPARED = (
    "SELECT i.role, abs(ss.score - o.score), "
    "CASE WHEN ins.best_end = 'low' THEN ss.score - o.score ELSE o.score - ss.score END, "
    "r.case_id "
    "FROM submission_score ss JOIN submission s ON s.id = ss.submission_id "
    "JOIN informant i ON i.id = s.informant_id JOIN scoring_round r ON r.id = s.round_id "
    "JOIN instrument ins ON ins.id = r.instrument_id "
    "JOIN official_score o ON o.round_id = r.id AND o.factor_id = ss.factor_id "
    "WHERE r.municipality_id = :m AND r.state = 'completed' AND s.status = 'submitted' "
    "AND ss.score IS NOT NULL AND o.score IS NOT NULL"
)


def _compared(engine: Engine, municipality_id: int) -> list[tuple[str, int, int, int]]:
    with engine.connect() as conn:
        return [
            (str(role), int(d), int(w), int(c))
            for role, d, w, c in conn.execute(text(COMPARED), {"m": municipality_id}).all()
        ]


async def test_disagreement_agrees_with_a_direct_comparison(
    http: httpx.AsyncClient, generated: int, engine: Engine
) -> None:
    headers = await _headers(http, ADMIN)
    report = (
        await http.get("/api/v1/reports/disagreement", params={"period": "year"}, headers=headers)
    ).json()
    compared = _compared(engine, generated)
    table = report["table"]
    assert table["total"] == len(compared)
    roles = {row["key"]: row["total"] for row in table["rows"]}
    # The parents see fewer problems than the official score, the school more (DOMAIN §9).
    assert {"caseworker", "school", "mother", "child"} <= set(roles)
    for role, total in roles.items():
        mine = [c for c in compared if c[0] == role]
        if total is not None:
            assert total == len(mine)
        shown = [
            (p["scores"], p["mean_distance"], p["mean_towards_worse"])
            for s in report["series"]
            if s["role"] == role
            for p in s["points"]
            if p["scores"]
        ]
        if total is not None and len(shown) == len(table["columns"]):
            distance = sum(n * d for n, d, _ in shown) / total
            assert distance == pytest.approx(sum(d for _, d, _, _ in mine) / len(mine), abs=0.01)
    overall = {
        role: sum(w for r, _, w, _ in compared if r == role)
        / max(1, sum(1 for r, *_ in compared if r == role))
        for role in roles
    }
    assert overall["mother"] < 0 < overall["school"]


async def test_the_childs_and_parents_view_stand_beside_the_official_one(
    http: httpx.AsyncClient, generated: int, engine: Engine
) -> None:
    headers = await _headers(http, ADMIN)
    before = (
        await http.get("/api/v1/reports/outcomes", params={"group_by": "none"}, headers=headers)
    ).json()
    report = (await http.get("/api/v1/reports/own-views", headers=headers)).json()
    compared = _compared(engine, generated)
    for view, roles in (("child", {"child"}), ("parents", {"mother", "father"})):
        table = next(v for v in report["views"] if v["viewer"] == view)["table"]
        mine = [c for c in compared if c[0] in roles]
        assert table["columns"] == ["fewer_problems", "same", "more_problems"]
        assert table["total"] == len(mine)
        for column, total in zip(table["columns"], table["column_totals"], strict=True):
            want = {
                "fewer_problems": sum(1 for c in mine if c[2] < 0),
                "same": sum(1 for c in mine if c[2] == 0),
                "more_problems": sum(1 for c in mine if c[2] > 0),
            }[column]
            assert total is None or total == want
    # Never averaged in: the official figures are the same with the family's view beside them.
    after = (
        await http.get("/api/v1/reports/outcomes", params={"group_by": "none"}, headers=headers)
    ).json()
    assert after["table"] == before["table"]


async def test_the_new_reports_as_csv_are_suppressed_alike(
    http: httpx.AsyncClient, generated: int
) -> None:
    headers = await _headers(http, LEADER)
    report = (
        await http.get(
            "/api/v1/reports/disagreement", params={"period": "quarter"}, headers=headers
        )
    ).json()
    r = await http.get(
        "/api/v1/reports/disagreement.csv", params={"period": "quarter"}, headers=headers
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(r.text)))
    assert lines[0] == ["role", "period", "scores", "mean_distance", "mean_towards_worse"]
    shown = {(line[0], line[1]): line[2:] for line in lines[1:]}
    for series in report["series"]:
        for p in series["points"]:
            assert shown[(series["role"], p["period"])] == [
                "" if v is None else str(v)
                for v in (p["scores"], p["mean_distance"], p["mean_towards_worse"])
            ]
    assert any(v[0] == "" for v in shown.values())  # the leader's team has small groups
    views = (await http.get("/api/v1/reports/own-views", headers=headers)).json()
    for view in views["views"]:
        r = await http.get(
            "/api/v1/reports/own-views.csv", params={"viewer": view["viewer"]}, headers=headers
        )
        rows = list(csv.reader(io.StringIO(r.text)))
        assert rows[0] == ["group", "label", *view["table"]["columns"], "total", "mean"]
        for line, row, factor in zip(
            rows[1:-1], view["table"]["rows"], view["factors"], strict=True
        ):
            assert line[2:] == [
                "" if v is None else str(v)
                for v in [*row["cells"], row["total"], factor["mean_towards_worse"]]
            ]


async def test_the_outcomes_by_factor_and_period_come_in_one_call(
    http: httpx.AsyncClient, generated: int
) -> None:
    """Figure 9 in one request: every factor's outcomes per period, each table the one the
    outcomes report gives for that factor by period, suppressed alike, none given away."""
    headers = await _headers(http, ADMIN)
    for period in ("half_year", "year"):
        r = await http.get(
            "/api/v1/reports/outcomes-by-factor", params={"period": period}, headers=headers
        )
        assert r.status_code == 200, r.text
        report = r.json()
        assert len(report["factors"]) >= 8
        periods = {tuple(row["key"] for row in f["table"]["rows"]) for f in report["factors"]}
        assert len(periods) == 1  # every factor over the same periods
        for factor in report["factors"]:
            table = factor["table"]
            assert_nothing_exposed(table)
            alone = (
                await http.get(
                    "/api/v1/reports/outcomes",
                    params={"group_by": "period", "period": period, "factor": factor["factor_key"]},
                    headers=headers,
                )
            ).json()["table"]
            mine = {row["key"]: row for row in table["rows"]}
            for row in alone["rows"]:
                assert mine.pop(row["key"]) == row, factor["factor_key"]
            # A period in which this factor had no outcome reads as zeros, not as hidden.
            assert all(row["cells"] == [0] * 6 and row["total"] == 0 for row in mine.values())
            assert table["column_totals"] == alone["column_totals"]
            assert table["total"] == alone["total"]
    assert (
        await http.get(
            "/api/v1/reports/outcomes-by-factor", params={"period": "decade"}, headers=headers
        )
    ).status_code == 422


async def test_the_reports_carry_the_data_use_statement_and_mark_the_implementation_period(
    http: httpx.AsyncClient, generated: int
) -> None:
    """KL: leadership states beforehand how the figures will be used and from when. The
    administrator records it; every report carries it, names every figure about staff,
    and marks the periods before the day; bad input is refused and changes nothing."""
    admin, leader = await _headers(http, ADMIN), await _headers(http, LEADER)
    before = (await http.get("/api/v1/reports/own-views", headers=leader)).json()["data_use"]
    assert before["statement"] == "" and before["management_from"] is None
    assert before["implementation"] is False
    periods = (
        await http.get("/api/v1/reports/outcomes", params={"group_by": "period"}, headers=leader)
    ).json()["table"]["rows"]
    since = periods[len(periods) // 2]["label"]  # e.g. "2026-H1": from its first day
    year, half = since.split("-H")
    day = f"{year}-{'01' if half == '1' else '07'}-01"
    statement = "Tallene bruges på kommuneniveau.\nHvert halve år, til udvalget."
    r = await http.patch(
        "/api/v1/municipality/policy",
        json={"data_use_statement": statement, "management_from": day},
        headers=admin,
    )
    assert r.status_code == 200, r.text
    assert r.json()["policy"]["management_from"] == day
    for bad in (
        {"data_use_statement": "x" * 4001},
        {"management_from": "2026-13-01"},
        {"data_use_statement": None},
    ):
        refused = await http.patch("/api/v1/municipality/policy", json=bad, headers=admin)
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
    assert (
        await http.patch(
            "/api/v1/municipality/policy", json={"management_from": day}, headers=leader
        )
    ).status_code == 403
    report = (
        await http.get("/api/v1/reports/outcomes", params={"group_by": "period"}, headers=leader)
    ).json()
    use = report["data_use"]
    assert use["statement"] == statement and use["management_from"] == day
    assert use["implementation"] is True
    labels = [row["label"] for row in report["table"]["rows"]]
    assert use["implementation_periods"] == labels[: labels.index(since)]
    assert use["staff_figures"] == [
        "outcomes_by_team",
        "outcomes_by_provider",
        "distance_by_role",
        "data_quality",
        "drift_spread",
        "calibration_agreement",
    ]
    later = (
        await http.get(
            "/api/v1/reports/outcomes", params={"group_by": "team", "start": day}, headers=leader
        )
    ).json()["data_use"]
    assert later["implementation"] is False and later["implementation_periods"] == []
    distance = (
        await http.get(
            "/api/v1/reports/disagreement", params={"period": "half_year"}, headers=leader
        )
    ).json()
    columns = distance["table"]["columns"]
    assert distance["data_use"]["implementation_periods"] == [c for c in columns if c < since]
    factors = (await http.get("/api/v1/reports/outcomes-by-factor", headers=leader)).json()
    assert factors["data_use"]["implementation_periods"] == labels[: labels.index(since)]
