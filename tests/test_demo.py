"""The run command's demo municipality: its credentials work in development, not in production."""

from __future__ import annotations

import httpx
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from service.clock import SystemClock
from service.config import Environment, Settings
from service.demo import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, demo_logins, load_demo
from service.main import create_app
from service.models.cadence import CadenceDeviation, CadenceStandard, FollowUpRequest
from service.models.case import Case, Measure
from service.models.case_level import CaseLevel, LevelKind
from service.models.notification import Notification
from service.models.plan import PlanRow, PlanRowStatus


def test_demo_loads_once_with_children_and_measures(engine: Engine) -> None:
    assert load_demo(engine) is True
    assert load_demo(engine) is False
    with Session(engine) as session:
        cases = session.exec(select(Case)).all()
        assert len(cases) >= 3
        with_measures = set(session.exec(select(Measure.case_id)).all())
        assert {c.id for c in cases} == with_measures
        # Kolding's way: a case from a notification, its first round dated from it, the
        # plan made within the 14 days, its rows followed at the next round.
        notified = session.exec(select(Notification)).one()
        assert notified.round_id is not None
        assert notified.plan_made_on is not None
        assert (notified.plan_made_on - notified.received_on).days <= 14
        rows = session.exec(select(PlanRow).where(PlanRow.case_id == notified.case_id)).all()
        assert 3 <= len(rows) <= 4 and all(r.factor_keys and r.actor_name for r in rows)
        followed = session.exec(select(PlanRowStatus)).all()
        assert {s.row_id for s in followed} == {r.id for r in rows}
        [follow_up] = {s.round_id for s in followed}
        assert follow_up != notified.round_id
        assert {e.kind for e in session.exec(select(CaseLevel)).all()} == set(LevelKind)
        # Herning's standard, and Emma's long-term foster care followed up less often.
        assert session.exec(select(CadenceStandard.name)).one() == "Herning"
        deviation = session.exec(select(CadenceDeviation)).one()
        assert (deviation.kind, deviation.state) == ("fewer", "approved")
        assert deviation.reason_code == "long_term_foster_care"
        assert session.exec(select(FollowUpRequest.state)).one() == "open"


async def _token_status(settings: Settings, engine: Engine, data: dict[str, str]) -> int:
    app = create_app(settings, engine=engine, clock=SystemClock())
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as http:
        r = await http.post("/api/v1/auth/token", data=data)
        return r.status_code


async def test_demo_credentials_refused_in_production(engine: Engine, settings: Settings) -> None:
    load_demo(engine)
    production = settings.model_copy(update={"environment": Environment.PRODUCTION})
    login = demo_logins()[0]
    password = {"grant_type": "password", "username": login.username, "password": login.password}
    client = {
        "grant_type": "client_credentials",
        "client_id": DEMO_CLIENT_ID,
        "client_secret": DEMO_CLIENT_SECRET,
    }
    assert await _token_status(settings, engine, password) == 200
    assert await _token_status(settings, engine, client) == 200
    assert await _token_status(production, engine, password) == 400
    assert await _token_status(production, engine, client) == 401


def test_production_refuses_the_default_secret() -> None:
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="KONSENSUS_SECRET_KEY"):
        Settings(environment=Environment.PRODUCTION)


async def test_demo_rounds_show_outcomes_a_working_link_and_a_meeting(
    engine: Engine, settings: Settings
) -> None:
    from datetime import UTC, datetime

    from service.demo import reissue_demo_link

    load_demo(engine)
    token = reissue_demo_link(engine, settings.keyring(), datetime.now(UTC))
    assert token is not None
    app = create_app(settings, engine=engine, clock=SystemClock())
    login = demo_logins()[0]
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as http:
        r = await http.post(
            "/api/v1/auth/token",
            data={"grant_type": "password", "username": login.username, "password": login.password},
        )
        headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
        emma = (
            await http.get(
                "/api/v1/cases", params={"external_ref": "DUBU-2024-0117"}, headers=headers
            )
        ).json()["items"][0]
        rounds = (
            await http.get("/api/v1/rounds", params={"case_id": emma["id"]}, headers=headers)
        ).json()["items"]
        assert [r["state"] for r in rounds] == ["collecting", "completed", "completed", "completed"]
        result = (
            await http.get(f"/api/v1/rounds/{rounds[1]['id']}/result", headers=headers)
        ).json()
        outcomes = {f["factor_key"]: f["outcome"]["outcome"] for f in result["factors"]}
        assert outcomes["skoleforhold"] == "progression_goal_met"  # 4 -> 2, goal 2
        assert outcomes["relation_soeskende"] == "negative_progression"  # 2 -> 4, goal 2
        assert any(f["disagreements"] for f in result["factors"])
        form = await http.get(f"/api/v1/links/{token}")
        assert form.status_code == 200
        assert (form.json()["child"], form.json()["status"]) == ("Emma", "open")
        noah = (
            await http.get(
                "/api/v1/cases", params={"external_ref": "DUBU-2024-0342"}, headers=headers
            )
        ).json()["items"][0]
        noah_round = (
            await http.get("/api/v1/rounds", params={"case_id": noah["id"]}, headers=headers)
        ).json()["items"][0]
        view = (
            await http.get(f"/api/v1/rounds/{noah_round['id']}/consensus", headers=headers)
        ).json()
        assert view["factors"][0]["diverges"] is True
        assert len(view["factors"][0]["scores"]) == 3
        # How alike Noah's three informants are, and the municipality's agreement figures.
        assert view["factors"][0]["agreement"]["scored"] == 3
        assert view["factors"][0]["agreement"]["level"] != "too_few"
        figures = (await http.get("/api/v1/reports/agreement", headers=headers)).json()
        assert any(c["alpha"] is not None for c in figures["cells"])
    from service.demo import demo_meeting_round

    assert demo_meeting_round(engine) == noah_round["id"]


