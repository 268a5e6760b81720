"""The disagreement report and the own-views report read a summary per completed round: they
give exactly the figures of comparing every submitted score with the official one, as the
reports did before the summary (kept here as the oracles), for every scope, period, factor,
window and viewer, after rounds on scales with either best end, with "cannot assess", factors
not assessed, two informants of one role, amendments after completion and rounds that never
completed. The migration's backfill writes the same rows."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, SQLModel, col

from service import migrations
from service.auth.actor import ROLE_SCOPES, Actor
from service.clock import FrozenClock
from service.models import tenancy
from service.models.audit import ActorKind
from service.models.round import Informant, OfficialScore, ScoringRound, SubmissionScore
from service.usecases.reports import disagreement, own_views
from service.usecases.reports.disagreement import (
    DisagreementFilter,
    compared_scores,
    disagreement_figures,
    towards_worse,
)
from service.usecases.reports.groups import GroupBy, PeriodLength, Viewer, group_key
from service.usecases.reports.scope import Window, report_scope
from tests import rounds_helpers
from tests.factories import ADMIN_A, CW_A, LEADER_A, instrument_definition
from tests.rounds_helpers import (
    add_informant,
    amend,
    entries,
    new_case,
    open_round,
    round_informants,
    set_procedure,
    submit_on_behalf,
)
from tests.world import World

ROLES = ["school", "mother", "father", "child", "daycare", "psychologist"]
#: The custom instrument's factors, on a scale whose best end is high.
HIGH = ["trivsel", "skole", "venner"]
TABLES = ("round_disagreement", "round_factor_disagreement")
#: aarhus-boern-familie's factors (the helpers' default, which a test may swap).
AARHUS = list(rounds_helpers.FACTORS)


def oracle_query(scope: Any, flt: DisagreementFilter) -> Any:
    """The report's query before the summary: every compared score, grouped."""
    from sqlalchemy import func

    period = group_key(GroupBy.PERIOD, flt.period).label("period")
    offset = towards_worse(col(SubmissionScore.score), col(OfficialScore.score))
    return (
        compared_scores(scope, Window.of(flt.start, flt.end), flt.factor)
        .add_columns(
            col(Informant.role),
            period,
            func.count(),
            func.count(func.distinct(col(ScoringRound.case_id))),
            func.sum(func.abs(offset)),
            func.sum(offset),
        )
        .group_by(col(Informant.role), period)
    )


def _rows(session: Session, query: Any) -> list[tuple[str, int, int, int, int, int]]:
    return sorted(
        (str(getattr(role, "value", role)), int(key), int(n), int(c), int(d or 0), int(o or 0))
        for role, key, n, c, d, o in session.execute(query).all()
    )


def own_view_oracle(scope: Any, window: Window, viewer: Viewer) -> Any:
    """The own-views report's query before the summary: (factor key, names, relation, count,
    distinct children, sum of the distances towards the worst end), from every compared score
    of the viewer's roles."""
    from sqlalchemy import case as sql_case
    from sqlalchemy import func

    from service.models.instrument import InstrumentFactor

    offset = towards_worse(col(SubmissionScore.score), col(OfficialScore.score))
    relation = sql_case(
        (offset < 0, own_views.Relation.FEWER.value),
        (offset > 0, own_views.Relation.MORE.value),
        else_=own_views.Relation.SAME.value,
    ).label("relation")
    return (
        compared_scores(scope, window, None)
        .join(InstrumentFactor, col(InstrumentFactor.id) == col(SubmissionScore.factor_id))
        .add_columns(
            col(InstrumentFactor.key),
            func.min(col(InstrumentFactor.name_da)),
            func.min(col(InstrumentFactor.name_en)),
            relation,
            func.count(),
            func.count(func.distinct(col(ScoringRound.case_id))),
            func.sum(offset),
        )
        .where(col(Informant.role).in_([r.value for r in own_views.VIEWERS[viewer]]))
        .group_by(col(InstrumentFactor.key), relation)
    )


