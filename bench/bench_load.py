"""Load test: a busy day at a municipality of 100,000 inhabitants, against several instances
of the service behind HAProxy, on one PostgreSQL.

    make bench-load        # installs HAProxy (Debian's package) and runs this
    .venv/bin/python -m bench.bench_load [--seconds 180] [--factor 10] [--runs 1,2,kill]

Everything runs on loopback and stops by itself: the script creates a database on the
machine's PostgreSQL (127.0.0.1:5432, or --server), fills it with the generated municipality
(`konsensus demo --scale municipality`: 3,000 children, 1.1 M rows) and keeps it as a
template; each run gets a fresh copy. A run starts N API instances (uvicorn, two workers
each, KONSENSUS_DISPATCHER=off), two outbox dispatchers (`konsensus worker`), HAProxy in
front, an SMTP server and a webhook receiver, and Locust (`bench/load/locustfile.py`) with
the day's people: informants opening and submitting through their links, caseworkers opening
rounds (their informants' invitations go out by email) and looking at cases and the meeting
page, team leaders reading reports, the case system polling (and getting webhooks).

The load is the busiest hour of a busy day (`bench/load/rates.py` derives it: 10 rounds, 50
submissions, 50 invitations and 60 meeting views an hour, with the pages around them),
times --factor (default 10: a few minutes then hold enough requests for a p99, and the
margin covers a larger municipality). The runs: `1` and `2` instances at that same load,
and `kill`: two instances, one of them killed with SIGKILL half way.

Printed per run: per endpoint the requests, errors, p50/p95/p99; the instances' and the
dispatchers' CPU per request; then the checks against the database: every acknowledged
submission stored once, every acknowledged round and informant once, every sent invitation
and webhook received exactly once, every audit chain intact. The exit code is 1 when a check
fails or a p95 is over 300 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psutil
from sqlalchemy import Engine, text
from sqlmodel import col, select

from bench.drill_kill import free_port, kill9, start
from bench.load.checks import Delivery, Endpoint, Ledger, delivery
from bench.load.rates import USERS, busy_hour
from bench.load.receivers import Receivers
from service.auth.actor import ROLE_SCOPES, Actor
from service.auth.keys import Keyring
from service.auth.seal import seal
from service.db import make_engine, session_scope
from service.errors import ServiceError
from service.generator.run import GENERATED_PASSWORD, ScaleName, generate
from service.migrations import migrate
from service.models import audit_chain, tenancy
from service.models.audit import ActorKind
from service.models.municipality import Municipality
from service.models.staff import Scope, StaffRole
from service.models.webhook import EventType, WebhookSubscription
from service.notifications.webhooks import SECRET_SEAL_CONTEXT, new_secret
from service.schemas.municipality import ClientCreate
from service.schemas.rounds import LinkRequest
from service.usecases.administration.municipality import create_client
from service.usecases.collection import informants
from service.usecases.reports.agreement_ahead import work_ahead
from service.workflow.procedures import (
    PROCEDURES,
    InformantStep,
    Procedure,
    informant_step,
)
from service.workflow.roles import InformantRole
from service.workflow.states import Variant

ROOT = Path(__file__).resolve().parent.parent
SECRET = "load-test-secret-0123456789-0123456789-abcdef"
WORKERS_PER_INSTANCE = 2
DISPATCHERS = 2
P95_GOAL_MS = 300.0
#: How long the dispatchers get to empty the outbox after the load stops.
DRAIN_SECONDS = 90
#: How long the instances' CPU is measured while no request comes.
IDLE_SECONDS = 5.0


@dataclass
class Run:
    name: str
    instances: int
    kill: bool = False


RUNS = {"1": Run("one instance", 1), "2": Run("two instances", 2), "kill": Run("kill -9", 2, True)}


# --- the database -------------------------------------------------------------------------


def server_url(server: str, database: str) -> str:
    return f"{server.rstrip('/')}/{database}"


def admin(server: str) -> Engine:
    return make_engine(server_url(server, "postgres")).execution_options(
        isolation_level="AUTOCOMMIT"
    )


def create_database(server: str, name: str, template: str | None = None) -> None:
    engine = admin(server)
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(
            f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")
        )
    engine.dispose()


def drop_database(server: str, name: str) -> None:
    engine = admin(server)
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    engine.dispose()


def caseworker_actor(user_id: int, municipality_id: int, team_id: int | None) -> Actor:
    return Actor(
        kind=ActorKind.STAFF,
        id=user_id,
        municipality_id=municipality_id,
        label="load",
        role=StaffRole.CASEWORKER,
        team_id=team_id,
        scopes=ROLE_SCOPES[StaffRole.CASEWORKER],
    )


def prepare(url: str, hook_url: str, today: date) -> dict[str, Any]:
    """Generate the municipality, then what the people of the day need: links issued to the
    informants of the rounds now collecting, cases with no round going, meetings to hold,
    the logins, and the case system's client with its webhook. Returns the fixture."""
    engine = make_engine(url)
    migrate(engine)
    generate(engine, ScaleName.MUNICIPALITY, as_of=today)
    # A worker that ran before the busy hour has worked the leaders' figures out already: the
    # run's own workers then work out what the run's completed rounds change.
    work_ahead(engine, datetime.now(UTC))
    now = datetime.now(UTC)
    password = GENERATED_PASSWORD
    with engine.connect() as conn:
        mid = conn.execute(text("SELECT id FROM municipality WHERE code = '900'")).scalar_one()
        staff = {
            row.id: row
            for row in conn.execute(
                text(
                    "SELECT id, username, role, team_id FROM staff_user WHERE municipality_id = :m"
                ),
                {"m": mid},
            )
        }
        open_informants = conn.execute(
            text(
                """
                SELECT i.id AS informant_id, i.role, r.id AS round_id, r.variant,
                       c.caseworker_id
                FROM informant i
                JOIN scoring_round r ON r.municipality_id = i.municipality_id AND r.id = i.round_id
                JOIN child_case c ON c.municipality_id = r.municipality_id AND c.id = r.case_id
                WHERE r.municipality_id = :m AND r.state = 'collecting'
                  AND r.due_at > :soon
                  AND i.role NOT IN ('child', 'caseworker') AND i.staff_user_id IS NULL
                  AND NOT EXISTS (SELECT 1 FROM submission s
                                  WHERE s.municipality_id = i.municipality_id
                                    AND s.informant_id = i.id)
                ORDER BY i.id
                """
            ),
            {"m": mid, "soon": now + timedelta(days=1)},
        ).all()
        to_open = conn.execute(
            text(
                """
                SELECT c.id AS case_id, c.caseworker_id,
                       (SELECT r.instrument_id FROM scoring_round r
                        WHERE r.municipality_id = c.municipality_id AND r.case_id = c.id
                        ORDER BY r.id DESC LIMIT 1) AS instrument_id
                FROM child_case c
                WHERE c.municipality_id = :m AND c.status = 'active'
                  AND NOT EXISTS (SELECT 1 FROM scoring_round r
                                  WHERE r.municipality_id = c.municipality_id
                                    AND r.case_id = c.id
                                    AND r.state NOT IN ('completed', 'cancelled'))
                  AND EXISTS (SELECT 1 FROM scoring_round r
                              WHERE r.municipality_id = c.municipality_id
                                AND r.case_id = c.id AND r.state = 'completed')
                ORDER BY c.id
                LIMIT 400
                """
            ),
            {"m": mid},
        ).all()
        meetings = conn.execute(
            text(
                """
                SELECT r.id AS round_id, c.caseworker_id FROM scoring_round r
                JOIN child_case c ON c.municipality_id = r.municipality_id AND c.id = r.case_id
                WHERE r.municipality_id = :m AND r.state = 'consensus' ORDER BY r.id
                """
            ),
            {"m": mid},
        ).all()
        cases_of: dict[int, list[int]] = {}
        rounds_of: dict[int, list[int]] = {}
        for row in conn.execute(
            text(
                """
                SELECT c.caseworker_id, c.id AS case_id, max(r.id) AS round_id
                FROM child_case c
                JOIN scoring_round r ON r.municipality_id = c.municipality_id AND r.case_id = c.id
                WHERE c.municipality_id = :m AND c.status = 'active'
                GROUP BY c.caseworker_id, c.id
                """
            ),
            {"m": mid},
        ):
            cases_of.setdefault(row.caseworker_id, []).append(row.case_id)
            rounds_of.setdefault(row.caseworker_id, []).append(row.round_id)
    keyring = Keyring(SECRET)
    links: list[dict[str, Any]] = []
    with session_scope(engine) as session:
        tenancy.bind_session(session, mid)
        procedure = PROCEDURES[Procedure(session.get_one(Municipality, mid).procedure)]
        for row in open_informants:
            # Only those who score now, in the collection (trin 1); the family's turn comes
            # after the meeting, and a first round's provider only meets.
            step = informant_step(procedure, Variant(row.variant), InformantRole(row.role))
            if step is not InformantStep.INDEPENDENT:
                continue
            user = staff[row.caseworker_id]
            try:
                with session.begin_nested():
                    _, token = informants.issue_link(
                        session,
                        caseworker_actor(user.id, mid, user.team_id),
                        row.round_id,
                        row.informant_id,
                        LinkRequest(),
                        keyring,
                        now,
                    )
            except ServiceError:
                continue
            links.append({"token": token, "informant_id": row.informant_id})
        client, client_secret = create_client(
            session,
            None,
            ClientCreate(
                name="Case system (load)",
                scopes=[Scope.CASES_READ, Scope.ROUNDS_READ, Scope.WEBHOOKS],
            ),
            municipality_id=mid,
        )
        session.add(
            WebhookSubscription(
                municipality_id=mid,
                client_id=client.id or 0,
                url=hook_url,
                secret=seal(keyring, new_secret(), SECRET_SEAL_CONTEXT),
                events=" ".join(e.value for e in EventType),
            )
        )
        session.flush()
        client_id = client.client_id
    engine.dispose()

    def account(user_id: int) -> dict[str, Any]:
        return {"username": staff[user_id].username, "password": password}

    busiest = sorted(cases_of, key=lambda u: -len(cases_of[u]))
    return {
        "municipality_id": mid,
        "links": [link["token"] for link in links],
        "link_informants": {link["token"]: link["informant_id"] for link in links},
        "cases_to_open": [
            {
                "case_id": row.case_id,
                "instrument_id": row.instrument_id,
                "caseworker": account(row.caseworker_id),
            }
            for row in to_open
        ],
        "meetings": [
            {"round_id": row.round_id, "caseworker": account(row.caseworker_id)} for row in meetings
        ],
        "caseworkers": [
            account(u) | {"cases": cases_of[u][:40], "rounds": rounds_of[u][:40]}
            for u in busiest[:8]
        ],
        "leaders": [
            account(u) for u, row in sorted(staff.items()) if row.role == StaffRole.TEAM_LEADER
        ],
        "client": {"client_id": client_id, "client_secret": client_secret},
    }


