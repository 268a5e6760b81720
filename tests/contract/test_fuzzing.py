"""Schemathesis explores the API from its own OpenAPI document, on this run's database
engine, as each kind of caller: every check, the fuzzing and stateful phases (and on
PostgreSQL the coverage phase), a fixed seed and a fixed number of examples, with no time limit: the same commit explores the
same cases on a fast and a slow machine, so a red run is a finding on every machine. It must
find nothing.

Run it longer (docs/developers/api-contract.md): more examples, another seed, every phase for every
caller, and if wanted a time limit in seconds:
    KONSENSUS_FUZZ_EXAMPLES=200 KONSENSUS_FUZZ_SEED=7 KONSENSUS_FUZZ_SECONDS=600 \\
    KONSENSUS_FUZZ_PHASES=examples,coverage,fuzzing,stateful \\
        .venv/bin/pytest tests/contract/test_fuzzing.py
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from service.models.instrument import Instrument, InstrumentStatus
from tests.databases import engine_name
from tests.factories import ADMIN_A, CW_A, LEADER_A
from tests.rounds_helpers import FACTORS
from tests.world import World

#: Each kind of caller, by the login it fuzzes as.
CALLERS = {
    "caseworker": CW_A,
    "team_leader": LEADER_A,
    "administrator": ADMIN_A,
    "integrator": "client-a",
}
EXPLORING = "examples,fuzzing,stateful"
COVERING = "examples,coverage"
SUMMARY = re.compile(r"(\d+) generated, ([^\n]*)")
FAILURES = re.compile(r"(\d+) unique failure")


def _references(engine: Engine, world: World) -> dict[str, Any]:
    """What a valid request of the caller's municipality may refer to."""
    with Session(engine) as session:
        instrument = session.exec(
            select(Instrument).where(
                Instrument.key == "aarhus-boern-familie",
                Instrument.status == InstrumentStatus.PUBLISHED,
            )
        ).first()
    assert instrument is not None and instrument.id is not None
    return {
        "team_id": world.teams["Team Nord"],
        "caseworker_id": world.user(CW_A).id,
        "instrument_id": instrument.id,
        "instrument_key": instrument.key,
        "from_key": "kl-boern-familie",
        "to_key": "aarhus-boern-familie",
        "factors": FACTORS,
        "scale": [instrument.scale_min, instrument.scale_max],
    }


def _phases(kind: str) -> str | None:
    """The phases `kind` runs on this run's engine, or None where it does not run here.

    Every caller explores by fuzzing and stateful sequences on SQLite, where what each may do
    differs. On PostgreSQL, the production engine's storage, the caseworker runs the coverage
    phase (every boundary of every parameter: some 5,000 requests); the others' requests
    reach the same storage as these, and the random and stateful exploring that SQLite's four
    callers do adds little there for its time in the test command."""
    chosen = os.environ.get("KONSENSUS_FUZZ_PHASES")
    if chosen:
        return chosen
    if engine_name() == "sqlite":
        return EXPLORING
    return {"caseworker": COVERING}.get(kind)


def _time_limit() -> list[str]:
    """A time limit only where one is asked for: a limit would make what is explored depend
    on the machine's speed."""
    seconds = os.environ.get("KONSENSUS_FUZZ_SECONDS")
    return [f"--max-time={int(seconds)}"] if seconds else []


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(CALLERS))
def test_schemathesis_finds_nothing(
    live_server: str, world: World, engine: Engine, kind: str, tmp_path: Path, repo_root: Path
) -> None:
    who = CALLERS[kind]
    phases = _phases(kind)
    if phases is None:
        pytest.skip(f"the {kind} explores on SQLite; see _phases")
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "run",
        f"{live_server}/api/v1/openapi.json",
        "--checks=all",
        f"--phases={phases}",
        f"--seed={os.environ.get('KONSENSUS_FUZZ_SEED', '20261201')}",
        f"--max-examples={os.environ.get('KONSENSUS_FUZZ_EXAMPLES', '4')}",
        *_time_limit(),
        "--generation-database=none",
        # Hypothesis's too_slow check times the data generation: on a loaded machine it fails
        # what passes on a quiet one, which says nothing about the API.
        "--suppress-health-check=too_slow",
        "--workers=1",
        "--request-timeout=30",
        "--header",
        f"Authorization: Bearer {world.token(who)}",
        "--report=junit",
        f"--report-dir={tmp_path}",
        "--no-color",
    ]
    environment = {
        **os.environ,
        "KONSENSUS_FUZZ_REFS": json.dumps(_references(engine, world)),
        "SCHEMATHESIS_HOOKS": "tests.contract.fuzz_hooks",
        "PYTHONPATH": str(repo_root),
        "NO_COLOR": "1",
    }
    run = subprocess.run(
        command, capture_output=True, text=True, timeout=900, env=environment, cwd=tmp_path
    )
    output = run.stdout + run.stderr
    out_dir = repo_root / "build" / "schemathesis"
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"{engine_name()}-{kind}.txt").write_text(output, encoding="utf-8")
    figures = SUMMARY.search(output)
    failures = FAILURES.search(figures.group(2)) if figures else None
    operations = re.search(r"Tested: (\d+)", output)
    line = (
        f"schemathesis {engine_name()} {kind}: "
        f"{operations.group(1) if operations else '?'} operations, "
        f"{figures.group(1) if figures else '?'} test cases generated, "
        f"{failures.group(1) if failures else 0} failures"
    )
    print(line)
    assert run.returncode == 0, f"{line}\n{output[-20000:]}"
    assert figures is not None and int(figures.group(1)) > 0, output[-5000:]
