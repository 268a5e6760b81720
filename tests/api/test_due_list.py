"""The due list and the cases page at a municipality's size: worked out in the database a
page at a time, in Danish dates, and the audit trail names the cases a caller was shown."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
from sqlmodel import Session, col, select

from service.clock import FrozenClock
from service.models.audit import AuditEvent
from tests.factories import CW_A, LEADER_A, create_case
from tests.rounds_helpers import open_round
from tests.world import PASSWORD, World


async def _cases(client: httpx.AsyncClient, world: World, n: int, tag: str) -> list[int]:
    return [
        int(
            (
                await create_case(
                    client, world, external_ref=f"{tag}-{i:03d}", display_name=f"Barn {i:03d}"
                )
            )["id"]
        )
        for i in range(n)
    ]


async def test_the_due_list_comes_a_page_at_a_time_overdue_first(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, db: Session
) -> None:
    ids = await _cases(client, world, 5, "DUE")
    # One case has a round under way, due in a week: it sorts after the four due today.
    await open_round(
        client, world, clock, ids[0], due_at=(clock.now() + timedelta(days=7)).isoformat()
    )
    r = await client.get("/api/v1/due", params={"limit": 3}, headers=world.headers(CW_A))
    assert r.status_code == 200
    page = r.json()
    assert (page["total"], page["limit"], page["offset"]) == (5, 3, 0)
    assert [i["case_id"] for i in page["items"]] == ids[1:4]
    assert {i["status"] for i in page["items"]} == {"due"}
    rest = (
        await client.get(
            "/api/v1/due", params={"limit": 3, "offset": 3}, headers=world.headers(CW_A)
        )
    ).json()
    assert [i["case_id"] for i in rest["items"]] == [ids[4], ids[0]]
    assert rest["items"][1]["status"] == "soon" and rest["items"][1]["round_state"] == "collecting"
    # The audit trail names the cases on each page, not every case the caller may see.
    events = db.exec(
        select(AuditEvent).where(AuditEvent.action == "case.due_list").order_by(col(AuditEvent.id))
    ).all()
    assert [e.detail["case_ids"] for e in events] == [ids[1:4], [ids[4], ids[0]]]


async def test_a_round_due_just_before_midnight_utc_is_due_the_next_danish_day(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    (case_id,) = await _cases(client, world, 1, "MIDNIGHT")
    # 23:30 UTC in winter is 00:30 the next day in Copenhagen.
    due_at = datetime(clock.now().year + 1, 1, 15, 23, 30, tzinfo=UTC)
    await open_round(
        client,
        world,
        clock,
        case_id,
        due_at=due_at.isoformat(),
        meeting_at=(due_at + timedelta(days=2)).isoformat(),
    )
    items = (
        await client.get(
            "/api/v1/due", params={"include_later": "true"}, headers=world.headers(CW_A)
        )
    ).json()["items"]
    assert [i["due_on"] for i in items] == [f"{due_at.year}-01-16"]


async def test_a_team_leader_sees_the_teams_cases_only(
    client: httpx.AsyncClient, world: World
) -> None:
    mine = await _cases(client, world, 2, "TEAM")  # CW_A is in the leader's team
    page = (await client.get("/api/v1/due", headers=world.headers(LEADER_A))).json()
    assert sorted(i["case_id"] for i in page["items"]) == mine and page["total"] == 2


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found
    return found.group(1)


async def test_the_cases_page_comes_fifty_cases_at_a_time(
    client: httpx.AsyncClient, world: World
) -> None:
    await _cases(client, world, 53, "PAGE")
    login = await client.get("/login")
    r = await client.post(
        "/login", data={"csrf": _csrf(login.text), "username": CW_A, "password": PASSWORD}
    )
    assert r.status_code == 303
    first = await client.get("/cases")
    assert first.status_code == 200
    assert first.text.count('href="/cases/') == 50
    assert 'href="/cases?page=2"' in first.text and "Barn 049" in first.text
    second = await client.get("/cases", params={"page": 2})
    assert second.text.count('href="/cases/') == 3 and "Barn 052" in second.text
    assert 'href="/cases?page=1"' in second.text
    assert (await client.get("/cases", params={"page": 0})).status_code == 422
