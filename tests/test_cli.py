"""The `konsensus` command: migrate, create a tenant and its accounts, load the demo."""

from __future__ import annotations

import os
import subprocess
import sys
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


def konsensus(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The installed command in a process of its own, in an empty directory (no `.env`),
    with the given KONSENSUS_* variables."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KONSENSUS_")}
    environment["KONSENSUS_DATABASE_URL"] = f"sqlite:///{tmp_path / 'never-made.db'}"
    environment.update(env)
    command = Path(sys.executable).parent / "konsensus"
    return subprocess.run(
        [str(command), *args],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


COMMANDS = [["worker"], ["serve", "--port", "9"], ["migrate"], ["tick"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        (  # a field of the wrong type
            {"KONSENSUS_ACCESS_TOKEN_MINUTES": "soon"},
            ["KONSENSUS_ACCESS_TOKEN_MINUTES='soon'", "integer"],
        ),
        (  # a number out of range
            {"KONSENSUS_SMTP_PORT": "70000"},
            ["KONSENSUS_SMTP_PORT='70000'", "less than or equal to 65535"],
        ),
        (  # the settings taken together (the lease cannot hold one delivery)
            {"KONSENSUS_DELIVERY_LEASE_SECONDS": "5"},
            ["KONSENSUS_DELIVERY_LEASE_SECONDS (5)", "at least 40"],
        ),
    ],
    ids=["type", "range", "lease"],
)
def test_a_refused_setting_is_one_line_and_exit_2(
    tmp_path: Path, command: list[str], variables: dict[str, str], expected: list[str]
) -> None:
    done = konsensus(tmp_path, *command, **variables)
    assert done.returncode == 2, (done.returncode, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert all(part in lines[0] for part in expected), lines[0]
    assert not (tmp_path / "never-made.db").exists()


def test_every_refused_setting_has_its_line(tmp_path: Path) -> None:
    done = konsensus(
        tmp_path,
        "migrate",
        KONSENSUS_ACCESS_TOKEN_MINUTES="0",
        KONSENSUS_LOG_FORMAT="xml",
        KONSENSUS_SECRET_KEY="a secret never printed",
        KONSENSUS_PREVIOUS_SECRET_KEYS="",
    )
    assert done.returncode == 2, done.stderr
    lines = sorted(done.stderr.strip().splitlines())
    assert len(lines) == 2, done.stderr
    assert lines[0].startswith("Refused setting: KONSENSUS_ACCESS_TOKEN_MINUTES='0'"), lines
    assert "greater than or equal to 1" in lines[0]
    assert lines[1].startswith("Refused setting: KONSENSUS_LOG_FORMAT='xml'"), lines
    assert "never printed" not in done.stderr


def test_a_refused_secret_is_not_printed(tmp_path: Path) -> None:
    done = konsensus(
        tmp_path, "migrate", KONSENSUS_ENVIRONMENT="production", KONSENSUS_SECRET_KEY="short-one"
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [
        "Refused setting: KONSENSUS_SECRET_KEY must be set to a random value of at least 32 "
        "characters in production"
    ]


def test_loopback_receivers_are_refused_in_production_in_one_line(tmp_path: Path) -> None:
    done = konsensus(
        tmp_path,
        "tick",
        KONSENSUS_ENVIRONMENT="production",
        KONSENSUS_SECRET_KEY="x" * 40,
        KONSENSUS_SMS_BACKEND="http",
        KONSENSUS_WEBHOOK_ALLOW_LOOPBACK="true",
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == (
        "Refused setting: KONSENSUS_WEBHOOK_ALLOW_LOOPBACK=true is for development only; "
        "production needs false"
    )


@pytest.mark.parametrize(
    ("mailbox", "shown"),
    [
        ("ABSOLUTE", "ABSOLUTE/"),
        ("mailbox", "./mailbox/"),
        ("./post/ind", "./post/ind/"),
        ("../post", "../post/"),
    ],
)
def test_dev_prints_the_mailbox_as_it_is(
    cli_database: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    mailbox: str,
    shown: str,
) -> None:
    absolute = str(tmp_path / "mailbox")
    mailbox, shown = (s.replace("ABSOLUTE", absolute) for s in (mailbox, shown))
    monkeypatch.setenv("KONSENSUS_MAILBOX_DIR", mailbox)
    monkeypatch.setenv("KONSENSUS_EMAIL_BACKEND", "files")
    get_settings.cache_clear()
    served: list[str] = []
    monkeypatch.setattr("service.cli.uvicorn.run", lambda target, **_: served.append(target))
    result = CliRunner().invoke(app, ["dev", "--port", "9"])
    assert result.exit_code == 0, result.output
    assert served == ["service.main:app"]
    (line,) = [x for x in result.output.splitlines() if "Development mailbox" in x]
    assert line.endswith(f": {shown}"), line


def test_dev_on_another_port_gives_links_to_that_port(
    cli_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The links the caseworker copies (and the mails, and the problem types) lead to the
    address served, not to the default port; an address set by hand is kept."""
    monkeypatch.setenv("KONSENSUS_PUBLIC_BASE_URL", "set by the test, then taken away")
    monkeypatch.delenv("KONSENSUS_PUBLIC_BASE_URL")
    get_settings.cache_clear()
    monkeypatch.setattr("service.cli.uvicorn.run", lambda target, **_: None)
    try:
        result = CliRunner().invoke(app, ["dev", "--port", "8766"])
        assert result.exit_code == 0, result.output
        assert get_settings().public_base_url == "http://127.0.0.1:8766"
        monkeypatch.setenv("KONSENSUS_PUBLIC_BASE_URL", "https://konsensus.example.dk")
        get_settings.cache_clear()
        result = CliRunner().invoke(app, ["dev", "--port", "8767"])
        assert result.exit_code == 0, result.output
        assert get_settings().public_base_url == "https://konsensus.example.dk"
    finally:
        get_settings.cache_clear()  # the next test reads its own environment
