"""Agreement at the meeting and in the round's result: per factor, how alike the independent
scores were (range, IQR, r_wg and its words), and the value counts a completed round keeps for
the municipality's figures (the family's step and "cannot assess" left out)."""

from __future__ import annotations

import asyncio
import html
import json
import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from service import migrations
from service.clock import FrozenClock
from service.config import Settings
from service.db import session_scope
from service.main import create_app
from service.models.case import Case
from service.ops.figures_ahead import FiguresAhead
from service.usecases.data_rights.retention import erase_case
from service.usecases.reports.agreement import forget_figures
from service.usecases.reports.agreement_ahead import LOCK_SPACE, AheadResult, work_ahead
from service.usecases.reports.groups import PeriodLength
from service.workflow.agreement import krippendorff_alpha, pack_counts, value_counts
from service.workflow.scale import BestEnd, Scale
from tests.factories import ADMIN_A, CW2_A, CW_A, LEADER_A, instrument_definition
from tests.rounds_helpers import (
    CANNOT,
    FACTORS,
    add_informant,
    complete_round,
    entries,
    fire,
    new_case,
    open_round,
    round_informants,
    set_official,
    set_procedure,
    staff_login,
    submit_on_behalf,
)
from tests.world import World

# Per informant, in factor order: factor 1 alike (2, 2, 2, 3), factor 2 far apart (0, 4, 0, 4),
# factor 3 only two scores, the rest alike.
SCORES: dict[str, list[int | None]] = {
    "caseworker": [2, 0, 1, 1, 1, 1, 1, 1],
    "school": [2, 4, 3, 1, 1, 1, 1, 1],
    "psychologist": [2, 0, CANNOT, 1, 1, 1, 1, 1],
    "daycare": [3, 4, CANNOT, 1, 1, 1, 1, 1],
}
OFFICIAL = {key: (2, 1) for key in FACTORS}
ARHUS = Scale(0, 4, BestEnd.LOW)
REVISION = "20261208_agreement_01"
DANISH = ZoneInfo("Europe/Copenhagen")


def _agreement(factors: list[dict[str, Any]]) -> dict[str, Any]:
    return {f["factor_key"]: f["agreement"] for f in factors}