# --- the processes ------------------------------------------------------------------------


@dataclass
class Cluster:
    """The API instances, the dispatchers and the balancer of one run."""

    instances: list[subprocess.Popen[bytes]] = field(default_factory=list)
    dispatchers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    balancer: subprocess.Popen[bytes] | None = None
    port: int = 0
    stats_socket: Path | None = None

    def all(self) -> list[subprocess.Popen[bytes]]:
        return [*self.instances, *self.dispatchers, *([self.balancer] if self.balancer else [])]


def settings_for(url: str, receivers: Receivers, public_port: int) -> dict[str, str]:
    return {
        "KONSENSUS_DATABASE_URL": url,
        "KONSENSUS_SECRET_KEY": SECRET,
        "KONSENSUS_ENVIRONMENT": "test",
        "KONSENSUS_DISPATCHER": "off",
        "KONSENSUS_LOG_LEVEL": "WARNING",
        "KONSENSUS_PUBLIC_BASE_URL": f"http://127.0.0.1:{public_port}",
        "KONSENSUS_EMAIL_BACKEND": "smtp",
        "KONSENSUS_SMTP_HOST": "127.0.0.1",
        "KONSENSUS_SMTP_PORT": str(receivers.smtp_port),
        "KONSENSUS_WEBHOOK_ALLOW_LOOPBACK": "true",
        "KONSENSUS_DISPATCHER_INTERVAL_SECONDS": "1",
    }


