"""Reports read from a PostgreSQL streaming replica (`reports_database_url`): the figures
come from the replica, the audit event of the read is written on the database itself, a
reports session cannot write, and the report says as of when its figures are.

The test starts its own primary and replica on free loopback ports (`initdb`, then
`pg_basebackup -R`), as the `postgres` user where it runs as root (PostgreSQL refuses root);
the machine's own cluster is left alone. PostgreSQL leg only."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import httpx
import psycopg
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from service.clock import SystemClock
from service.config import Environment, Settings
from service.db import make_engine, make_reports_engine, new_reports_session, new_session
from service.generator.run import GENERATED_PASSWORD, SCALES, ScaleName, ScaleSpec, generate
from service.main import create_app
from service.migrations import migrate
from service.models import audit_chain
from service.wording import when
from tests.databases import engine_name

pytestmark = [
    pytest.mark.every_engine,
    pytest.mark.skipif(
        engine_name() != "postgresql",
        reason="a streaming replica is a PostgreSQL matter: on SQLite the reports read the "
        "database itself",
    ),
]

SECRET = "test-secret-that-is-long-enough-0123456789"
ADMIN = "admin1@900.demo.konsensus.dk"
LEADER = "leder1@900.demo.konsensus.dk"
#: The replica has replayed what the primary wrote within this long, or the test fails.
REPLAY_SECONDS = 30.0


def _postgres_bin() -> Path | None:
    """The newest PostgreSQL server binaries Debian installed (`initdb`, `pg_ctl`, ...)."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    return found[-1].parent if found else None


def _as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: the server's commands run as `postgres` then."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Pair:
    """A primary and its streaming replica, each on its own loopback port."""

    primary_url: str
    replica_url: str

    def replayed(self) -> None:
        """Wait (bounded) until the replica has replayed all the primary has written."""
        with psycopg.connect(self.primary_url, autocommit=True) as primary:
            row = primary.execute("SELECT pg_current_wal_lsn()").fetchone()
            assert row is not None
            target = row[0]
        deadline = time.monotonic() + REPLAY_SECONDS
        with psycopg.connect(self.replica_url, autocommit=True) as replica:
            while True:
                row = replica.execute(
                    "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (target,)
                ).fetchone()
                if row is not None and row[0]:
                    return
                assert time.monotonic() < deadline, f"the replica did not reach {target}"
                time.sleep(0.02)

    def replay(self, *, paused: bool) -> None:
        with psycopg.connect(self.replica_url, autocommit=True) as replica:
            replica.execute(
                "SELECT pg_wal_replay_pause()" if paused else "SELECT pg_wal_replay_resume()"
            )


