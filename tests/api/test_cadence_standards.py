"""Written cadence standards through the API: an administrator adopts Herning's and edits it,
and the next follow-up of a placement falls on its calendar; fewer follow-ups wait for the
team leader, more are the caseworker's own call; a provider's request is answered, and the
provider is told."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from typing import Any

import httpx
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from service.clock import FrozenClock, local_date
from service.models.outbox import MessageKind, OutboxMessage
from tests.factories import ADMIN_A, CW_A, LEADER_A
from tests.rounds_helpers import (
    add_informant,
    complete_round,
    issue_link,
    new_case,
    open_round,
    set_procedure,
)
from tests.world import World

STANDARD = "/api/v1/municipality/cadence-standard"
OFFICIAL = [(2, 2)] * 8


async def _placement(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, measure_type: str = "foster_care"
) -> tuple[int, date]:
    """A case with a foster-care placement that starts today, and its first round completed
    at once: on Herning's standard its next follow-up is 2 + 6 weeks after the start."""
    await set_procedure(client, world, "kl3")
    case_id = await new_case(client, world)
    start = local_date(clock.now())
    r = await client.post(
        f"/api/v1/cases/{case_id}/measures",
        json={
            "type": measure_type,
            "category": "placement_with_consent",
            "start_date": start.isoformat(),
        },
        headers=world.headers(CW_A),
    )
    assert r.status_code == 201, r.text
    return case_id, start


async def _next_due(client: httpx.AsyncClient, world: World, round_id: int) -> date:
    r = await client.get(f"/api/v1/rounds/{round_id}", headers=world.headers(CW_A))
    assert r.status_code == 200, r.text
    return date.fromisoformat(r.json()["next_due_on"])


async def _hooked(client: httpx.AsyncClient, world: World) -> None:
    """The case system subscribes to the follow-up events."""
    r = await client.post(
        "/api/v1/webhooks",
        json={
            "url": "http://127.0.0.1:9/hooks",
            "events": ["case.follow_up_requested", "case.follow_up_replanned"],
        },
        headers=world.headers("client-a"),
    )
    assert r.status_code == 201, r.text


def _announced(engine: Engine) -> list[tuple[str, dict[str, Any]]]:
    with Session(engine) as session:
        sent = session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.kind == MessageKind.EVENT)
            .order_by(col(OutboxMessage.id))
        ).all()
    return [(m.subject, json.loads(m.body_text)["data"]) for m in sent]


async def _adopt(client: httpx.AsyncClient, world: World, key: str = "herning") -> dict[str, Any]:
    r = await client.post(STANDARD, json={"based_on": key}, headers=world.headers(ADMIN_A))
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    return data