HAPROXY = """\
global
    maxconn 2000
    stats socket {socket} mode 600 level admin

defaults
    mode http
    option forwardfor
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    # A connection the dead instance refuses is tried on the other (never a request sent).
    retries 3
    option redispatch

frontend konsensus
    bind 127.0.0.1:{port}
    default_backend api

backend api
    balance leastconn
    option httpchk GET /readyz
    http-check expect status 200
    # On a busy shared machine a check may take a while: a slow answer is not a dead server
    # (a dead one refuses the connection at once).
    timeout check 5s
{servers}
"""


@contextmanager
def cluster(url: str, receivers: Receivers, instances: int, folder: Path) -> Iterator[Cluster]:
    """Start everything of one run; stop it all (TERM, then KILL) on the way out."""
    lb_port = free_port()
    settings = settings_for(url, receivers, lb_port)
    env = {**os.environ, **settings}
    running = Cluster(port=lb_port, stats_socket=folder / "haproxy.sock")
    try:
        ports = []
        for _ in range(instances):
            port = free_port()
            running.instances.append(start(url, port, WORKERS_PER_INSTANCE, settings))
            ports.append(port)
        for _ in range(DISPATCHERS):
            running.dispatchers.append(
                subprocess.Popen(
                    [sys.executable, "-m", "service.cli", "worker"],
                    env=env,
                    cwd=ROOT,
                    stdout=subprocess.DEVNULL,
                    start_new_session=True,
                )
            )
        config = folder / "haproxy.cfg"
        config.write_text(
            HAPROXY.format(
                socket=running.stats_socket,
                port=lb_port,
                servers="\n".join(
                    f"    server api{n} 127.0.0.1:{p} check inter 1s fall 3 rise 2"
                    for n, p in enumerate(ports, 1)
                ),
            )
        )
        running.balancer = subprocess.Popen(
            [shutil.which("haproxy") or "/usr/sbin/haproxy", "-f", str(config), "-db"],
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with suppress(httpx.TransportError):
                if httpx.get(f"http://127.0.0.1:{lb_port}/readyz", timeout=1).status_code == 200:
                    break
            time.sleep(0.2)
        else:
            raise RuntimeError("HAProxy did not answer")
        time.sleep(1.5)  # every server's first checks passed
        yield running
    finally:
        for process in running.all():
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in running.all():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)


