"""Fill a database with generated municipalities at a chosen scale, deterministically from a
seed: `konsensus demo --scale municipality|national`.

Rows are written by bulk inserts (COPY on PostgreSQL; see `generate` for the transactions);
a municipality whose code is already there is left as it is, so a second run adds nothing.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from service.auth.passwords import hash_secret
from service.db import session_scope
from service.generator import bulk
from service.generator.bulk import BulkWriter
from service.generator.municipalities import DANISH_MUNICIPALITIES
from service.generator.simulate import ChildHistory, Form, Tenant, staff_and_providers
from service.models import tenancy
from service.models.instrument import Instrument, InstrumentFactor, InstrumentStatus
from service.models.municipality import DEFAULT_INTERVAL_MONTHS, Municipality
from service.usecases.administration.municipality import create_municipality, set_instruments_in_use
from service.usecases.consensus.round_agreement import rebuild_agreement
from service.usecases.consensus.round_disagreement import rebuild_disagreement
from service.workflow.procedures import Procedure

#: The password of every generated staff user (flagged as demo accounts: refused in
#: production, like the demo municipality's).
GENERATED_PASSWORD = "demo-generated-staff"
FAMILIES = ("unge", "boern-familie", "handicap")
#: Children are written and committed in batches of this many, to keep memory flat.
BATCH = 250

Progress = Callable[[int], None]

#: The tables the disagreement summary is made from.
SUMMARY_SOURCES = (
    "submission_score",
    "submission",
    "informant",
    "scoring_round",
    "official_score",
    "instrument",
)


class ScaleName(StrEnum):
    MUNICIPALITY = "municipality"
    NATIONAL = "national"


@dataclass(frozen=True)
class ScaleSpec:
    children: int
    years: int
    #: (code, name, population in thousands) of the municipalities to make.
    municipalities: tuple[tuple[str, str, int], ...]


SCALES: dict[ScaleName, ScaleSpec] = {
    # One large municipality: 3,000 children over five years (code 900 is no real one).
    ScaleName.MUNICIPALITY: ScaleSpec(3000, 5, (("900", "Storkommune (demo)", 1),)),
    # The country: 60,000 children shared out over the 98 municipalities by population.
    ScaleName.NATIONAL: ScaleSpec(60000, 5, DANISH_MUNICIPALITIES),
}


@dataclass
class Generated:
    municipalities: list[str]
    skipped: list[str]
    children: int = 0
    rows: int = 0


def catalogue_forms(session: Session, variant: str) -> dict[str, Form]:
    """The catalogue's published forms of one variant ("kl": 1-5, "aarhus": 0-4), by family."""
    forms = {}
    for family in FAMILIES:
        instrument = session.exec(
            select(Instrument)
            .where(
                Instrument.key == f"{variant}-{family}",
                col(Instrument.municipality_id).is_(None),
                Instrument.status == InstrumentStatus.PUBLISHED,
            )
            .order_by(col(Instrument.version).desc())
        ).first()
        if instrument is None or instrument.id is None:
            raise LookupError(f"catalogue instrument {variant}-{family} is not loaded")
        factors = session.exec(
            select(InstrumentFactor.id, InstrumentFactor.key)
            .where(InstrumentFactor.instrument_id == instrument.id)
            .order_by(col(InstrumentFactor.position))
        ).all()
        forms[family] = Form(
            instrument.id, instrument.scale, tuple((fid or 0, key) for fid, key in factors)
        )
    return forms


