"""Benchmark at the size of a municipality (or the country): the pages a leader and a
caseworker open every day, on data made by `konsensus demo --scale`.

    .venv/bin/python -m bench.bench_reports                    # a temporary SQLite database
    .venv/bin/python -m bench.bench_reports --database-url postgresql://postgres@127.0.0.1/DB

Without a database URL it generates the municipality scale into a temporary SQLite file;
with one, it generates what is missing there (a second run reuses the data). Requests go
through the whole app in process (ASGI), so the figures are the service's own time.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, text

from service.clock import SystemClock
from service.config import Environment, Settings
from service.db import make_engine
from service.generator.run import GENERATED_PASSWORD, ScaleName, generate
from service.main import create_app
from service.migrations import migrate
from service.usecases.reports.groups import GroupBy
from service.usecases.reports.scope import Window

SECRET = "benchmark-secret-0123456789-0123456789-abcdef"


def timed(seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return f"median {statistics.median(ms):8.1f} ms   p95 {p95:8.1f} ms   (n={len(ms)})"


async def measure(call: Callable[[], Awaitable[httpx.Response]], repeat: int) -> list[float]:
    first = await call()  # warm-up, and a check that it answers
    if first.status_code != 200:
        raise RuntimeError(f"{first.request.url} answered {first.status_code}: {first.text[:300]}")
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = await call()
        seconds.append(time.perf_counter() - started)
        assert response.status_code == 200
    return seconds


async def page_client(app: object, username: str) -> httpx.AsyncClient:
    """A browser-like client logged in to the staff pages."""
    http = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
        base_url="http://bench",
        timeout=120,
    )
    login = await http.get("/login")
    found = re.search(r'name="csrf" value="([^"]+)"', login.text)
    assert found, "no CSRF token on the login page"
    r = await http.post(
        "/login",
        data={"csrf": found.group(1), "username": username, "password": GENERATED_PASSWORD},
    )
    assert r.status_code == 303, f"login of {username} failed: {r.status_code}"
    return http


async def api_client(app: object, username: str) -> httpx.AsyncClient:
    http = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
        base_url="http://bench",
        timeout=120,
    )
    r = await http.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": username, "password": GENERATED_PASSWORD},
    )
    assert r.status_code == 200, r.text
    http.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
    return http


async def daily_pages(app: object, code: str, repeat: int) -> None:
    print(f"\nPages opened every day (municipality {code}), {repeat} requests each:")
    who = {
        "caseworker": f"sagsbehandler1@{code}.demo.konsensus.dk",
        "team leader": f"leder1@{code}.demo.konsensus.dk",
        "administrator": f"admin1@{code}.demo.konsensus.dk",
    }
    for label, username in who.items():
        pages = await page_client(app, username)
        api = await api_client(app, username)
        listed = (await api.get("/api/v1/due", params={"include_later": "true"})).json()
        due = listed["items"]
        print(f"  {label} ({listed['total']} active cases visible, pages of {listed['limit']})")
        calls: list[tuple[str, httpx.AsyncClient, str, dict[str, str]]] = [
            ("cases page  GET /cases", pages, "/cases", {}),
            ("due list    GET /api/v1/due", api, "/api/v1/due", {"include_later": "true"}),
            ("cases API   GET /api/v1/cases", api, "/api/v1/cases", {}),
        ]
        if label == "caseworker" and due:
            calls.append(("case page   GET /cases/{id}", pages, f"/cases/{due[0]['case_id']}", {}))
        if label == "administrator":  # as the case system polls, with every case in sight
            collecting = {"state": "collecting", "limit": "50"}
            calls.append(("open rounds GET /api/v1/rounds", api, "/api/v1/rounds", collecting))
        for name, http, path, params in calls:
            seconds = await measure(partial(http.get, path, params=params), repeat)
            print(f"    {name:<34} {timed(seconds)}")
        await pages.aclose()
        await api.aclose()


# --- the reports, each beside one hand-written SQL query ---------------------------------

YEAR = {
    "sqlite": "CAST(strftime('%Y', r.completed_at) AS INTEGER)",
    "postgresql": "CAST(EXTRACT(YEAR FROM r.completed_at) AS INTEGER)",
}
MONTH = {
    "sqlite": "CAST(strftime('%m', r.completed_at) AS INTEGER)",
    "postgresql": "CAST(EXTRACT(MONTH FROM r.completed_at) AS INTEGER)",
}


def hand_written(group: GroupBy, dialect: str) -> str:
    """The outcomes by group as one would write it by hand."""
    key, joins = {
        GroupBy.MEASURE_CATEGORY: (
            "m.category",
            "JOIN round_measure rm ON rm.round_id = r.id AND rm.municipality_id = :m "
            "JOIN measure m ON m.id = rm.measure_id AND m.municipality_id = :m",
        ),
        GroupBy.MEASURE_TYPE: (
            "m.type",
            "JOIN round_measure rm ON rm.round_id = r.id AND rm.municipality_id = :m "
            "JOIN measure m ON m.id = rm.measure_id AND m.municipality_id = :m",
        ),
        GroupBy.PROVIDER: (
            "rm.provider_id",
            "JOIN round_measure rm ON rm.round_id = r.id AND rm.municipality_id = :m",
        ),
        GroupBy.TEAM: ("c.team_id", ""),
        GroupBy.PROCEDURE: ("r.procedure", ""),
        GroupBy.AGE_BAND: (
            f"CASE WHEN {YEAR[dialect]} - c.birth_year < 6 THEN 0 "
            f"WHEN {YEAR[dialect]} - c.birth_year < 13 THEN 1 "
            f"WHEN {YEAR[dialect]} - c.birth_year < 18 THEN 2 ELSE 3 END",
            "",
        ),
        GroupBy.PERIOD: (f"{YEAR[dialect]} * 10 + ({MONTH[dialect]} + 5) / 6", ""),
        GroupBy.NONE: ("0", ""),
    }[group]
    return (
        f"SELECT {key} AS k, o.outcome, count(*), count(DISTINCT r.case_id) "
        "FROM factor_outcome o JOIN scoring_round r ON r.id = o.round_id "
        f"JOIN child_case c ON c.id = r.case_id {joins} "
        "WHERE o.municipality_id = :m AND r.municipality_id = :m AND c.municipality_id = :m "
        "AND r.state = 'completed' AND o.outcome IS NOT NULL "
        "GROUP BY 1, o.outcome"
    )


CHANGE_SQL = (
    "SELECT f.key, min(f.name_da), min(f.name_en), count(*), count(DISTINCT r.case_id), "
    "avg(CAST(CASE WHEN i.best_end = 'low' THEN o.score - o.previous_score "
    "ELSE o.previous_score - o.score END AS FLOAT)) "
    "FROM factor_outcome o JOIN scoring_round r ON r.id = o.round_id "
    "JOIN child_case c ON c.id = r.case_id JOIN instrument i ON i.id = r.instrument_id "
    "JOIN instrument_factor f ON f.id = o.factor_id "
    "WHERE o.municipality_id = :m AND r.municipality_id = :m AND c.municipality_id = :m "
    "AND r.state = 'completed' AND o.score IS NOT NULL AND o.previous_score IS NOT NULL "
    "GROUP BY f.key ORDER BY f.key"
)


#: Every submitted score of a completed round beside the official score of its factor.
COMPARED_FROM = (
    "FROM submission_score ss JOIN submission s ON s.id = ss.submission_id "
    "JOIN informant i ON i.id = s.informant_id JOIN scoring_round r ON r.id = s.round_id "
    "JOIN child_case c ON c.id = r.case_id JOIN instrument ins ON ins.id = r.instrument_id "
    "JOIN official_score o ON o.round_id = r.id AND o.factor_id = ss.factor_id "
)
COMPARED_WHERE = (
    "WHERE ss.municipality_id = :m AND s.municipality_id = :m AND i.municipality_id = :m "
    "AND r.municipality_id = :m AND c.municipality_id = :m AND o.municipality_id = :m "
    "AND r.state = 'completed' AND s.status = 'submitted' "
    "AND ss.score IS NOT NULL AND o.score IS NOT NULL "
)
TOWARDS_WORSE = "CASE WHEN ins.best_end = 'low' THEN ss.score - o.score ELSE o.score - ss.score END"


def disagreement_sql(dialect: str, factor: str | None = None) -> str:
    """Disagreement by role and half-year, by hand, from the rounds' summaries (per role, or
    per role and factor for one factor), as the report reads them."""
    period = f"{YEAR[dialect]} * 10 + ({MONTH[dialect]} + 5) / 6"
    sums = "round_disagreement" if factor is None else "round_factor_disagreement"
    narrowed = (
        ""
        if factor is None
        else "AND d.factor_id IN (SELECT id FROM instrument_factor WHERE key = :factor) "
    )
    return (
        f"SELECT d.role, {period} AS p, sum(d.scores), count(DISTINCT r.case_id), "
        f"sum(d.distance), sum(d.towards_worse) FROM {sums} d "
        f"JOIN scoring_round r ON r.id = d.round_id JOIN child_case c ON c.id = r.case_id "
        f"WHERE d.municipality_id = :m AND r.municipality_id = :m "
        f"AND c.municipality_id = :m AND r.state = 'completed' {narrowed}GROUP BY p, d.role"
    )


def disagreement_raw_sql(dialect: str, factor: str | None = None) -> str:
    """The same figures by hand from the scores themselves (for reference)."""
    narrowed = (
        ""
        if factor is None
        else "JOIN instrument_factor f ON f.id = ss.factor_id AND f.key = :factor "
    )
    return (
        f"SELECT i.role, {YEAR[dialect]} * 10 + ({MONTH[dialect]} + 5) / 6 AS p, count(*), "
        f"count(DISTINCT r.case_id), sum(abs({TOWARDS_WORSE})), sum({TOWARDS_WORSE}) "
        f"{COMPARED_FROM}{narrowed}{COMPARED_WHERE}GROUP BY i.role, p"
    )


def own_view_sql(roles: tuple[str, ...]) -> str:
    """One own view (the child's, or the parents') by factor, by hand, from the rounds'
    per-factor summaries as the report reads them: per relation the scores and the children
    with at least one of them."""
    listed = ", ".join(f"'{r}'" for r in roles)
    relations = "".join(
        f"sum(d.{name}), count(DISTINCT CASE WHEN d.{name} > 0 THEN r.case_id END), "
        for name in ("fewer_problems", "same", "more_problems")
    )
    return (
        f"SELECT f.key, min(f.name_da), min(f.name_en), {relations}sum(d.towards_worse) "
        "FROM round_factor_disagreement d JOIN scoring_round r ON r.id = d.round_id "
        "JOIN child_case c ON c.id = r.case_id JOIN instrument_factor f ON f.id = d.factor_id "
        "WHERE d.municipality_id = :m AND r.municipality_id = :m AND c.municipality_id = :m "
        f"AND r.state = 'completed' AND d.role IN ({listed}) GROUP BY f.key"
    )


def own_view_raw_sql(roles: tuple[str, ...]) -> str:
    """The same figures by hand from the scores themselves, by factor and relation (for
    reference)."""
    relation = (
        f"CASE WHEN {TOWARDS_WORSE} < 0 THEN 'fewer_problems' "
        f"WHEN {TOWARDS_WORSE} > 0 THEN 'more_problems' ELSE 'same' END"
    )
    listed = ", ".join(f"'{r}'" for r in roles)
    return (
        f"SELECT f.key, min(f.name_da), min(f.name_en), {relation} AS rel, count(*), "
        f"count(DISTINCT r.case_id), sum({TOWARDS_WORSE}) {COMPARED_FROM}"
        "JOIN instrument_factor f ON f.id = ss.factor_id "
        f"{COMPARED_WHERE}AND i.role IN ({listed}) GROUP BY f.key, rel"
    )


def own_drift_sql(dialect: str) -> str:
    """One caseworker's drift by factor and half-year, by hand, from the rounds' summary."""
    period = f"{YEAR[dialect]} * 10 + ({MONTH[dialect]} + 5) / 6"
    return (
        f"SELECT f.key, {period} AS p, count(*), sum(d.towards_worse), "
        f"sum(d.towards_worse * d.towards_worse) FROM round_factor_drift d "
        f"JOIN scoring_round r ON r.id = d.round_id JOIN instrument_factor f ON f.id = d.factor_id "
        f"WHERE d.municipality_id = :m AND r.municipality_id = :m AND d.caseworker_id = :cw "
        f"AND r.state = 'completed' GROUP BY f.key, p"
    )


#: Every caseworker's mean drift per factor, by hand (the spread is made of these), in the
#: administrator's scope (every case of the municipality).
DRIFT_SPREAD_SQL = (
    "SELECT d.caseworker_id, d.factor_id, count(*), sum(d.towards_worse) "
    "FROM round_factor_drift d JOIN scoring_round r ON r.id = d.round_id "
    "WHERE d.municipality_id = :m AND r.municipality_id = :m AND r.state = 'completed' "
    "GROUP BY d.caseworker_id, d.factor_id"
)


def compliance_sql(dialect: str) -> str:
    """Procedure compliance per team and half-year, by hand: the five conditions per round."""
    period = f"{YEAR[dialect]} * 10 + ({MONTH[dialect]} + 5) / 6"
    late = {
        "sqlite": "julianday(r.completed_at) - julianday(r.due_at)",
        "postgresql": "EXTRACT(EPOCH FROM (r.completed_at - r.due_at)) / 86400.0",
    }[dialect]
    same = "{0}.municipality_id = r.municipality_id AND {0}.round_id = r.id"
    voices = (
        f"NOT EXISTS (SELECT 1 FROM informant i WHERE {same.format('i')} "
        "AND i.role IN ('child', 'mother', 'father') "
        "AND NOT EXISTS (SELECT 1 FROM submission s WHERE s.municipality_id = i.municipality_id "
        "AND s.informant_id = i.id AND s.status = 'submitted') "
        "AND NOT EXISTS (SELECT 1 FROM not_heard n WHERE n.municipality_id = i.municipality_id "
        "AND n.informant_id = i.id)) "
        f"AND (EXISTS (SELECT 1 FROM informant i WHERE {same.format('i')} AND i.role = 'child') "
        f"OR EXISTS (SELECT 1 FROM not_heard n WHERE {same.format('n')} AND n.role = 'child' "
        "AND n.informant_id IS NULL))"
    )
    attendance = (
        f"EXISTS (SELECT 1 FROM attendance a WHERE {same.format('a')}) AND NOT EXISTS "
        f"(SELECT 1 FROM attendance a WHERE {same.format('a')} AND a.present IS NULL)"
    )
    result = (
        f"EXISTS (SELECT 1 FROM outbox_message o WHERE {same.format('o')} "
        "AND o.kind = 'result' AND o.status IN ('pending', 'sent'))"
    )
    conditions = [
        "r.procedure = :procedure",
        voices,
        f"{late} <= :days",
        attendance,
        result,
    ]
    counted = ", ".join(f"sum(CASE WHEN {c} THEN 1 ELSE 0 END)" for c in conditions)
    every = " AND ".join(f"({c})" for c in conditions)
    return (
        f"SELECT c.team_id, {period} AS p, count(*), {counted}, "
        f"sum(CASE WHEN {every} THEN 1 ELSE 0 END) FROM scoring_round r "
        f"JOIN child_case c ON c.id = r.case_id WHERE r.municipality_id = :m "
        f"AND c.municipality_id = :m AND r.state = 'completed' GROUP BY c.team_id, p"
    )


def agreement_sql(dialect: str) -> str:
    """The agreement report's core by hand: each completed round's factor with two or more
    scores, by its packed counts, and how many rounds have each, per family, factor and year
    (the report also counts the children behind each)."""
    return (
        "SELECT ins.key, ins.scale_max - ins.scale_min + 1 AS pts, f.key, "
        f"{YEAR[dialect]} AS p, u.packed, u.packed_beyond, count(*) "
        "FROM round_factor_counts u "
        "JOIN scoring_round r ON r.municipality_id = u.municipality_id AND r.id = u.round_id "
        "JOIN instrument ins ON ins.id = r.instrument_id "
        "JOIN instrument_factor f ON f.id = u.factor_id "
        "WHERE u.municipality_id = :m AND u.scored >= 2 AND r.state = 'completed' "
        "GROUP BY ins.key, pts, f.key, p, u.packed, u.packed_beyond"
    )


#: Each child's latest current decision, by outcome and kind of measure, by hand.
DECISIONS_SQL = (
    "SELECT d.outcome, m.type, count(*) FROM ("
    "SELECT outcome, measure_id, row_number() OVER "
    "(PARTITION BY case_id ORDER BY decided_on DESC, id DESC) AS n "
    "FROM round_decision WHERE municipality_id = :m AND superseded_at IS NULL) d "
    "LEFT JOIN measure m ON m.municipality_id = :m AND m.id = d.measure_id "
    "WHERE d.n = 1 GROUP BY d.outcome, m.type"
)


def _median_ms(run: Callable[[], object], repeat: int) -> float:
    run()
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds) * 1000


#: The factor the disagreement report is also measured narrowed to (in every catalogue form).
DISAGREEMENT_FACTOR = "udvikling_adfaerd"

#: What `--only` can choose: the groups of reports, and the daily pages.
PARTS = (
    "outcomes",
    "change",
    "disagreement",
    "own_views",
    "quality",
    "drift",
    "compliance",
    "pages",
    "agreement",
    "decisions",
)


def bench_reports(
    engine: Engine, code: str, repeat: int, plans: bool, only: frozenset[str] = frozenset(PARTS)
) -> None:
    from sqlmodel import Session, select

    from service.auth.actor import ROLE_SCOPES, Actor
    from service.models import tenancy
    from service.models.audit import ActorKind
    from service.models.municipality import Municipality
    from service.models.staff import StaffRole
    from service.usecases.reports import change, disagreement, own_views, quality
    from service.usecases.reports.groups import Viewer
    from service.usecases.reports.outcomes import OutcomeFilter, outcome_table
    from service.usecases.reports.scope import report_scope

    dialect = engine.dialect.name
    with Session(engine) as session:
        mun = session.exec(select(Municipality).where(Municipality.code == code)).one()
        mid = mun.id or 0
        tenancy.bind_session(session, mid)
        actor = Actor(
            kind=ActorKind.STAFF,
            id=0,
            municipality_id=mid,
            label="bench",
            role=StaffRole.ADMINISTRATOR,
            team_id=None,
            scopes=ROLE_SCOPES[StaffRole.ADMINISTRATOR],
        )
        scope = report_scope(session, actor)
        print(
            f"\nReports for municipality {code} ({dialect}), administrator's scope, median of "
            f"{repeat}; the report (query + suppression) beside one hand-written SQL query:"
        )
        print(f"  {'report':<28} {'report':>10} {'hand SQL':>10} {'ratio':>7}")
        raw = session.connection()
        for group in GroupBy if "outcomes" in only else ():
            flt = OutcomeFilter(group_by=group)
            report = partial(outcome_table, session, scope, flt)
            ours = _median_ms(report, repeat)
            hand = partial(_run_sql, raw, hand_written(group, dialect), mid)
            theirs = _median_ms(hand, repeat)
            print(
                f"  {'outcomes by ' + group.value:<28} {ours:8.1f} ms {theirs:8.1f} ms "
                f"{ours / theirs:6.2f}x"
            )
            if plans:
                _plan(engine, report)
        if "change" in only:
            ours = _median_ms(
                lambda: session.execute(change.change_query(scope, Window())).all(), repeat
            )
            theirs = _median_ms(lambda: raw.execute(text(CHANGE_SQL), {"m": mid}).all(), repeat)
            label = "mean change per factor"
            print(f"  {label:<28} {ours:8.1f} ms {theirs:8.1f} ms {ours / theirs:6.2f}x")
            if plans:
                _plan(engine, lambda: session.execute(change.change_query(scope, Window())).all())
        for factor in (None, DISAGREEMENT_FACTOR) if "disagreement" in only else ():
            figures = partial(
                disagreement.disagreement_figures,
                session,
                scope,
                disagreement.DisagreementFilter(factor=factor),
            )
            ours = _median_ms(figures, repeat)
            extra = {"factor": factor} if factor else {}
            theirs = _median_ms(
                partial(_run_sql, raw, disagreement_sql(dialect, factor), mid, extra), repeat
            )
            label = "disagreement by role" + (", 1 factor" if factor else "")
            print(f"  {label:<28} {ours:8.1f} ms {theirs:8.1f} ms {ours / theirs:6.2f}x")
            scores = _median_ms(
                partial(_run_sql, raw, disagreement_raw_sql(dialect, factor), mid, extra), repeat
            )
            print(f"  {'  (by hand from the scores)':<28} {'':>11} {scores:8.1f} ms")
            if plans:
                _plan(engine, figures)
        for viewer in Viewer if "own_views" in only else ():
            view = partial(own_views.own_view, session, scope, Window(), viewer)
            ours = _median_ms(view, repeat)
            roles = tuple(r.value for r in own_views.VIEWERS[viewer])
            theirs = _median_ms(partial(_run_sql, raw, own_view_sql(roles), mid), repeat)
            label = f"own view: {viewer.value}"
            print(f"  {label:<28} {ours:8.1f} ms {theirs:8.1f} ms {ours / theirs:6.2f}x")
            scores = _median_ms(partial(_run_sql, raw, own_view_raw_sql(roles), mid), repeat)
            print(f"  {'  (by hand from the scores)':<28} {'':>11} {scores:8.1f} ms")
            if plans:
                _plan(engine, view)
        if "quality" in only:
            ours = _median_ms(lambda: quality.data_quality(session, scope, Window()), repeat)
            print(f"  {'data quality (6 queries)':<28} {ours:8.1f} ms")
        if "drift" in only:
            bench_drift(session, scope, raw, mid, dialect, repeat, plans, engine)
        if "compliance" in only:
            bench_compliance(session, scope, mun, raw, mid, dialect, repeat, plans, engine)
        if "agreement" in only:
            from service.usecases.child.cases import CaseVisibility
            from service.usecases.reports import agreement, agreement_ahead
            from service.usecases.reports.agreement_figures import keep
            from service.usecases.reports.groups import PeriodLength

            cells = partial(agreement.agreement_cells, session, scope, agreement.AgreementFilter())
            theirs = _median_ms(partial(_run_sql, raw, agreement_sql(dialect), mid), repeat)
            print(f"  agreement: {len(cells())} cells")

            def nothing_kept() -> None:
                raw.exec_driver_sql("DELETE FROM agreement_figures")
                agreement.forget_figures()

            def worked_out_ahead() -> int:
                # After rounds complete, with nothing kept: the municipality's and each
                # team's views, by each period length.
                nothing_kept()
                views, changed = agreement_ahead.changed_views(session, datetime.now(UTC))
                for found in changed:
                    keep(session, found.view, found.fingerprint, found.figures, datetime.now(UTC))
                return views

            def first_read() -> None:
                # On an instance that has worked nothing out itself, the views worked out ahead.
                agreement.forget_figures()
                cells()

            team = raw.exec_driver_sql(
                f"SELECT min(team_id) FROM child_case WHERE municipality_id = {int(mid)}"
            ).scalar_one()
            team_scope = replace(scope, visibility=CaseVisibility.TEAM, viewer=team, label="team")
            by_quarter = agreement.AgreementFilter(PeriodLength.QUARTER)

            def first_read_team() -> None:
                agreement.forget_figures()
                agreement.agreement_cells(session, team_scope, agreement.AgreementFilter())

            def first_read_quarter() -> None:
                agreement.forget_figures()
                agreement.agreement_cells(session, scope, by_quarter)

            def first_read_alone() -> None:
                nothing_kept()
                cells()

            def counted_again() -> None:
                # As after new rounds, before they are worked out ahead: the units counted
                # again, the intervals read back (new rounds change a few cells' intervals,
                # worked out again, not shown here).
                raw.exec_driver_sql("DELETE FROM agreement_figures")
                agreement.forget_figures(estimates=False)
                cells()

            def worked_out_again() -> int:
                # After one more completed round: the units counted again, the intervals of
                # the cells whose counts did not change read back.
                raw.exec_driver_sql("DELETE FROM agreement_figures")
                agreement.forget_figures(estimates=False)
                views, changed = agreement_ahead.changed_views(session, datetime.now(UTC))
                for found in changed:
                    keep(session, found.view, found.fingerprint, found.figures, datetime.now(UTC))
                return views

            ahead = _median_ms(worked_out_ahead, max(3, repeat // 4))
            again = _median_ms(worked_out_again, max(3, repeat // 4))
            print(
                f"  {'agreement, worked out ahead':<34} {ahead:8.1f} ms for "
                f"{worked_out_ahead()} views (the municipality's and its teams', by period "
                "length)"
            )
            print(f"  {'agreement, worked out again':<34} {again:8.1f} ms (intervals read back)")
            for what, run in (
                ("first read", first_read),
                ("first read, a team's", first_read_team),
                ("first read, by quarter", first_read_quarter),
                ("nothing kept", first_read_alone),
                ("counted again", counted_again),
                ("read again", cells),
            ):
                if what == "first read":
                    worked_out_ahead()
                ours = _median_ms(run, repeat)
                print(
                    f"  {'agreement, ' + what:<34} {ours:8.1f} ms {theirs:8.1f} ms "
                    f"{ours / theirs:6.2f}x"
                )
            agreement.forget_figures()
            if plans:
                _plan(engine, cells)
        if "decisions" in only:
            from service.usecases.procedure import decisions

            decided = partial(decisions.decisions_report, session, actor)
            ours = _median_ms(decided, repeat)
            theirs = _median_ms(partial(_run_sql, raw, DECISIONS_SQL, mid), repeat)
            label = f"decisions ({decided().total} children)"
            print(f"  {label:<28} {ours:8.1f} ms {theirs:8.1f} ms {ours / theirs:6.2f}x")
            if plans:
                _plan(engine, decided)


def bench_compliance(
    session: Any,
    scope: Any,
    mun: Any,
    raw: Any,
    mid: int,
    dialect: str,
    repeat: int,
    plans: bool,
    engine: Engine,
) -> None:
    from service.usecases.reports import compliance

    query = compliance.compliance_query(
        scope, compliance.ComplianceFilter(), mun.procedure, mun.on_time_days
    )

    def report() -> object:
        return compliance.compliance_rows(session, query)

    ours = _median_ms(report, repeat)
    extra: dict[str, Any] = {"procedure": mun.procedure.value, "days": mun.on_time_days}
    theirs = _median_ms(partial(_run_sql, raw, compliance_sql(dialect), mid, extra), repeat)
    label = "procedure compliance"
    print(f"  {label:<28} {ours:8.1f} ms {theirs:8.1f} ms {ours / theirs:6.2f}x")
    if plans:
        _plan(engine, report)


def bench_drift(
    session: Any,
    scope: Any,
    raw: Any,
    mid: int,
    dialect: str,
    repeat: int,
    plans: bool,
    engine: Engine,
) -> None:
    """A caseworker's own drift (the one with the most figures), and the spread."""
    from service.usecases.reports import drift

    busiest = raw.execute(
        text(
            "SELECT caseworker_id FROM round_factor_drift WHERE municipality_id = :m "
            "GROUP BY caseworker_id ORDER BY count(*) DESC LIMIT 1"
        ),
        {"m": mid},
    ).scalar()
    if busiest is None:
        print("  drift: no figures")
        return
    own = partial(
        lambda: session.execute(drift.own_drift_query(busiest, drift.DriftFilter())).all()
    )
    ours = _median_ms(own, repeat)
    theirs = _median_ms(
        partial(_run_sql, raw, own_drift_sql(dialect), mid, {"cw": busiest}), repeat
    )
    label = "drift: one caseworker"
    print(f"  {label:<28} {ours:8.1f} ms {theirs:8.1f} ms {ours / theirs:6.2f}x")
    spread = partial(lambda: session.execute(drift.spread_query(scope, Window())).all())
    ours = _median_ms(spread, repeat)
    theirs = _median_ms(partial(_run_sql, raw, DRIFT_SPREAD_SQL, mid), repeat)
    label = "drift: the spread"
    print(f"  {label:<28} {ours:8.1f} ms {theirs:8.1f} ms {ours / theirs:6.2f}x")
    if plans:
        _plan(engine, own)
        _plan(engine, spread)


