"""The OpenAPI document says everything a client needs: every status, the problem's members
as sent, both OAuth 2.0 flows and the idempotency headers."""

from __future__ import annotations

from typing import Any

import httpx

from service.main import create_app
from tests.factories import CW_A
from tests.rounds_helpers import new_case, open_round
from tests.world import World


def _document() -> dict[str, Any]:
    return create_app().openapi()


def test_the_problem_schema_names_its_extension_members() -> None:
    schemas = _document()["components"]["schemas"]
    members = schemas["Problem"]["properties"]
    for name in ("state", "allowed_events", "unmet", "errors", "missing"):
        assert name in members, name
    error = schemas["FieldError"]["properties"]
    assert {"loc", "msg", "type"} <= set(error)
    assert set(schemas["FieldError"]["required"]) == {"loc", "msg", "type"}


def test_both_oauth_flows_and_www_authenticate() -> None:
    document = _document()
    flows = document["components"]["securitySchemes"]["OAuth2"]["flows"]
    assert flows["password"]["tokenUrl"] == "/api/v1/auth/token"
    assert flows["clientCredentials"]["tokenUrl"] == "/api/v1/auth/token"
    assert "rounds:write" in flows["clientCredentials"]["scopes"]
    for path, operations in document["paths"].items():
        for method, op in operations.items():
            if op.get("security"):
                assert "WWW-Authenticate" in op["responses"]["401"]["headers"], (method, path)
                assert {"403", "422", "503"} <= set(op["responses"]), (method, path)
            if "requestBody" in op:
                assert {"400", "413"} <= set(op["responses"]), (method, path)


def test_idempotency_headers_where_keys_are_taken_and_nowhere_else() -> None:
    for path, operations in _document()["paths"].items():
        for method, op in operations.items():
            names = {p["name"] for p in op.get("parameters", [])}
            keyed = method == "post" and bool(op.get("security")) and "/links/" not in path
            assert ("Idempotency-Key" in names) is keyed, (method, path)
            if keyed:
                ok = next(c for c in op["responses"] if c.startswith("2"))
                assert "Idempotent-Replayed" in op["responses"][ok]["headers"], (method, path)


async def test_a_refused_step_sends_the_members_the_document_names(
    client: httpx.AsyncClient, world: World, clock: Any
) -> None:
    case_id = await new_case(client, world)
    rnd = await open_round(client, world, clock, case_id)
    r = await client.post(
        f"/api/v1/rounds/{rnd['id']}/transitions",
        json={"event": "finish_consensus"},
        headers=world.headers(CW_A),
    )
    assert r.status_code == 409
    problem = r.json()
    members = set(_document()["components"]["schemas"]["Problem"]["properties"])
    assert set(problem) <= members
    assert problem["state"] == "collecting" and isinstance(problem["allowed_events"], list)
    r = await client.get("/api/v1/cases")
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
    assert set(r.json()) <= members


async def test_a_refused_submission_lists_field_errors_in_the_one_shape(
    client: httpx.AsyncClient, world: World, clock: Any
) -> None:
    case_id = await new_case(client, world)
    rnd = await open_round(client, world, clock, case_id)
    me = next(
        i
        for i in (
            await client.get(f"/api/v1/rounds/{rnd['id']}/informants", headers=world.headers(CW_A))
        ).json()["items"]
        if i["role"] == "caseworker"
    )
    r = await client.post(
        f"/api/v1/rounds/{rnd['id']}/informants/{me['id']}/submission",
        json={"scores": [{"factor_key": "no_such_factor", "score": 1}], "submit": True},
        headers=world.headers(CW_A),
    )
    assert r.status_code == 422, r.text
    errors = r.json()["errors"]
    assert errors[0]["loc"] == ["body", "scores", 0, "factor_key"]
    assert errors[0]["type"] == "unknown_factor" and errors[0]["factor_key"] == "no_such_factor"
    assert set(errors[0]) <= {"loc", "msg", "type", "factor_key"}


async def test_every_401_says_how_to_authenticate(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/api/v1/auth/token",
        data={"grant_type": "client_credentials", "client_id": "nobody", "client_secret": "x"},
    )
    assert r.status_code == 401
    assert r.headers["www-authenticate"].startswith("Basic")
    r = await client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-token"})
    assert r.status_code == 401
    assert r.headers["www-authenticate"].startswith("Bearer")
