"""The audit trail is a hash chain per municipality: `konsensus audit verify` finds a
changed, removed or inserted event; erasure pseudonymises events and the chain still holds;
events are written without a lock and sealed into the chain shortly after, by sealers that
never fork it; reads are buffered and written off the request's path; events from before the
chain are chained by the migration."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col, func, select
from typer.testing import CliRunner

from service.cli import app as cli
from service.config import get_settings
from service.migrations import alembic_config, downgrade, upgrade
from service.models import audit_chain
from service.models.audit import AuditEvent, AuditSeal
from service.models.base import utcnow
from tests.databases import engine_name
from tests.factories import ADMIN_A, CW_A, create_case
from tests.world import World


def _verify(engine: Engine, municipality_id: int) -> audit_chain.Verdict:
    with Session(engine) as session:
        return audit_chain.verify(session, municipality_id)


def _without_guard(engine: Engine, statement: str) -> None:
    """What someone with the database's owner rights could do: lift the trigger, tamper."""
    with engine.begin() as connection:
        if engine_name() == "sqlite":
            connection.execute(text("DROP TRIGGER audit_event_no_update"))
            connection.execute(text("DROP TRIGGER audit_event_no_delete"))
        else:
            connection.execute(text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
        connection.execute(text(statement))


@pytest.fixture
async def trail(client: httpx.AsyncClient, world: World, engine: Engine) -> None:
    """A municipality's trail of a dozen events, sealed (as the sealer does within seconds)."""
    case = await create_case(client, world)
    for n in range(5):
        await client.patch(
            f"/api/v1/cases/{case['id']}",
            json={"display_name": f"Emma {n}"},
            headers=world.headers(CW_A),
        )
        await client.get(f"/api/v1/cases/{case['id']}", headers=world.headers(CW_A))
    audit_chain.seal_pending(engine)


def _ids(engine: Engine, municipality_id: int) -> list[int]:
    with Session(engine) as session:
        rows = session.exec(
            select(AuditEvent.id)
            .where(AuditEvent.municipality_id == municipality_id)
            .order_by(col(AuditEvent.chain_seq))
        ).all()
        return [row or 0 for row in rows]


async def test_an_untouched_trail_verifies(trail: None, world: World, engine: Engine) -> None:
    mid = world.municipalities["751"]
    verdict = _verify(engine, mid)
    assert verdict.intact and verdict.events >= 11, verdict.problems
    with Session(engine) as session:
        seqs = session.exec(
            select(AuditEvent.chain_seq)
            .where(AuditEvent.municipality_id == mid)
            .order_by(col(AuditEvent.chain_seq))
        ).all()
    assert list(seqs) == list(range(1, len(seqs) + 1))


@pytest.mark.parametrize(
    ("tamper", "found"),
    [
        ("UPDATE audit_event SET action = 'case.read' WHERE id = {middle}", "changed"),
        ("UPDATE audit_event SET client_address = '10.0.0.1' WHERE id = {middle}", "address"),
        ("DELETE FROM audit_event WHERE id = {middle}", "missing"),
        ("DELETE FROM audit_event WHERE id = {last}", "removed at the end"),
    ],
)
async def test_verify_finds_tampering(
    trail: None, world: World, engine: Engine, tamper: str, found: str
) -> None:
    mid = world.municipalities["751"]
    ids = _ids(engine, mid)
    _without_guard(engine, tamper.format(middle=ids[len(ids) // 2], last=ids[-1]))
    verdict = _verify(engine, mid)
    assert not verdict.intact
    assert any(found in p for p in verdict.problems), verdict.problems
    assert _verify(engine, world.municipalities["621"]).intact  # the other chain is its own


async def test_the_database_refuses_changes_but_erasure(
    trail: None, world: World, engine: Engine
) -> None:
    mid = world.municipalities["751"]
    for statement in (
        "UPDATE audit_event SET action = 'forged'",
        "UPDATE audit_event SET hash = 'x'",
        "UPDATE audit_event SET client_address = 'elsewhere'",
        "UPDATE audit_event SET detail = '{\"forged\": 1}'",
        "DELETE FROM audit_event",
    ):
        with Session(engine) as session, pytest.raises(DBAPIError, match="append-only"):
            session.execute(text(statement))
    with Session(engine) as session:
        case_id = session.exec(
            select(AuditEvent.case_id).where(col(AuditEvent.case_id).is_not(None))
        ).first()
        assert case_id is not None
        forgotten = audit_chain.forget_addresses(session, utcnow())
        blanked = audit_chain.pseudonymise_case(session, mid, case_id, utcnow())
        session.commit()
    assert blanked >= 10 and forgotten >= 1
    verdict = _verify(engine, mid)
    assert verdict.intact, verdict.problems
    with Session(engine) as session:
        rows = session.exec(select(AuditEvent).where(AuditEvent.case_id == case_id)).all()
    assert all(r.detail == {} and r.client_address is None and r.pseudonymised_at for r in rows)


async def test_concurrent_writers_never_fork_the_chain(
    live_client: httpx.AsyncClient, world: World, engine: Engine
) -> None:
    headers = world.headers(CW_A)

    async def write(n: int) -> int:
        r = await live_client.post(
            "/api/v1/cases",
            json={"external_ref": f"PAR-{n}", "display_name": "Barn", "birth_year": 2016},
            headers=headers,
        )
        return r.status_code

    codes = await asyncio.gather(*(write(n) for n in range(24)))
    assert codes.count(201) == 24
    audit_chain.seal_pending(engine)
    verdict = _verify(engine, world.municipalities["751"])
    assert verdict.intact and verdict.events >= 24, verdict.problems


async def test_32_concurrent_reads_and_writes_lose_and_repeat_no_event(
    live_client: httpx.AsyncClient, world: World, engine: Engine
) -> None:
    """Audited writes and reads at once, with the server's own sealer at work and a second
    sealer racing it: every event is there once, in one unforked chain."""
    headers = world.headers(CW_A)
    case = (
        await live_client.post(
            "/api/v1/cases",
            json={"external_ref": "RACE-0", "display_name": "Barn", "birth_year": 2016},
            headers=headers,
        )
    ).json()
    racing = asyncio.Event()

    def second_sealer() -> int:
        sealed = 0
        while not racing.is_set():
            sealed += audit_chain.seal_pending(engine)
        return sealed

    async def call(n: int) -> tuple[str, int]:
        if n % 2:
            r = await live_client.get(f"/api/v1/cases/{case['id']}", headers=headers)
            return "read", r.status_code
        r = await live_client.patch(
            f"/api/v1/cases/{case['id']}", json={"display_name": f"Barn {n}"}, headers=headers
        )
        return "write", r.status_code

    sealer = asyncio.create_task(asyncio.to_thread(second_sealer))
    results = await asyncio.gather(*(call(n) for n in range(32)))
    racing.set()
    await sealer
    assert {code for _, code in results} == {200}
    await live_client.get("/healthz")
    deadline = asyncio.get_running_loop().time() + 10
    with Session(engine) as session:  # the server's buffer and sealer come round within 1 s
        while asyncio.get_running_loop().time() < deadline:
            verdict = audit_chain.verify(session, world.municipalities["751"])
            counts = dict(
                session.exec(
                    select(AuditEvent.action, func.count())
                    .where(AuditEvent.case_id == case["id"])
                    .group_by(col(AuditEvent.action))
                ).all()
            )
            if verdict.unsealed == 0 and counts.get("case.read") == 16:
                break
            session.rollback()
            await asyncio.sleep(0.2)
    assert verdict.intact and verdict.unsealed == 0, verdict
    assert counts == {"case.create": 1, "case.update": 16, "case.read": 16}


async def test_events_wait_unsealed_until_the_sealer_and_each_batch_is_kept(
    client: httpx.AsyncClient, world: World, engine: Engine
) -> None:
    mid = world.municipalities["751"]
    case = await create_case(client, world)
    await client.get(f"/api/v1/cases/{case['id']}", headers=world.headers(CW_A))
    await client.get("/api/v1/cases/999999", headers=world.headers(CW_A))  # a failed read
    waiting = _verify(engine, mid)
    # The write's event is in the database with its transaction, not yet in the chain; the
    # read's waits in the process's buffer.
    assert waiting.intact and waiting.events == 0 and waiting.unsealed == 1
    assert len(audit_chain.read_buffer(engine)) == 1
    assert audit_chain.seal_pending(engine) == 2
    await client.get(f"/api/v1/cases/{case['id']}", headers=world.headers(CW_A))
    assert audit_chain.seal_pending(engine) == 1
    sealed = _verify(engine, mid)
    assert sealed.intact and (sealed.events, sealed.unsealed) == (3, 0)
    with Session(engine) as session:
        ranges = session.exec(
            select(AuditSeal.first_seq, AuditSeal.last_seq)
            .where(AuditSeal.municipality_id == mid)
            .order_by(col(AuditSeal.last_seq))
        ).all()
    assert [tuple(r) for r in ranges] == [(1, 2), (3, 3)]
    # A sealed event is sealed for good; a batch's kept hash that no longer matches is found.
    with Session(engine) as session, pytest.raises(DBAPIError, match="append-only"):
        session.execute(text("UPDATE audit_event SET chain_seq = 9 WHERE chain_seq = 1"))
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_seal SET head_hash = 'x' WHERE last_seq = 2"))
    assert any("not the event its batch sealed" in p for p in _verify(engine, mid).problems)


@pytest.fixture
def cli_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("KONSENSUS_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


async def test_audit_verify_command(
    trail: None, world: World, engine: Engine, cli_env: None, client: httpx.AsyncClient
) -> None:
    runner = CliRunner()
    await create_case(client, world, external_ref="LATE-1")  # written, not yet sealed
    result = runner.invoke(cli, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "751 Aarhus (test):" in result.output and "chain intact" in result.output
    assert "1 not sealed yet" in result.output
    result = runner.invoke(cli, ["audit", "verify", "--seal"])
    assert "Sealed 1 events." in result.output and "not sealed" not in result.output
    ids = _ids(engine, world.municipalities["751"])
    _without_guard(engine, f"DELETE FROM audit_event WHERE id = {ids[3]}")
    result = runner.invoke(cli, ["audit", "verify", "--municipality-code", "751"])
    assert result.exit_code == 1
    assert "problem" in result.output and "missing" in result.output


async def test_events_from_before_the_chain_are_chained(
    trail: None, world: World, engine: Engine, client: httpx.AsyncClient
) -> None:
    mid = world.municipalities["751"]
    before = _verify(engine, mid).events
    before_chain = ScriptDirectory.from_config(alembic_config()).get_revision("i14_02")
    downgrade(engine, str(before_chain.down_revision))
    upgrade(engine)
    verdict = _verify(engine, mid)
    assert verdict.intact and verdict.events == before, verdict.problems
    await client.get("/api/v1/cases", headers=world.headers(ADMIN_A))  # and it goes on
    assert _verify(engine, mid).intact
