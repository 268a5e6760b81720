"""The `konsensus` command: migrate, create a tenant and its accounts, load the demo."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from service.cli import app
from service.config import get_settings
from service.db import make_engine
from service.models.municipality import Municipality
from service.models.staff import IntegratorClient, StaffUser


@pytest.fixture
def cli_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("KONSENSUS_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_migrate_create_and_demo(cli_database: str) -> None:
    runner = CliRunner()
    steps = [
        ["migrate"],
        ["create-municipality", "--name", "Aarhus Kommune", "--code", "751", "--procedure", "kl1"],
        [
            "create-staff",
            "--municipality-code",
            "751",
            "--username",
            "a@aarhus.dk",
            "--full-name",
            "Anna A",
            "--role",
            "administrator",
            "--password",
            "a long enough password",
        ],
        [
            "create-client",
            "--municipality-code",
            "751",
            "--name",
            "DUBU",
            "--scope",
            "cases:read",
            "--scope",
            "rounds:read",
        ],
        ["demo"],
    ]
    outputs = []
    for args in steps:
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (args, result.output)
        outputs.append(result.output)
    assert "6 catalogue instrument(s) loaded" in outputs[0]
    assert "client_secret:" in outputs[3]
    engine = make_engine(cli_database)
    with Session(engine) as session:
        codes = {m.code for m in session.exec(select(Municipality)).all()}
        assert codes == {"751", "999"}
        admin = session.exec(select(StaffUser).where(StaffUser.username == "a@aarhus.dk")).one()
        assert admin.role.value == "administrator" and admin.password_hash.startswith("$argon2")
        client = session.exec(select(IntegratorClient).where(IntegratorClient.name == "DUBU")).one()
        assert client.scopes == "cases:read rounds:read"
    engine.dispose()
    again = runner.invoke(
        app, ["create-municipality", "--name", "X", "--code", "751", "--procedure", "kl2"]
    )
    assert again.exit_code == 1
    assert "exists" in again.output and "Traceback" not in again.output
