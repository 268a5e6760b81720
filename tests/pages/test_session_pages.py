"""The standing link's pages: the young person picks the form for before or after the
session, answers it on one screen with no script, and a double submit records once; the
provider's link shows the series; the caseworker's case page issues, shows and revokes."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
from fastapi import FastAPI
from sqlmodel import Session, select

from service.clock import FrozenClock
from service.models.session_form import SessionAnswer
from tests.factories import CW_A
from tests.rounds_helpers import (
    ALONE,
    complete_round,
    entries,
    fire,
    new_case,
    open_round,
    round_informants,
    set_procedure,
    submit_on_behalf,
)
from tests.sessions_helpers import issue_session_link, new_measure, session_body
from tests.staff_browser import form_csrf, staff_browser
from tests.world import World


def _hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]+)"', html)
    assert found, name
    return found.group(1)


async def test_the_young_person_answers_on_one_screen_and_the_provider_sees_the_series(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, db: Session
) -> None:
    case_id = await new_case(client, world)
    measure = await new_measure(client, world, case_id, clock.now().date().isoformat())
    token = (await issue_session_link(client, world, case_id, measure))["token"]
    start = await client.get(f"/s/{token}")
    assert start.status_code == 200 and start.headers["cache-control"] == "no-store"
    assert "Hej Emma" in start.text and f"/s/{token}?form=alliance" in start.text

    page = await client.get(f"/s/{token}?form=outcome")
    assert page.status_code == 200
    assert page.text.count('type="radio"') == 4 * 11
    fields = {
        "csrf": _hidden(page.text, "csrf"),
        "form": "outcome",
        "submission_key": _hidden(page.text, "submission_key"),
        "answer-myself": "3",
        "answer-family": "7",
        "answer-daily_life": "5",
    }
    short = await client.post(f"/s/{token}", data=fields)
    assert short.status_code == 422
    assert 'href="#answer-overall"' in short.text and 'value="7" checked' in short.text
    fields["answer-overall"] = "5"
    for _ in range(2):  # a double tap
        sent = await client.post(f"/s/{token}", data=fields)
        assert (sent.status_code, sent.headers["location"]) == (303, f"/s/{token}?done=1")
    assert "Tak for dine svar" in (await client.get(f"/s/{token}?done=1")).text
    forged = await client.post(f"/s/{token}", data={**fields, "csrf": "forged"})
    assert forged.status_code == 403
    db.rollback()
    assert [a.answers for a in db.exec(select(SessionAnswer)).all()] == [
        {"myself": 3, "family": 7, "daily_life": 5, "overall": 5}
    ]

    provider = (
        await issue_session_link(client, world, case_id, measure, "provider", "Familiehuset")
    )["token"]
    shown = await client.get(f"/s/{provider}")
    assert shown.status_code == 200
    assert "Emmas samtaleskemaer" in shown.text and "<svg" in shown.text
    assert "<td>5,0</td>" in shown.text
    # Another link's form is refused, and a provider's link records nothing.
    assert (await client.post(f"/s/{provider}", data=fields)).status_code == 403
    db.rollback()
    assert len(db.exec(select(SessionAnswer)).all()) == 1


async def test_the_case_page_issues_shows_and_revokes_a_standing_link(
    client: httpx.AsyncClient, app: FastAPI, world: World, clock: FrozenClock
) -> None:
    case_id = await new_case(client, world)
    measure = await new_measure(client, world, case_id, clock.now().date().isoformat())
    async with staff_browser(app, CW_A) as browser:
        page = await browser.get(f"/cases/{case_id}")
        assert "Samtaleskemaer" in page.text and "Der er ingen svar endnu." in page.text
        csrf = form_csrf(page.text)
        made = await browser.post(
            f"/cases/{case_id}/session-links",
            data={
                "csrf": csrf,
                "measure_id": str(measure),
                "holder": "young_person",
                "label": "Emma",
            },
        )
        assert made.status_code == 200, made.text
        token = re.search(r"/s/([A-Za-z0-9_-]{40,})", made.text)
        assert token, made.text
        assert (await client.get(f"/s/{token.group(1)}")).status_code == 200
        links = (
            await client.get(f"/api/v1/cases/{case_id}/session-links", headers=world.headers(CW_A))
        ).json()["items"]
        asked = await browser.get(f"/cases/{case_id}/session-links/{links[0]['id']}/revoke")
        assert asked.status_code == 200 and "Vil du lukke linket til Emma?" in asked.text
        closed = await browser.post(
            f"/cases/{case_id}/session-links/{links[0]['id']}/revoke", data={"csrf": csrf}
        )
        assert closed.status_code == 303, closed.text
        assert (await client.get(f"/s/{token.group(1)}")).status_code == 410
        assert "Virker ikke mere" in (await browser.get(f"/cases/{case_id}")).text


async def test_the_meeting_page_sums_up_the_sessions_since_the_last_round(
    client: httpx.AsyncClient, app: FastAPI, world: World, clock: FrozenClock
) -> None:
    await set_procedure(client, world, "kl3")
    case_id = await new_case(client, world)
    measure = await new_measure(client, world, case_id, clock.now().date().isoformat())
    token = (await issue_session_link(client, world, case_id, measure))["token"]

    async def answer(form: str, values: list[int]) -> None:
        r = await client.post(
            f"/api/v1/session-forms/{token}/sessions", json=session_body(form, values)
        )
        assert r.status_code == 201, r.text

    await answer("outcome", [1, 1, 1, 1])  # before the last round: not counted
    await complete_round(client, world, clock, case_id, [(2, 1)] * 7 + [(None, None)])
    await answer("outcome", [4, 4, 4, 4])
    await answer("alliance", [7, 7, 7, 7])
    clock.advance(timedelta(days=7))
    await answer("outcome", [6, 6, 6, 6])
    rid = int((await open_round(client, world, clock, case_id))["id"])
    r = await submit_on_behalf(
        client, world, rid, (await round_informants(client, world, rid))[0]["id"], entries([2] * 8)
    )
    assert r.status_code == 200, r.text
    r = await fire(client, world, rid, "close_collection", reason=ALONE)
    assert r.status_code == 200 and r.json()["state"] == "consensus", r.text
    async with staff_browser(app, CW_A) as browser:
        page = await browser.get(f"/rounds/{rid}/meeting")
    assert page.status_code == 200, page.text
    assert "Samtaleskemaer siden sidste runde" in page.text
    assert "2 samtaler med svar." in page.text
    assert "fra 4,0 til 6,0, bedre" in page.text and "Samtalen senest: 7,0" in page.text
