"""The agreement report worked out ahead: after rounds complete (or a case is erased or moves
to another team), the tick works out the default view of each municipality's report (by
year, over every completed round) and of each team's, and keeps it with the fingerprint of the
data behind it (`service.usecases.reports.agreement_figures`). A leader's read then finds
the figures instead of counting every unit and drawing every interval itself, on whichever
instance it lands. A system task: it runs unscoped, each municipality in a session bound to it.

What it costs when nothing changed: per municipality, one count and sums over an index and one
count of cases per team. A view whose data did change is worked out as a read would.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from service.models.case import Case
from service.models.municipality import Municipality, Team
from service.models.tenancy import bound_to
from service.usecases.child.cases import CaseVisibility
from service.usecases.reports.agreement import (
    AgreementFilter,
    fingerprint,
    units_fingerprint,
    work_out,
)
from service.usecases.reports.agreement_figures import keep, kept_fingerprints, view_name
from service.usecases.reports.groups import PeriodLength
from service.usecases.reports.scope import ReportScope

log = logging.getLogger(__name__)

#: The views worked out ahead: the report's default, by year with no window.
AHEAD = AgreementFilter(PeriodLength.YEAR)


@dataclass(frozen=True, slots=True)
class AheadResult:
    checked: int  # views whose fingerprint was read
    worked_out: int  # of those, views whose data had changed


def work_ahead(session: Session, now: datetime) -> AheadResult:
    """Every municipality's and team's default agreement view whose data changed since it
    was last worked out, worked out and kept."""
    checked = worked = 0
    for municipality in session.exec(select(Municipality)).all():
        assert municipality.id is not None
        with bound_to(session, municipality.id):
            found = municipality_ahead(session, municipality, now)
        checked += found.checked
        worked += found.worked_out
    return AheadResult(checked, worked)


def municipality_ahead(session: Session, municipality: Municipality, now: datetime) -> AheadResult:
    """One municipality's views (the session bound to it)."""
    units = units_fingerprint(session)
    if units[0] == 0:
        return AheadResult(0, 0)  # no completed round with two or more scores yet
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
    worked = 0
    for visibility, viewer, cases in scopes:
        scope = ReportScope(
            visibility,
            viewer,
            municipality.min_group_size,
            "municipality" if viewer is None else "team",
            now,
        )
        view = view_name(scope, AHEAD.period, windowed=False)
        assert view is not None
        read = fingerprint(units, cases, scope)
        if stored.get(view) == read:
            continue
        keep(session, view, read, work_out(session, scope, AHEAD, read), now)
        worked += 1
    return AheadResult(len(scopes), worked)
