"""The integrators' guide's examples run against a live service, as an integrator runs them
against `make run`: only the environment says where and who."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.factories import ADMIN_A, CW_A
from tests.world import CLIENT_SECRET, PASSWORD, World

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "integrators" / "examples"


def example_env(live_server: str) -> dict[str, str]:
    """The seeded municipality's people in place of the demo's."""
    return {
        **os.environ,
        "KONSENSUS_URL": live_server,
        "KONSENSUS_CASEWORKER": CW_A,
        "KONSENSUS_CASEWORKER_PASSWORD": PASSWORD,
        "KONSENSUS_ADMIN": ADMIN_A,
        "KONSENSUS_ADMIN_PASSWORD": PASSWORD,
        "KONSENSUS_CLIENT_ID": "client-a",
        "KONSENSUS_CLIENT_SECRET": CLIENT_SECRET,
    }


def run(command: list[str], live_server: str) -> str:
    done = subprocess.run(
        command, env=example_env(live_server), capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def assert_round_output(out: str) -> None:
    """What the guide shows the examples print, whatever the round's id."""
    lines = [re.sub(r"^round \d+:", "round N:", line) for line in out.splitlines()]
    assert [line for line in lines if not line.startswith("most divergent:")] == [
        "round N: kl3 first_time, collecting",
        "round N: consensus, next: cancel finish_consensus",
        "round N: completed",
        "result: 10 factors; udvikling_adfaerd: 3 -> goal 2",
    ]


def test_the_python_example_drives_a_kl3_round_to_its_result(
    live_server: str, world: World
) -> None:
    out = run([sys.executable, str(EXAMPLES / "kl3_round.py")], live_server)
    assert_round_output(out)


def test_the_curl_example_drives_a_kl3_round_to_its_result(live_server: str, world: World) -> None:
    # jq reads the JSON: it is there wherever the tests run, and its absence fails here.
    out = run(["bash", str(EXAMPLES / "kl3_round.sh")], live_server)
    assert_round_output(out)
