"""The `konsensus` command against a database that is not there, or not migrated: one
line, and a non-zero exit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.cli import DATABASE_EXIT, app
from service.config import get_settings
from tests.databases import DatabaseFactory
from tests.ops.test_health import unreachable_url


@pytest.fixture
def use_database(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    yield
    get_settings.cache_clear()


def run(monkeypatch: pytest.MonkeyPatch, url: str, *args: str) -> tuple[int, str]:
    monkeypatch.setenv("KONSENSUS_DATABASE_URL", url)
    get_settings.cache_clear()
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


@pytest.mark.parametrize("command", [["migrate"], ["tick"], ["demo"]])
def test_an_unreachable_database_is_one_line(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, use_database: None
) -> None:
    code, output = run(monkeypatch, unreachable_url(tmp_path), *command)
    assert code == DATABASE_EXIT, output
    lines = output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Database unavailable:"), output
    assert "Traceback" not in output


def test_an_unmigrated_database_is_refused_in_one_line(
    db_factory: DatabaseFactory, monkeypatch: pytest.MonkeyPatch, use_database: None
) -> None:
    url = db_factory.empty()
    try:
        code, output = run(monkeypatch, url, "tick")
        assert code == DATABASE_EXIT, output
        assert output.strip() == "Database not migrated (empty): run `konsensus migrate` first."
    finally:
        db_factory.drop(url)
