"""The contract serves a generated client: openapi-python-client builds `konsensus_client` from
openapi/openapi.json, mypy --strict accepts the integrators' example against it, and the
example drives a whole round against a live service.

The generator runs from its own venv (`make client` builds it: it needs an older typer than
the service). The client is generated once per contract, configuration and generator
(build/client-test/<their hash>/), so a run after a change of any of them generates anew,
and mypy's cache there keeps a second run short.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.factories import CW_A
from tests.world import CLIENT_SECRET, PASSWORD, World

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT / "openapi" / "openapi.json"
CONFIG = ROOT / "tools" / "client-config.yml"
TOOL_LOCK = ROOT / "tools" / "client-requirements.lock"
TOOL_BIN = ROOT / "build" / "client-tool" / "bin"
GENERATOR = TOOL_BIN / "openapi-python-client"
TOOL_STAMP = TOOL_BIN.parent / ".installed"  # written by `make client` once the venv is complete
CACHE = ROOT / "build" / "client-test"
EXAMPLE = ROOT / "docs" / "integrators" / "examples" / "client_round.py"
PACKAGE = "konsensus_client"

#: Where the informants' scores differ from the official ones in the example's round:
#: (factor, informant, their score, the official score, the step they scored in).
EXPECTED_DISAGREEMENTS = {
    ("udvikling_adfaerd", "Lærer Ane", 4, 3, "independent"),
    ("udvikling_adfaerd", "Mor Mette", 2, 3, "family"),
}


def _generator_missing() -> str | None:
    """Why the generator cannot be used: not installed, or installed from an older lock."""
    if not GENERATOR.exists() or not TOOL_STAMP.exists():
        return f"openapi-python-client is not installed at {GENERATOR}; `make client` installs it."
    if TOOL_STAMP.stat().st_mtime < TOOL_LOCK.stat().st_mtime:
        return f"{TOOL_LOCK.name} changed since {GENERATOR} was installed; `make client` renews it."
    return None


def _key() -> str:
    """What the generated client depends on: the contract, the settings, the generator."""
    digest = hashlib.sha256()
    for path in (CONTRACT, CONFIG, TOOL_LOCK):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def generate(output: Path) -> subprocess.CompletedProcess[str]:
    """`make client`'s command, into `output`."""
    return subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(CONTRACT),
            "--config",
            str(CONFIG),
            "--meta",
            "pdm",
            "--output-path",
            str(output),
        ],
        cwd=ROOT,
        # The generator's post hooks run ruff, which it finds on the PATH.
        env={**os.environ, "PATH": f"{TOOL_BIN}{os.pathsep}{os.environ.get('PATH', '')}"},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def generated_client() -> Path:
    """The project folder of the client generated from the committed contract."""
    missing = _generator_missing()
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(missing)
        pytest.skip(missing)
    key = _key()
    project = CACHE / key
    if not (project / PACKAGE / "__init__.py").exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        for stale in CACHE.iterdir():  # clients of earlier contracts
            shutil.rmtree(stale, ignore_errors=True)
        fresh = CACHE / f"{key}.{uuid.uuid4().hex}"
        done = generate(fresh)
        assert done.returncode == 0, done.stdout + done.stderr
        fresh.rename(project)
    return project


@pytest.fixture
def example(generated_client: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """docs/integrators/examples/client_round.py, importing the generated client."""
    monkeypatch.syspath_prepend(str(generated_client))
    for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
        monkeypatch.delitem(sys.modules, name)
    spec = importlib.util.spec_from_file_location("client_round", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.one_leg
@pytest.mark.slow  # on a fresh clone: generating the client, then mypy over it (about 20 s)
def test_the_example_type_checks_against_the_generated_client(generated_client: Path) -> None:
    """mypy --strict over the example, and the generated package it imports: every call takes
    the contract's models and hands back the contract's types."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--cache-dir",
            str(generated_client / ".mypy_cache"),
            str(EXAMPLE),
        ],
        cwd=generated_client,  # no configuration of the project's own applies
        env={**os.environ, "MYPYPATH": str(generated_client)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.one_leg
def test_the_generated_client_drives_a_round(live_server: str, world: World, example: Any) -> None:
    result = example.run_round(
        live_server, (CW_A, PASSWORD), ("client-a", CLIENT_SECRET), "DUBU-KLIENT-1"
    )

    # The case system read the completed round, with the official scores the meeting set.
    assert (result.state, result.procedure, result.variant) == (
        "completed",
        "kl1",
        "first_time",
    )
    official = [(f.factor_key, f.official.score, f.official.goal) for f in result.factors]
    assert len(official) == 10
    assert {(score, goal) for _, score, goal in official} == {example.OFFICIAL}
    assert {
        (f.factor_key, d.informant_name, d.informant_score, d.official_score, d.step)
        for f in result.factors
        for d in f.disagreements
    } == EXPECTED_DISAGREEMENTS
    assert result.next_due_on is not None

    with example.log_in_staff(live_server, CW_A, PASSWORD) as api:
        # The procedure's path, as the round's history tells it.
        history = importlib.import_module(f"{PACKAGE}.api.rounds.get_round_history")
        steps = history.sync(result.round_id, client=api)
        assert [step.to_state for step in steps.items] == [
            "collecting",
            "consensus",
            "family_dialogue",
            "completed",
        ]

        # A refusal arrives as the contract's Problem, with its extension members typed.
        with pytest.raises(example.ProblemError) as refused:
            example.fire(api, result.round_id, example.RoundEvent.FINISH_CONSENSUS)
        problem = refused.value.problem
        assert (problem.status, problem.code, problem.state) == (
            409,
            "illegal_transition",
            "completed",
        )
        assert problem.allowed_events == []

        # The Idempotency-Key header: the same key and body make one case, not two.
        create_case = importlib.import_module(f"{PACKAGE}.api.cases.create_case")
        body = example.CaseCreateType1(birth_year=2018)
        body["external_ref"] = "DUBU-KLIENT-2"
        body["display_name"] = "Noah"
        first = create_case.sync(client=api, body=body, idempotency_key="klient-2")
        again = create_case.sync(client=api, body=body, idempotency_key="klient-2")
        assert (again.id, again.external_ref) == (first.id, "DUBU-KLIENT-2")
        body["display_name"] = "Oliver"
        reused = create_case.sync(client=api, body=body, idempotency_key="klient-2")
        assert (reused.status, reused.code) == (422, "idempotency_key_reused")