async def test_meeting_and_result_say_how_alike_the_scores_were(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, engine: Engine
) -> None:
    await set_procedure(client, world, "kl3")
    case_id = await new_case(client, world)
    rid = int((await open_round(client, world, clock, case_id))["id"])
    informants = {"caseworker": (await round_informants(client, world, rid))[0]["id"]}
    for role in ("school", "psychologist", "daycare"):
        informants[role] = (await add_informant(client, world, rid, role, role.title()))["id"]
    for role, values in SCORES.items():
        r = await submit_on_behalf(client, world, rid, informants[role], entries(values))
        assert r.status_code == 200, r.text

    r = await client.get(f"/api/v1/rounds/{rid}/consensus", headers=world.headers(CW_A))
    assert r.status_code == 200, r.text
    meeting = _agreement(r.json()["factors"])
    alike, apart, few = meeting[FACTORS[0]], meeting[FACTORS[1]], meeting[FACTORS[2]]
    # 2, 2, 2, 3: s^2 = 0.25, r_wg = 1 - 0.25 / 2 = 0.875; quartiles 2 and 2.25.
    assert alike == {
        "scored": 4,
        "range": 1,
        "iqr": 0.25,
        "r_wg": 0.875,
        "level": "high",
    }
    # 0, 4, 0, 4: s^2 = 16/3 > 2: no agreement at all.
    assert (apart["range"], apart["r_wg"], apart["level"]) == (4, 0.0, "low")
    assert (few["scored"], few["r_wg"], few["level"]) == (2, None, "too_few")

    # The meeting page says it in words and a mark, with the range and IQR, not as a figure.
    await staff_login(client)
    page = await client.get(f"/rounds/{rid}/meeting")
    assert page.status_code == 200, page.status_code
    words = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.text)).split())
    for said in ("● Stor enighed", "○ Stor uenighed", "– For få vurderinger"):
        assert said in words
    assert "Spændvidde 1 point, kvartilafstand 0,25" in words
    assert "0,875" not in words and "0.875" not in words

    r = await set_official(client, world, rid, OFFICIAL)
    assert r.status_code == 200, r.text
    r = await fire(client, world, rid, "finish_consensus")
    assert r.json()["state"] == "completed", r.text

    r = await client.get(f"/api/v1/rounds/{rid}/result", headers=world.headers(CW_A))
    assert r.status_code == 200, r.text
    assert _agreement(r.json()["factors"]) == meeting
    report = await client.get(
        f"/api/v1/rounds/{rid}/report", params={"format": "html"}, headers=world.headers(CW_A)
    )
    assert report.status_code == 200, report.text
    said = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", report.text)).split())
    assert "● Stor enighed Spændvidde 1 point, kvartilafstand 0,25" in said
    assert "○ Stor uenighed" in said and "For få vurderinger" in said
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT f.key, a.severity, a.scores FROM round_factor_agreement a "
                "JOIN instrument_factor f ON f.id = a.factor_id WHERE a.round_id = :r"
            ),
            {"r": rid},
        ).all()
    counts = {(key, severity): n for key, severity, n in rows}
    assert {k: v for k, v in counts.items() if k[0] == FACTORS[0]} == {
        (FACTORS[0], 2): 3,
        (FACTORS[0], 3): 1,
    }
    assert {k: v for k, v in counts.items() if k[0] == FACTORS[2]} == {
        (FACTORS[2], 1): 1,
        (FACTORS[2], 3): 1,
    }
    assert _packed(engine, rid) == _packed_from(counts)

    # The migration counts rounds completed before it the same way.
    script = ScriptDirectory.from_config(migrations.alembic_config())
    before = script.get_revision(REVISION).down_revision
    assert isinstance(before, str)
    migrations.downgrade(engine, before)
    migrations.upgrade(engine)
    with engine.connect() as connection:
        again = connection.execute(
            text(
                "SELECT f.key, a.severity, a.scores FROM round_factor_agreement a "
                "JOIN instrument_factor f ON f.id = a.factor_id WHERE a.round_id = :r"
            ),
            {"r": rid},
        ).all()
    assert {(key, severity): n for key, severity, n in again} == counts
    assert _packed(engine, rid) == _packed_from(counts)


def _packed(engine: Engine, rid: int) -> dict[str, tuple[int, tuple[int, int]]]:
    """The round's counts per factor as the agreement report reads them: packed, a row each."""
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT f.key, p.scored, p.packed, p.packed_beyond FROM round_factor_counts p "
                "JOIN instrument_factor f ON f.id = p.factor_id WHERE p.round_id = :r"
            ),
            {"r": rid},
        ).all()
    return {key: (scored, (packed, beyond)) for key, scored, packed, beyond in rows}


def _packed_from(counts: dict[tuple[str, int], int]) -> dict[str, tuple[int, tuple[int, ...]]]:
    by_factor: dict[str, list[int]] = {}
    for (key, severity), n in counts.items():
        by_factor.setdefault(key, [0] * 5)[severity] = n
    return {key: (sum(row), pack_counts(row)) for key, row in by_factor.items()}


# Three children's rounds in one year, each with three independent scores per factor.
CHILDREN = [
    {"caseworker": [0, 1, 2, 3, 4, 1, 2, 0], "school": [0, 1, 2, 3, 3, 1, 2, 1]},
    {"caseworker": [1, 2, 2, 3, 4, 0, 0, 0], "school": [2, 2, 1, 3, 4, 1, 0, 0]},
    {"caseworker": [3, 0, 4, 1, 0, 2, 2, 1], "school": [3, 1, 4, 1, 1, 2, 3, 1]},
]
PSYCHOLOGIST = [1, 1, 2, 2, 3, 1, 1, 0]


