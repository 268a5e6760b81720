"""Benchmark: link submissions and meeting-view reads against the service served by uvicorn on
loopback, beside a bare FastAPI endpoint doing only a submission's inserts, in the same run.

    .venv/bin/python -m bench.bench_rounds [--database-url URL] [--requests N] [--concurrency C]

Prints throughput, p50/p95 latency and the server's CPU time per request (Linux). Targets,
as medians of the passes of one run: submission throughput at least 60% of the bare
endpoint's, the server's CPU per submission at most 1.5 times the bare insert's, and the
meeting view's p95 no worse than the bare endpoint's p95 in the same run.

With `--profile FILE` the service is sampled by py-spy while it serves (collapsed stacks
in FILE), and the share of its samples spent in each layer (the idempotency keys, the audit
trail, the JSON logs, SQLAlchemy, the driver, validation...) is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlmodel import col, select

from service.auth import tokens
from service.auth.actor import ROLE_SCOPES, Actor
from service.auth.keys import Keyring
from service.db import make_engine, session_scope
from service.migrations import migrate
from service.models import tenancy
from service.models.audit import ActorKind
from service.models.instrument import InstrumentFactor, InstrumentStatus
from service.models.municipality import CollectionClose, Team
from service.models.round import Informant, SubmissionStatus
from service.models.staff import StaffRole
from service.schemas.cases import CaseCreate
from service.schemas.instruments import FactorSpec, GuidancePoint, InstrumentDefinition, ScaleSpec
from service.schemas.municipality import StaffCreate
from service.schemas.rounds import (
    InformantCreate,
    LinkRequest,
    NotHeardWrite,
    RoundCreate,
    ScoreEntry,
    TransitionRequest,
)
from service.usecases.administration import instruments, municipality
from service.usecases.child import cases
from service.usecases.collection import family_voices, informants, submissions
from service.usecases.procedure import rounds
from service.workflow.family_voices import NotHeardReason
from service.workflow.procedures import Procedure
from service.workflow.roles import InformantRole
from service.workflow.scale import BestEnd
from service.workflow.states import RoundEvent

SECRET = "benchmark-secret-0123456789-0123456789-abcdef"
INFORMANTS_PER_ROUND = 5
MAX_SECONDS = 120  # every load loop stops by itself


@dataclass
class Fixture:
    tokens: list[str]
    bare_targets: list[dict[str, Any]]
    meeting_round: int
    staff_token: str


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _definition(key: str, factors: int) -> InstrumentDefinition:
    return InstrumentDefinition(
        key=key,
        name_da=key,
        name_en=key,
        scale=ScaleSpec(min=0, max=4, best_end=BestEnd.LOW),
        factors=[
            FactorSpec(
                key=f"f{i:02d}",
                name_da=f"F{i}",
                name_en=f"F{i}",
                guidance=[GuidancePoint(value=v, text_da=f"{v}", text_en=f"{v}") for v in range(5)],
            )
            for i in range(factors)
        ],
    )


def prepare(url: str, submissions_wanted: int) -> Fixture:
    engine = make_engine(url)
    migrate(engine)
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        mun = municipality.create_municipality(
            session, name="Bench", code="998", procedure=Procedure.KL3
        )
        mid = mun.id or 0
        mun.collection_close = CollectionClose.MANUAL
        tenancy.bind_session(session, mid)
        team = Team(municipality_id=mid, name="Bench")
        session.add(team)
        session.flush()
        user = municipality.create_staff(
            session,
            None,
            StaffCreate(
                username="bench@example.dk",
                full_name="Bench",
                email="bench@example.dk",
                role=StaffRole.CASEWORKER,
                team_id=team.id,
                password="benchmark-password",
            ),
            municipality_id=mid,
        )
        actor = Actor(
            kind=ActorKind.STAFF,
            id=user.id or 0,
            municipality_id=mid,
            label="Bench",
            role=StaffRole.CASEWORKER,
            team_id=team.id,
            scopes=ROLE_SCOPES[StaffRole.CASEWORKER],
        )
        ids = {}
        for key, n in (("bench-8", 8), ("bench-11", 11)):
            inst = instruments.store_definition(
                session,
                _definition(key, n),
                municipality_id=mid,
                version=1,
                status=InstrumentStatus.PUBLISHED,
            )
            ids[key] = inst.id or 0
        municipality.set_instruments_in_use(session, mid, list(ids))
        link_tokens: list[str] = []
        bare: list[dict[str, Any]] = []
        factors8 = [
            f.id
            for f in session.exec(
                select(InstrumentFactor)
                .where(InstrumentFactor.instrument_id == ids["bench-8"])
                .order_by(col(InstrumentFactor.position))
            ).all()
        ]
        n_rounds = (submissions_wanted + INFORMANTS_PER_ROUND - 1) // INFORMANTS_PER_ROUND
        for r in range(n_rounds * 2):  # half for the service, half for the bare endpoint
            case = cases.create_case(
                session,
                actor,
                CaseCreate(external_ref=f"B-{r}", display_name="Barn", birth_year=2015),
                datetime.now(UTC),
            )
            rnd = rounds.open_round(
                session,
                actor,
                case.id or 0,
                RoundCreate(instrument_id=ids["bench-8"], due_at=now + timedelta(days=14)),
                now,
            )
            for i in range(INFORMANTS_PER_ROUND):
                inf = informants.add_informant(
                    session,
                    actor,
                    rnd.id or 0,
                    InformantCreate(role=InformantRole.SCHOOL, name=f"Lærer {i}"),
                    now=now,
                )
                if r < n_rounds:
                    _, token = informants.issue_link(
                        session,
                        actor,
                        rnd.id or 0,
                        inf.id or 0,
                        LinkRequest(),
                        Keyring(SECRET),
                        now,
                    )
                    link_tokens.append(token)
                else:
                    bare.append(
                        {
                            "municipality_id": mid,
                            "round_id": rnd.id,
                            "informant_id": inf.id,
                            "factor_ids": factors8,
                            "scores": [(i + k) % 5 for k in range(8)],
                        }
                    )
        # The meeting: 8 informants x 11 factors, submitted, the step closed.
        case = cases.create_case(
            session,
            actor,
            CaseCreate(external_ref="B-MEET", display_name="Barn", birth_year=2015),
            datetime.now(UTC),
        )
        rnd = rounds.open_round(
            session,
            actor,
            case.id or 0,
            RoundCreate(instrument_id=ids["bench-11"], due_at=now + timedelta(days=14)),
            now,
        )
        keys = [f"f{i:02d}" for i in range(11)]
        people = [
            i for i in session.exec(select(Informant).where(Informant.round_id == rnd.id)).all()
        ]
        for i in range(7):
            people.append(
                informants.add_informant(
                    session,
                    actor,
                    rnd.id or 0,
                    InformantCreate(role=InformantRole.SCHOOL, name=f"Lærer {i}"),
                    now=now,
                )
            )
        for n, person in enumerate(people):
            submissions.save_on_behalf(
                session,
                actor,
                rnd.id or 0,
                person.id or 0,
                [
                    ScoreEntry(factor_key=k, score=(n + j) % 5, comment="En kommentar")
                    for j, k in enumerate(keys)
                ],
                submit=True,
                now=now,
            )
        # KL 3 hears the family in the collection: the child, too young, is heard otherwise.
        family_voices.record(
            session,
            actor,
            rnd,
            NotHeardWrite(
                role=InformantRole.CHILD,
                reason=NotHeardReason.AGE_OR_MATURITY,
                note="Samtale med barnet.",
            ),
            now,
        )
        rounds.transition(
            session, actor, rnd.id or 0, TransitionRequest(event=RoundEvent.CLOSE_COLLECTION), now
        )
        meeting_round = rnd.id or 0
        config = tokens.TokenConfig(SECRET, "konsensus", "konsensus-api", timedelta(hours=2))
        staff_token = tokens.issue(
            config, f"staff:{user.id}", now, {"mun": mid, "role": "caseworker"}
        )
    engine.dispose()
    assert SubmissionStatus.SUBMITTED
    return Fixture(
        link_tokens[:submissions_wanted], bare[:submissions_wanted], meeting_round, staff_token
    )


def serve(target: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            target,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
        cwd=Path(__file__).resolve().parent.parent,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{target} did not start")


@dataclass
class Figures:
    name: str
    requests: int
    errors: int
    seconds: float
    latencies: list[float]
    cpu_seconds: float | None = None  # the server's, while it served these requests

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    def line(self) -> str:
        return (
            f"{self.name:<34} {self.requests:>6} req  {self.throughput:>8.1f} req/s  "
            f"p50 {self.pct(0.50):>6.1f} ms  p95 {self.pct(0.95):>6.1f} ms  errors {self.errors}"
            + (f"  cpu {self.cpu_per_request:.2f} ms/req" if self.cpu_per_request else "")
        )

    @property
    def cpu_per_request(self) -> float | None:
        if self.cpu_seconds is None or not self.requests:
            return None
        return self.cpu_seconds / self.requests * 1000


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far (Linux), or None where it cannot be read."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Request:
    """One HTTP/1.1 request, encoded once: the load generator must cost little CPU."""

    raw: bytes

    @classmethod
    def make(
        cls,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Request:
        payload = json.dumps(body).encode() if body is not None else b""
        lines = [
            f"{method} {path} HTTP/1.1",
            "Host: 127.0.0.1",
            "Connection: keep-alive",
            f"Content-Length: {len(payload)}",
        ]
        if body is not None:
            lines.append("Content-Type: application/json")
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        return cls(("\r\n".join(lines) + "\r\n\r\n").encode() + payload)


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: Request
) -> int:
    writer.write(request.raw)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    await reader.readexactly(length)
    return status


async def load(
    name: str, port: int, requests: list[Request], concurrency: int, pid: int | None = None
) -> Figures:
    queue: asyncio.Queue[Request] = asyncio.Queue()
    for request in requests:
        queue.put_nowait(request)
    latencies: list[float] = []
    errors = 0
    deadline = time.monotonic() + MAX_SECONDS

    async def worker() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while not queue.empty() and time.monotonic() < deadline:
                request = queue.get_nowait()
                start = time.perf_counter()
                status = await asyncio.wait_for(_exchange(reader, writer, request), timeout=30)
                latencies.append(time.perf_counter() - start)
                errors += status >= 400
        finally:
            writer.close()

    cpu_before = cpu_seconds(pid) if pid else None
    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - start
    cpu_after = cpu_seconds(pid) if pid else None
    cpu = cpu_after - cpu_before if cpu_before is not None and cpu_after is not None else None
    return Figures(name, len(latencies), errors, elapsed, latencies, cpu)


def scores_body() -> dict[str, Any]:
    return {
        "scores": [
            {"factor_key": f"f{i:02d}", "score": i % 5, "comment": "Set i klassen."}
            for i in range(8)
        ]
    }


@dataclass(frozen=True)
class Served:
    port: int
    pid: int


async def run(
    fixture: Fixture, service: Served, bare: Served, concurrency: int, rounds: int
) -> list[list[Figures]]:
    """`rounds` interleaved passes of bare, submissions and meeting view: the machine is
    shared and noisy, so each pass measures the three under the same conditions."""
    body = scores_body()
    submissions = [
        Request.make("POST", f"/api/v1/links/{t}/submission", body) for t in fixture.tokens
    ]
    bare_calls = [Request.make("POST", "/submit", b) for b in fixture.bare_targets]
    headers = {"Authorization": f"Bearer {fixture.staff_token}"}
    meeting = Request.make(
        "GET", f"/api/v1/rounds/{fixture.meeting_round}/consensus", None, headers
    )
    # Warm both servers up before measuring.
    await load("warm-up", service.port, [meeting] * 20, 4)
    await load("warm-up", bare.port, [Request.make("GET", "/healthz")] * 20, 4)
    per = len(submissions) // rounds
    passes = []
    for n in range(rounds):
        part = slice(n * per, (n + 1) * per)

        async def bare_figures(part: slice = part) -> Figures:
            return await load(
                f"bare inserts (c={concurrency})",
                bare.port,
                bare_calls[part],
                concurrency,
                bare.pid,
            )

        async def service_figures(part: slice = part) -> Figures:
            return await load(
                f"link submissions (c={concurrency})",
                service.port,
                submissions[part],
                concurrency,
                service.pid,
            )

        # Alternate which goes first, so that neither always meets the other's aftermath
        # (a WAL checkpoint, a warm cache).
        if n % 2 == 0:
            first_bare = await bare_figures()
            first_service = await service_figures()
        else:
            first_service = await service_figures()
            first_bare = await bare_figures()
        meeting_figures = await load(
            "meeting view 8x11 (c=16)", service.port, [meeting] * per, 16, service.pid
        )
        passes.append([first_bare, first_service, meeting_figures])
    return passes


def sample(pid: int, path: Path) -> subprocess.Popen[bytes]:
    """py-spy, sampling the service's process until it is sent SIGINT."""
    spy = Path(sys.executable).with_name("py-spy")
    return subprocess.Popen(
        [
            str(spy),
            "record",
            "--pid",
            str(pid),
            "--format",
            "raw",
            "--rate",
            "200",
            "--nonblocking",
            "--output",
            str(path),
        ],
        stdout=subprocess.DEVNULL,
    )


