"""The OpenAPI document is a contract: committed, and compared with the app on every run."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from service.main import create_app
from service.openapi import render

REGENERATE = "make openapi"


def test_committed_openapi_matches_the_app(repo_root: Path) -> None:
    committed = (repo_root / "openapi" / "openapi.json").read_text(encoding="utf-8")
    current = render(create_app().openapi())
    assert json.loads(committed) == json.loads(current), (
        f"openapi/openapi.json is out of date with the app; run `{REGENERATE}` and commit it."
    )


def test_every_operation_is_documented() -> None:
    document = create_app().openapi()
    seen: set[str] = set()
    for path, operations in document["paths"].items():
        for method, op in operations.items():
            assert op.get("operationId"), (method, path)
            assert op["operationId"] not in seen, op["operationId"]
            seen.add(op["operationId"])
            assert op.get("summary"), (method, path)
            assert op.get("description"), (method, path)
            responses = op["responses"]
            assert "422" in responses, (method, path)
            assert "application/problem+json" in responses["422"]["content"], (method, path)
            if path != "/api/v1/auth/token":
                assert "401" in responses or "security" not in op, (method, path)


async def test_unknown_routes_and_methods_are_problem_json(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/nothing-here")
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "not_found"
    r = await client.delete("/api/v1/auth/token")
    assert r.status_code == 405
    assert r.json()["code"] == "method_not_allowed"
    r = await client.post(
        "/api/v1/cases", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code in (401, 422)
    assert r.headers["content-type"] == "application/problem+json"


def test_every_schema_has_a_name_of_its_own() -> None:
    """Two models of one name get FastAPI's module-path names ("service__schemas__x__Y"),
    which generated clients cannot use: one of the two is then left out of them."""
    names = create_app().openapi()["components"]["schemas"]
    assert [name for name in names if "__" in name] == []