async def test_the_municipalitys_alpha_per_factor_hidden_for_too_few_children(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    r = await client.patch(
        "/api/v1/municipality/policy",
        json={"procedure": "kl3", "min_group_size": 3},
        headers=world.headers(ADMIN_A),
    )
    assert r.status_code == 200, r.text
    for n, scores in enumerate(CHILDREN):
        case_id = await new_case(client, world, f"DUBU-A{n}")
        official = [(s, s) for s in scores["caseworker"]]
        everyone = {"school": scores["school"], "psychologist": PSYCHOLOGIST}
        await complete_round(client, world, clock, case_id, official, everyone, days_after=0)
    first_year = str(clock.now().year)
    clock.advance(timedelta(days=400))
    lone = await new_case(client, world, "DUBU-A9")
    await complete_round(client, world, clock, lone, [(1, 1)] * 8, {"school": [1] * 8})

    r = await client.get("/api/v1/reports/agreement", headers=world.headers(LEADER_A))
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["period"], body["min_group_size"], body["draws"]) == ("year", 3, 1000)
    cells = {(c["factor_key"], c["period"]): c for c in body["cells"]}
    for i, key in enumerate(FACTORS):
        units = [[s["caseworker"][i], s["school"][i], PSYCHOLOGIST[i]] for s in CHILDREN]
        expected = krippendorff_alpha(value_counts(units, ARHUS))
        cell = cells[(key, first_year)]
        assert (cell["family"], cell["points"], cell["suppressed"]) == (
            "aarhus-boern-familie",
            5,
            False,
        )
        assert (cell["children"], cell["rounds"]) == (3, 3)
        assert cell["alpha"] == pytest.approx(expected, abs=1e-3)
        assert cell["low"] <= cell["alpha"] <= cell["high"]
    later = [c for (_, period), c in cells.items() if period != first_year]
    assert len(later) == len(FACTORS)
    for cell in later:
        assert cell["suppressed"] is True and cell["period"] == later[0]["period"]
        assert [cell[k] for k in ("children", "rounds", "alpha", "low", "high")] == [None] * 5
        assert cell["reliability"] == "unknown"

    again = await client.get("/api/v1/reports/agreement", headers=world.headers(LEADER_A))
    assert again.json()["cells"] == body["cells"]  # the interval is seeded
    csv = await client.get("/api/v1/reports/agreement.csv", headers=world.headers(LEADER_A))
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    # The saved file is named with the moment its figures are from, in Danish time.
    named = re.fullmatch(
        r'attachment; filename="agreement-(\d{4}-\d\d-\d\d-\d{4})\.csv"',
        csv.headers["content-disposition"],
    )
    assert named is not None, csv.headers["content-disposition"]
    saved = datetime.strptime(named.group(1), "%Y-%m-%d-%H%M").replace(tzinfo=DANISH)
    assert abs(saved - datetime.fromisoformat(body["as_of"])) < timedelta(minutes=2)
    lines = csv.text.splitlines()
    assert lines[0].startswith("family,points,factor,period,children,rounds,alpha")
    first = cells[(FACTORS[0], first_year)]
    assert f"aarhus-boern-familie,5,{FACTORS[0]},{first_year},3,3,{first['alpha']}," in csv.text
    assert f"aarhus-boern-familie,5,{FACTORS[0]},{later[0]['period']},,,,,,unknown" in csv.text

    await staff_login(client, LEADER_A)
    page = await client.get("/reports/agreement")
    assert page.status_code == 200, page.status_code
    words = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.text)).split())
    shown = f"{first['alpha']:.2f}".replace(".", ",")
    assert "Scorer vi ens?" in words and f"{shown} (" in words and "3 børn" in words
    assert "I tabellen er 8 tal skjult." in words
    # Rounds reached through a mapping are not pooled, and the page says so.
    assert "Hvert skema og hver skala har sine egne tal." in words
    download = await client.get("/reports/agreement.csv")
    assert download.status_code == 200 and download.text == csv.text


#: An own instrument on eleven points (0 = no problems), its factors in order, and per child
#: the school's, the psychologist's and the caseworker's scores of them.
ELEVEN = Scale(0, 10, BestEnd.LOW)
OWN_FACTORS = ["trivsel", "skole", "venner"]
ON_ELEVEN = [
    {"school": [10, 0, 4], "psychologist": [9, 1, 4], "caseworker": [10, 2, 5]},
    {"school": [2, 7, 0], "psychologist": [3, 7, 0], "caseworker": [2, 6, 1]},
    {"school": [6, 10, 8], "psychologist": [5, 9, 8], "caseworker": [6, 10, 7]},
]


def _own_entries(values: list[int]) -> list[dict[str, Any]]:
    return [
        {"factor_key": k, "score": v, "comment": ""}
        for k, v in zip(OWN_FACTORS, values, strict=True)
    ]