def share_out(total: int, weights: list[int]) -> list[int]:
    """`total` split in proportion to `weights`, by largest remainder (sums exactly)."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def write_children(
    session: Session, tenant: Tenant, seed: str, progress: Progress | None = None
) -> int:
    """Write `tenant`'s staff, providers and children into the session's transaction, in
    batches; returns the rows written."""
    rng = random.Random(seed)
    # The decisions draw from a stream of their own: the rest stays as it was without them.
    deciding = random.Random(f"{seed}:decisions")
    out = BulkWriter(session.connection())
    staffing = staff_and_providers(out, tenant, rng)
    for number in range(1, tenant.children + 1):
        ChildHistory(out, tenant, staffing, rng, number, deciding).write()
        if number % BATCH == 0:
            out.flush()
            if progress:
                progress(BATCH)
    out.finish()
    # The rounds were written without the use cases: their disagreement summary is made here,
    # with statistics of what was just written (PostgreSQL would otherwise plan the join
    # for empty tables, and take minutes over a few thousand rounds).
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        for table in SUMMARY_SOURCES:
            connection.exec_driver_sql(f"ANALYZE {table}")
    rebuild_disagreement(connection, tenant.municipality_id)
    rebuild_agreement(connection, tenant.municipality_id)
    if progress and tenant.children % BATCH:
        progress(tenant.children % BATCH)
    return out.written


def generate(
    engine: Engine,
    scale: ScaleName,
    *,
    seed: int = 13,
    as_of: date,
    progress: Progress | None = None,
    limit: int | None = None,
) -> Generated:
    """Make the scale's municipalities that are not there yet. `limit` makes only the first
    few (for a quick look at the national scale).

    On SQLite each municipality is written in its own transaction. On PostgreSQL the whole
    load is one transaction, with the tables' references and secondary indexes set aside
    while it writes (`bulk.set_aside`); a load that fails leaves nothing behind."""
    spec = SCALES[scale]
    chosen = spec.municipalities[:limit] if limit else spec.municipalities
    counts = share_out(spec.children, [p for _, _, p in spec.municipalities])[: len(chosen)]
    password_hash = hash_secret(GENERATED_PASSWORD)
    result = Generated([], [])
    plan = [
        (code, name, children, spec, password_hash, as_of)
        for (code, name, _), children in zip(chosen, counts, strict=True)
    ]
    if engine.dialect.name == "postgresql":
        with session_scope(engine) as session, bulk.set_aside(session.connection()):
            for item in plan:
                _generate_municipality(session, scale, seed, item, result, progress)
    else:
        for item in plan:
            with session_scope(engine) as session:
                _generate_municipality(session, scale, seed, item, result, progress)
    if result.municipalities:
        # Fresh statistics for the planner: right after a bulk load PostgreSQL has none until
        # autovacuum comes round, and picks plans fit for empty tables (seconds, not ms);
        # SQLite has none at all until asked, and then cannot tell a case's rounds from a
        # state's. Committed: SQLite keeps its statistics in a table of its own.
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    return result


_Planned = tuple[str, str, int, ScaleSpec, str, date]


def _generate_municipality(
    session: Session,
    scale: ScaleName,
    seed: int,
    planned: _Planned,
    result: Generated,
    progress: Progress | None,
) -> None:
    code, name, children, spec, password_hash, as_of = planned
    rng = random.Random(f"{seed}:{code}:policy")
    procedure = rng.choices(list(Procedure), [0.55, 0.3, 0.15])[0]
    variant = "kl" if rng.random() < 0.7 else "aarhus"
    tenancy.bind_session(session, None)
    if session.exec(select(Municipality.id).where(Municipality.code == code)).first():
        result.skipped.append(code)
        if progress:
            progress(children)
        return
    mun = create_municipality(
        session,
        name=f"{name} Kommune" if scale is ScaleName.NATIONAL else name,
        code=code,
        procedure=procedure,
        interval_months=DEFAULT_INTERVAL_MONTHS[procedure],
    )
    assert mun.id is not None
    tenancy.bind_session(session, mun.id)
    set_instruments_in_use(session, mun.id, [f"{variant}-{f}" for f in FAMILIES])
    session.flush()
    tenant = Tenant(
        municipality_id=mun.id,
        code=code,
        procedure=procedure,
        first_follow_up_months=mun.first_follow_up_months,
        interval_months=mun.interval_months,
        forms=catalogue_forms(session, variant),
        password_hash=password_hash,
        children=children,
        years=spec.years,
        as_of=as_of,
        new_teams=max(2, round(children / 500)),
    )
    result.rows += write_children(session, tenant, f"{seed}:{code}", progress)
    session.flush()
    result.municipalities.append(code)
    result.children += children


def demo_history(session: Session, tenant: Tenant, seed: int = 13) -> int:
    """The small demo's generated history (a few years of rounds for its extra children),
    so that the leader's pages show real figures; returns the rows written."""
    password_hash = hash_secret(GENERATED_PASSWORD)
    return write_children(session, replace(tenant, password_hash=password_hash), f"{seed}:demo")