@pytest.fixture(scope="module")
def pair() -> Iterator[Pair]:
    """A primary with `wal_level=replica` and a replica made with `pg_basebackup -R`, small
    and without fsync (the test's data is thrown away), torn down at the end."""
    bin_dir = _postgres_bin()
    if bin_dir is None:
        pytest.skip("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin")
    root = Path(tempfile.mkdtemp(prefix="konsensus-replica-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    primary, replica = root / "primary", root / "replica"
    ports = _free_port(), _free_port()
    started: list[Path] = []

    def run(*command: str) -> None:
        done = subprocess.run(
            _as_postgres([str(bin_dir / command[0]), *command[1:]]),
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert done.returncode == 0, f"{' '.join(command)}: {done.stdout}{done.stderr}"

    def start(data: Path, port: int) -> None:
        run("pg_ctl", "-D", str(data), "-l", str(root / f"{data.name}.log"), "-w", "-t", "60",
            "-o", f"-p {port}", "start")  # fmt: skip
        started.append(data)

    try:
        run("initdb", "-D", str(primary), "-U", "postgres", "-A", "trust", "-N")
        with (primary / "postgresql.conf").open("a") as conf:
            conf.write(
                "listen_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{root}'\n"
                "wal_level = replica\nmax_wal_senders = 4\nhot_standby = on\n"
                "fsync = off\nfull_page_writes = off\nsynchronous_commit = off\n"
                "shared_buffers = 16MB\nmax_connections = 60\n"
            )
        (primary / "pg_hba.conf").write_text(
            "local all all trust\n"
            "host all all 127.0.0.1/32 trust\n"
            "host replication all 127.0.0.1/32 trust\n"
        )
        start(primary, ports[0])
        run("pg_basebackup", "-h", "127.0.0.1", "-p", str(ports[0]), "-U", "postgres",
            "-D", str(replica), "-R", "-X", "stream", "-c", "fast", "-N")  # fmt: skip
        start(replica, ports[1])
        base = "postgresql://postgres@127.0.0.1:{}/{}"
        with psycopg.connect(base.format(ports[0], "postgres"), autocommit=True) as admin:
            admin.execute("CREATE DATABASE konsensus")
        found = Pair(base.format(ports[0], "konsensus"), base.format(ports[1], "konsensus"))
        engine = make_engine(found.primary_url)
        try:
            migrate(engine)
            SCALES[ScaleName.MUNICIPALITY], before = (
                ScaleSpec(40, 2, (("900", "Testkommune", 1),)),
                SCALES[ScaleName.MUNICIPALITY],
            )
            try:
                generate(engine, ScaleName.MUNICIPALITY, seed=5, as_of=date.today())
            finally:
                SCALES[ScaleName.MUNICIPALITY] = before
            # The test records the first decisions of children who have none: the generated
            # municipality's decisions are set aside.
            with engine.begin() as connection:
                connection.execute(text("DELETE FROM round_decision"))
        finally:
            engine.dispose()
        found.replayed()
        yield found
    finally:
        for data in reversed(started):
            subprocess.run(
                _as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                capture_output=True,
                check=False,
                timeout=60,
            )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def app(pair: Pair, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    settings = Settings(
        environment=Environment.TEST,
        database_url=pair.primary_url,
        reports_database_url=pair.replica_url,
        secret_key=SECRET,
        public_base_url="http://testserver",
        dispatcher="off",
        mailbox_dir=str(tmp_path_factory.mktemp("mailbox")),
    )
    made = create_app(settings, clock=SystemClock())
    yield made
    made.state.engine.dispose()
    made.state.reports_engine.dispose()


@pytest.fixture
async def http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("192.0.2.10", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def _headers(http: httpx.AsyncClient, username: str) -> dict[str, str]:
    r = await http.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": username, "password": GENERATED_PASSWORD},
    )
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _rounds_without_decision(primary: Engine, count: int) -> list[int]:
    """Completed rounds of as many children of the leader's team, none decided on yet."""
    with primary.connect() as connection:
        return list(
            connection.execute(
                text(
                    "SELECT DISTINCT ON (r.case_id) r.id FROM scoring_round r "
                    "JOIN child_case c ON c.municipality_id = r.municipality_id "
                    "AND c.id = r.case_id "
                    "JOIN staff_user s ON s.team_id = c.team_id AND s.username = :leader "
                    "WHERE r.state = 'completed' AND NOT EXISTS (SELECT 1 FROM round_decision d "
                    "WHERE d.round_id = r.id) ORDER BY r.case_id, r.completed_at DESC LIMIT :n"
                ),
                {"leader": LEADER, "n": count},
            ).scalars()
        )


def _report_events(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as connection:
        row = connection.execute(
            "SELECT count(*) FROM audit_event WHERE action = 'report.decisions'"
        ).fetchone()
        return int(row[0]) if row else 0


async def test_the_figures_come_from_the_replica_and_the_read_is_audited_on_the_primary(
    pair: Pair, app: FastAPI, http: httpx.AsyncClient
) -> None:
    primary: Engine = app.state.engine
    admin, leader = await _headers(http, ADMIN), await _headers(http, LEADER)
    before = (await http.get("/api/v1/reports/decisions", headers=admin)).json()
    k = before["min_group_size"]
    rounds = _rounds_without_decision(primary, k)
    assert len(rounds) == k
    pair.replay(paused=True)
    try:
        for round_id in rounds:
            r = await http.post(
                f"/api/v1/rounds/{round_id}/decisions",
                json={
                    "outcome": "continue",
                    "reason": "Det går godt.",
                    "decided_on": str(date.today()),
                },
                headers=leader,
            )
            assert r.status_code == 201, r.text
        held = (await http.get("/api/v1/reports/decisions", headers=admin)).json()
        assert held["total"] == before["total"], "the report read the primary, not the replica"
    finally:
        pair.replay(paused=False)
    pair.replayed()
    events = _report_events(pair.primary_url)
    after = (await http.get("/api/v1/reports/decisions", headers=admin)).json()
    assert (after["total"] or 0) == (before["total"] or 0) + k
    assert datetime.fromisoformat(after["as_of"]) >= datetime.fromisoformat(held["as_of"])

    # Each read's event is on the primary, in the request's transaction, and it chains.
    assert _report_events(pair.primary_url) == events + 1
    audit_chain.seal_pending(primary)
    with Session(primary) as session:
        municipality = session.execute(
            text("SELECT id FROM municipality WHERE code = '900'")
        ).scalar_one()
        verdict = audit_chain.verify(session, municipality)
    assert verdict.problems == () and verdict.unsealed == 0 and verdict.events > 0

    # Readiness says the replica answers, and how old its figures are.
    ready = await http.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert re.fullmatch(r"ok, figures \d+ s old", ready.json()["reports_replica"]), ready.text


async def test_the_smallest_group_is_the_databases_at_once(
    pair: Pair, http: httpx.AsyncClient
) -> None:
    """What decides what a report may show is read on the database itself: a smallest group
    raised while the replica lags applies to the very next report."""
    admin = await _headers(http, ADMIN)
    policy = "/api/v1/municipality/policy"
    before = (await http.get("/api/v1/reports/decisions", headers=admin)).json()
    k = before["min_group_size"]
    pair.replay(paused=True)
    try:
        r = await http.patch(policy, json={"min_group_size": k + 5}, headers=admin)
        assert r.status_code == 200, r.text
        held = (await http.get("/api/v1/reports/decisions", headers=admin)).json()
    finally:
        pair.replay(paused=False)
        r = await http.patch(policy, json={"min_group_size": k}, headers=admin)
        assert r.status_code == 200, r.text
    assert held["min_group_size"] == k + 5
    assert held["total"] is None or held["total"] >= k + 5


async def test_a_reports_session_cannot_write(pair: Pair, app: FastAPI) -> None:
    """Not on the replica, and not on the primary either where the reports' URL names it:
    the reports' engine opens read-only transactions."""
    on_primary = make_reports_engine(pair.primary_url, pair.primary_url)
    assert on_primary is not None
    try:
        for replica in (app.state.reports_engine, on_primary):
            request_session = new_session(app.state.engine, write=True)
            session = new_reports_session(replica, request_session, 1)
            with session, pytest.raises(DBAPIError, match="read-only transaction"):
                session.execute(text("UPDATE municipality SET min_group_size = 3"))
            request_session.close()
    finally:
        on_primary.dispose()


async def test_the_page_says_as_of_when_the_figures_are(
    pair: Pair, http: httpx.AsyncClient
) -> None:
    login = await http.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', login.text)
    assert csrf is not None
    r = await http.post(
        "/login",
        data={"csrf": csrf.group(1), "username": ADMIN, "password": GENERATED_PASSWORD},
    )
    assert r.status_code == 303, r.text
    headers = await _headers(http, ADMIN)
    # Every read writes its audit event on the primary: the replica holds still meanwhile,
    # so that the API and the page give the same last change.
    pair.replay(paused=True)
    try:
        api = (await http.get("/api/v1/reports/compliance", headers=headers)).json()
        page = await http.get("/reports", params={"lang": "da"})
        english = await http.get("/reports/compliance", params={"lang": "en"})
    finally:
        pair.replay(paused=False)
    assert page.status_code == 200 and english.status_code == 200
    as_of = datetime.fromisoformat(api["as_of"])
    shown = re.search(r'<p class="as-of">Tal pr\. ([^<]+)\.</p>', page.text)
    assert shown is not None, "the page does not say as of when its figures are"
    assert shown.group(1) == when(as_of, "da", weekday=False)
    assert f"Figures as of {when(as_of, 'en', weekday=False)}." in english.text