async def test_a_scale_of_eleven_points_has_its_alpha_too(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    """An instrument may have eleven points; its rounds count like any other's (the counts of
    the eleventh point are kept in a number of their own)."""
    admin = world.headers(ADMIN_A)
    r = await client.post(
        "/api/v1/instruments",
        json=instrument_definition(key="linealen", points=range(0, 11)),
        headers=admin,
    )
    assert r.status_code == 201, r.text
    own = int(r.json()["id"])
    r = await client.post(f"/api/v1/instruments/{own}/publish", headers=admin)
    assert r.status_code == 200, r.text
    r = await client.patch(
        "/api/v1/municipality/policy",
        json={"procedure": "kl3", "min_group_size": 3, "instruments_in_use": ["linealen"]},
        headers=admin,
    )
    assert r.status_code == 200, r.text
    cases = [await new_case(client, world, f"DUBU-L{n}") for n in range(len(ON_ELEVEN))]

    async def score_each_child(instrument: int, shift: int) -> None:
        for case_id, scores in zip(cases, ON_ELEVEN, strict=True):
            rid = int(
                (await open_round(client, world, clock, case_id, instrument_id=instrument))["id"]
            )
            informants = {"caseworker": (await round_informants(client, world, rid))[0]["id"]}
            for role in ("school", "psychologist"):
                added = await add_informant(client, world, rid, role, role.title())
                informants[role] = added["id"]
            for role, values in scores.items():
                given = _own_entries([min(10, v + shift) for v in values])
                r = await submit_on_behalf(client, world, rid, informants[role], given)
                assert r.status_code == 200, r.text
            official = {k: (v, v) for k, v in zip(OWN_FACTORS, scores["caseworker"], strict=True)}
            assert (await set_official(client, world, rid, official)).status_code == 200
            r = await fire(client, world, rid, "finish_consensus")
            assert r.json()["state"] == "completed", r.text

    await score_each_child(own, 0)
    r = await client.get("/api/v1/reports/agreement", headers=world.headers(LEADER_A))
    assert r.status_code == 200, r.text
    cells = {c["factor_key"]: c for c in r.json()["cells"] if c["family"] == "linealen"}
    assert sorted(cells) == sorted(OWN_FACTORS)
    for i, key in enumerate(OWN_FACTORS):
        units = [[child[role][i] for role in child] for child in ON_ELEVEN]
        expected = krippendorff_alpha(value_counts(units, ELEVEN))
        assert expected is not None
        cell = cells[key]
        assert (cell["points"], cell["suppressed"], cell["children"]) == (11, False, 3)
        assert cell["alpha"] == pytest.approx(expected, abs=1e-3)

    # A second version on the same scale counts with the first; its rounds of the same
    # children the same year add rounds, not children.
    r = await client.post(f"/api/v1/instruments/{own}/versions", headers=admin)
    assert r.status_code == 201, r.text
    second = int(r.json()["id"])
    assert (await client.post(f"/api/v1/instruments/{second}/publish", headers=admin)).is_success
    await score_each_child(second, 1)
    r = await client.get("/api/v1/reports/agreement", headers=world.headers(LEADER_A))
    cells = {c["factor_key"]: c for c in r.json()["cells"] if c["family"] == "linealen"}
    for i, key in enumerate(OWN_FACTORS):
        units = [[child[role][i] for role in child] for child in ON_ELEVEN]
        units += [[min(10, v + 1) for v in unit] for unit in units]
        both = krippendorff_alpha(value_counts(units, ELEVEN))
        assert (cells[key]["children"], cells[key]["rounds"]) == (3, 6)
        assert cells[key]["alpha"] == pytest.approx(both, abs=1e-3)

    await staff_login(client, LEADER_A)
    page = await client.get("/reports/agreement")
    assert page.status_code == 200, page.status_code
    words = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.text)).split())
    shown = f"{cells['trivsel']['alpha']:.2f}".replace(".", ",")
    assert "Egen trivselsskala" in words and f"{shown} (" in words


