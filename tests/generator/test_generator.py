"""The scale generator: the same seed gives the same data, the data obeys the service's own
rules (procedures, goals, outcomes), and the service works on it afterwards."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime

import httpx
import pytest
from sqlalchemy import Engine, func, inspect, text
from sqlmodel import Session, col, select

from service.clock import FrozenClock
from service.config import Settings
from service.db import make_engine
from service.generator import run
from service.generator.run import GENERATED_PASSWORD, SCALES, ScaleName, ScaleSpec, generate
from service.main import create_app
from service.models import tenancy
from service.models.case import Case, CaseStatus, Measure
from service.models.instrument import Instrument, InstrumentFactor
from service.models.municipality import Municipality
from service.models.round import (
    DisagreementNote,
    FactorOutcome,
    Informant,
    OfficialScore,
    ScoringRound,
    Submission,
    SubmissionScore,
)
from service.models.round_decision import RoundDecision
from service.models.round_measure import RoundMeasure
from service.models.staff import StaffUser
from service.usecases.child.outcomes import store_outcomes
from service.workflow.decisions import DecisionOutcome
from service.workflow.measures import in_force, round_period
from service.workflow.outcomes import check_goal
from service.workflow.procedures import PROCEDURES, InformantStep, informant_step
from service.workflow.states import RoundState
from tests.databases import DatabaseFactory

AS_OF = date(2026, 6, 1)
TABLES = (
    "team",
    "provider",
    "child_case",
    "measure",
    "scoring_round",
    "round_transition",
    "informant",
    "submission",
    "submission_score",
    "official_score",
    "disagreement_note",
    "factor_outcome",
    "round_measure",
    "round_decision",
)


@pytest.fixture
def small_scale(monkeypatch: pytest.MonkeyPatch) -> ScaleSpec:
    spec = ScaleSpec(60, 4, (("900", "Testkommune", 1), ("901", "Nabokommune", 1)))
    monkeypatch.setitem(SCALES, ScaleName.MUNICIPALITY, spec)
    return spec


def _dump(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    with engine.connect() as conn:
        return {
            table: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {table} ORDER BY id"))]
            for table in TABLES
        }


@pytest.fixture
def second_engine(db_factory: DatabaseFactory) -> Iterator[Engine]:
    url = db_factory.create()
    engine = make_engine(url)
    yield engine
    engine.dispose()
    db_factory.drop(url)


def test_the_same_seed_gives_the_same_data(
    engine: Engine, second_engine: Engine, small_scale: ScaleSpec
) -> None:
    first = generate(engine, ScaleName.MUNICIPALITY, seed=7, as_of=AS_OF)
    second = generate(second_engine, ScaleName.MUNICIPALITY, seed=7, as_of=AS_OF)
    assert first.rows == second.rows > 10_000
    assert first.children == 60 and first.municipalities == ["900", "901"]
    assert _dump(engine) == _dump(second_engine)


def test_another_seed_gives_other_data(
    engine: Engine, second_engine: Engine, small_scale: ScaleSpec
) -> None:
    generate(engine, ScaleName.MUNICIPALITY, seed=7, as_of=AS_OF)
    generate(second_engine, ScaleName.MUNICIPALITY, seed=8, as_of=AS_OF)
    assert _dump(engine)["submission_score"] != _dump(second_engine)["submission_score"]


def test_a_second_run_adds_nothing(engine: Engine, small_scale: ScaleSpec) -> None:
    generate(engine, ScaleName.MUNICIPALITY, seed=7, as_of=AS_OF)
    again = generate(engine, ScaleName.MUNICIPALITY, seed=7, as_of=AS_OF)
    assert (again.municipalities, again.skipped, again.rows) == ([], ["900", "901"], 0)


def test_children_share_out_in_proportion_and_sum_exactly() -> None:
    assert run.share_out(10, [1, 1, 1]) in ([4, 3, 3], [3, 4, 3], [3, 3, 4])
    counts = run.share_out(60_000, [p for *_, p in SCALES[ScaleName.NATIONAL].municipalities])
    assert sum(counts) == 60_000 and len(counts) == 98
    assert max(counts) == counts[0]  # København is the largest


def test_generated_rounds_follow_the_services_rules(engine: Engine, small_scale: ScaleSpec) -> None:
    generate(engine, ScaleName.MUNICIPALITY, seed=7, as_of=AS_OF)
    with Session(engine) as session:
        mun = session.exec(select(Municipality).where(Municipality.code == "900")).one()
        tenancy.bind_session(session, mun.id)
        spec = PROCEDURES[mun.procedure]
        rounds = session.exec(select(ScoringRound)).all()
        states = Counter(r.state for r in rounds)
        assert states[RoundState.COMPLETED] > 50 and states[RoundState.CANCELLED] > 0
        assert states[RoundState.COLLECTING] + states[RoundState.CONSENSUS] > 0
        factors: dict[int, set[int]] = {}
        for instrument_id, factor_id in session.exec(
            select(InstrumentFactor.instrument_id, InstrumentFactor.id)
        ).all():
            factors.setdefault(instrument_id, set()).add(factor_id or 0)
        scales = {i.id: i.scale for i in session.exec(select(Instrument)).all()}
        by_round: dict[int, list[OfficialScore]] = {}
        for official in session.exec(select(OfficialScore)).all():
            by_round.setdefault(official.round_id, []).append(official)
        informants = {i.id: i for i in session.exec(select(Informant)).all()}
        rounds_by_id = {r.id: r for r in rounds}
        for informant in informants.values():
            rnd = rounds_by_id[informant.round_id]
            assert informant.step is informant_step(spec, rnd.variant, informant.role)
        for submission in session.exec(select(Submission)).all():
            assert informants[submission.informant_id].step is not InformantStep.MEETING_ONLY
        for rnd in rounds:
            officials = by_round.get(rnd.id or 0, [])
            if rnd.state is not RoundState.COMPLETED:
                assert officials == []
                continue
            assert {o.factor_id for o in officials} == factors[rnd.instrument_id]
            for o in officials:
                if o.score is None:
                    assert o.goal is None and o.not_assessed_reason
                else:
                    assert o.goal is not None
                    check_goal(scales[rnd.instrument_id], o.score, o.goal)
        # A note for exactly the scores, or proposed goals, that differ from the official.
        officials_by_key = {
            (o.round_id, o.factor_id): (o.score, o.goal) for os in by_round.values() for o in os
        }
        differing = 0
        for score, submission in session.exec(
            select(SubmissionScore, Submission).join(
                Submission, col(Submission.id) == col(SubmissionScore.submission_id)
            )
        ).all():
            key = (submission.round_id, score.factor_id)
            if key in officials_by_key and score.score is not None:
                official_score, official_goal = officials_by_key[key]
                differing += score.score != official_score or (
                    score.goal is not None and score.goal != official_goal
                )
        assert differing == len(session.exec(select(DisagreementNote)).all()) > 0
        # The outcomes are the ones the service itself works out.
        completed = [r for r in rounds if r.state is RoundState.COMPLETED]
        for rnd in completed[:: max(1, len(completed) // 40)]:
            stored = {
                o.factor_id: (o.outcome, o.no_outcome, o.previous_round_id)
                for o in session.exec(
                    select(FactorOutcome).where(FactorOutcome.round_id == rnd.id)
                ).all()
            }
            for outcome in session.exec(
                select(FactorOutcome).where(FactorOutcome.round_id == rnd.id)
            ):
                session.delete(outcome)
            session.flush()
            store_outcomes(session, rnd)
            again = {
                o.factor_id: (o.outcome, o.no_outcome, o.previous_round_id)
                for o in session.exec(
                    select(FactorOutcome).where(FactorOutcome.round_id == rnd.id)
                ).all()
            }
            assert again == stored, rnd.id
        # Each round evaluates the measures in force in its period, by the service's rule.
        recorded: dict[int, set[int]] = {}
        for rm in session.exec(select(RoundMeasure)).all():
            recorded.setdefault(rm.round_id, set()).add(rm.measure_id)
        measures = session.exec(select(Measure)).all()
        completed_on: dict[int, list[tuple[datetime, int]]] = {}
        for rnd in rounds:
            if rnd.completed_at is not None:
                completed_on.setdefault(rnd.case_id, []).append((rnd.completed_at, rnd.id or 0))
        for rnd in rounds:
            before = [at for at, _ in completed_on.get(rnd.case_id, []) if at < rnd.created_at]
            span = round_period(
                rnd.created_at.date(), rnd.due_at.date(), max(before).date() if before else None
            )
            expected = {
                m.id
                for m in measures
                if m.case_id == rnd.case_id and in_force(m.start_date, m.end_date, span)
            }
            assert recorded.get(rnd.id or 0, set()) == expected, rnd.id
        assert sum(len(v) for v in recorded.values()) >= len(rounds)
        session.rollback()


def test_completed_rounds_lead_to_decisions_as_the_service_records_them(
    engine: Engine, small_scale: ScaleSpec
) -> None:
    """Most completed rounds record what they led to for a measure of the child's: the last
    round of a closed case ends it, and otherwise the mix holds every outcome."""
    generate(engine, ScaleName.MUNICIPALITY, seed=7, as_of=AS_OF)
    with Session(engine) as session:
        tenancy.bind_session(session, None)
        rounds = {r.id: r for r in session.exec(select(ScoringRound)).all()}
        decisions = session.exec(select(RoundDecision)).all()
        measures = {m.id: m for m in session.exec(select(Measure)).all()}
        cases = {c.id: c for c in session.exec(select(Case)).all()}
    completed = [r for r in rounds.values() if r.state is RoundState.COMPLETED]
    assert 0.75 * len(completed) < len(decisions) < 0.95 * len(completed)
    assert len({d.round_id for d in decisions}) == len(decisions)  # one each, none amended
    last: dict[int, ScoringRound] = {}
    for rnd in sorted(completed, key=lambda r: r.completed_at or datetime.min):
        last[rnd.case_id] = rnd
    for decision in decisions:
        rnd = rounds[decision.round_id]
        assert rnd.state is RoundState.COMPLETED and rnd.case_id == decision.case_id
        assert rnd.completed_at is not None and decision.superseded_at is None
        assert decision.decided_on >= rnd.completed_at.date()
        assert decision.reason and decision.recorded_by_id is not None
        measure = measures[decision.measure_id]
        assert measure.case_id == decision.case_id
        if decision.outcome is DecisionOutcome.END:
            assert cases[decision.case_id].status is CaseStatus.CLOSED
            assert last[decision.case_id].id == decision.round_id
    mix = Counter(d.outcome for d in decisions)
    assert set(mix) == set(DecisionOutcome)
    assert mix[DecisionOutcome.CONTINUE] > mix[DecisionOutcome.ADJUST] > 0


async def test_the_service_works_on_generated_data(
    engine: Engine, settings: Settings, clock: FrozenClock, small_scale: ScaleSpec
) -> None:
    generate(engine, ScaleName.MUNICIPALITY, seed=7, as_of=clock.now().date())
    app = create_app(settings, engine=engine, clock=clock)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as http:
        r = await http.post(
            "/api/v1/auth/token",
            data={
                "grant_type": "password",
                "username": "admin1@900.demo.konsensus.dk",
                "password": GENERATED_PASSWORD,
            },
        )
        assert r.status_code == 200, r.text
        headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
        due = (
            await http.get("/api/v1/due", params={"include_later": "true"}, headers=headers)
        ).json()
        with Session(engine) as session:
            mun = session.exec(select(Municipality).where(Municipality.code == "900")).one()
            active = session.exec(
                select(func.count()).where(
                    Case.municipality_id == mun.id, Case.status == CaseStatus.ACTIVE
                )
            ).one()
        assert due["total"] == active > 0
        rounds = (await http.get("/api/v1/rounds", params={"limit": 200}, headers=headers)).json()[
            "items"
        ]
        done = next(r for r in rounds if r["state"] == "completed" and r["variant"] == "follow_up")
        result = await http.get(f"/api/v1/rounds/{done['id']}/result", headers=headers)
        assert result.status_code == 200
        assert any(f["outcome"]["outcome"] for f in result.json()["factors"])
        decided = await http.get("/api/v1/reports/decisions", headers=headers)
        assert decided.status_code == 200 and decided.json()["total"] > 0
        # Ids given out by the generator do not collide with the next ones the service makes.
        with Session(engine) as session:
            caseworker = session.exec(
                select(StaffUser).where(
                    StaffUser.username == "sagsbehandler1@900.demo.konsensus.dk"
                )
            ).one()
            highest = session.exec(select(func.max(Case.id))).one()
        case = await http.post(
            "/api/v1/cases",
            json={
                "external_ref": "NEW-1",
                "display_name": "Ny",
                "birth_year": 2015,
                "caseworker_id": caseworker.id,
            },
            headers=headers,
        )
        assert case.status_code == 201, case.text
        assert case.json()["id"] > highest


def test_the_planner_keeps_statistics_of_what_was_generated(
    engine: Engine, small_scale: ScaleSpec
) -> None:
    """Without statistics both engines plan the reports for empty tables (seconds, not ms);
    SQLite keeps them in a table, so the ANALYZE must be committed."""
    generate(engine, ScaleName.MUNICIPALITY, seed=7, as_of=AS_OF)
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            kept = conn.exec_driver_sql(
                "SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'scoring_round'"
            ).scalar_one()
        else:
            kept = conn.exec_driver_sql(
                "SELECT count(*) FROM pg_stats WHERE tablename = 'scoring_round'"
            ).scalar_one()
    assert kept > 0


def _schema(engine: Engine) -> tuple[set[str], set[str]]:
    """The names of the references and of the indexes the database holds."""
    present = inspect(engine)
    references, indexes = set(), set()
    for table in present.get_table_names():
        references |= {str(fk["name"]) for fk in present.get_foreign_keys(table)}
        indexes |= {str(ix["name"]) for ix in present.get_indexes(table)}
    return references, indexes


def test_the_load_leaves_every_reference_and_index_as_the_migrations_made_them(
    engine: Engine, small_scale: ScaleSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL loads with the references and secondary indexes set aside: they are all
    back after the load, and after a load that fails half-way (nothing of it is kept)."""
    before = _schema(engine)
    assert len(before[0]) > 40 and len(before[1]) > 40
    generate(engine, ScaleName.MUNICIPALITY, seed=7, as_of=AS_OF, limit=1)
    assert _schema(engine) == before
    written = run.write_children

    def fails_at_the_second(session: Session, tenant: object, seed: str, *rest: object) -> int:
        if getattr(tenant, "code", "") == "901":
            raise RuntimeError("the load stops")
        return written(session, tenant, seed, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(run, "write_children", fails_at_the_second)
    with pytest.raises(RuntimeError):
        generate(engine, ScaleName.MUNICIPALITY, seed=7, as_of=AS_OF)
    assert _schema(engine) == before
    with Session(engine) as session:
        codes = set(session.exec(select(Municipality.code)).all())
    assert "900" in codes and "901" not in codes  # the first load stays; the failed one is gone