def _run_sql(
    connection: Any, sql: str, municipality_id: int, extra: dict[str, Any] | None = None
) -> object:
    return connection.execute(text(sql), {"m": municipality_id, **(extra or {})}).all()


def _plan(engine: Engine, run: Callable[[], object]) -> None:
    """The plan of the report's main query, as the service sends it (tenancy included)."""
    from sqlalchemy import event

    seen: list[tuple[str, Any]] = []

    def capture(_c: Any, _cur: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "GROUP BY" in statement:
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    if not seen:
        return
    statement, parameters = seen[0]
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    with engine.connect() as conn:
        for row in conn.exec_driver_sql(prefix + statement, parameters).all():
            print("      " + str(row[-1] if engine.dialect.name == "sqlite" else row[0]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a temporary SQLite database")
    parser.add_argument("--scale", choices=[s.value for s in ScaleName], default="municipality")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--plans", action="store_true", help="print the report queries' plans")
    parser.add_argument("--code", help="the municipality to report on (default: the largest)")
    parser.add_argument(
        "--only",
        action="append",
        choices=PARTS,
        help="run only these parts (repeatable; default: all)",
    )
    args = parser.parse_args()
    scale = ScaleName(args.scale)
    tmp = None
    url = args.database_url
    if url is None:
        tmp = tempfile.TemporaryDirectory()
        url = f"sqlite:///{Path(tmp.name) / 'bench.db'}"
    engine = make_engine(url)
    migrate(engine)
    started = time.perf_counter()
    result = generate(engine, scale, seed=args.seed, as_of=datetime.now(UTC).date())
    print(
        f"Generator ({scale.value}, {engine.dialect.name}): {result.children} children, "
        f"{result.rows} rows in {time.perf_counter() - started:.1f} s"
        + (f" (already present: {len(result.skipped)} municipalities)" if result.skipped else "")
    )
    settings = Settings(
        environment=Environment.DEVELOPMENT,
        database_url=url,
        secret_key=SECRET,
        dispatcher="off",
    )
    app = create_app(settings, engine=engine, clock=SystemClock())
    code = args.code or ("900" if scale is ScaleName.MUNICIPALITY else "101")
    only = frozenset(args.only or PARTS)
    bench_reports(engine, code, args.repeat, args.plans, only)
    if "pages" in only:
        asyncio.run(daily_pages(app, code, args.repeat))
    engine.dispose()
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