async def test_the_figures_follow_every_change_of_the_rounds_behind_them(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, engine: Engine
) -> None:
    """The report's figures are kept between reads while their data are unchanged: a round
    completed, a case moved out of the team and a case erased each show at the next read."""
    if engine.dialect.name == "postgresql":
        # Round ids past what 32 bits hold once multiplied, as a municipality reaches in time.
        with engine.begin() as connection:
            connection.execute(
                text("SELECT setval(pg_get_serial_sequence('scoring_round', 'id'), 3000000)")
            )
    r = await client.patch(
        "/api/v1/municipality/policy",
        json={"procedure": "kl3", "min_group_size": 3},
        headers=world.headers(ADMIN_A),
    )
    assert r.status_code == 200, r.text
    everyone = {"school": CHILDREN[0]["school"], "psychologist": PSYCHOLOGIST}
    cases = []
    for n, scores in enumerate([*CHILDREN, CHILDREN[0]]):
        cases.append(await new_case(client, world, f"DUBU-F{n}"))
        if n < len(CHILDREN):
            official = [(s, s) for s in scores["caseworker"]]
            await complete_round(client, world, clock, cases[-1], official, everyone, days_after=0)

    async def first_factor(who: str) -> dict[str, Any]:
        r = await client.get("/api/v1/reports/agreement", headers=world.headers(who))
        assert r.status_code == 200, r.text
        cell: dict[str, Any] = next(
            c for c in r.json()["cells"] if c["factor_key"] == FACTORS[0] and c["points"] == 5
        )
        return cell

    before = await first_factor(LEADER_A)
    assert (before["children"], before["rounds"]) == (3, 3)
    assert (await first_factor(LEADER_A)) == before  # read back

    official = [(s, s) for s in CHILDREN[0]["caseworker"]]
    await complete_round(client, world, clock, cases[-1], official, everyone, days_after=0)
    grown = await first_factor(LEADER_A)
    assert (grown["children"], grown["rounds"]) == (4, 4)
    assert grown["alpha"] != before["alpha"]

    # The case moves to a caseworker of another team: the team leader no longer counts it.
    r = await client.patch(
        f"/api/v1/cases/{cases[-1]}",
        json={"caseworker_id": world.user(CW2_A).id},
        headers=world.headers(ADMIN_A),
    )
    assert r.status_code == 200, r.text
    assert (await first_factor(LEADER_A)) == before
    assert (await first_factor(ADMIN_A))["children"] == 4

    with session_scope(engine) as session:
        case = session.get(Case, cases[0])
        assert case is not None
        erase_case(session, case, clock.now(), "test")
    assert (await first_factor(ADMIN_A))["children"] == 3
    suppressed = await first_factor(LEADER_A)  # two children left in the team
    assert suppressed["suppressed"] is True and suppressed["children"] is None


EVERYONE = {"school": CHILDREN[0]["school"], "psychologist": PSYCHOLOGIST}


async def _children_scored(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, prefix: str, spare: int = 0
) -> list[int]:
    """KL 3 with a smallest group of three, and a round completed for each of the three
    children (school and psychologist beside the caseworker); with `spare`, as many cases
    more with no round yet. The cases, in that order."""
    r = await client.patch(
        "/api/v1/municipality/policy",
        json={"procedure": "kl3", "min_group_size": 3},
        headers=world.headers(ADMIN_A),
    )
    assert r.status_code == 200, r.text
    cases = [await new_case(client, world, f"{prefix}{n}") for n in range(len(CHILDREN) + spare)]
    for case, scores in zip(cases, CHILDREN, strict=False):
        official = [(s, s) for s in scores["caseworker"]]
        await complete_round(client, world, clock, case, official, EVERYONE, days_after=0)
    return cases


