"""The rules own their words: nothing in `service/workflow/` reaches up into storage, schemas
or HTTP, so the procedures can be read and tested without a database or a server."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

WORKFLOW = Path(__file__).resolve().parents[2] / "service" / "workflow"
#: What the rules may not import: the layers above them, and the storage and web libraries.
FORBIDDEN = (
    "service.models",
    "service.schemas",
    "service.usecases",
    "service.api",
    "service.web",
    "service.notifications",
    "service.db",
    "sqlalchemy",
    "sqlmodel",
    "fastapi",
    "starlette",
    "httpx",
)


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


@pytest.mark.parametrize("path", sorted(WORKFLOW.glob("*.py")), ids=lambda p: p.name)
def test_workflow_imports_no_storage_schemas_or_http(path: Path) -> None:
    offending = [
        name
        for name in _imports(path)
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
    ]
    assert offending == [], f"{path.name} imports {offending}"