def cpu_seconds(processes: list[subprocess.Popen[bytes]]) -> float:
    """User and system CPU of the processes and all their children, so far."""
    total = 0.0
    for process in processes:
        with suppress(psutil.NoSuchProcess):
            root = psutil.Process(process.pid)
            for p in [root, *root.children(recursive=True)]:
                with suppress(psutil.NoSuchProcess):
                    times = p.cpu_times()
                    total += times.user + times.system
    return total


def haproxy_stat(socket_path: Path) -> dict[str, dict[str, str]]:
    """HAProxy's figures per server of the backend (`show stat` on its stats socket)."""
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(str(socket_path))
        s.sendall(b"show stat\n")
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    lines = data.decode().splitlines()
    columns = lines[0].lstrip("# ").split(",")
    servers = {}
    for line in lines[1:]:
        row = dict(zip(columns, line.split(","), strict=False))
        if row.get("pxname") == "api" and row.get("svname") not in ("BACKEND", "FRONTEND"):
            servers[row["svname"]] = row
    return servers


def haproxy_servers(socket_path: Path) -> dict[str, str]:
    """Each server's state as HAProxy sees it (UP, DOWN...)."""
    return {name: row["status"] for name, row in haproxy_stat(socket_path).items()}


#: HAProxy's numbers for the methods that write (`show sess all` says `meth=`): POST, PUT,
#: DELETE.
WRITE_METHODS = {"3", "4", "5"}