async def test_the_views_worked_out_ahead_are_shown_for_exactly_their_data(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, engine: Engine
) -> None:
    """The municipality's and each team's views are worked out ahead and kept; a
    read shows them while its own fingerprint matches theirs, and never after the data (or
    the smallest group shown) changed."""
    cases = await _children_scored(client, world, clock, "DUBU-T", spare=1)

    async def report(who: str) -> list[dict[str, Any]]:
        forget_figures()  # as a read on another instance, or after a restart
        r = await client.get("/api/v1/reports/agreement", headers=world.headers(who))
        assert r.status_code == 200, r.text
        cells: list[dict[str, Any]] = r.json()["cells"]
        return cells

    worked_out_now = {who: await report(who) for who in (ADMIN_A, LEADER_A)}
    # The municipality's and the team's, by three period lengths each.
    ahead = work_ahead(engine, clock.now())
    assert (ahead.checked, ahead.worked_out) == (6, 6), ahead
    again = work_ahead(engine, clock.now())  # nothing changed: nothing worked out
    assert (again.checked, again.worked_out) == (6, 0), again
    for who, cells in worked_out_now.items():
        assert await report(who) == cells  # the same figures as a read works out itself

    # What a read shows is what was kept: a changed figure in the store comes through.
    with engine.begin() as connection:
        kept = {
            str(view): str(cells)
            for view, cells in connection.execute(text("SELECT view, cells FROM agreement_figures"))
        }
        assert set(kept) == {
            f"{scope}/{period.value}"
            for scope in ("municipality", f"team:{world.teams['Team Nord']}")
            for period in PeriodLength
        }
        marked = [dict(cell, alpha=0.123) for cell in json.loads(kept["municipality/year"])]
        connection.execute(
            text("UPDATE agreement_figures SET cells = :cells WHERE view = 'municipality/year'"),
            {"cells": json.dumps(marked)},
        )
    shown = [c for c in await report(ADMIN_A) if not c["suppressed"]]
    assert shown and {c["alpha"] for c in shown} == {0.123}
    assert await report(LEADER_A) == worked_out_now[LEADER_A]

    # A smallest group raised: the kept figures are not the read's any more.
    r = await client.patch(
        "/api/v1/municipality/policy", json={"min_group_size": 4}, headers=world.headers(ADMIN_A)
    )
    assert r.status_code == 200, r.text
    assert all(c["suppressed"] for c in await report(ADMIN_A))
    r = await client.patch(
        "/api/v1/municipality/policy", json={"min_group_size": 3}, headers=world.headers(ADMIN_A)
    )
    assert r.status_code == 200, r.text
    assert {c["alpha"] for c in await report(ADMIN_A) if not c["suppressed"]} == {0.123}

    # A round completed: every view's data changed, and no read shows the kept figures.
    official = [(s, s) for s in CHILDREN[0]["caseworker"]]
    await complete_round(client, world, clock, cases[-1], official, EVERYONE, days_after=0)
    grown = await report(ADMIN_A)
    assert 0.123 not in {c["alpha"] for c in grown}
    assert max(c["children"] or 0 for c in grown) == len(CHILDREN) + 1
    ahead = work_ahead(engine, clock.now())
    assert (ahead.checked, ahead.worked_out) == (6, 6), ahead
    assert await report(ADMIN_A) == grown

    # A case moved to another team: only that team's view is worked out again.
    r = await client.patch(
        f"/api/v1/cases/{cases[-1]}",
        json={"caseworker_id": world.user(CW2_A).id},
        headers=world.headers(ADMIN_A),
    )
    assert r.status_code == 200, r.text
    assert await report(LEADER_A) == worked_out_now[LEADER_A]
    ahead = work_ahead(engine, clock.now())
    assert ahead.worked_out >= 1, ahead
    assert (ahead.checked - ahead.worked_out) == 3  # the municipality's views stood
    assert await report(LEADER_A) == worked_out_now[LEADER_A]


async def test_the_views_are_worked_out_in_a_loop_of_their_own(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, engine: Engine
) -> None:
    """The loop beside the deliveries works the views out after rounds complete, and again
    only when their data change; a turn that fails (the database away) does not end it."""
    await _children_scored(client, world, clock, "DUBU-L")
    ahead = FiguresAhead(engine, clock, seconds=0.02)
    failing = True
    turn = ahead.turn

    def first_fails() -> AheadResult:
        nonlocal failing
        if failing:
            failing = False
            raise OperationalError("SELECT 1", {}, Exception("the database is away"))
        return turn()

    ahead.turn = first_fails  # type: ignore[method-assign]
    stop = asyncio.Event()
    running = asyncio.create_task(ahead.run(stop))
    for _ in range(500):
        if ahead.turns >= 3:
            break
        await asyncio.sleep(0.02)
    stop.set()
    await running
    assert ahead.turns >= 3 and ahead.worked_out == 6, (ahead.turns, ahead.worked_out)
    with engine.begin() as connection:
        kept = connection.execute(text("SELECT count(*) FROM agreement_figures")).scalar_one()
    assert kept == 6