async def test_demo_shows_emmas_series_and_her_mothers_result(
    engine: Engine, settings: Settings
) -> None:
    from datetime import UTC, datetime

    from service.demo import reissue_family_link

    load_demo(engine)
    token = reissue_family_link(engine, settings.keyring(), datetime.now(UTC))
    assert token is not None
    app = create_app(settings, engine=engine, clock=SystemClock())
    login = demo_logins()[0]
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as http:
        r = await http.post(
            "/api/v1/auth/token",
            data={"grant_type": "password", "username": login.username, "password": login.password},
        )
        headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
        emma = (
            await http.get(
                "/api/v1/cases", params={"external_ref": "DUBU-2024-0117"}, headers=headers
            )
        ).json()["items"][0]
        series = (await http.get(f"/api/v1/cases/{emma['id']}/progress", headers=headers)).json()
        assert len(series["rounds"]) == 3 and series["snapshot"] is False
        # Her intake was on the Århus form (0-4); then the municipality moved to KL's (1-5).
        assert [(r["instrument_key"], r["scale"]["min"]) for r in series["rounds"]] == [
            ("aarhus-boern-familie", 0),
            ("kl-boern-familie", 1),
            ("kl-boern-familie", 1),
        ]
        assert series["rounds"][1]["crosses"] == "mapping"
        factors = {f["factor_key"]: f for f in series["factors"]}
        father = factors["relation_far"]["official"]
        assert [(p["factor_key"], p["score"], p["score_on_newest_scale"]) for p in father] == [
            ("familieforhold", 3, 4),
            ("relation_far", 4, 4),
            ("relation_far", 4, 4),
        ]
        # The relations start anew on KL's form; udvikling is measured across the mapping.
        assert father[1]["outcome"] is None
        assert father[1]["no_outcome"] == "split_after_form_change"
        assert father[2]["outcome"] == "no_progression"
        development = factors["udvikling_adfaerd"]["official"]
        assert (development[1]["outcome"], development[0]["score_on_newest_scale"]) == (
            "progression_goal_met",
            5,
        )
        roles = {r["role"] for r in series["factors"][0]["roles"]}
        assert {"child", "mother", "school", "provider", "caseworker"} <= roles
        page = await http.get(f"/l/{token}")
        assert page.status_code == 200
        assert "Resultatet af runden" in page.text and "line-chart" in page.text


def test_demo_shows_open_and_signed_advisory_flags(engine: Engine) -> None:
    from service.models.case_flag import CaseFlag

    load_demo(engine)
    with Session(engine) as session:
        emma = session.exec(select(Case).where(Case.external_ref == "DUBU-2024-0117")).one()
        flags = session.exec(select(CaseFlag).where(CaseFlag.case_id == emma.id)).all()
    signed = {f.kind.value for f in flags if f.signed_off_at is not None and f.sign_off_note}
    still_open = {f.kind.value for f in flags if f.signed_off_at is None}
    assert "sharp_deterioration" in signed and "sharp_deterioration" in still_open


async def test_demo_shows_noahs_session_series_through_fresh_standing_links(
    engine: Engine, settings: Settings
) -> None:
    from datetime import UTC, datetime

    from service.demo import NOAH_SESSIONS, reissue_session_links

    load_demo(engine)
    first = reissue_session_links(engine, settings.keyring(), datetime.now(UTC))
    again = reissue_session_links(engine, settings.keyring(), datetime.now(UTC))
    assert first is not None and again is not None
    app = create_app(settings, engine=engine, clock=SystemClock())
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as http:
        young, provider = again
        form = await http.get(f"/api/v1/session-forms/{young}")
        assert form.status_code == 200 and form.json()["child"] == "Noah"
        series = (await http.get(f"/api/v1/session-forms/{provider}/series")).json()
        assert len(series["points"]) == len(NOAH_SESSIONS)
        assert (series["outcome_trend"], series["alliance_trend"]) == ("up", "up")
        assert [p["alliance"] is None for p in series["points"]].count(True) == 1
        # Each start closes the links of the start before.
        assert (await http.get(f"/api/v1/session-forms/{first[0]}")).status_code == 410


def test_demo_shows_the_decisions_emmas_rounds_led_to(engine: Engine) -> None:
    from service.models.round_decision import RoundDecision

    load_demo(engine)
    with Session(engine) as session:
        emma = session.exec(select(Case).where(Case.external_ref == "DUBU-2024-0117")).one()
        made = session.exec(select(RoundDecision).where(RoundDecision.case_id == emma.id)).all()
    assert [d.outcome.value for d in sorted(made, key=lambda d: d.decided_on)] == [
        "continue",
        "adjust",
        "continue",
    ]


def test_noahs_sessions_keep_both_forms_on_their_day_at_any_hour_of_loading(
    engine: Engine,
) -> None:
    """Loaded at 21:30 UTC on a summer-time day (23:30 in Denmark), each session's two forms
    still fall on one date: the series shows twelve sessions, not one a form."""
    from datetime import UTC, datetime

    from service.demo import DEMO_CHILDREN, NOAH_SESSIONS
    from service.models.session_form import SessionAnswer

    load_demo(engine, now=datetime(2026, 10, 20, 21, 30, tzinfo=UTC))
    with Session(engine) as session:
        noah = session.exec(select(Case).where(Case.external_ref == DEMO_CHILDREN[1][0])).one()
        dates = session.exec(
            select(col(SessionAnswer.session_date)).where(SessionAnswer.case_id == noah.id)
        ).all()
    assert len(set(dates)) == len(NOAH_SESSIONS), sorted(dates)
