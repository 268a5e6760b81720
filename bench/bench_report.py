"""Benchmark: how long a round's report takes to make, as JSON, HTML and PDF.

Loads the demo municipality into a fresh database and renders the report of Emma's newest
completed round (three rounds in her series, eight PDF pages), timing each format over
several passes; prints the median and the slowest, and the PDF's cost against the HTML's.

    .venv/bin/python -m bench.bench_report [--passes N] [--database-url URL]
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from datetime import UTC, datetime

from pypdf import PdfReader
from sqlmodel import col, select

from service.auth.actor import ROLE_SCOPES, Actor
from service.db import make_engine, session_scope
from service.demo import DEMO_CODE, DEMO_STAFF, load_demo
from service.migrations import migrate
from service.models import tenancy
from service.models.audit import ActorKind
from service.models.case import Case
from service.models.municipality import Municipality
from service.models.round import ScoringRound
from service.models.staff import StaffUser
from service.reports import document
from service.usecases.child import report
from service.workflow.states import RoundState


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--passes", type=int, default=10)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench-report.db"
    engine = make_engine(url)
    migrate(engine)
    load_demo(engine)
    timings: dict[str, list[float]] = {"json": [], "html": [], "pdf": []}
    pages = 0
    for _ in range(args.passes):
        with session_scope(engine) as session:
            mun = session.exec(select(Municipality).where(Municipality.code == DEMO_CODE)).one()
            tenancy.bind_session(session, mun.id)
            user = session.exec(
                select(StaffUser).where(StaffUser.username == DEMO_STAFF[0][1])
            ).one()
            actor = Actor(
                kind=ActorKind.STAFF,
                id=user.id or 0,
                municipality_id=mun.id or 0,
                label=user.full_name,
                role=user.role,
                team_id=user.team_id,
                scopes=ROLE_SCOPES[user.role],
            )
            rid = session.exec(
                select(ScoringRound.id)
                .join(Case, col(Case.id) == col(ScoringRound.case_id))
                .where(Case.display_name == "Emma", ScoringRound.state == RoundState.COMPLETED)
                .order_by(col(ScoringRound.completed_at).desc())
            ).first()
            assert rid is not None
            start = time.perf_counter()
            found = report.round_report(session, actor, rid, datetime.now(UTC))
            found.model_dump_json()
            timings["json"].append(time.perf_counter() - start)
        start = time.perf_counter()
        document.report_html(found, "da")
        timings["html"].append(time.perf_counter() - start)
        start = time.perf_counter()
        pdf = document.report_pdf(found, "da")
        timings["pdf"].append(time.perf_counter() - start)
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
    rounds = len(found.progress.rounds)
    print(f"report of a round with {rounds} rounds in its series, {pages} PDF pages")
    for kind, values in timings.items():
        print(
            f"  {kind:5} median {statistics.median(values) * 1000:7.1f} ms   "
            f"slowest {max(values) * 1000:7.1f} ms   ({len(values)} passes; the first warms up)"
        )
    ratio = statistics.median(timings["pdf"]) / statistics.median(timings["html"])
    print(f"  PDF / HTML: {ratio:.0f}x")
    engine.dispose()


if __name__ == "__main__":
    main()