def writes_at(socket_path: Path) -> dict[str, int]:
    """Per server, the writes HAProxy has sent there and has no answer to yet."""
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(str(socket_path))
        s.sendall(b"show sess all\n")
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    found: dict[str, int] = {}
    server = ""
    for line in data.decode().splitlines():
        words = line.split()
        if words and words[0].startswith("server="):
            server = words[0].removeprefix("server=")
        elif words and words[0].startswith("txn="):
            fields = dict(w.split("=", 1) for w in words if "=" in w)
            if (
                server.startswith("api")
                and fields.get("meth") in WRITE_METHODS
                and fields.get("rsp.st") == "MSG_RPBEFORE"
            ):
                found[server] = found.get(server, 0) + 1
    return found


def kill_during_write(running: Cluster, patience: float) -> tuple[int, int]:
    """Wait (at most `patience` seconds) until HAProxy has a write at an instance that has
    not answered it yet; returns that instance's index (the first, if none came) and the
    writes there."""
    assert running.stats_socket is not None
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        pending = writes_at(running.stats_socket)
        if pending:
            server = max(pending, key=lambda name: pending[name])
            return int(server.removeprefix("api")) - 1, pending[server]
        time.sleep(0.005)
    return 0, 0


# --- a run --------------------------------------------------------------------------------


@dataclass
class Outcome:
    run: Run
    endpoints: list[Endpoint]
    seconds: float
    requests: int
    api_cpu: float
    api_idle: float  # CPU seconds a second
    dispatcher_cpu: float
    checks: dict[str, Any]
    kill: dict[str, Any] | None = None

    @property
    def good(self) -> bool:
        slow = any(e.percentile(95) > P95_GOAL_MS for e in self.endpoints)
        return bool(self.checks["ok"]) and not slow and (self.kill is None or self.kill["ok"])


def locust(
    fixture: Path, ledger: Path, host: str, seconds: int, factor: float, log: Path
) -> subprocess.Popen[bytes]:
    # Not imported here: Locust patches the standard library (gevent) as it is imported.
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(ROOT / "bench" / "load" / "locustfile.py"),
            "--headless",
            "--host",
            host,
            "--users",
            str(sum(USERS.values())),
            "--spawn-rate",
            "1",
            "--run-time",
            f"{seconds}s",
            "--stop-timeout",
            "20",
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        env={
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "KONSENSUS_LOAD_FIXTURE": str(fixture),
            "KONSENSUS_LOAD_LEDGER": str(ledger),
            "KONSENSUS_LOAD_FACTOR": str(factor),
        },
        cwd=ROOT,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