def own_view_oracle_pivoted(scope: Any, window: Window, viewer: Viewer) -> Any:
    """The oracle's rows in the shape the report reads: one row per factor, the relations
    side by side."""
    from sqlalchemy import case as sql_case
    from sqlalchemy import func
    from sqlalchemy import select as sql_select

    rows = own_view_oracle(scope, window, viewer).subquery()
    key, name_da, name_en, relation, n, children, offset = rows.c
    side_by_side = []
    for wanted in own_views.RELATIONS:
        side_by_side += [
            func.sum(sql_case((relation == wanted.value, n), else_=0)),
            func.sum(sql_case((relation == wanted.value, children), else_=0)),
        ]
    return sql_select(
        key, func.min(name_da), func.min(name_en), *side_by_side, func.sum(offset)
    ).group_by(key)


OwnFigures = tuple[dict[tuple[str, str], tuple[int, int]], dict[str, int], dict[str, set[str]]]


def _own_figures_of_oracle(session: Session, query: Any) -> OwnFigures:
    """(count and children by factor and relation, sum of distances by factor, names)."""
    counts: dict[tuple[str, str], tuple[int, int]] = {}
    offsets: dict[str, int] = {}
    names: dict[str, set[str]] = {}
    for key, name_da, name_en, relation, n, children, offset in session.execute(query).all():
        counts[(key, str(relation))] = (int(n), int(children))
        offsets[key] = offsets.get(key, 0) + int(offset or 0)
        names.setdefault(key, set()).add(f"{name_da}|{name_en}")
    return counts, offsets, names


def _own_figures(session: Session, query: Any) -> OwnFigures:
    counts: dict[tuple[str, str], tuple[int, int]] = {}
    offsets: dict[str, int] = {}
    names: dict[str, set[str]] = {}
    for key, name_da, name_en, *figures, offset in session.execute(query).all():
        for relation, n, children in zip(
            own_views.RELATIONS, figures[::2], figures[1::2], strict=True
        ):
            if n:
                counts[(key, relation.value)] = (int(n), int(children))
        offsets[key] = int(offset or 0)
        names[key] = {f"{name_da}|{name_en}"}
    return counts, offsets, names


@pytest.fixture
def fixed_factors() -> Iterator[None]:
    saved = rounds_helpers.FACTORS
    yield
    rounds_helpers.FACTORS = saved


async def _high_instrument(client: httpx.AsyncClient, world: World) -> int:
    admin = world.headers(ADMIN_A)
    definition = instrument_definition("hoej-trivsel", range(0, 5), best_end="high")
    r = await client.post("/api/v1/instruments", json=definition, headers=admin)
    assert r.status_code == 201, r.text
    iid = int(r.json()["id"])
    r = await client.post(f"/api/v1/instruments/{iid}/publish", headers=admin)
    assert r.status_code == 200, r.text
    r = await client.patch(
        "/api/v1/municipality/policy",
        json={"instruments_in_use": ["aarhus-boern-familie", "hoej-trivsel"]},
        headers=admin,
    )
    assert r.status_code == 200, r.text
    return iid


def _value(rng: random.Random) -> int | None:
    return None if rng.random() < 0.15 else rng.randrange(0, 5)


async def _round(
    client: httpx.AsyncClient,
    world: World,
    clock: FrozenClock,
    rng: random.Random,
    case_id: int,
    instrument: int | None,
    *,
    complete: bool,
) -> int:
    """A round with a few informants of random roles and scores, the official scores set
    (some not assessed), completed or left in consensus."""
    keys = HIGH if instrument else AARHUS
    rounds_helpers.FACTORS = keys
    fields: dict[str, Any] = {"instrument_id": instrument} if instrument else {}
    rid = int((await open_round(client, world, clock, case_id, **fields))["id"])
    caseworker = (await round_informants(client, world, rid))[0]["id"]
    roles = rng.sample(ROLES, rng.randrange(1, 4))
    if rng.random() < 0.3:
        roles.append("mother")  # two informants of one role in a round
    informants = [
        (await add_informant(client, world, rid, role, f"{role.title()} {n}"))["id"]
        for n, role in enumerate(roles)
    ]
    for informant in [*informants, caseworker]:
        scores = entries([_value(rng) for _ in keys])
        r = await submit_on_behalf(client, world, rid, informant, scores)
        assert r.status_code == 200, r.text
    official: dict[str, tuple[int | None, int | None]] = {}
    for key in keys:
        score = None if rng.random() < 0.1 else rng.randrange(0, 5)
        official[key] = (score, score)  # the goal: to hold it
    r = await rounds_helpers.set_official(client, world, rid, official)
    assert r.status_code == 200, r.text
    if complete:
        r = await rounds_helpers.fire(client, world, rid, "finish_consensus")
        assert r.status_code == 200 and r.json()["state"] == "completed", r.text
        for key in rng.sample(keys, rng.randrange(0, 3)):
            # Amended after completion: to a score, or from "not assessed" to one.
            score = rng.randrange(0, 5)
            r = await amend(client, world, rid, key, (score, score), rationale="Set igen.")
            assert r.status_code == 201, r.text
    clock.advance(timedelta(days=rng.randrange(40, 160)))
    return rid


