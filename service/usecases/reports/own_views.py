"""The child's and the family's own view beside the official one, never averaged in: per
factor, how often the child's own score (and, apart, the parents') saw fewer problems than
the official score of the same round, the same, or more, and by how many scale points on
average. The official score stays the caseworker's; these figures only stand beside it.

Each view is its own table of counts (factor x fewer, same, more), suppressed like every
other; a factor's mean is shown only where its row total is.

The comparison is the disagreement report's (`disagreement.compared_scores`): a submitted
score, not "cannot assess", beside an official score that was set. It is counted per round,
role and factor as the round completes, and again when an official score is amended
(`service.usecases.consensus.round_disagreement`); the report adds up those counts by factor
key, the mother's and the father's together for the parents' view. A relation's children are the
cases with a round in which the view saw that relation at least once.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import case as sql_case
from sqlalchemy import func
from sqlalchemy import select as sql_select
from sqlmodel import Session, col

from service.auth.actor import Actor
from service.models.case import Case
from service.models.instrument import InstrumentFactor
from service.models.round import ScoringRound
from service.models.round_disagreement import RoundFactorDisagreement
from service.schemas.reports import OwnView, OwnViewFactor, OwnViewsReport, ReportWindow
from service.usecases.reports import quality
from service.usecases.reports.completed import completed_in
from service.usecases.reports.scope import (
    ReportScope,
    Window,
    data_use,
    record_read,
    report_scope,
)
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
    """One query, from the rounds' summaries: (factor key, names, then per relation the count
    of scores and the distinct children, then the sum of the own scores' distances towards the
    worst end)."""

    sums = RoundFactorDisagreement
    per_relation = []
    for relation in RELATIONS:
        count = col(getattr(sums, relation.value))
        per_relation += [
            func.sum(count),
            func.count(func.distinct(sql_case((count > 0, col(ScoringRound.case_id))))),
        ]
    return (
        sql_select(
            col(InstrumentFactor.key),
            func.min(col(InstrumentFactor.name_da)),
            func.min(col(InstrumentFactor.name_en)),
            *per_relation,
            func.sum(col(sums.towards_worse)),
        )
        .select_from(sums)
        .join(ScoringRound, col(ScoringRound.id) == col(sums.round_id))
        .join(Case, col(Case.id) == col(ScoringRound.case_id))
        .join(InstrumentFactor, col(InstrumentFactor.id) == col(sums.factor_id))
        .where(
            col(sums.role).in_([r.value for r in VIEWERS[viewer]]),
            *completed_in(scope, window),
        )
        .group_by(col(InstrumentFactor.key))
    )


def own_view(session: Session, scope: ReportScope, window: Window, viewer: Viewer) -> OwnView:
    counts: dict[tuple[str, str], tuple[int, int]] = {}
    offsets: dict[str, int] = {}
    names: dict[str, tuple[str, str]] = {}
    for key, name_da, name_en, *figures, offset in session.execute(
        own_view_query(scope, window, viewer)
    ).all():
        names[key] = (name_da, name_en)
        for relation, n, children in zip(RELATIONS, figures[::2], figures[1::2], strict=True):
            if n:
                counts[(key, relation.value)] = (int(n), int(children))
        offsets[key] = int(offset or 0)
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
        as_of=scope.as_of,
        window=ReportWindow(start=start, end=end),
        min_group_size=scope.min_group_size,
        views=views,
        data_use=data_use(scope, start),
        quality=quality.data_quality(session, scope, window),
    )
