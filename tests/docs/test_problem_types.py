"""Every problem answer's `type` resolves, on the service itself, to a page that says what
its code means; and every code the service can answer with is in the registry."""

from __future__ import annotations

import ast
from pathlib import Path

import httpx
import pytest

from service.errors import PROBLEM_TYPES, ServiceError, problem_type
from tests.world import World

SERVICE = Path(__file__).resolve().parents[2] / "service"
#: Calls whose code is a positional argument: (name, index of the code).
_POSITIONAL_CODE = {"OAuthError": 0, "DecisionRefused": 1, "problem_response": 1, "_problem": 1}


def raised_codes() -> dict[str, set[str]]:
    """Every literal code in the service's source, with where it is: `code=` arguments,
    `code = ...` class attributes, and the calls that take their code by position."""
    found: dict[str, set[str]] = {}
    for path in SERVICE.rglob("*.py"):
        where = str(path.relative_to(SERVICE.parent))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            literals: list[ast.expr] = []
            if isinstance(node, ast.Call):
                literals += [kw.value for kw in node.keywords if kw.arg == "code"]
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                index = _POSITIONAL_CODE.get(name)
                if index is not None and len(node.args) > index:
                    literals.append(node.args[index])
            elif isinstance(node, ast.ClassDef):
                literals += [
                    stmt.value
                    for stmt in node.body
                    if isinstance(stmt, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == "code" for t in stmt.targets)
                ]
            for literal in literals:
                if isinstance(literal, ast.Constant) and isinstance(literal.value, str):
                    found.setdefault(literal.value, set()).add(where)
    return found


def all_subclasses(cls: type[ServiceError]) -> list[type[ServiceError]]:
    return [cls, *(sub for direct in cls.__subclasses__() for sub in all_subclasses(direct))]


def test_every_code_in_the_source_is_in_the_registry() -> None:
    codes = raised_codes()
    # The scan finds codes of every kind it reads, or it would pass by finding nothing.
    assert {"round_not_found", "link_expired", "invalid_grant", "off_scale"} <= codes.keys()
    assert {"idempotency_key_reused", "payload_too_large"} <= codes.keys()
    missing = {code: sorted(where) for code, where in codes.items() if code not in PROBLEM_TYPES}
    assert not missing, f"codes with no entry in service/errors.py PROBLEM_TYPES: {missing}"


def test_every_error_class_matches_its_registry_entry() -> None:
    import service.main  # noqa: F401  (imports every module that defines an error class)

    for cls in all_subclasses(ServiceError):
        entry = PROBLEM_TYPES.get(cls.code)
        assert entry is not None, cls
        assert cls.status in entry.statuses, (cls, entry.statuses)


def test_an_unknown_code_has_about_blank() -> None:
    assert problem_type("no_such_code_anywhere", "http://x") == "about:blank"
    assert problem_type("round_not_found", "http://x/") == "http://x/problems/round-not-found"


@pytest.mark.one_leg
async def test_every_registered_type_resolves_to_its_page(live_server: str) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        for problem in PROBLEM_TYPES.values():
            page = await http.get(problem_type(problem.code, live_server))
            assert page.status_code == 200, problem.code
            assert page.headers["content-type"].startswith("text/html")
            assert problem.code in page.text
            # The title as HTML shows it (an apostrophe is escaped).
            assert problem.title.replace("'", "&#39;") in page.text, problem.code
        unknown = await http.get(f"{live_server}/problems/no-such-problem")
        assert unknown.status_code == 404
        listing = await http.get(f"{live_server}/problems/")
        assert listing.status_code == 200
        assert all(f'/problems/{p.slug}"' in listing.text for p in PROBLEM_TYPES.values())


@pytest.mark.one_leg
async def test_real_answers_point_at_pages_that_resolve(live_server: str, world: World) -> None:
    async with httpx.AsyncClient(base_url=live_server, timeout=30) as http:
        headers = {"Authorization": f"Bearer {world.token('client-a')}"}
        answers = [
            await http.get("/api/v1/cases"),  # missing_token
            await http.get("/api/v1/rounds/999999", headers=headers),  # round_not_found
            await http.post("/api/v1/auth/token", data={"grant_type": "implicit"}),
            await http.get("/api/v1/no-such-thing"),  # the framework's not_found
            await http.post("/api/v1/cases", headers=headers, json={}),  # validation_failed
        ]
        codes = []
        for answer in answers:
            problem = answer.json()
            assert answer.headers["content-type"] == "application/problem+json"
            assert problem["type"] == f"{live_server}/problems/{problem['code'].replace('_', '-')}"
            assert problem["title"] == PROBLEM_TYPES[problem["code"]].title
            page = await http.get(problem["type"])
            assert page.status_code == 200
            assert problem["title"] in page.text
            codes.append(problem["code"])
        assert codes == [
            "missing_token",
            "round_not_found",
            "unsupported_grant_type",
            "not_found",
            "validation_failed",
        ]
