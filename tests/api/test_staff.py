"""The administrator's set-up: teams, staff users, integrator clients, the policy."""

from __future__ import annotations

import httpx

from tests.factories import ADMIN_A, CW_A
from tests.world import World


async def test_admin_creates_team_and_caseworker_who_can_log_in(
    client: httpx.AsyncClient, world: World
) -> None:
    admin = world.headers(ADMIN_A)
    team = await client.post("/api/v1/teams", json={"name": "Team Vest"}, headers=admin)
    assert team.status_code == 201
    r = await client.post(
        "/api/v1/staff",
        json={
            "username": "ny@aarhus.example.dk",
            "full_name": "Ny Sagsbehandler",
            "email": "ny@aarhus.example.dk",
            "role": "caseworker",
            "team_id": team.json()["id"],
            "password": "a long enough password",
        },
        headers=admin,
    )
    assert r.status_code == 201, r.text
    assert "password" not in r.text and "hash" not in r.text
    token = await client.post(
        "/api/v1/auth/token",
        data={
            "grant_type": "password",
            "username": "ny@aarhus.example.dk",
            "password": "a long enough password",
        },
    )
    assert token.status_code == 200


async def test_staff_rules(client: httpx.AsyncClient, world: World) -> None:
    admin = world.headers(ADMIN_A)
    base = {"full_name": "X", "role": "caseworker", "password": "a long enough password"}
    no_team = await client.post(
        "/api/v1/staff",
        json={**base, "username": "x1@a.example.dk", "email": "x1@a.example.dk"},
        headers=admin,
    )
    assert no_team.status_code == 422 and no_team.json()["code"] == "team_required"
    taken = await client.post(
        "/api/v1/staff",
        json={**base, "username": CW_A, "email": CW_A, "team_id": world.teams["Team Nord"]},
        headers=admin,
    )
    assert taken.status_code == 409
    short = await client.post(
        "/api/v1/staff",
        json={
            **base,
            "username": "x2@a.example.dk",
            "email": "x2@a.example.dk",
            "password": "short",
        },
        headers=admin,
    )
    assert short.status_code == 422
    by_caseworker = await client.post(
        "/api/v1/teams", json={"name": "Mine"}, headers=world.headers(CW_A)
    )
    assert by_caseworker.status_code == 403


async def test_client_secret_is_shown_once(client: httpx.AsyncClient, world: World) -> None:
    admin = world.headers(ADMIN_A)
    r = await client.post(
        "/api/v1/clients", json={"name": "KMD Nexus", "scopes": ["cases:read"]}, headers=admin
    )
    assert r.status_code == 201
    created = r.json()
    listing = await client.get("/api/v1/clients", headers=admin)
    assert created["client_secret"] not in listing.text
    token = await client.post(
        "/api/v1/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": created["client_id"],
            "client_secret": created["client_secret"],
        },
    )
    assert token.status_code == 200
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    assert (await client.get("/api/v1/cases", headers=headers)).status_code == 200
    off = await client.post(f"/api/v1/clients/{created['id']}/deactivate", headers=admin)
    assert off.json()["is_active"] is False
    assert (await client.get("/api/v1/cases", headers=headers)).status_code == 401


async def test_policy_update(client: httpx.AsyncClient, world: World) -> None:
    r = await client.patch(
        "/api/v1/municipality/policy",
        json={"procedure": "kl2", "interval_months": 4, "min_group_size": 10},
        headers=world.headers(ADMIN_A),
    )
    assert r.status_code == 200, r.text
    policy = r.json()["policy"]
    assert (policy["procedure"], policy["interval_months"], policy["min_group_size"]) == (
        "kl2",
        4,
        10,
    )
    bad = await client.patch(
        "/api/v1/municipality/policy", json={"procedure": "kl4"}, headers=world.headers(ADMIN_A)
    )
    assert bad.status_code == 422
    denied = await client.patch(
        "/api/v1/municipality/policy", json={"min_group_size": 3}, headers=world.headers(CW_A)
    )
    assert denied.status_code == 403


async def test_the_projector_may_name_informants_by_their_role_only(
    client: httpx.AsyncClient, world: World
) -> None:
    """The meeting's projector mode names the informants unless the municipality chooses
    their role only; the choice cannot be null, and a refusal changes nothing."""
    admin = world.headers(ADMIN_A)
    before = await client.get("/api/v1/municipality", headers=admin)
    assert before.json()["policy"]["projector_shows_names"] is True
    r = await client.patch(
        "/api/v1/municipality/policy", json={"projector_shows_names": False}, headers=admin
    )
    assert r.status_code == 200, r.text
    assert r.json()["policy"]["projector_shows_names"] is False
    for bad in (None, "sometimes"):
        refused = await client.patch(
            "/api/v1/municipality/policy", json={"projector_shows_names": bad}, headers=admin
        )
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
    after = await client.get("/api/v1/municipality", headers=admin)
    assert after.json()["policy"]["projector_shows_names"] is False