#: The layers a sample is put down to, by the file of the frame nearest the top of its stack
#: that belongs to one of them (so a sample in `json` called from the logs counts for the logs,
#: one in SQLAlchemy called from the audit trail counts for SQLAlchemy).
LAYERS = (
    ("the idempotency keys", "service/api/idempotency.py"),
    ("the audit trail", "service/models/audit_chain.py"),
    ("the audit trail", "usecases/data_rights/audit.py"),
    ("the JSON logs", "service/ops/logs.py"),
    ("metrics and timing", "service/ops/middleware.py"),
    ("metrics and timing", "prometheus_client/"),
    ("SQLAlchemy (ORM, SQL, pool)", "sqlalchemy/"),
    ("the database driver", "psycopg"),
    ("pydantic (validation, serialisation)", "pydantic"),
    ("the service's own code", "(service/"),
    ("FastAPI and Starlette", "fastapi/"),
    ("FastAPI and Starlette", "starlette/"),
    ("uvicorn and its HTTP parser", "uvicorn/"),
    ("uvicorn and its HTTP parser", "httptools"),
    ("asyncio and the worker threads", "asyncio/"),
    ("asyncio and the worker threads", "anyio/"),
)
#: A sample whose innermost frame is one of these was waiting, not working: an idle worker
#: thread or event loop, or a writer queueing for SQLite's one write lock (`service.db`).
IDLE = ("Condition.wait (threading.py", "Runner.run (asyncio/runners.py", "_worker (concurrent/")
WRITE_LOCK = "._on_begin (service/db.py"
#: The driver waiting for PostgreSQL's answer: time in the database, not in the service.
DATABASE_WAIT = "Connection.wait (psycopg/"


