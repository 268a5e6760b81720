"""Engine and session set-up for SQLite (embedded default) and PostgreSQL.

Sync SQLAlchemy throughout: FastAPI runs sync endpoints in a thread pool, and both
engines get the same code path.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, create_engine, event, insert, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session, SQLModel

from service.models import audit_chain, tenancy
from service.models.base import SQLITE_LOCAL_DATE, WRITE_INTENT, sqlite_local_date, utcnow

_HOLDS_WRITER = "konsensus_holds_writer"


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def make_engine(url: str, *, echo: bool = False, read_only: bool = False) -> Engine:
    """Create the engine for `url`, with the per-dialect settings the service relies on.

    `read_only` (PostgreSQL): every transaction is read-only, and one snapshot for all its
    statements (REPEATABLE READ), so that a page of several reports adds up."""
    if is_sqlite(url):
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=10,
            max_overflow=10,
        )
        _configure_sqlite(engine)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    # No pre-ping: it would cost a round trip per request; stale connections are recycled.
    # A server that does not answer is given up on in seconds, not left to the OS's minutes.
    reading: dict[str, Any] = (
        {"isolation_level": "REPEATABLE READ", "execution_options": {"postgresql_readonly": True}}
        if read_only
        else {}
    )
    return create_engine(
        url,
        echo=echo,
        pool_size=10,
        max_overflow=20,
        pool_recycle=1800,
        connect_args={"connect_timeout": 5},
        **reading,
    )


def make_reports_engine(
    database_url: str, reports_url: str | None, *, echo: bool = False
) -> Engine | None:
    """The engine the leaders' reports read their figures through: a PostgreSQL streaming
    replica of the database, read-only. None where there is none (unset, or SQLite): the
    reports then read the database itself, as every other request does."""
    if not reports_url or is_sqlite(reports_url) or is_sqlite(database_url):
        return None
    return make_engine(reports_url, echo=echo, read_only=True)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from pysqlite so that we can issue BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        dbapi_connection.create_function(
            SQLITE_LOCAL_DATE, 1, sqlite_local_date, deterministic=True
        )
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    # SQLite has one writer at a time. Writers of this process queue on a lock that is handed
    # over at once, rather than on SQLite's busy handler, which polls with growing sleeps.
    writer = threading.Lock()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A writing session takes SQLite's write lock up front: two writers then queue instead
        # of one failing when it upgrades a read lock to a write lock.
        if conn.get_execution_options().get(WRITE_INTENT):
            record = conn.connection._connection_record
            if record is not None and not record.info.get(_HOLDS_WRITER):
                writer.acquire()
                record.info[_HOLDS_WRITER] = True
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        # Back in the pool means committed or rolled back: the next writer may go.
        if record.info.pop(_HOLDS_WRITER, False):
            writer.release()


def new_session(
    engine: Engine, *, municipality_id: int | None = None, write: bool = False
) -> Session:
    """A session scoped to one municipality (or unscoped, for system tasks).

    Nothing is connected yet: the transaction begins at the first statement, so that on
    SQLite a writing session holds the write lock only from then until its commit.
    """
    # The write intent rides on the connections of a light copy of the engine (same pool).
    bind = engine.execution_options(**{WRITE_INTENT: True}) if write else engine
    session = Session(bind, expire_on_commit=False)
    session.info[audit_chain.ENGINE_KEY] = engine  # where the session's read events go
    tenancy.bind_session(session, municipality_id)
    return session


def new_reports_session(replica: Engine, primary: Session, municipality_id: int) -> Session:
    """A session on the reports' replica for one municipality. The figures are read here;
    the audit events of the read go to `primary` (the request's session on the database
    itself), which writes them as it commits: a replica takes no writes."""
    session = new_session(replica, municipality_id=municipality_id)
    audit_chain.record_through(session, primary)
    return session


def primary_of(session: Session) -> Session:
    """The request's session on the database itself: `session`, or for a reports session on
    the replica the one its audit events go to. What decides what a report may show (the
    municipality's policy: its smallest group) is read there, current to the request."""
    return audit_chain.recorder_of(session)


#: "Tal pr.": on a replica, the commit time of the last change it has replayed (or of the
#: last checkpoint it has reached, when that is later or nothing was replayed since it
#: started): the figures hold every change committed up to then. On the database itself,
#: the transaction's start: they hold every change committed before the read.
_AS_OF = text(
    "SELECT CASE WHEN pg_is_in_recovery() THEN greatest(pg_last_xact_replay_timestamp(),"
    " (pg_control_checkpoint()).checkpoint_time) ELSE now() END"
)
_AS_OF_KEY = "konsensus_figures_as_of"


def figures_as_of(session: Session) -> datetime:
    """The moment the figures the session reads are from, once per transaction. Asked
    before any figure: a replica's snapshot is taken with it, and on the database itself
    later statements can only see more."""
    found = session.info.get(_AS_OF_KEY)
    if isinstance(found, datetime):
        return found
    if session.get_bind().dialect.name == "postgresql":
        found = session.execute(_AS_OF).scalar_one()
    else:
        found = utcnow()
    session.info[_AS_OF_KEY] = found
    return found


@event.listens_for(OrmSession, "after_transaction_end")
def _forget_as_of(session: OrmSession, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_AS_OF_KEY, None)


@contextmanager
def session_scope(
    engine: Engine, *, municipality_id: int | None = None, write: bool = True
) -> Iterator[Session]:
    """A unit of work outside HTTP (CLI, demo data): commit on success, roll back on error."""
    session = new_session(engine, municipality_id=municipality_id, write=write)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def insert_rows(session: Session, rows: Sequence[SQLModel]) -> None:
    """Insert many rows of one model in a single executemany, whatever their number.

    For rows whose ids the caller does not need back: the ORM would otherwise insert them one
    by one on SQLite. The tenancy guard is applied here, as a flush would.
    """
    if not rows:
        return
    model = type(rows[0])
    bound = tenancy.session_municipality(session)
    values = []
    for row in rows:
        if bound is not None and getattr(row, "municipality_id", bound) != bound:
            raise tenancy.CrossTenantWrite(f"{model.__name__} of another municipality")
        values.append(row.model_dump(exclude={"id"}))
    session.execute(insert(model), values)


def upsert_into(session: Session, table: Any) -> Any:
    """The INSERT of the session's engine for `table` (a model or a Table), with its
    `on_conflict_do_nothing` and `on_conflict_do_update`: both engines spell ON CONFLICT alike,
    but each dialect has its own construct."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)