def one_run(
    run: Run,
    server: str,
    template: str,
    fixture: dict[str, Any],
    fixture_path: Path,
    receivers: Receivers,
    seconds: int,
    factor: float,
    keep: Path | None,
) -> Outcome:
    database = f"{template}_run"
    create_database(server, database, template)
    url = server_url(server, database)
    receivers.mail.reset()
    receivers.hooks.reset()
    kill: dict[str, Any] | None = None
    with (
        tempfile.TemporaryDirectory() as folder,
        cluster(url, receivers, run.instances, Path(folder)) as running,
    ):
        ledger_path = Path(folder) / "ledger.jsonl"
        started = datetime.now(UTC)
        # What the instances spend doing nothing (the sealers and read buffers' timers), to
        # tell from what the requests cost.
        idle_from = cpu_seconds(running.instances)
        time.sleep(IDLE_SECONDS)
        api_before = cpu_seconds(running.instances)
        idle = (api_before - idle_from) / IDLE_SECONDS
        workers_before = cpu_seconds(running.dispatchers)
        clock = time.monotonic()
        users = locust(
            fixture_path,
            ledger_path,
            f"http://127.0.0.1:{running.port}",
            seconds,
            factor,
            Path(folder) / "locust.log",
        )
        try:
            if run.kill:
                time.sleep(seconds / 2)
                assert running.stats_socket is not None
                victim, writes = kill_during_write(running, seconds / 3)
                killed_at = time.time()
                kill9(running.instances[victim])
                time.sleep(5)
                kill = {
                    "at": killed_at,
                    "victim": f"api{victim + 1}",
                    "writes": writes,
                    "servers": haproxy_servers(running.stats_socket),
                }
            users.wait(timeout=seconds + 120)
        finally:
            if users.poll() is None:
                users.kill()
        elapsed = time.monotonic() - clock
        survivors = [p for p in running.instances if p.poll() is None]
        api_cpu = cpu_seconds(survivors) - (api_before if not run.kill else 0.0)
        dispatcher_cpu = cpu_seconds(running.dispatchers) - workers_before
        drained = drain(url)
        ledger = Ledger.read(ledger_path)
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            for kept in (ledger_path, Path(folder) / "locust.log"):
                shutil.copy(kept, keep / f"{run.name.replace(' ', '-')}-{kept.name}")
        checks = check(url, fixture, ledger, receivers, started, drained)
    drop_database(server, database)
    if kill is not None:
        in_flight = ledger.in_flight(kill["at"])
        failed = ledger.failed()
        kill |= {
            "in_flight": in_flight,
            "failed": failed,
            "retried": ledger.retries,
            "recovered": ledger.recovered,
            "gave_up": ledger.gave_up,
            "ok": failed <= in_flight and ledger.gave_up == 0 and checks["ok"],
        }
    return Outcome(
        run,
        ledger.endpoints(),
        elapsed,
        len(ledger.requests),
        api_cpu,
        idle,
        dispatcher_cpu,
        checks,
        kill,
    )


def drain(url: str) -> bool:
    """Wait for the dispatchers to empty the outbox; False if they did not in time."""
    engine = make_engine(url)
    deadline = time.monotonic() + DRAIN_SECONDS
    try:
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                waiting = conn.execute(
                    text(
                        "SELECT count(*) FROM outbox_message "
                        "WHERE status = 'pending' AND next_attempt_at <= :now"
                    ),
                    {"now": datetime.now(UTC)},
                ).scalar_one()
            if not waiting:
                return True
            time.sleep(1)
        return False
    finally:
        engine.dispose()


