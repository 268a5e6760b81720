"""The contract holds against any input: ids beyond what the database stores, and JSON values
of the wrong type, are refused as the request's fault (404 or 422), never a 500 or a dropped
connection, and never converted into something else."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from sqlmodel import Session, select

from service.main import create_app
from service.models.round import SubmissionScore
from tests.factories import ADMIN_A, ADMIN_B, CW_A, create_case
from tests.rounds_helpers import FACTORS, add_informant, issue_link, new_case, open_round
from tests.world import World

#: The largest id an integer column holds on PostgreSQL.
MAX_ID = 2**31 - 1
#: One past a PostgreSQL integer, and one past a 64-bit integer (SQLite's own limit).
TOO_LARGE = (MAX_ID + 1, 2**63, 2**64 + 7)
CALLERS = (CW_A, "leader.a@aarhus.example.dk", ADMIN_A, "client-a")


def _operations_with_integer_path_parameters() -> list[tuple[str, str, list[str]]]:
    document = create_app().openapi()
    found = []
    for path, operations in document["paths"].items():
        for method, op in operations.items():
            names = [
                p["name"]
                for p in op.get("parameters", [])
                if p["in"] == "path" and p["schema"].get("type") == "integer"
            ]
            if names:
                found.append((method.upper(), path, names))
    return found


def test_every_integer_path_id_is_bounded_in_the_contract() -> None:
    operations = _operations_with_integer_path_parameters()
    assert len(operations) > 30
    document = create_app().openapi()
    for method, path, _ in operations:
        op = document["paths"][path][method.lower()]
        for p in op["parameters"]:
            if p["schema"].get("type") == "integer" and p["name"].endswith(("_id", "_pk")):
                assert p["schema"].get("maximum") == MAX_ID, (method, path, p)
                assert p["schema"].get("minimum") == 1, (method, path, p)


async def test_ids_beyond_the_database_answer_422_on_a_live_connection(
    live_client: httpx.AsyncClient, world: World
) -> None:
    """Every operation with an id in its path, every kind of caller, over one keep-alive
    connection: each too-large id is refused and the connection keeps serving."""
    operations = _operations_with_integer_path_parameters()
    for who in CALLERS:
        headers = world.headers(who)
        for method, path, names in operations:
            for value in TOO_LARGE:
                url = path
                for name in names:
                    url = url.replace("{" + name + "}", str(value))
                url = re.sub(r"\{[^}]+\}", "x", url)  # a token in the same path
                body: Any = {} if method in ("POST", "PUT", "PATCH") else None
                r = await live_client.request(method, url, json=body, headers=headers)
                assert r.status_code in (404, 422), (who, method, url, r.status_code, r.text)
                assert r.headers["content-type"] == "application/problem+json"
        alive = await live_client.get("/api/v1/me", headers=headers)
        assert alive.status_code == 200


@pytest.mark.parametrize("value", TOO_LARGE)
async def test_ids_in_query_and_body_are_bounded(
    client: httpx.AsyncClient, world: World, value: int
) -> None:
    headers = world.headers(CW_A)
    for url in (f"/api/v1/cases?caseworker_id={value}", f"/api/v1/rounds?case_id={value}"):
        r = await client.get(url, headers=headers)
        assert r.status_code == 422, (url, r.text)
    r = await client.post(
        "/api/v1/cases",
        json={
            "external_ref": "B-1",
            "display_name": "Ida",
            "birth_year": 2016,
            "caseworker_id": value,
        },
        headers=headers,
    )
    assert r.status_code == 422, r.text
    r = await client.post(
        "/api/v1/cases/1/rounds",
        json={"instrument_id": value, "due_at": "2030-01-01T10:00:00+01:00"},
        headers=headers,
    )
    assert r.status_code == 422, r.text
    r = await client.post(
        "/api/v1/staff",
        json={
            "username": "ny@aarhus.example.dk",
            "full_name": "Ny",
            "email": "ny@aarhus.example.dk",
            "role": "caseworker",
            "team_id": value,
            "password": "a long enough password",
        },
        headers=world.headers(ADMIN_A),
    )
    assert r.status_code == 422, r.text


async def test_a_staff_users_team_is_checked_before_anything_is_written(
    client: httpx.AsyncClient, world: World, db: Session
) -> None:
    """Another municipality's team and a team that exists nowhere get the same answer."""
    admin = world.headers(ADMIN_A)
    cw = world.user(CW_A)
    theirs = world.teams["Familieteamet"]
    answers = []
    for team_id in (theirs, 999_999):
        r = await client.patch(f"/api/v1/staff/{cw.id}", json={"team_id": team_id}, headers=admin)
        assert r.status_code == 422, r.text
        answers.append({k: v for k, v in r.json().items() if k != "detail"})
    assert answers[0] == answers[1]
    assert answers[0]["code"] == "team_not_found"
    # Nothing changed; the user's own municipality's team still works.
    mine = world.teams["Team Syd"]
    r = await client.patch(f"/api/v1/staff/{cw.id}", json={"team_id": mine}, headers=admin)
    assert r.status_code == 200 and r.json()["team_id"] == mine
    # The other municipality's administrator cannot reach this user at all.
    r = await client.patch(
        f"/api/v1/staff/{cw.id}", json={"team_id": theirs}, headers=world.headers(ADMIN_B)
    )
    assert r.status_code == 404


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        ({"score": True}, "score"),
        ({"score": "2"}, "score"),
        ({"score": 2.5}, "score"),
        ({"goal": "1"}, "goal"),
        ({"cannot_assess": "yes"}, "cannot_assess"),
        ({"cannot_assess": 1}, "cannot_assess"),
    ],
)
async def test_scores_take_json_numbers_and_truth_values_only(
    client: httpx.AsyncClient,
    world: World,
    clock: Any,
    db: Session,
    entry: dict[str, Any],
    field: str,
) -> None:
    case_id = await new_case(client, world)
    rnd = await open_round(client, world, clock, case_id)
    teacher = await add_informant(client, world, rnd["id"], "school", "Lærer")
    token = await issue_link(client, world, rnd["id"], teacher["id"])
    body = {"scores": [{"factor_key": FACTORS[0], **entry}]}
    for url, headers in (
        (f"/api/v1/links/{token}/draft", {}),
        (f"/api/v1/rounds/{rnd['id']}/informants/{teacher['id']}/submission", world.headers(CW_A)),
    ):
        r = await client.post(url, json=body, headers=headers)
        assert r.status_code == 422, (url, r.text)
        assert r.json()["code"] == "validation_failed"
        assert any(e["loc"][-1] == field for e in r.json()["errors"]), r.json()
    assert db.exec(select(SubmissionScore)).all() == []


