"""The child's plan (barnets plan; SØM): rows serving the factors whose official goals are the
plan's goals, its first row making the plan a notification waits for, each row's status
followed at a round, who does what on every participant's link, and the tenant rules."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from service.clock import FrozenClock
from tests.factories import CW_A, CW_B
from tests.rounds_helpers import (
    FACTORS,
    add_informant,
    complete_round,
    entries,
    fire,
    issue_link,
    new_case,
    open_round,
    set_procedure,
)
from tests.world import World

LOCAL = ZoneInfo("Europe/Copenhagen")

#: (score, goal) per factor of the first round: school (skoleforhold) 3 with the goal 1.
OFFICIAL = [(2, 1), (2, 2), (3, 1), (1, 1), (2, 1), (0, 0), (1, 1), (0, 0)]


def _row(
    factors: list[str], actor: str = "AKT-vejleder", role: str | None = None
) -> dict[str, Any]:
    return {
        "situation": "Lasse bliver mobbet og slår de andre i skolegården.",
        "desired_solution": "At han ikke slår og ikke bliver mobbet.",
        "means": "Kammerater i skolen og en voksen i frikvartererne.",
        "actor_role": role,
        "actor_name": actor,
        "external_resources": "Ekstra AKT i skolegården.",
        "factor_keys": factors,
    }


async def test_the_plan_links_rows_to_goals_and_follows_them_at_each_round(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    await set_procedure(client, world, "kl3")
    case_id = await new_case(client, world, ref="KOL-PLAN")
    cw = world.headers(CW_A)
    today = clock.now().astimezone(LOCAL).date()
    received = (today - timedelta(days=3)).isoformat()
    r = await client.post(
        f"/api/v1/cases/{case_id}/notifications",
        json={"received_on": received, "source": "school"},
        headers=cw,
    )
    assert r.status_code == 201, r.text
    notification = r.json()["id"]
    plan_url = f"/api/v1/cases/{case_id}/plan"
    rows_url = f"{plan_url}/rows"

    # Before the first round, there is no form whose factors the rows could serve.
    empty = (await client.get(plan_url, headers=cw)).json()
    assert (empty["form_round_id"], empty["factors"], empty["rows"]) == (None, [], [])
    r = await client.post(rows_url, json=_row(["skoleforhold"]), headers=cw)
    assert r.status_code == 409 and r.json()["code"] == "plan_needs_round", r.text

    first = await complete_round(client, world, clock, case_id, OFFICIAL, days_after=0)
    unknown = await client.post(rows_url, json=_row(["skoleforhold", "lykke"]), headers=cw)
    assert unknown.status_code == 422 and unknown.json()["code"] == "validation_failed"
    none = await client.post(rows_url, json=_row([]), headers=cw)
    assert none.status_code == 422
    r = await client.post(
        rows_url, json=_row(["skoleforhold", "fritid_venskaber"], "AKT, PPR"), headers=cw
    )
    assert r.status_code == 201, r.text
    school = r.json()
    assert school["actor_role"] is None and school["statuses"] == []
    r = await client.post(
        rows_url,
        json=_row(["familieforhold"], "Mormor Inger", "network") | {"external_resources": ""},
        headers=cw,
    )
    assert r.status_code == 201, r.text
    grandmother = r.json()

    # The first row made the plan the notification's 14 days waited for.
    made = (
        await client.get(f"/api/v1/cases/{case_id}/notifications/{notification}", headers=cw)
    ).json()
    assert made["plan_made_on"] == today.isoformat()
    assert made["deadlines"][0]["state"] == "met"

    # Goal and activities together: each factor's official goal with the rows serving it.
    plan = (await client.get(plan_url, headers=cw)).json()
    assert [f["factor_key"] for f in plan["factors"]] == FACTORS
    by_key = {f["factor_key"]: f for f in plan["factors"]}
    assert (by_key["skoleforhold"]["goal"], by_key["skoleforhold"]["goal_round_id"]) == (
        1,
        first,
    )
    assert by_key["skoleforhold"]["row_ids"] == [school["id"]]
    assert by_key["familieforhold"]["row_ids"] == [grandmother["id"]]
    assert by_key["tilknytning"]["row_ids"] == []

    # Followed at the next round; the note stays with the staff.
    follow_up = int((await open_round(client, world, clock, case_id))["id"])
    status_url = f"/api/v1/rounds/{follow_up}/plan/rows/{school['id']}/status"
    r = await client.put(
        status_url, json={"status": "under_way", "note": "Godt i gang."}, headers=cw
    )
    assert r.status_code == 200, r.text
    r = await client.put(status_url, json={"status": "done"}, headers=cw)
    assert [(s["round_id"], s["status"]) for s in r.json()["statuses"]] == [(follow_up, "done")]
    assert (
        await client.put(status_url, json={"status": "finished"}, headers=cw)
    ).status_code == 422
    at_round = (await client.get(f"/api/v1/rounds/{follow_up}/plan", headers=cw)).json()
    assert {f["factor_key"]: f["row_ids"] for f in at_round["factors"]}["skoleforhold"] == [
        school["id"]
    ]
    assert {f["factor_key"]: f["goal"] for f in at_round["factors"]}["skoleforhold"] is None

    # Every participant sees who does what, never the situation or the notes.
    teacher = await add_informant(client, world, follow_up, "school", "Hanne Lærer")
    token = await issue_link(client, world, follow_up, teacher["id"])
    seen = (await client.get(f"/api/v1/links/{token}")).json()["plan"]
    assert [(p["actor_name"], p["actor_role"]) for p in seen] == [
        ("AKT, PPR", None),
        ("Mormor Inger", "network"),
    ]
    assert "situation" not in seen[0] and "skolegården" not in str(seen)
    # The child sees it on their own pages too, in their own words, never among the questions.
    child = await add_informant(client, world, follow_up, "child", "Lasse")
    child_token = await issue_link(client, world, follow_up, child["id"])
    asked = (await client.get(f"/l/{child_token}")).text
    assert "Område 1 af 8" in asked and "Sådan hjælper de voksne dig" not in asked
    r = await client.post(
        f"/api/v1/links/{child_token}/submission", json={"scores": entries([1] * len(FACTORS))}
    )
    assert r.status_code == 200, r.text
    page = await client.get(f"/l/{child_token}")
    assert page.status_code == 200, page.text
    words = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.text)).split())
    assert "Tak, Emma!" in words and "Sådan hjælper de voksne dig" in words
    assert "AKT, PPR : Kammerater i skolen og en voksen i frikvartererne." in words
    assert "skolegården" not in words and "Ekstra AKT" not in words

    # A row is changed, then ended: it keeps its history and takes no more changes.
    row_url = f"{rows_url}/{grandmother['id']}"
    r = await client.patch(row_url, json={"means": "Weekender hos mormor."}, headers=cw)
    assert r.status_code == 200 and r.json()["means"] == "Weekender hos mormor.", r.text
    assert r.json()["actor_name"] == "Mormor Inger"
    r = await client.post(f"{row_url}/end", json={"reason": "Lasse bor nu hos far."}, headers=cw)
    assert r.status_code == 200 and r.json()["ended_at"] is not None, r.text
    again = await client.patch(row_url, json={"means": "x"}, headers=cw)
    assert again.status_code == 409 and again.json()["code"] == "plan_row_ended"
    plan = (await client.get(plan_url, headers=cw)).json()
    assert [r["id"] for r in plan["rows"]] == [school["id"], grandmother["id"]]
    assert {f["factor_key"]: f["row_ids"] for f in plan["factors"]}["familieforhold"] == []
    r = await fire(client, world, follow_up, "cancel", "Flyttet til næste måned.")
    assert r.status_code == 200, r.text
    r = await client.put(status_url, json={"status": "dropped"}, headers=cw)
    assert r.status_code == 409 and r.json()["code"] == "plan_row_not_followed", r.text
    clock.advance(timedelta(minutes=1))
    later = int((await open_round(client, world, clock, case_id))["id"])
    r = await client.put(
        f"/api/v1/rounds/{later}/plan/rows/{grandmother['id']}/status",
        json={"status": "done"},
        headers=cw,
    )
    assert r.status_code == 409 and r.json()["code"] == "plan_row_not_followed", r.text

    # Another municipality's caseworker finds none of it.
    other = world.headers(CW_B)
    assert (await client.get(plan_url, headers=other)).status_code == 404
    assert (
        await client.post(rows_url, json=_row(["skoleforhold"]), headers=other)
    ).status_code == 404
    assert (
        await client.patch(f"{rows_url}/{school['id']}", json={}, headers=other)
    ).status_code == 404
    assert (await client.put(status_url, json={"status": "done"}, headers=other)).status_code == 404
    assert (await client.get(f"/api/v1/rounds/{follow_up}/plan", headers=other)).status_code == 404
    # A row is found only under its own case.
    elsewhere = await new_case(client, world, ref="KOL-PLAN-2")
    r = await client.patch(
        f"/api/v1/cases/{elsewhere}/plan/rows/{school['id']}", json={}, headers=cw
    )
    assert r.status_code == 404 and r.json()["code"] == "plan_row_not_found"