def check(
    url: str,
    fixture: dict[str, Any],
    ledger: Ledger,
    receivers: Receivers,
    started: datetime,
    drained: bool,
) -> dict[str, Any]:
    """The database against what was acknowledged, and the receivers against the outbox."""
    engine = make_engine(url)
    informant_of = fixture["link_informants"]
    acked_tokens = [a["token"] for a in ledger.acks["submission"]]
    acked_informants = [informant_of[t] for t in acked_tokens]
    acked_rounds = {a["round_id"]: a["case_id"] for a in ledger.acks["round"]}
    acked_added = [a["informant_id"] for a in ledger.acks["informant"]]
    acked_links = {a["informant_id"] for a in ledger.acks["link"]}
    with engine.connect() as conn:
        submissions: dict[int, int] = dict(
            conn.execute(
                text(
                    "SELECT informant_id, count(*) FILTER (WHERE status = 'submitted') "
                    "FROM submission WHERE informant_id = ANY(:ids) GROUP BY informant_id"
                ),
                {"ids": acked_informants},
            ).all()
        )
        rounds_per_case: dict[int, int] = dict(
            conn.execute(
                text(
                    "SELECT case_id, count(*) FROM scoring_round WHERE created_at >= :t "
                    "GROUP BY case_id"
                ),
                {"t": started},
            ).all()
        )
        rounds_found = set(
            conn.execute(
                text("SELECT id FROM scoring_round WHERE id = ANY(:ids)"),
                {"ids": list(acked_rounds)},
            ).scalars()
        )
        informants_per_round = conn.execute(
            text(
                "SELECT round_id, count(*), count(DISTINCT email) FROM informant "
                "WHERE round_id = ANY(:ids) GROUP BY round_id"
            ),
            {"ids": list(acked_rounds)},
        ).all()
        added_found = set(
            conn.execute(
                text("SELECT id FROM informant WHERE id = ANY(:ids)"), {"ids": acked_added}
            ).scalars()
        )
        invitations: dict[int, int] = dict(
            conn.execute(
                text(
                    "SELECT informant_id, count(*) FROM outbox_message "
                    "WHERE kind = 'invitation' AND informant_id = ANY(:ids) GROUP BY informant_id"
                ),
                {"ids": list(acked_links)},
            ).all()
        )
        sent = {
            channel: set(
                conn.execute(
                    text("SELECT id FROM outbox_message WHERE channel = :c AND status = 'sent'"),
                    {"c": channel},
                ).scalars()
            )
            for channel in ("email", "webhook")
        }
        unsent = conn.execute(
            text(
                "SELECT CASE WHEN status = 'pending' AND next_attempt_at > :now "
                "THEN 'pending, due later' ELSE status END, count(*) "
                "FROM outbox_message WHERE status != 'sent' GROUP BY 1"
            ),
            {"now": datetime.now(UTC)},
        ).all()
    audit_chain.seal_pending(engine)
    chains = []
    with session_scope(engine, write=False) as session:
        for municipality in session.exec(select(Municipality).order_by(col(Municipality.id))):
            chains.append(audit_chain.verify(session, municipality.id or 0))
    engine.dispose()
    mail: Delivery = delivery(sent["email"], receivers.mail.counts())
    hooks: Delivery = delivery(sent["webhook"], receivers.hooks.counts())
    lost_submissions = sum(1 for i in acked_informants if submissions.get(i, 0) != 1)
    duplicate_rounds = sum(1 for case in acked_rounds.values() if rounds_per_case.get(case, 0) > 1)
    duplicate_informants = sum(1 for _, n, distinct in informants_per_round if n != distinct)
    result: dict[str, Any] = {
        "submissions": len(acked_informants),
        "submissions_lost": lost_submissions,
        "rounds": len(acked_rounds),
        "rounds_lost": len(set(acked_rounds) - rounds_found),
        "rounds_duplicated": duplicate_rounds,
        "informants": len(acked_added),
        "informants_lost": len(set(acked_added) - added_found),
        "informants_duplicated": duplicate_informants,
        "invitations": len(acked_links),
        "invitations_not_once": sum(1 for i in acked_links if invitations.get(i, 0) != 1),
        "mail": mail,
        "hooks": hooks,
        "unsent": {status: n for status, n in unsent},
        "drained": drained,
        "chains": sum(1 for c in chains if c.intact),
        "chains_broken": sum(1 for c in chains if not c.intact),
        "events": sum(c.events for c in chains),
    }
    result["ok"] = (
        drained
        and not lost_submissions
        and not result["rounds_lost"]
        and not duplicate_rounds
        and not result["informants_lost"]
        and not duplicate_informants
        and not result["invitations_not_once"]
        and mail.exact
        and hooks.exact
        and not result["chains_broken"]
    )
    return result


# --- the report ---------------------------------------------------------------------------


