"""`konsensus backup` and `konsensus restore` on both engines, and the restore drill: a
backup taken under load, restored into a new database, holds every write acknowledged
before it began."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from service.cli import app as cli
from service.config import get_settings
from service.db import make_engine
from service.models import audit_chain
from service.models.case import Case
from service.models.municipality import Municipality
from service.ops.backup import BackupError, backup, restore
from tests.databases import DatabaseFactory
from tests.factories import CW_A
from tests.world import World


@pytest.fixture
def new_url(db_factory: DatabaseFactory, tmp_path: Path) -> Iterator[str]:
    """A database URL with nothing there yet (SQLite: a file not yet made; PostgreSQL: a
    database the restore creates)."""
    if db_factory.kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'restored.db'}"
    else:
        url = db_factory.empty()
        db_factory.drop(url)  # the restore makes it
    yield url
    db_factory.drop(url)


async def test_restore_drill_under_load(
    live_server: str, world: World, database_url: str, new_url: str, tmp_path: Path
) -> None:
    acknowledged: list[tuple[str, float]] = []  # (reference, when the 201 came)
    stop = asyncio.Event()
    headers = world.headers(CW_A)

    async def writer(n: int, http: httpx.AsyncClient) -> None:
        i = 0
        while not stop.is_set() and i < 400:
            ref = f"DRILL-{n}-{i}"
            r = await http.post(
                "/api/v1/cases",
                json={"external_ref": ref, "display_name": "Barn", "birth_year": 2016},
                headers=headers,
            )
            if r.status_code == 201:
                acknowledged.append((ref, time.monotonic()))
            i += 1

    done: dict[str, float] = {}

    def take_backup() -> None:
        done["started"] = time.monotonic()
        backup(database_url, tmp_path / "drill.backup")
        done["finished"] = time.monotonic()

    async with httpx.AsyncClient(base_url=live_server, timeout=30) as http:
        writers = [asyncio.create_task(writer(n, http)) for n in range(4)]
        # Under load: the backup begins once writes are being acknowledged (however slow the
        # machine), bounded so that a service that acknowledges nothing fails below.
        deadline = time.monotonic() + 60
        while len(acknowledged) < 25 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        thread = threading.Thread(target=take_backup)
        thread.start()
        await asyncio.to_thread(thread.join, 120)
        await asyncio.sleep(0.5)
        stop.set()
        await asyncio.gather(*writers)
    assert "finished" in done, "the backup did not finish"
    restore(tmp_path / "drill.backup", new_url)
    restored = make_engine(new_url)
    try:
        with Session(restored) as session:
            found = set(
                session.exec(
                    select(Case.external_ref).where(col(Case.external_ref).like("DRILL-%"))
                ).all()
            )
        audit_chain.seal_pending(restored)  # what was written but not yet sealed at the backup
        with Session(restored) as session:
            chain = audit_chain.verify(session, world.municipalities["751"])
    finally:
        restored.dispose()
    before = [ref for ref, at in acknowledged if at < done["started"]]
    during = [ref for ref, at in acknowledged if done["started"] <= at <= done["finished"]]
    lost = [ref for ref in before if ref not in found]
    print(
        f"\nrestore drill: {len(acknowledged)} writes acknowledged, {len(before)} before the "
        f"backup began: {len(before) - len(lost)} found, {len(lost)} lost; "
        f"{len(during)} acknowledged while it ran: {sum(r in found for r in during)} found; "
        f"backup took {done['finished'] - done['started']:.2f} s"
    )
    assert len(before) >= 20 and not lost
    assert chain.intact and chain.events >= len(before), chain.problems
    assert found <= {ref for ref, _ in acknowledged}  # nothing half-written or invented


def test_backup_and_restore_commands(
    database_url: str, new_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    file = tmp_path / "konsensus.backup"
    monkeypatch.setenv("KONSENSUS_DATABASE_URL", database_url)
    get_settings.cache_clear()
    try:
        result = runner.invoke(cli, ["backup", str(file)])
        assert result.exit_code == 0, result.output
        assert "Backup written" in result.output
        monkeypatch.setenv("KONSENSUS_DATABASE_URL", new_url)
        get_settings.cache_clear()
        result = runner.invoke(cli, ["restore", str(file)])
        assert result.exit_code == 0, result.output
        again = runner.invoke(cli, ["restore", str(file)])  # never over a database with data
        assert again.exit_code == 1 and len(again.output.strip().splitlines()) == 1
        assert "new database" in again.output
    finally:
        get_settings.cache_clear()
    engine: Engine = make_engine(new_url)
    try:
        with Session(engine) as session:
            codes = {m.code for m in session.exec(select(Municipality)).all()}
        assert codes == {"751", "621"}
    finally:
        engine.dispose()


def test_a_file_that_is_no_backup_is_refused(tmp_path: Path, new_url: str) -> None:
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a backup at all" * 100)
    with pytest.raises(BackupError):
        restore(junk, new_url)


def _statistics(url: str) -> int:
    """Rows of the planner's statistics: pg_stats on PostgreSQL, sqlite_stat1 on SQLite
    (counted by a connection of its own, so only what was committed)."""
    if url.startswith("sqlite"):
        connection = sqlite3.connect(url.split(":///", 1)[1])
        try:
            kept = connection.execute(
                "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'"
            ).fetchone()
            if not kept or not kept[0]:
                return 0
            rows = connection.execute("SELECT count(*) FROM sqlite_stat1").fetchone()
            return int(rows[0]) if rows else 0
        finally:
            connection.close()
    engine = make_engine(url)
    try:
        with engine.connect() as planner:
            return int(
                planner.execute(
                    text("SELECT count(*) FROM pg_stats WHERE schemaname = 'public'")
                ).scalar_one()
            )
    finally:
        engine.dispose()


def test_a_restored_database_has_statistics(
    database_url: str, new_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The planner reads the restored tables by their statistics at once, not only after
    autovacuum gets to them (PostgreSQL) or never (SQLite keeps none unless analysed)."""
    if database_url.startswith("sqlite"):  # a backup without any, as an old one may be
        with sqlite3.connect(database_url.split(":///", 1)[1]) as source:
            source.execute("DROP TABLE IF EXISTS sqlite_stat1")
    assert _statistics(database_url) == 0 or not database_url.startswith("sqlite")
    file = tmp_path / "konsensus.backup"
    backup(database_url, file)
    monkeypatch.setenv("KONSENSUS_DATABASE_URL", new_url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["restore", str(file)])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "statistics" in result.output
    assert _statistics(new_url) > 0