async def test_other_bodies_are_read_strictly_and_still_take_text_dates_and_choices(
    client: httpx.AsyncClient, world: World
) -> None:
    headers = world.headers(CW_A)
    for bad in (
        {"birth_year": "2016"},
        {"birth_year": 2016.5},
        {"birth_year": True},
        {"birth_date": 1_450_000_000},
        {"birth_date": "0"},
    ):
        body = {"external_ref": "S-1", "display_name": "Ida", **bad}
        r = await client.post("/api/v1/cases", json=body, headers=headers)
        assert r.status_code == 422, (bad, r.text)
    r = await client.patch(
        "/api/v1/municipality/policy", json={"min_group_size": "5"}, headers=world.headers(ADMIN_A)
    )
    assert r.status_code == 422
    r = await client.post(
        f"/api/v1/staff/{world.user(CW_A).id}", json={}, headers=world.headers(ADMIN_A)
    )
    assert r.status_code == 405
    r = await client.patch(
        f"/api/v1/staff/{world.user(CW_A).id}",
        json={"is_active": "false"},
        headers=world.headers(ADMIN_A),
    )
    assert r.status_code == 422
    # Text stays the way to give a date, a moment and a choice.
    case = await create_case(
        client, world, external_ref="S-2", birth_date="2016-05-01", birth_year=None
    )
    assert case["birth_year"] == 2016
    r = await client.get("/api/v1/reports/outcomes?start=0", headers=world.headers(ADMIN_A))
    assert r.status_code == 422


async def test_every_405_names_all_methods_of_the_path(client: httpx.AsyncClient) -> None:
    document = create_app().openapi()
    checked = 0
    for path, operations in document["paths"].items():
        url = re.sub(r"\{[^}]+\}", "1", path)
        declared = {m.upper() for m in operations}
        for method in {"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"} - declared:
            r = await client.request(method, url)
            assert r.status_code == 405, (method, url, r.status_code)
            allow = {m.strip() for m in r.headers["allow"].split(",")}
            assert declared <= allow, (method, url, allow)
            assert allow - declared <= {"HEAD"}, (method, url, allow)
            checked += 1
    assert checked > 100


async def test_text_with_nul_characters_is_kept_without_them(
    client: httpx.AsyncClient, world: World, clock: Any
) -> None:
    """No column holds a NUL (PostgreSQL refuses one outright): it is dropped, on both
    engines, and a name of nothing but NUL and blanks is refused as blank."""
    rnd = await open_round(client, world, clock, await new_case(client, world))
    teacher = await add_informant(client, world, rnd["id"], "school", "Lærer\x00 Signe")
    assert teacher["name"] == "Lærer Signe"
    r = await client.post(
        f"/api/v1/rounds/{rnd['id']}/informants",
        json={"role": "daycare", "name": "\x00 \x00"},
        headers=world.headers(CW_A),
    )
    assert r.status_code == 422 and r.json()["code"] == "validation_failed", r.text