def report(outcome: Outcome) -> None:
    run = outcome.run
    print(
        f"\n== {run.name}: {run.instances} instance(s) x {WORKERS_PER_INSTANCE} workers, "
        f"{DISPATCHERS} dispatchers, {outcome.requests} requests in {outcome.seconds:.0f} s "
        f"({outcome.requests / outcome.seconds:.1f}/s)"
    )
    print(f"{'endpoint':<52} {'req':>6} {'err':>4} {'p50':>7} {'p95':>7} {'p99':>7}")
    for e in outcome.endpoints:
        flag = "  > 300 ms" if e.percentile(95) > P95_GOAL_MS else ""
        print(
            f"{e.name[:52]:<52} {len(e.latencies):>6} {e.errors:>4} {e.percentile(50):>5.0f}ms "
            f"{e.percentile(95):>5.0f}ms {e.percentile(99):>5.0f}ms{flag}"
        )
    if not run.kill and outcome.requests:
        busy = outcome.api_cpu - outcome.api_idle * outcome.seconds
        print(
            f"server CPU: API instances {outcome.api_cpu:.1f} s, "
            f"{outcome.api_cpu / outcome.requests * 1000:.1f} ms a request; less what they "
            f"spend idle ({outcome.api_idle * 1000:.0f} ms a second): "
            f"{busy / outcome.requests * 1000:.1f} ms a request; "
            f"dispatchers {outcome.dispatcher_cpu:.1f} s"
        )
    c = outcome.checks
    print(
        f"acknowledged: {c['submissions']} submissions ({c['submissions_lost']} not stored once), "
        f"{c['rounds']} rounds ({c['rounds_lost']} lost, {c['rounds_duplicated']} twice), "
        f"{c['informants']} informants ({c['informants_lost']} lost, "
        f"{c['informants_duplicated']} twice), {c['invitations']} links "
        f"({c['invitations_not_once']} without exactly one invitation)"
    )
    for label, d in (("email", c["mail"]), ("webhooks", c["hooks"])):
        print(
            f"{label}: {d.sent} sent by the outbox, {d.received} received; {d.missing} missing, "
            f"{d.duplicated} received twice or more, {d.strangers} unknown"
        )
    print(
        f"outbox {'emptied' if c['drained'] else 'NOT emptied'} after the load; not sent: "
        f"{c['unsent'] or 'none'}; audit chains: {c['chains']} intact, "
        f"{c['chains_broken']} broken ({c['events']} events)"
    )
    if outcome.kill:
        k = outcome.kill
        print(
            f"kill -9 of {k['victim']} half way, while HAProxy waited for its answer to "
            f"{k['writes']} write(s): "
            f"{k['in_flight']} requests in flight, {k['failed']} "
            f"failed, {k['retried']} retries, {k['recovered']} writes recovered by retrying, "
            f"{k['gave_up']} given up; HAProxy 5 s later: {k['servers']}"
        )
    print("goals met" if outcome.good else "GOALS NOT MET")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=180, help="each run's length")
    parser.add_argument("--factor", type=float, default=10.0, help="times the busy hour")
    parser.add_argument("--runs", default="1,2,kill", help="of 1, 2, kill")
    parser.add_argument(
        "--server",
        default="postgresql://postgres@127.0.0.1:5432",
        help="a PostgreSQL server on which the script may create and drop databases",
    )
    parser.add_argument(
        "--ledgers", type=Path, default=None, help="keep each run's ledger (JSON lines) here"
    )
    args = parser.parse_args()
    # Stopped from outside, it still stops what it started and drops its databases.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(2))
    runs = [RUNS[name] for name in args.runs.split(",")]
    template = f"konsensus_load_{os.getpid()}"
    hour = busy_hour()
    print(f"busy hour at a municipality of 100,000 ({hour.rounds_a_year} rounds a year):")
    for line in hour.lines():
        print(f"  {line}")
    print(f"driven at {args.factor:g} times that; load average {os.getloadavg()}")
    receivers = Receivers()
    receivers.start()
    outcomes = []
    try:
        create_database(args.server, template)
        began = time.monotonic()
        fixture = prepare(server_url(args.server, template), receivers.hook_url, date.today())
        print(f"generated and prepared the municipality in {time.monotonic() - began:.0f} s")
        with tempfile.TemporaryDirectory() as folder:
            fixture_path = Path(folder) / "fixture.json"
            fixture_path.write_text(json.dumps(fixture))
            for run in runs:
                outcome = one_run(
                    run,
                    args.server,
                    template,
                    fixture,
                    fixture_path,
                    receivers,
                    args.seconds,
                    args.factor,
                    args.ledgers,
                )
                report(outcome)
                print(f"load average {os.getloadavg()}")
                outcomes.append(outcome)
    finally:
        receivers.stop()
        drop_database(args.server, template)
    if not all(o.good for o in outcomes):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
