"""The agreement report worked out ahead: after rounds complete (or a case is erased or moves
to another team), the views of each municipality's report and of each team's (by each
period length, over every completed round) are worked out and kept with the
fingerprint of the data behind them (`service.usecases.reports.agreement_figures`), by a loop
of their own (`service.ops.figures_ahead`). A leader's read then finds the figures instead of
counting every unit and drawing every interval itself, on whichever instance it lands. A
system task: it runs unscoped, each municipality in a session bound to it.

What it costs when nothing changed: per municipality, one count and sums over an index and one
count of cases per team. A view whose data did change is worked out as a read would.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select as sql_select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from service.db import session_scope
from service.models import tenancy
from service.models.case import Case
from service.models.municipality import Municipality, Team
from service.usecases.child.cases import CaseVisibility
from service.usecases.reports.agreement import (
    DRAWS,
    AgreementFilter,
    fingerprint,
    units_fingerprint,
    work_out,
)
from service.usecases.reports.agreement_figures import (
    CellFigures,
    keep,
    kept,
    kept_fingerprints,
    view_name,
)
from service.usecases.reports.groups import PeriodLength
from service.usecases.reports.scope import ReportScope
from service.workflow.agreement import remember_estimates

#: The views worked out ahead: the municipality's and each team's, by each period length a
#: leader can choose, with no window. A view by quarter costs three times one by year (three
#: times the cells, each with its 1,000 draws); after one more completed round most cells read
#: their intervals back (`service.workflow.agreement.KEPT_ESTIMATES`).
AHEAD = tuple(AgreementFilter(period) for period in PeriodLength)


#: The advisory lock's first key (PostgreSQL): with the municipality's id, "this
#: municipality's views are being worked out".
LOCK_SPACE = 0x4B41  # "KA"


@dataclass(frozen=True, slots=True)
class AheadResult:
    checked: int  # views whose fingerprint was read
    worked_out: int  # of those, views whose data had changed
    busy: int = 0  # municipalities another worker was at: the next turn looks again


@dataclass(frozen=True, slots=True)
class WorkedOut:
    """A view's figures and the fingerprint of the data they were worked out from."""

    view: str
    fingerprint: str
    figures: list[CellFigures]


def work_ahead(engine: Engine, now: datetime) -> AheadResult:
    """Every municipality's and team's agreement view whose data changed since it was last
    worked out, worked out and kept. Worked out in a reading transaction (on SQLite the
    writers do not wait for it), kept in a short writing one. On PostgreSQL a worker that
    finds another at a municipality's views leaves them to it (an advisory lock held while
    they are worked out): two workers do not both spend the seconds."""
    with session_scope(engine, write=False) as session:
        municipalities = [m for m in session.exec(select(Municipality.id)).all() if m is not None]
    checked = worked = busy = 0
    for municipality_id in municipalities:
        with session_scope(engine, municipality_id=municipality_id, write=False) as session:
            if not _claimed(session, municipality_id):
                busy += 1
                continue
            views, changed = changed_views(session, now)
        if changed:
            with session_scope(engine, municipality_id=municipality_id) as session:
                for found in changed:
                    keep(session, found.view, found.fingerprint, found.figures, now)
        checked += views
        worked += len(changed)
    return AheadResult(checked, worked, busy)


def _claimed(session: Session, municipality_id: int) -> bool:
    """Whether this worker may work the municipality's views out now: on PostgreSQL, the
    transaction's advisory lock on them, if no other holds it; elsewhere always."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    return bool(
        session.execute(
            sql_select(func.pg_try_advisory_xact_lock(LOCK_SPACE, municipality_id))
        ).scalar_one()
    )


def changed_views(session: Session, now: datetime) -> tuple[int, list[WorkedOut]]:
    """Of the session's municipality's views, how many there are, and those whose data changed
    since they were kept, worked out anew."""
    municipality = session.get(Municipality, tenancy.session_municipality(session))
    assert municipality is not None
    units = units_fingerprint(session)
    if units[0] == 0:
        return 0, []  # no completed round with two or more scores yet
    # Each team's cases, as `cases_fingerprint` reads them for a team leader: all at once.
    teams = {
        int(team): (int(n), int(ids))
        for team, n, ids in session.execute(
            sql_select(col(Case.team_id), func.count(), func.coalesce(func.sum(col(Case.id)), 0))
            .where(col(Case.team_id).is_not(None))
            .group_by(col(Case.team_id))
        ).all()
    }
    known = set(session.exec(select(Team.id)).all())
    scopes = [(CaseVisibility.ALL, None, ())] + [
        (CaseVisibility.TEAM, team, cases) for team, cases in teams.items() if team in known
    ]
    stored = kept_fingerprints(session)
    changed = []
    views = 0
    for visibility, viewer, cases in scopes:
        scope = ReportScope(
            visibility,
            viewer,
            municipality.min_group_size,
            "municipality" if viewer is None else "team",
            now,
        )
        read = fingerprint(units, cases, scope)
        views += len(AHEAD)
        for flt in AHEAD:
            view = view_name(scope, flt.period, windowed=False)
            assert view is not None
            if stored.get(view) == read:
                continue
            if view in stored:
                # The cells whose counts did not change read their intervals back from what
                # was kept, in this process too (a worker just started, or the other one's).
                before = kept(session, view, None) or []
                remember_estimates(e for c in before if (e := c.estimate(DRAWS)) is not None)
            changed.append(WorkedOut(view, read, work_out(session, scope, flt, read)))
    return views, changed
