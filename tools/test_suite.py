"""The test command's stages (`make test`): the checks, then the suite on SQLite and on
PostgreSQL side by side, each spread over pytest-xdist workers, with the time of each stage.

    .venv/bin/python -m tools.test_suite [--only lint,types,...] [--workers N]

Each stage writes its output to `build/test-logs/<stage>.log` and prints it whole when it
ends, so that two stages running at once never interleave their lines. The last lines are a
table of the stages with their times, and the tests of both legs added up in one line. Exit 0
only when every stage passed.

Stages that use no database (the rules, the documents, the pages seen in Chromium) run in the
SQLite leg alone (`tests/conftest.py`, `runs_on_every_engine`).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
LOGS = ROOT / "build" / "test-logs"
#: Written by `make test` before it installs anything, so the set-up is timed too.
STARTED = ROOT / "build" / "test-started"

#: pytest's closing line, e.g. "919 passed, 1 skipped, 3 deselected in 528.23s (0:08:48)".
PYTEST_SUMMARY = re.compile(r"^=*\s*((?:\d+ \w+(?:, )?)+) in [\d.]+s", re.MULTILINE)
COUNT = re.compile(r"(\d+) (\w+)")


@dataclass
class Stage:
    """One step of the test command: one or more commands run one after the other."""

    name: str
    title: str
    commands: list[list[str]]
    env: dict[str, str] = field(default_factory=dict)
    #: Stages in the same lane run one after the other; lanes run side by side.
    lane: str = "checks"
    returncode: int | None = None
    seconds: float = 0.0
    output: str = ""

    @property
    def log(self) -> Path:
        return LOGS / f"{self.name}.log"

    def run(self) -> None:
        started = time.monotonic()
        chunks: list[str] = []
        code = 0
        for command in self.commands:
            done = subprocess.run(
                command,
                cwd=ROOT,
                env={**os.environ, **self.env},
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                check=False,
            )
            chunks.append(f"$ {' '.join(command)}\n{done.stdout}")
            if done.returncode != 0:
                code = done.returncode
                break
        self.seconds = time.monotonic() - started
        self.output = "".join(chunks)
        self.log.write_text(self.output, encoding="utf-8")
        self.returncode = code

    def tests(self) -> dict[str, int]:
        """What pytest counted in this stage (passed, failed, skipped, ...), if it ran."""
        found = PYTEST_SUMMARY.findall(self.output)
        if not found:
            return {}
        return {word: int(n) for n, word in COUNT.findall(found[-1])}


def default_workers() -> int:
    """Workers per leg: the two legs run side by side, each with half the cores, and at
    least two, since a third of a test's time is spent waiting on the database or a
    browser."""
    return max(2, (os.cpu_count() or 2) // 2)


def stages(workers: int) -> list[Stage]:
    tool = str(BIN / "python")
    pytest_leg = [
        tool,
        "-m",
        "pytest",
        "-q",
        "-p",
        "xdist",
        f"--numprocesses={workers}",
        "--dist=worksteal",
        "--durations=10",
    ]
    return [
        Stage(
            "lint",
            "ruff check, ruff format --check",
            [
                [str(BIN / "ruff"), "check", "service", "tests", "bench", "tools", "alembic"],
                [
                    str(BIN / "ruff"),
                    "format",
                    "--check",
                    "service",
                    "tests",
                    "bench",
                    "tools",
                    "alembic",
                ],
            ],
        ),
        Stage(
            "audit",
            "pip-audit of the locked dependencies",
            [
                [tool, "-m", "tools.audit_dependencies", "--lock", "requirements.lock"],
                # The client generator's own tool set (its own venv: it pins an older typer).
                [
                    tool,
                    "-m",
                    "tools.audit_dependencies",
                    "--lock",
                    "tools/client-requirements.lock",
                ],
            ],
        ),
        Stage("types", "mypy --strict", [[str(BIN / "mypy")]]),
        Stage(
            "docs",
            "mkdocs build --strict",
            [[str(BIN / "mkdocs"), "build", "--strict", "--site-dir", "build/site"]],
            # The theme's notice about its end of life says nothing about the site.
            env={"NO_MKDOCS_2_WARNING": "1"},
        ),
        Stage(
            "sqlite",
            "pytest on SQLite",
            [pytest_leg],
            env={"KONSENSUS_TEST_DATABASE": "sqlite"},
            lane="sqlite",
        ),
        Stage(
            "postgresql",
            "pytest on PostgreSQL",
            [pytest_leg],
            env={"KONSENSUS_TEST_DATABASE": "postgresql"},
            lane="postgresql",
        ),
    ]


def run(chosen: Sequence[Stage]) -> int:
    LOGS.mkdir(parents=True, exist_ok=True)
    lanes: dict[str, list[Stage]] = {}
    for stage in chosen:
        lanes.setdefault(stage.lane, []).append(stage)
    printing = threading.Lock()

    def lane(members: list[Stage]) -> None:
        for stage in members:
            with printing:
                print(f"--- {stage.name}: {stage.title} ...", flush=True)
            stage.run()
            with printing:
                verdict = "passed" if stage.returncode == 0 else "FAILED"
                print(f"\n=== {stage.name}: {verdict} in {stage.seconds:.0f} s", flush=True)
                print(stage.output.rstrip(), flush=True)
                print(f"=== end of {stage.name} ({stage.log.relative_to(ROOT)})\n", flush=True)

    started = time.monotonic()
    threads = [threading.Thread(target=lane, args=(m,)) for m in lanes.values()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(summary(chosen, time.monotonic() - started))
    return 0 if all(stage.returncode == 0 for stage in chosen) else 1


def _setup_seconds() -> float | None:
    try:
        return time.time() - float(STARTED.read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return None


def summary(chosen: Sequence[Stage], wall: float) -> str:
    lines = ["", "Stage        result   time    tests"]
    setup = _setup_seconds()
    if setup is not None:
        # The time from `make test`'s start to here, less the stages: the install and Chromium.
        lines.append(f"{'set-up':<12} {'':<8} {setup - wall:6.0f} s")
    totals: dict[str, int] = {}
    for stage in chosen:
        counted = stage.tests()
        for word, n in counted.items():
            totals[word] = totals.get(word, 0) + n
        verdict = "ok" if stage.returncode == 0 else "FAILED"
        tests = ", ".join(f"{n} {word}" for word, n in counted.items())
        lines.append(f"{stage.name:<12} {verdict:<8} {stage.seconds:6.0f} s  {tests}")
    lines.append(f"{'stages':<12} {'':<8} {wall:6.0f} s  (side by side)")
    if setup is not None:
        lines.append(f"{'make test':<12} {'':<8} {setup:6.0f} s")
    failed = totals.get("failed", 0) + totals.get("errors", 0) + totals.get("error", 0)
    closing = f"tests: {totals.get('passed', 0)} passed, {failed} failed"
    if totals.get("skipped"):
        closing += f", {totals['skipped']} skipped"
    lines.append("")
    lines.append(closing)
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated stage names (default: all)")
    parser.add_argument("--workers", type=int, default=None, help="pytest workers per leg")
    args = parser.parse_args(argv)
    workers = args.workers or int(os.environ.get("KONSENSUS_TEST_WORKERS", default_workers()))
    every = stages(workers)
    if args.only:
        wanted = set(args.only.split(","))
        unknown = wanted - {s.name for s in every}
        if unknown:
            parser.error(f"no such stage: {', '.join(sorted(unknown))}")
        every = [s for s in every if s.name in wanted]
    return run(every)


if __name__ == "__main__":
    sys.exit(main())
