"""The child's and the family's own view beside the official one, never averaged in: per
factor, how often the child's own score (and, apart, the parents') saw fewer problems than
the official score of the same round, the same, or more, and by how many scale points on
average. The official score stays the caseworker's; these figures only stand beside it.

Each view is its own table of counts (factor x fewer, same, more), suppressed like every
other; a factor's mean is shown only where its row total is.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import case as sql_case
from sqlalchemy import func
from sqlmodel import Session, col

from service.auth.actor import Actor
from service.models.instrument import InstrumentFactor
from service.models.round import Informant, OfficialScore, ScoringRound, SubmissionScore
from service.schemas.reports import OwnView, OwnViewFactor, OwnViewsReport, ReportWindow
from service.usecases.reports import quality
from service.usecases.reports.disagreement import compared_scores, towards_worse
from service.usecases.reports.scope import ReportScope, Window, record_read, report_scope
from service.usecases.reports.tables import suppressed_table
from service.workflow.breakdowns import Viewer
from service.workflow.roles import InformantRole

VIEWERS: dict[Viewer, tuple[InformantRole, ...]] = {
    Viewer.CHILD: (InformantRole.CHILD,),
    Viewer.PARENTS: (InformantRole.MOTHER, InformantRole.FATHER),
}


class Relation(StrEnum):
    """The own score against the official one."""

    FEWER = "fewer_problems"
    SAME = "same"
    MORE = "more_problems"


RELATIONS = tuple(Relation)


def own_view_query(scope: ReportScope, window: Window, viewer: Viewer) -> Any:
    """One query: (factor key, names, relation, count, distinct children, sum of the own
    score's distance towards the worst end)."""
    offset = towards_worse(col(SubmissionScore.score), col(OfficialScore.score))
    relation = sql_case(
        (offset < 0, Relation.FEWER.value),
        (offset > 0, Relation.MORE.value),
        else_=Relation.SAME.value,
    ).label("relation")
    return (
        compared_scores(scope, window, None)
        .join(InstrumentFactor, col(InstrumentFactor.id) == col(SubmissionScore.factor_id))
        .add_columns(
            col(InstrumentFactor.key),
            func.min(col(InstrumentFactor.name_da)),
            func.min(col(InstrumentFactor.name_en)),
            relation,
            func.count(),
            func.count(func.distinct(col(ScoringRound.case_id))),
            func.sum(offset),
        )
        .where(col(Informant.role).in_([r.value for r in VIEWERS[viewer]]))
        .group_by(col(InstrumentFactor.key), relation)
    )


def own_view(session: Session, scope: ReportScope, window: Window, viewer: Viewer) -> OwnView:
    counts: dict[tuple[str, str], tuple[int, int]] = {}
    offsets: dict[str, int] = {}
    names: dict[str, tuple[str, str]] = {}
    for key, name_da, name_en, relation, n, children, offset in session.execute(
        own_view_query(scope, window, viewer)
    ).all():
        names[key] = (name_da, name_en)
        counts[(key, str(relation))] = (int(n), int(children))
        offsets[key] = offsets.get(key, 0) + int(offset or 0)
    keys = sorted(names)
    table = suppressed_table(
        keys,
        [names[k][0] for k in keys],
        [r.value for r in RELATIONS],
        counts,
        scope.min_group_size,
    )
    factors = [
        OwnViewFactor(
            factor_key=row.key,
            name_da=names[row.key][0],
            name_en=names[row.key][1],
            scores=row.total,
            mean_towards_worse=round(offsets[row.key] / row.total, 2) if row.total else None,
        )
        for row in table.rows
    ]
    return OwnView(viewer=viewer, table=table, factors=factors)


def own_views_report(
    session: Session, actor: Actor, start: date | None = None, end: date | None = None
) -> OwnViewsReport:
    scope = report_scope(session, actor)
    window = Window.of(start, end)
    views = [own_view(session, scope, window, viewer) for viewer in Viewer]
    record_read(session, actor, "own_views", {"scope": scope.label})
    return OwnViewsReport(
        scope=scope.label,
        window=ReportWindow(start=start, end=end),
        min_group_size=scope.min_group_size,
        views=views,
        quality=quality.data_quality(session, scope, window),
    )
