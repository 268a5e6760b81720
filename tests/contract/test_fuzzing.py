"""Schemathesis explores the API from its own OpenAPI document, on this run's database
engine, as each kind of caller: every check, the coverage, fuzzing and stateful phases, a
fixed seed and a bounded budget. It must find nothing.

Run it longer (README, "The API contract"):
    KONSENSUS_FUZZ_SECONDS=600 KONSENSUS_FUZZ_EXAMPLES=200 KONSENSUS_FUZZ_SEED=7 \\
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

#: Each kind of caller, and its share of the budget in seconds (the caseworker reaches the
#: most operations, so explores longest).
CALLERS = {
    "caseworker": (CW_A, 30),
    "team_leader": (LEADER_A, 15),
    "administrator": (ADMIN_A, 20),
    "integrator": ("client-a", 15),
}
PHASES = "examples,coverage,fuzzing,stateful"
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


def _budget(share: int) -> int:
    seconds = os.environ.get("KONSENSUS_FUZZ_SECONDS")
    return int(seconds) if seconds else share


@pytest.mark.parametrize("kind", list(CALLERS))
def test_schemathesis_finds_nothing(
    live_server: str, world: World, engine: Engine, kind: str, tmp_path: Path, repo_root: Path
) -> None:
    who, share = CALLERS[kind]
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "run",
        f"{live_server}/api/v1/openapi.json",
        "--checks=all",
        f"--phases={PHASES}",
        f"--seed={os.environ.get('KONSENSUS_FUZZ_SEED', '20261201')}",
        f"--max-examples={os.environ.get('KONSENSUS_FUZZ_EXAMPLES', '12')}",
        f"--max-time={_budget(share)}",
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