def profile_summary(path: Path) -> list[str]:
    """The share of the samples in which the service was at work, per layer, from py-spy's
    collapsed stacks ("frame;frame count", the outermost frame first)."""
    total = 0
    counts: dict[str, int] = {}
    for line in path.read_text().splitlines():
        stack, _, number = line.rpartition(" ")
        if not number.isdigit():
            continue
        frames = stack.split(";")
        if frames[-1].startswith(IDLE):
            continue
        total += int(number)
        waiting = (
            "waiting for SQLite's write lock"
            if WRITE_LOCK in frames[-1]
            else "waiting for PostgreSQL's answer"
            if frames[-1].startswith(DATABASE_WAIT)
            else None
        )
        if waiting:
            counts[waiting] = counts.get(waiting, 0) + int(number)
            continue
        layer = next(
            (name for frame in reversed(frames) for name, where in LAYERS if where in frame),
            "other",
        )
        counts[layer] = counts.get(layer, 0) + int(number)
    if not total:
        return ["no samples"]
    ranked = sorted(counts.items(), key=lambda item: -item[1])
    return [f"{n / total:6.1%}  {name}" for name, n in ranked] + [f"({total} samples)"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument("--requests", type=int, default=300, help="per pass and kind")
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--profile", type=Path, default=None, help="py-spy's samples to FILE")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        total = args.requests * args.passes
        print(f"database: {url.split('@')[-1]}; preparing {total} links ...", flush=True)
        fixture = prepare(url, total)
        env = {
            **os.environ,
            "KONSENSUS_DATABASE_URL": url,
            "KONSENSUS_SECRET_KEY": SECRET,
            "KONSENSUS_ENVIRONMENT": "test",
            "KONSENSUS_LINK_GUESS_LIMIT_PER_MINUTE": "1000",
            "KONSENSUS_DISPATCHER": os.environ.get("KONSENSUS_DISPATCHER", "inprocess"),
        }
        service_port, bare_port = _free_port(), _free_port()
        servers = [
            serve("service.main:app", service_port, env),
            serve("bench.bare_app:app", bare_port, env),
        ]
        profiler = sample(servers[0].pid, args.profile) if args.profile else None
        try:
            passes = asyncio.run(
                run(
                    fixture,
                    Served(service_port, servers[0].pid),
                    Served(bare_port, servers[1].pid),
                    args.concurrency,
                    args.passes,
                )
            )
        finally:
            if profiler is not None:
                profiler.send_signal(signal.SIGINT)
                profiler.wait(timeout=60)
            for server in servers:
                server.terminate()
                server.wait(timeout=10)
    ratios = []
    for n, (bare, service, meeting) in enumerate(passes, start=1):
        print(f"pass {n}")
        for f in (bare, service, meeting):
            print("  " + f.line())
        ratios.append(service.throughput / bare.throughput)
    p95s = [meeting.pct(0.95) for _, _, meeting in passes]
    bare_p95s = [bare.pct(0.95) for bare, _, _ in passes]
    ratio, p95 = statistics.median(ratios), statistics.median(p95s)
    bare_p95 = statistics.median(bare_p95s)
    print(
        f"submission throughput / bare, median of {len(passes)} passes: {ratio:.0%} "
        f"(passes: {', '.join(f'{r:.0%}' for r in ratios)})  target >= 60%  "
        f"{'OK' if ratio >= 0.6 else 'MISSED'}"
    )
    cpu = [
        service.cpu_per_request / bare.cpu_per_request
        for bare, service, _ in passes
        if service.cpu_per_request and bare.cpu_per_request
    ]
    if cpu:
        # Steadier than throughput on a shared machine: what one request costs the server.
        per = statistics.median(cpu)
        print(
            f"server CPU per submission / per bare insert, median: {per:.2f}x "
            f"(passes: {', '.join(f'{c:.2f}' for c in cpu)})  target <= 1.5x  "
            f"{'OK' if per <= 1.5 else 'MISSED'}"
        )
    print(
        f"meeting view p95, median of {len(passes)} passes: {p95:.1f} ms "
        f"(passes: {', '.join(f'{p:.1f}' for p in p95s)}); bare inserts' p95 {bare_p95:.1f} ms  "
        f"target: no worse  {'OK' if p95 <= bare_p95 else 'MISSED'}"
    )
    if args.profile:
        print(f"where the service's samples went ({args.profile}):")
        for line in profile_summary(args.profile):
            print("  " + line)


if __name__ == "__main__":
    main()
