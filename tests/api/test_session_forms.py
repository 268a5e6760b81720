"""Short session forms through a standing link: issued per child and measure, answered once
per submit, read as a series by the caseworker and by the provider's own link, revoked."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlmodel import Session, select

from service.clock import FrozenClock
from service.models.session_form import SessionAnswer, SessionLink
from tests.factories import CW_A, CW_B
from tests.rounds_helpers import new_case
from tests.sessions_helpers import issue_session_link, new_measure, session_body
from tests.world import World


async def test_a_young_person_answers_each_session_and_the_caseworker_reads_the_series(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, db: Session
) -> None:
    case_id = await new_case(client, world)
    measure = await new_measure(client, world, case_id, clock.now().date().isoformat())
    issued = await issue_session_link(client, world, case_id, measure)
    token = issued["token"]
    assert issued["url"].endswith(f"/s/{token}") and issued["active"] is True
    stored = db.exec(select(SessionLink)).one()
    assert token not in stored.token_hash and len(stored.token_hash) == 64

    form = await client.get(f"/api/v1/session-forms/{token}")
    assert form.status_code == 200, form.text
    assert form.headers["cache-control"] == "no-store"
    assert form.json()["child"] == "Emma"
    assert [f["form"] for f in form.json()["forms"]] == ["outcome", "alliance"]
    assert form.json()["forms"][0]["items"][0]["text"] == "Hvordan har jeg det med mig selv?"

    before = session_body("outcome", [3, 4, 5, 4], key="first-tap-0001")
    first = await client.post(f"/api/v1/session-forms/{token}/sessions", json=before)
    assert first.status_code == 201, first.text
    assert first.json()["score"] == 4.0 and first.json()["timing"] == "before"
    again = await client.post(f"/api/v1/session-forms/{token}/sessions", json=before)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    after = await client.post(
        f"/api/v1/session-forms/{token}/sessions", json=session_body("alliance", [8, 7, 9, 8])
    )
    assert after.status_code == 201, after.text
    wrong = session_body("outcome", [3, 4, 5, 4])
    wrong["answers"][0]["item"] = "heard"
    refused = await client.post(f"/api/v1/session-forms/{token}/sessions", json=wrong)
    assert refused.status_code == 422 and refused.json()["code"] == "validation_failed"

    clock.advance(timedelta(days=7))
    later = session_body("outcome", [6, 6, 6, 6])
    assert (
        await client.post(f"/api/v1/session-forms/{token}/sessions", json=later)
    ).status_code == 201
    series = await client.get(f"/api/v1/cases/{case_id}/sessions", headers=world.headers(CW_A))
    assert series.status_code == 200, series.text
    points = series.json()["points"]
    assert [(p["outcome"], p["alliance"]) for p in points] == [(4.0, 8.0), (6.0, None)]
    assert series.json()["outcome_trend"] == "up"
    db.rollback()  # end the read snapshot
    assert len(db.exec(select(SessionAnswer)).all()) == 3

    revoked = await client.post(
        f"/api/v1/cases/{case_id}/session-links/{issued['id']}/revoke", headers=world.headers(CW_A)
    )
    assert revoked.status_code == 200 and revoked.json()["active"] is False
    gone = await client.post(f"/api/v1/session-forms/{token}/sessions", json=later)
    assert gone.status_code == 410 and gone.json()["code"] == "link_revoked"
    listed = await client.get(f"/api/v1/cases/{case_id}/session-links", headers=world.headers(CW_A))
    assert [link["revoked_by_label"] is not None for link in listed.json()["items"]] == [True]
    kept = await client.get(f"/api/v1/cases/{case_id}/sessions", headers=world.headers(CW_A))
    assert len(kept.json()["points"]) == 2


async def test_the_provider_reads_and_the_young_person_answers_while_the_measure_runs(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    case_id = await new_case(client, world)
    today = clock.now().date()
    measure = await new_measure(client, world, case_id, (today - timedelta(days=30)).isoformat())
    young = (await issue_session_link(client, world, case_id, measure))["token"]
    provider = (
        await issue_session_link(client, world, case_id, measure, "provider", "Familiehuset")
    )["token"]
    body = session_body("outcome", [5, 5, 5, 5])
    r = await client.post(f"/api/v1/session-forms/{provider}/sessions", json=body)
    assert r.status_code == 403 and r.json()["code"] == "session_link_reads_only"
    assert (
        await client.post(f"/api/v1/session-forms/{young}/sessions", json=body)
    ).status_code == 201
    seen = await client.get(f"/api/v1/session-forms/{provider}/series")
    assert seen.status_code == 200 and seen.json()["points"][0]["outcome"] == 5.0
    r = await client.get(f"/api/v1/session-forms/{young}/series")
    assert r.status_code == 403 and r.json()["code"] == "session_link_answers_only"
    r = await client.get(f"/api/v1/session-forms/{young}", headers=world.headers(CW_A))
    assert r.status_code == 403  # staff use the case's series, never the holder's link

    # The measure ends: its links stop, and no new one is issued for it.
    ended = await client.patch(
        f"/api/v1/cases/{case_id}/measures/{measure}",
        json={"end_date": (today - timedelta(days=1)).isoformat()},
        headers=world.headers(CW_A),
    )
    assert ended.status_code == 200, ended.text
    r = await client.post(
        f"/api/v1/session-forms/{young}/sessions", json=session_body("outcome", [5] * 4)
    )
    assert r.status_code == 410 and r.json()["code"] == "link_expired"
    r = await client.post(
        f"/api/v1/cases/{case_id}/session-links",
        json={"measure_id": measure, "label": "Emma"},
        headers=world.headers(CW_A),
    )
    assert r.status_code == 409 and r.json()["code"] == "measure_ended"
    unknown = await client.get("/api/v1/session-forms/" + "x" * 43)
    assert unknown.status_code == 404 and unknown.json()["code"] == "link_not_found"


async def test_another_municipality_finds_none_of_it(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    case_id = await new_case(client, world)
    measure = await new_measure(client, world, case_id, clock.now().date().isoformat())
    link = await issue_session_link(client, world, case_id, measure)
    headers = world.headers(CW_B)
    for method, path, body in (
        ("GET", f"/api/v1/cases/{case_id}/sessions", None),
        ("GET", f"/api/v1/cases/{case_id}/session-links", None),
        ("POST", f"/api/v1/cases/{case_id}/session-links/{link['id']}/revoke", None),
        ("POST", f"/api/v1/cases/{case_id}/session-links", {"measure_id": measure, "label": "X"}),
    ):
        r = await client.request(method, path, json=body, headers=headers)
        assert r.status_code == 404, (path, r.text)
    r = await client.post(
        f"/api/v1/cases/{case_id}/session-links/{link['id'] + 1000}/revoke",
        headers=world.headers(CW_A),
    )
    assert r.status_code == 404 and r.json()["code"] == "session_link_not_found"
