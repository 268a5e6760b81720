"""Cases, measures, providers and the audit trail through HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime

import httpx
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from service.clock import FrozenClock
from service.models.audit import AuditEvent
from service.usecases.data_rights import audit
from tests.factories import ADMIN_A, CW2_A, CW_A, LEADER_A, create_case
from tests.world import World


async def test_create_read_update_case(client: httpx.AsyncClient, world: World) -> None:
    case = await create_case(client, world, CW_A, birth_date="2015-04-01", birth_year=None)
    assert case["birth_year"] == 2015
    assert case["caseworker_id"] == world.user(CW_A).id
    assert case["team_id"] == world.teams["Team Nord"]
    r = await client.patch(
        f"/api/v1/cases/{case['id']}", json={"display_name": "Emma K."}, headers=world.headers(CW_A)
    )
    assert r.status_code == 200
    assert r.json()["display_name"] == "Emma K."
    r = await client.get(f"/api/v1/cases/{case['id']}", headers=world.headers(CW_A))
    assert r.json()["display_name"] == "Emma K."


async def test_who_sees_which_case(client: httpx.AsyncClient, world: World) -> None:
    mine = await create_case(client, world, CW_A, external_ref="A-1")
    theirs = await create_case(client, world, CW2_A, external_ref="A-2")
    # The other caseworker's case does not exist for me.
    r = await client.get(f"/api/v1/cases/{theirs['id']}", headers=world.headers(CW_A))
    assert r.status_code == 404
    listing = await client.get("/api/v1/cases", headers=world.headers(CW_A))
    assert [c["id"] for c in listing.json()["items"]] == [mine["id"]]
    # The team leader of Team Nord sees Team Nord's case, not Team Syd's.
    leader = await client.get("/api/v1/cases", headers=world.headers(LEADER_A))
    assert [c["id"] for c in leader.json()["items"]] == [mine["id"]]
    # Administrator and integrator see the whole municipality.
    for who in (ADMIN_A, "client-a"):
        r = await client.get("/api/v1/cases", headers=world.headers(who))
        assert {c["id"] for c in r.json()["items"]} == {mine["id"], theirs["id"]}


async def test_pagination(client: httpx.AsyncClient, world: World) -> None:
    for n in range(5):
        await create_case(client, world, CW_A, external_ref=f"P-{n}", display_name=f"Barn {n}")
    r = await client.get(
        "/api/v1/cases", params={"limit": 2, "offset": 2}, headers=world.headers(CW_A)
    )
    body = r.json()
    assert body["total"] == 5
    assert body["limit"] == 2 and body["offset"] == 2
    assert [c["display_name"] for c in body["items"]] == ["Barn 2", "Barn 3"]
    r = await client.get("/api/v1/cases", params={"limit": 1000}, headers=world.headers(CW_A))
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["query", "limit"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"external_ref": "", "display_name": "A", "birth_year": 2015}, "external_ref"),
        ({"external_ref": "X" * 65, "display_name": "A", "birth_year": 2015}, "external_ref"),
        ({"external_ref": "has space", "display_name": "A", "birth_year": 2015}, "external_ref"),
        ({"external_ref": "X-1", "display_name": "A" * 81, "birth_year": 2015}, "display_name"),
        ({"external_ref": "X-1", "display_name": "A", "birth_year": 3000}, None),
        ({"external_ref": "X-1", "display_name": "A"}, None),
        ({"external_ref": "X-1", "display_name": "A", "birth_date": "2999-01-01"}, None),
        ({"external_ref": "X-1", "display_name": "A", "birth_date": "2015-13-01"}, "birth_date"),
        (
            {
                "external_ref": "X-1",
                "display_name": "A",
                "birth_date": "2015-01-01",
                "birth_year": 2014,
            },
            None,
        ),
    ],
)
async def test_case_validation(
    client: httpx.AsyncClient, world: World, body: dict[str, object], field: str | None
) -> None:
    r = await client.post("/api/v1/cases", json=body, headers=world.headers(CW_A))
    assert r.status_code == 422, r.text
    problem = r.json()
    assert r.headers["content-type"] == "application/problem+json"
    assert problem["code"] == "validation_failed"
    if field:
        assert any(field in e["loc"] for e in problem["errors"]), problem
    # Nothing was stored.
    listing = await client.get("/api/v1/cases", headers=world.headers(CW_A))
    assert listing.json()["total"] == 0


async def test_duplicate_external_ref_is_409(client: httpx.AsyncClient, world: World) -> None:
    await create_case(client, world, CW_A, external_ref="DUP-1")
    r = await client.post(
        "/api/v1/cases",
        json={"external_ref": "DUP-1", "display_name": "B", "birth_year": 2012},
        headers=world.headers(CW_A),
    )
    assert r.status_code == 409
    assert r.json()["code"] == "case_exists"


async def test_caseworker_cannot_assign_to_others(client: httpx.AsyncClient, world: World) -> None:
    r = await client.post(
        "/api/v1/cases",
        json={
            "external_ref": "Z-1",
            "display_name": "B",
            "birth_year": 2012,
            "caseworker_id": world.user(CW2_A).id,
        },
        headers=world.headers(CW_A),
    )
    assert r.status_code == 403


async def test_integrator_upserts_idempotently_by_external_ref(
    client: httpx.AsyncClient, world: World
) -> None:
    headers = world.headers("client-a")
    body = {"display_name": "Noah", "birth_year": 2011, "caseworker_id": world.user(CW_A).id}
    first = await client.put("/api/v1/cases/by-ref/NEXUS-77", json=body, headers=headers)
    assert first.status_code == 201, first.text
    again = await client.put("/api/v1/cases/by-ref/NEXUS-77", json=body, headers=headers)
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    moved = await client.put(
        "/api/v1/cases/by-ref/NEXUS-77",
        json={**body, "caseworker_id": world.user(CW2_A).id},
        headers=headers,
    )
    assert moved.status_code == 200
    assert moved.json()["team_id"] == world.teams["Team Syd"]
    listing = await client.get(
        "/api/v1/cases", params={"external_ref": "NEXUS-77"}, headers=headers
    )
    assert listing.json()["total"] == 1
    # A read-only client may not.
    ro = await client.put(
        "/api/v1/cases/by-ref/NEXUS-78", json=body, headers=world.headers("client-a-ro")
    )
    assert ro.status_code == 403


async def test_measures_and_providers(client: httpx.AsyncClient, world: World) -> None:
    case = await create_case(client, world, CW_A)
    headers = world.headers(CW_A)
    provider = await client.post(
        "/api/v1/providers",
        json={"name": "Plejefamilien Holm", "kind": "foster_family"},
        headers=headers,
    )
    assert provider.status_code == 201
    r = await client.post(
        f"/api/v1/cases/{case['id']}/measures",
        json={
            "type": "foster_care",
            "category": "placement_with_consent",
            "provider_id": provider.json()["id"],
            "start_date": "2026-01-05",
        },
        headers=headers,
    )
    assert r.status_code == 201, r.text
    measure = r.json()
    bad_end = await client.patch(
        f"/api/v1/cases/{case['id']}/measures/{measure['id']}",
        json={"end_date": "2025-12-01"},
        headers=headers,
    )
    # Before the measure's recorded start: a conflict with what the measure already is.
    assert (bad_end.status_code, bad_end.json()["code"]) == (409, "end_before_start")
    ended = await client.patch(
        f"/api/v1/cases/{case['id']}/measures/{measure['id']}",
        json={"end_date": "2026-06-30"},
        headers=headers,
    )
    assert ended.json()["end_date"] == "2026-06-30"
    bad = await client.post(
        f"/api/v1/cases/{case['id']}/measures",
        json={"type": "spa_weekend", "start_date": "2026-01-05"},
        headers=headers,
    )
    assert bad.status_code == 422
    unknown_provider = await client.post(
        f"/api/v1/cases/{case['id']}/measures",
        json={"type": "institution", "provider_id": 9999, "start_date": "2026-01-05"},
        headers=headers,
    )
    assert unknown_provider.status_code == 422
    assert unknown_provider.json()["code"] == "provider_not_found"
    listing = await client.get(f"/api/v1/cases/{case['id']}/measures", headers=headers)
    assert [m["end_date"] for m in listing.json()["items"]] == [str(date(2026, 6, 30))]


async def test_audit_trail_records_reads_and_writes(
    client: httpx.AsyncClient, world: World
) -> None:
    case = await create_case(client, world, CW_A)
    await client.get(f"/api/v1/cases/{case['id']}", headers=world.headers(CW_A))
    await client.patch(
        f"/api/v1/cases/{case['id']}", json={"status": "closed"}, headers=world.headers(CW_A)
    )
    # A caseworker may not read the audit trail; the team leader may.
    denied = await client.get(
        f"/api/v1/cases/{case['id']}/audit-events", headers=world.headers(CW_A)
    )
    assert denied.status_code == 403
    r = await client.get(
        f"/api/v1/cases/{case['id']}/audit-events", headers=world.headers(LEADER_A)
    )
    assert r.status_code == 200
    events = r.json()["items"]
    actions = [e["action"] for e in events]
    assert actions[:3] == ["case.update", "case.read", "case.create"]
    actor = f"staff:{world.user(CW_A).id}"
    assert all(e["actor_id"] == actor for e in events[:3])
    assert events[0]["client_address"] == "192.0.2.10"
    assert events[0]["detail"] == {"fields": ["status"]}


async def test_failed_write_leaves_no_audit_event(
    client: httpx.AsyncClient, world: World, db: Session
) -> None:
    case = await create_case(client, world, CW_A)
    before = len(db.exec(select(AuditEvent)).all())
    r = await client.patch(
        f"/api/v1/cases/{case['id']}",
        json={"caseworker_id": world.user(CW2_A).id},
        headers=world.headers(CW_A),
    )
    assert r.status_code == 403
    assert len(db.exec(select(AuditEvent)).all()) == before


def test_audit_trail_is_append_only_in_the_database(engine: Engine) -> None:
    with Session(engine) as session:
        audit.record_system(session, 1, "test", "case", 1)
        session.commit()
    for statement in ("UPDATE audit_event SET action = 'forged'", "DELETE FROM audit_event"):
        with Session(engine) as session, pytest.raises(DBAPIError, match="append-only"):
            session.execute(text(statement))


async def test_a_null_birth_year_leaves_the_known_year(
    client: httpx.AsyncClient, world: World
) -> None:
    """The year is always known; clearing the birth date (null) keeps it, and a null year
    is not a year: it changes nothing (it answered 500 once)."""
    case = await create_case(client, world, CW_A, birth_date="2015-04-01", birth_year=None)
    r = await client.patch(
        f"/api/v1/cases/{case['id']}",
        json={"birth_date": None, "birth_year": None},
        headers=world.headers(CW_A),
    )
    assert r.status_code == 200, r.text
    assert (r.json()["birth_date"], r.json()["birth_year"]) == (None, 2015)


async def _birth_refused(
    client: httpx.AsyncClient, world: World, field: str, **birth: object
) -> list[httpx.Response]:
    """The case's birth given on create, by the case system's PUT and by PATCH; each answer."""
    headers = world.headers(ADMIN_A)
    caseworker = world.user(CW_A).id
    known = await create_case(
        client, world, ADMIN_A, external_ref="KNOWN-1", caseworker_id=caseworker
    )
    answers = [
        await client.post(
            "/api/v1/cases",
            json={
                "external_ref": "NEW-1",
                "display_name": "A",
                "caseworker_id": caseworker,
                **birth,
            },
            headers=headers,
        ),
        await client.put(
            "/api/v1/cases/by-ref/NEW-2",
            json={"display_name": "A", "caseworker_id": caseworker, **birth},
            headers=headers,
        ),
        await client.put(
            "/api/v1/cases/by-ref/KNOWN-1",
            json={"display_name": "A", "caseworker_id": caseworker, **birth},
            headers=headers,
        ),
        await client.patch(f"/api/v1/cases/{known['id']}", json=birth, headers=headers),
    ]
    for answer in answers:
        assert answer.status_code == 422, (answer.request.url, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
        problem = answer.json()
        assert problem["code"] == "validation_failed", problem
        assert [e["loc"][-1] for e in problem["errors"]] == [field], problem
        assert problem["errors"][0]["loc"][0] == "body", problem
    stored = await client.get(f"/api/v1/cases/{known['id']}", headers=headers)
    assert (stored.json()["birth_date"], stored.json()["birth_year"]) == (None, 2015)
    listing = await client.get("/api/v1/cases", headers=headers)
    assert listing.json()["total"] == 1
    return answers


@pytest.mark.parametrize("birth_date", ["0182-02-15", "1989-12-31"])
async def test_a_birth_date_before_the_earliest_birth_year_is_refused(
    client: httpx.AsyncClient, world: World, birth_date: str
) -> None:
    answers = await _birth_refused(client, world, "birth_date", birth_date=birth_date)
    assert "1990" in answers[0].json()["errors"][0]["msg"]


async def test_a_birth_in_the_future_is_refused_by_the_service_clock(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    """The service's clock says what today is, not the machine's."""
    clock.set(datetime(2020, 1, 1, 12, tzinfo=UTC))
    await _birth_refused(client, world, "birth_date", birth_date="2020-06-01")


async def test_a_birth_year_in_the_future_is_refused_by_the_service_clock(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    clock.set(datetime(2020, 1, 1, 12, tzinfo=UTC))
    await _birth_refused(client, world, "birth_year", birth_year=2021)


async def test_today_is_the_clock_s_and_in_danish_time(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    # 23:30 UTC on New Year's Eve is already the new year in Copenhagen.
    later = date.today().year + 3
    clock.set(datetime(later - 1, 12, 31, 23, 30, tzinfo=UTC))
    born = await create_case(client, world, CW_A, birth_date=f"{later}-01-01", birth_year=None)
    assert born["birth_year"] == later
    r = await client.patch(
        f"/api/v1/cases/{born['id']}",
        json={"birth_date": f"{later}-01-02"},
        headers=world.headers(CW_A),
    )
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "birth_date"], r.text
