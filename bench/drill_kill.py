"""Drill: kill -9 the service under load, again and again, and count what it had
acknowledged against what the database holds afterwards.

    .venv/bin/python -m bench.drill_kill [--kills 10] [--workers 1] [--database-url URL]

Writers create cases through the API as fast as the service answers; at a random moment the
server's whole process group gets SIGKILL, the service is started again, and the writers go
on. Every 201 is an acknowledged write: each must be in the database at the end. A request
that got no answer may or may not have committed; the drill counts those apart.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlmodel import col, select

from service.db import make_engine, session_scope
from service.migrations import migrate
from service.models import audit_chain
from service.models.case import Case
from service.models.municipality import Municipality, Team
from service.models.staff import StaffRole
from service.schemas.municipality import StaffCreate
from service.usecases.administration.municipality import create_municipality, create_staff
from service.workflow.procedures import Procedure

USERNAME, PASSWORD = "drill@drill.konsensus.dk", "drill-password-0123456789"
SECRET = "drill-secret-that-is-long-enough-0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(url: str) -> None:
    engine = make_engine(url)
    migrate(engine)
    with session_scope(engine) as session:
        mun = create_municipality(session, name="Drill", code="998", procedure=Procedure.KL1)
        team = Team(municipality_id=mun.id or 0, name="Drill")
        session.add(team)
        session.flush()
        create_staff(
            session,
            None,
            StaffCreate(
                username=USERNAME,
                full_name="Drill",
                email=USERNAME,
                role=StaffRole.CASEWORKER,
                team_id=team.id,
                password=PASSWORD,
            ),
            municipality_id=mun.id or 0,
        )
    engine.dispose()


def start(
    url: str, port: int, workers: int, settings: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """The service under uvicorn on loopback, in a process group of its own, once it is
    ready; `settings` (KONSENSUS_* variables) add to or replace the drill's own."""
    env = {
        **os.environ,
        "KONSENSUS_DATABASE_URL": url,
        "KONSENSUS_SECRET_KEY": SECRET,
        "KONSENSUS_ENVIRONMENT": "test",
        "KONSENSUS_DISPATCHER": "off",
        "KONSENSUS_LOG_LEVEL": "WARNING",
        **(settings or {}),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "service.main:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
        cwd=Path(__file__).resolve().parent.parent,
        start_new_session=True,  # its own process group: kill -9 takes the workers too
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    os.killpg(process.pid, signal.SIGKILL)
    raise RuntimeError("the service did not start")


def kill9(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


async def drill(url: str, kills: int, workers: int, writers: int) -> tuple[int, int, int, int]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = start(url, port, workers)
    acknowledged: set[str] = set()
    unanswered: set[str] = set()
    stop = asyncio.Event()
    async with httpx.AsyncClient(base_url=base, timeout=10) as http:
        r = await http.post(
            "/api/v1/auth/token",
            data={"grant_type": "password", "username": USERNAME, "password": PASSWORD},
        )
        r.raise_for_status()
        headers = {"Authorization": f"Bearer {r.json()['access_token']}"}

        async def writer(n: int) -> None:
            i = 0
            while not stop.is_set():
                ref = f"KILL-{n}-{i}"
                i += 1
                try:
                    r = await http.post(
                        "/api/v1/cases",
                        json={"external_ref": ref, "display_name": "Barn", "birth_year": 2016},
                        headers=headers,
                    )
                except httpx.TransportError:
                    unanswered.add(ref)
                    await asyncio.sleep(0.05)
                    continue
                if r.status_code == 201:
                    acknowledged.add(ref)
                elif r.status_code >= 500:
                    unanswered.add(ref)

        tasks = [asyncio.create_task(writer(n)) for n in range(writers)]
        for _ in range(kills):
            await asyncio.sleep(random.uniform(0.5, 2.0))
            await asyncio.to_thread(kill9, process)
            process = await asyncio.to_thread(start, url, port, workers)
        await asyncio.sleep(0.5)
        stop.set()
        await asyncio.gather(*tasks)
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)
    engine = make_engine(url)
    with session_scope(engine, write=False) as session:
        found = set(
            session.exec(select(Case.external_ref).where(col(Case.external_ref).like("KILL-%")))
        )
        municipality = session.exec(select(Municipality).where(Municipality.code == "998")).one()
        chain = audit_chain.verify(session, municipality.id or 0)
    engine.dispose()
    print(
        f"audit chain after the kills: {chain.events} events, "
        + ("intact" if chain.intact else f"BROKEN: {chain.problems[:3]}")
    )
    lost = len(acknowledged - found)
    return len(acknowledged), len(acknowledged & found), lost, len(unanswered & found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--database-url", default=None, help="an empty database (default: SQLite)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/drill.db"
        prepare(url)
        acked, found, lost, unanswered_found = asyncio.run(
            drill(url, args.kills, args.workers, args.writers)
        )
    engine_name = url.split(":", 1)[0].split("+")[0]
    print(
        f"kill -9 drill ({engine_name}, {args.workers} worker(s), {args.kills} kills): "
        f"{acked} writes acknowledged, {found} found, {lost} lost; "
        f"{unanswered_found} unanswered writes had committed all the same"
    )
    if lost:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