async def test_the_instance_that_delivers_works_the_views_out(
    client: httpx.AsyncClient,
    world: World,
    clock: FrozenClock,
    engine: Engine,
    settings: Settings,
) -> None:
    """The loop runs where the deliveries run: in an instance with the dispatcher in-process
    (the mail goes to a folder in the tests), not in one that leaves them to a worker."""
    await _children_scored(client, world, clock, "DUBU-I")

    def kept() -> int:
        with engine.begin() as connection:
            found: int = connection.execute(
                text("SELECT count(*) FROM agreement_figures")
            ).scalar_one()
        return found

    for dispatcher, expected in (("off", 0), ("inprocess", 6)):
        app = create_app(settings.model_copy(update={"dispatcher": dispatcher}), engine=engine)
        async with app.router.lifespan_context(app):
            for _ in range(250 if expected else 15):
                if kept() and expected:
                    break
                await asyncio.sleep(0.02)
        assert kept() == expected, dispatcher


async def test_two_workers_do_not_both_work_a_municipality_out(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, engine: Engine
) -> None:
    """On PostgreSQL a worker at a municipality's views holds them: another leaves them to it
    and looks again at its next turn."""
    if engine.dialect.name != "postgresql":
        pytest.skip("one process works the views out on SQLite")
    await _children_scored(client, world, clock, "DUBU-W")
    with engine.connect() as other:
        municipality = world.user(ADMIN_A).municipality_id
        other.execute(
            text("SELECT pg_advisory_lock(:space, :m)"), {"space": LOCK_SPACE, "m": municipality}
        )
        held = work_ahead(engine, clock.now())
        other.execute(
            text("SELECT pg_advisory_unlock(:space, :m)"), {"space": LOCK_SPACE, "m": municipality}
        )
        other.commit()
    assert (held.busy, held.worked_out) == (1, 0), held
    free = work_ahead(engine, clock.now())
    assert (free.busy, free.worked_out) == (0, 6), free


async def test_a_worker_just_started_reads_unchanged_intervals_back_from_the_store(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, engine: Engine
) -> None:
    """After a change, a view is worked out again; its cells whose counts did not change take
    their intervals from what was kept, in a process that drew none of them (a worker just
    started): a round the caseworker scored alone adds no unit of two scores, so every cell
    of the municipality's view stays as kept, marks included."""
    cases = await _children_scored(client, world, clock, "DUBU-S", spare=1)
    assert work_ahead(engine, clock.now()).worked_out == 6
    with engine.begin() as connection:
        cells = json.loads(
            connection.execute(
                text("SELECT cells FROM agreement_figures WHERE view = 'municipality/year'")
            ).scalar_one()
        )
        shown = [c for c in cells if c["shown"] and c["alpha"] is not None]
        assert shown and all(c["interval"] for c in shown)
        marked = [dict(c, alpha=0.321) if c in shown else c for c in cells]
        connection.execute(
            text("UPDATE agreement_figures SET cells = :cells WHERE view = 'municipality/year'"),
            {"cells": json.dumps(marked)},
        )
    forget_figures()  # a process that has drawn nothing

    official = [(s, s) for s in CHILDREN[0]["caseworker"]]
    await complete_round(client, world, clock, cases[-1], official, {}, days_after=0)
    ahead = work_ahead(engine, clock.now())
    assert ahead.worked_out == 6, ahead  # the units' fingerprint changed for every view
    forget_figures()
    r = await client.get("/api/v1/reports/agreement", headers=world.headers(ADMIN_A))
    assert r.status_code == 200, r.text
    alphas = {c["alpha"] for c in r.json()["cells"] if not c["suppressed"]} - {None}
    assert alphas == {0.321}
    # The team's view, read back the same way and not marked, is what a read works out anew.
    r = await client.get("/api/v1/reports/agreement", headers=world.headers(LEADER_A))
    assert r.status_code == 200, r.text
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM agreement_figures"))
    forget_figures()
    anew = await client.get("/api/v1/reports/agreement", headers=world.headers(LEADER_A))
    assert anew.json()["cells"] == r.json()["cells"]