async def test_an_adopted_standard_sets_the_next_follow_up_and_can_be_edited(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    assert (await client.get(STANDARD, headers=world.headers(CW_A))).json()["code"] == (
        "cadence_standard_not_adopted"
    )
    refused = await client.post(STANDARD, json={"based_on": "herning"}, headers=world.headers(CW_A))
    assert refused.status_code == 403
    shipped = await client.get("/api/v1/cadence-standards", headers=world.headers(ADMIN_A))
    assert [s["based_on"] for s in shipped.json()["items"]] == ["haderslev", "herning", "hvidovre"]
    adopted = await _adopt(client, world)
    assert adopted["name"] == "Herning"
    foster = next(r for r in adopted["rules"] if r["measure_type"] == "foster_care")
    assert (foster["first"], foster["every"], foster["after_first_year"]) == (
        {"months": None, "weeks": 2},
        {"months": None, "weeks": 6},
        {"months": 3, "weeks": None},
    )

    case_id, start = await _placement(client, world, clock)
    rid = await complete_round(client, world, clock, case_id, OFFICIAL, days_after=0)
    assert await _next_due(client, world, rid) == start + timedelta(weeks=8)

    # The administrator edits it: placements every 4 weeks after a first week.
    rule = {"category": "placement_with_consent", "first": {"weeks": 1}, "every": {"weeks": 4}}
    edited = await client.patch(
        STANDARD, json={"name": "Vores standard", "rules": [rule]}, headers=world.headers(ADMIN_A)
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["name"] == "Vores standard" and len(edited.json()["rules"]) == 1
    both = {**rule, "every": {"weeks": 4, "months": 1}}
    bad = await client.patch(STANDARD, json={"rules": [both]}, headers=world.headers(ADMIN_A))
    assert bad.status_code == 422
    second = await complete_round(client, world, clock, case_id, OFFICIAL, days_after=0)
    assert await _next_due(client, world, second) == start + timedelta(
        weeks=1 + 4 * 2
    )  # after the 8th week

    gone = await client.delete(STANDARD, headers=world.headers(ADMIN_A))
    assert gone.status_code == 204
    assert (await client.get(STANDARD, headers=world.headers(ADMIN_A))).status_code == 404


async def test_fewer_follow_ups_wait_for_the_team_leader_more_do_not(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, engine: Engine
) -> None:
    await _adopt(client, world)
    await _hooked(client, world)
    case_id, start = await _placement(client, world, clock)
    rid = await complete_round(client, world, clock, case_id, OFFICIAL, days_after=0)
    standard_due = start + timedelta(weeks=8)
    later = standard_due + timedelta(weeks=6)
    url = f"/api/v1/cases/{case_id}/cadence-deviations"
    same = await client.post(
        url,
        json={"planned_on": standard_due.isoformat(), "reason_code": "other"},
        headers=world.headers(CW_A),
    )
    assert same.status_code == 422 and same.json()["code"] == "no_deviation"
    fewer = await client.post(
        url,
        json={
            "planned_on": later.isoformat(),
            "reason_code": "long_term_foster_care",
            "reason": "Anbringelsen er stabil; hyppige besøg bryder hverdagen.",
        },
        headers=world.headers(CW_A),
    )
    assert fewer.status_code == 201, fewer.text
    assert (fewer.json()["kind"], fewer.json()["state"]) == ("fewer", "pending")
    assert fewer.json()["standard_due_on"] == standard_due.isoformat()
    assert await _next_due(client, world, rid) == standard_due  # until approved
    assert _announced(engine) == []  # nothing moved yet

    waiting = await client.get(
        "/api/v1/cadence-deviations/pending", headers=world.headers(LEADER_A)
    )
    assert [d["id"] for d in waiting.json()["items"]] == [fewer.json()["id"]]
    decision = f"/api/v1/cadence-deviations/{fewer.json()['id']}/decision"
    own = await client.post(decision, json={"approve": True}, headers=world.headers(CW_A))
    assert own.status_code == 403
    approved = await client.post(
        decision, json={"approve": True, "note": "Enig."}, headers=world.headers(LEADER_A)
    )
    assert approved.status_code == 200 and approved.json()["state"] == "approved", approved.text
    assert await _next_due(client, world, rid) == later
    again = await client.post(decision, json={"approve": False}, headers=world.headers(LEADER_A))
    assert again.status_code == 409 and again.json()["code"] == "already_decided"

    sooner = standard_due - timedelta(weeks=2)
    more = await client.post(
        url,
        json={"planned_on": sooner.isoformat(), "reason_code": "acute_concern"},
        headers=world.headers(CW_A),
    )
    assert (more.json()["kind"], more.json()["state"]) == ("more", "approved"), more.text
    assert await _next_due(client, world, rid) == sooner
    history = await client.get(url, headers=world.headers(CW_A))
    assert [d["kind"] for d in history.json()["items"]] == ["more", "fewer"]
    # The case system heard each move as it took force, with the new date.
    assert _announced(engine) == [
        (
            "case.follow_up_replanned",
            {
                "case_id": case_id,
                "round_id": rid,
                "deviation_id": deviation["id"],
                "next_due_on": due.isoformat(),
            },
        )
        for deviation, due in ((fewer.json(), later), (more.json(), sooner))
    ]


async def test_a_provider_asks_for_a_follow_up_and_hears_the_answer(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, engine: Engine
) -> None:
    case_id, _start = await _placement(client, world, clock)
    await _hooked(client, world)
    rid = await complete_round(client, world, clock, case_id, OFFICIAL, days_after=0)
    url = f"/api/v1/cases/{case_id}/follow-up-requests"
    asked = []
    for reason in ("Emma er begyndt at pjække.", "Vi ønsker et møde om samvær."):
        r = await client.post(
            url,
            json={
                "provider_name": "Plejefamilien Holm",
                "provider_email": "holm@example.dk",
                "reason": reason,
            },
            headers=world.headers(CW_A),
        )
        assert r.status_code == 201 and r.json()["state"] == "open", r.text
        asked.append(r.json()["id"])
    soon = local_date(clock.now()) + timedelta(days=10)
    accept = await client.post(
        f"/api/v1/follow-up-requests/{asked[0]}/answer",
        json={"accept": True, "planned_on": soon.isoformat()},
        headers=world.headers(CW_A),
    )
    assert accept.status_code == 200 and accept.json()["state"] == "accepted", accept.text
    assert await _next_due(client, world, rid) == soon
    bare = await client.post(
        f"/api/v1/follow-up-requests/{asked[1]}/answer",
        json={"accept": False},
        headers=world.headers(CW_A),
    )
    assert bare.status_code == 422
    decline = await client.post(
        f"/api/v1/follow-up-requests/{asked[1]}/answer",
        json={"accept": False, "reason": "Det tager vi på opfølgningen om ti dage."},
        headers=world.headers(CW_A),
    )
    assert decline.json()["state"] == "declined", decline.text
    with Session(engine) as session:
        told = session.exec(
            select(OutboxMessage).where(OutboxMessage.kind == MessageKind.FOLLOW_UP_ANSWER)
        ).all()
    assert sorted(m.recipient for m in told) == ["holm@example.dk"] * 2
    assert any("ti dage" in m.body_text for m in told)
    history = await client.get(
        f"/api/v1/cases/{case_id}/cadence-deviations", headers=world.headers(CW_A)
    )
    assert [d["reason_code"] for d in history.json()["items"]] == ["provider_request"]
    [planned] = history.json()["items"]
    assert _announced(engine) == [
        ("case.follow_up_requested", {"case_id": case_id, "request_id": asked[0]}),
        ("case.follow_up_requested", {"case_id": case_id, "request_id": asked[1]}),
        (
            "case.follow_up_replanned",
            {
                "case_id": case_id,
                "round_id": rid,
                "deviation_id": planned["id"],
                "next_due_on": soon.isoformat(),
            },
        ),
    ]


async def test_days_between_follow_ups_are_set_against_the_standard(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    quality = "/api/v1/reports/cadence-quality"
    assert (await client.get(quality, headers=world.headers(LEADER_A))).status_code == 404
    await _adopt(client, world)
    case_id, _ = await _placement(client, world, clock)
    # Completed today, and again 30 days later: Herning allowed 14 (the first follow-up).
    await complete_round(client, world, clock, case_id, OFFICIAL, days_after=30)
    await complete_round(client, world, clock, case_id, OFFICIAL, days_after=0)
    r = await client.get(quality, headers=world.headers(LEADER_A))
    assert r.status_code == 200, r.text
    [behind] = r.json()["cases"]
    assert (behind["case_id"], behind["days"], behind["standard_days"]) == (case_id, 30, 14)
    [kind] = r.json()["kinds"]
    assert kind["measure_type"] == "foster_care" and kind["gaps"] is None  # one: too few


async def test_a_provider_asks_through_its_personal_link(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, engine: Engine
) -> None:
    case_id, _ = await _placement(client, world, clock)
    await _hooked(client, world)
    await complete_round(client, world, clock, case_id, OFFICIAL, days_after=0)
    rid = int((await open_round(client, world, clock, case_id))["id"])
    tokens = {}
    for role, name in (("provider", "Plejefamilien Holm"), ("school", "Lærer Ane")):
        informant = await add_informant(client, world, rid, role, name)
        tokens[role] = await issue_link(client, world, rid, informant["id"])
    page = (await client.get(f"/l/{tokens['provider']}")).text
    assert "Bed om en opfølgning" in page
    found = re.search(r'action="/l/[^"]+/follow-up".*?name="csrf" value="([^"]+)"', page, re.S)
    assert found
    asked = await client.post(
        f"/l/{tokens['provider']}/follow-up",
        data={"csrf": found.group(1), "reason": "Emma sover dårligt igen."},
    )
    assert asked.status_code == 200 and "Tak, jeres ønske er sendt" in asked.text
    school_page = (await client.get(f"/l/{tokens['school']}")).text
    assert "Bed om en opfølgning" not in school_page
    school_csrf = re.search(r'name="csrf" value="([^"]+)"', school_page)
    assert school_csrf
    refused = await client.post(
        f"/l/{tokens['school']}/follow-up", data={"csrf": school_csrf.group(1), "reason": "Nu."}
    )
    assert refused.status_code == 403
    listed = await client.get(
        f"/api/v1/cases/{case_id}/follow-up-requests", headers=world.headers(CW_A)
    )
    [request] = listed.json()["items"]
    assert (request["provider_name"], request["reason"]) == (
        "Plejefamilien Holm",
        "Emma sover dårligt igen.",
    )
    assert request["informant_id"] is not None
    assert _announced(engine) == [
        ("case.follow_up_requested", {"case_id": case_id, "request_id": request["id"]})
    ]


async def test_a_rule_that_repeats_an_earlier_ones_measures_is_refused_and_nothing_changes(
    client: httpx.AsyncClient, world: World
) -> None:
    adopted = await _adopt(client, world)
    rules = adopted["rules"]

    def body(rule: dict[str, Any]) -> dict[str, Any]:
        """A rule as read, as a rule to write: an interval names months or weeks only."""
        return {
            k: ({u: n for u, n in v.items() if n} if isinstance(v, dict) else v)
            for k, v in rule.items()
            if v is not None
        }

    repeat = {**body(rules[0]), "first": {"weeks": 3}, "every": {"weeks": 3}}
    r = await client.patch(
        STANDARD,
        json={"name": "Egen standard", "rules": [*map(body, rules), repeat]},
        headers=world.headers(ADMIN_A),
    )
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "cadence_rule_repeated"
    assert [e["loc"] for e in r.json()["errors"]] == [["body", "rules", len(rules)]]
    kept = (await client.get(STANDARD, headers=world.headers(ADMIN_A))).json()
    assert (kept["name"], kept["rules"]) == ("Herning", rules)