def _actor(world: World, username: str) -> Actor:
    user = world.user(username)
    assert user.id is not None and user.role is not None
    return Actor(
        kind=ActorKind.STAFF,
        id=user.id,
        municipality_id=user.municipality_id,
        label=username,
        role=user.role,
        team_id=user.team_id,
        scopes=ROLE_SCOPES[user.role],
    )


def _summary(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the summary but its id, which is only the order the rows were written in."""
    summary = {}
    with engine.connect() as conn:
        for table in TABLES:
            columns = ", ".join(c.name for c in SQLModel.metadata.tables[table].c if c.name != "id")
            rows = conn.execute(text(f"SELECT {columns} FROM {table}"))
            summary[table] = sorted(tuple(row) for row in rows)
    return summary


@pytest.mark.slow
async def test_the_summary_gives_the_figures_of_comparing_every_score(
    client: httpx.AsyncClient,
    world: World,
    clock: FrozenClock,
    engine: Engine,
    fixed_factors: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = random.Random(20261201)
    await set_procedure(client, world, "kl3")
    high = await _high_instrument(client, world)
    first_day = clock.now().date()
    for n in range(6):
        case_id = await new_case(client, world, f"DUBU-D{n}")
        for _ in range(rng.randrange(1, 4)):
            instrument = high if rng.random() < 0.35 else None
            await _round(client, world, clock, rng, case_id, instrument, complete=True)
        if n % 3 == 0:  # scored and decided, never completed: not in the report
            await _round(client, world, clock, rng, case_id, None, complete=False)
    last_day = clock.now().date()
    middle = first_day + (last_day - first_day) / 2

    windows: list[tuple[date | None, date | None]] = [
        (None, None),
        (middle, None),
        (None, middle),
        (first_day + timedelta(days=100), middle + timedelta(days=100)),
    ]
    compared = 0
    own_compared = dict.fromkeys(Viewer, 0)
    with Session(engine) as session:
        tenancy.bind_session(session, world.user(CW_A).municipality_id)
        factors = (None, "udvikling_adfaerd", "trivsel", "kriminalitet", "ingen")
        # Every pair of period and factor, each with the windows in turn: every period meets
        # every factor and every window, and every factor every window (pairwise), in 20
        # filters a caller instead of all 80 combinations of the three.
        filters = [
            (period, factor, windows[i % len(windows)])
            for i, (period, factor) in enumerate(itertools.product(PeriodLength, factors))
        ]
        for who in (ADMIN_A, LEADER_A, CW_A):
            scope = report_scope(session, _actor(world, who))
            for period, factor, (start, end) in filters:
                flt = DisagreementFilter(period, factor, start, end)
                want = _rows(session, oracle_query(scope, flt))
                assert _rows(session, disagreement.disagreement_query(scope, flt)) == want
                compared += sum(row[2] for row in want)
                # The whole report, suppression and means included.
                got = disagreement_figures(session, scope, flt)
                with monkeypatch.context() as m:
                    m.setattr(disagreement, "disagreement_query", oracle_query)
                    assert disagreement_figures(session, scope, flt) == got
            for start, end in windows:
                window = Window.of(start, end)
                for viewer in Viewer:
                    want_own = _own_figures_of_oracle(
                        session, own_view_oracle(scope, window, viewer)
                    )
                    query = own_views.own_view_query(scope, window, viewer)
                    assert _own_figures(session, query) == want_own
                    own_compared[viewer] += sum(n for n, _ in want_own[0].values())
                    # The whole view, suppression and means included.
                    view = own_views.own_view(session, scope, window, viewer)
                    with monkeypatch.context() as m:
                        m.setattr(own_views, "own_view_query", own_view_oracle_pivoted)
                        assert own_views.own_view(session, scope, window, viewer) == view
        # The data is what the test means it to be: both ends of a scale, cannot-assess and
        # factors not assessed, amendments, several periods.
        assert compared > 0
        assert all(own_compared.values()), own_compared
    scored = "submission_score s JOIN instrument_factor f ON f.id = s.factor_id WHERE f.key = "
    assert _count(engine, scored + "'trivsel'") > 0 < _count(engine, scored + "'skole'")
    assert _count(engine, "official_score_amendment") > 0
    assert _count(engine, "submission_score WHERE cannot_assess") > 0
    assert _count(engine, "official_score WHERE score IS NULL") > 0
    assert _count(engine, "scoring_round WHERE state <> 'completed'") > 0

    # The migration fills the summary the same way for rounds completed before it.
    written = _summary(engine)
    assert written["round_disagreement"] and written["round_factor_disagreement"]
    migrations.downgrade(engine, "20261201_erasure_02")  # before the summary
    migrations.upgrade(engine)
    assert _summary(engine) == written


def _count(engine: Engine, where: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {where}")).scalar_one())


async def test_an_amendment_rewrites_the_rounds_sums(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, engine: Engine, fixed_factors: None
) -> None:
    await set_procedure(client, world, "kl3")
    keys = AARHUS
    case_id = await new_case(client, world)
    school = [2, 3, 2, 1, 2, 0, 2, None]
    official = [(2, 1), (2, 2), (2, 2), (1, 1), (2, 2), (0, 0), (2, 2), (0, 0)]
    rid = await rounds_helpers.complete_round(
        client, world, clock, case_id, official, {"school": school}
    )

    def school_sums() -> tuple[int, int, int]:
        with engine.connect() as conn:
            row = conn.execute(
                text(
                    "SELECT scores, distance, towards_worse FROM round_disagreement "
                    "WHERE round_id = :r AND role = 'school'"
                ),
                {"r": rid},
            ).one()
        return int(row[0]), int(row[1]), int(row[2])

    def school_relations() -> list[tuple[int, int, int]]:
        """(fewer problems, same, more) of the school's scores, factor by factor."""
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT f.key, d.fewer_problems, d.same, d.more_problems "
                    "FROM round_factor_disagreement d "
                    "JOIN instrument_factor f ON f.id = d.factor_id "
                    "WHERE d.round_id = :r AND d.role = 'school'"
                ),
                {"r": rid},
            ).all()
        by_key = {key: (int(a), int(b), int(c)) for key, a, b, c in rows}
        return [by_key.get(key, (0, 0, 0)) for key in keys]

    same, more, fewer, none = (0, 1, 0), (0, 0, 1), (1, 0, 0), (0, 0, 0)
    # Seven factors compared (the eighth the school could not assess); it sees one point
    # more of a problem in familieforhold.
    assert school_sums() == (7, 1, 1)
    assert school_relations() == [same, more, same, same, same, same, same, none]
    r = await amend(client, world, rid, keys[0], (4, 2), rationale="Mere bekymrende.")
    assert r.status_code == 201, r.text
    # udvikling: the school's 2 against the official 4 now: 2 points towards fewer problems.
    assert school_sums() == (7, 2 + 1, -2 + 1)
    assert school_relations() == [fewer, more, same, same, same, same, same, none]
    r = await amend(client, world, rid, keys[0], (2, 2), rationale="Tilbage igen.")
    assert r.status_code == 201, r.text
    assert school_sums() == (7, 1, 1)
    assert school_relations() == [same, more, same, same, same, same, same, none]
