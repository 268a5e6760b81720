"""Disagreement by informant role, over time: how far each role's scores lie from the official
score of the same factor in the same round (who sees the child differently, and is it
changing). Every informant's submitted score is compared with the official one the
caseworker set; "cannot assess" and factors not assessed are left out. The comparison is
summed per round as it completes, and again when an official score is amended
(`service.usecases.consensus.round_disagreement`); the report adds up those sums.

The table counts the scores compared, by role and period, and is suppressed like every other
(`tables.suppressed_table`); a role's mean distance in a period is shown only where its count
is. There are no totals of the means: the sums behind them would add up over a row, and a
hidden cell's sum could be worked out from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, func
from sqlalchemy import case as sql_case
from sqlalchemy import select as sql_select
from sqlmodel import Session, col

from service.auth.actor import Actor
from service.models.case import Case
from service.models.instrument import Instrument, InstrumentFactor
from service.models.round import (
    Informant,
    OfficialScore,
    ScoringRound,
    Submission,
    SubmissionScore,
    SubmissionStatus,
)
from service.models.round_disagreement import RoundDisagreement, RoundFactorDisagreement
from service.schemas.reports import (
    DisagreementPoint,
    DisagreementReport,
    DisagreementSeries,
    ReportTable,
    ReportWindow,
)
from service.usecases.reports import quality
from service.usecases.reports.completed import completed_in
from service.usecases.reports.groups import (
    GroupBy,
    PeriodLength,
    group_key,
    label_start,
    period_label,
)
from service.usecases.reports.scope import (
    ReportScope,
    Window,
    data_use,
    record_read,
    report_scope,
)
from service.usecases.reports.tables import suppressed_table
from service.workflow.roles import InformantRole
from service.workflow.scale import BestEnd


@dataclass(frozen=True, slots=True)
class DisagreementFilter:
    period: PeriodLength = PeriodLength.HALF_YEAR
    factor: str | None = None  # a factor key; None: every factor
    start: date | None = None
    end: date | None = None


def towards_worse(informant: Any, official: Any) -> Any:
    """How many scale points the informant's score lies towards the scale's worst end from
    the official one (negative: the informant sees fewer problems), on any scale."""
    return sql_case(
        (col(Instrument.best_end) == BestEnd.LOW.value, informant - official),
        else_=official - informant,
    )


def compared_scores(scope: ReportScope, window: Window, factor: str | None) -> Any:
    """The FROM and WHERE every comparison with the official score shares: each submitted
    score of a completed round in scope beside the official score of its factor."""

    query = (
        sql_select()
        .select_from(SubmissionScore)
        .join(Submission, col(Submission.id) == col(SubmissionScore.submission_id))
        .join(Informant, col(Informant.id) == col(Submission.informant_id))
        .join(ScoringRound, col(ScoringRound.id) == col(Submission.round_id))
        .join(Case, col(Case.id) == col(ScoringRound.case_id))
        .join(Instrument, col(Instrument.id) == col(ScoringRound.instrument_id))
        .join(
            OfficialScore,
            and_(
                col(OfficialScore.round_id) == col(ScoringRound.id),
                col(OfficialScore.factor_id) == col(SubmissionScore.factor_id),
            ),
        )
        .where(
            col(Submission.status) == SubmissionStatus.SUBMITTED,
            col(SubmissionScore.score).is_not(None),
            col(OfficialScore.score).is_not(None),
            *completed_in(scope, window),
        )
    )
    if factor is not None:
        query = query.join(
            InstrumentFactor, col(InstrumentFactor.id) == col(SubmissionScore.factor_id)
        ).where(col(InstrumentFactor.key) == factor)
    return query


def disagreement_query(scope: ReportScope, flt: DisagreementFilter) -> Any:
    """One query: (role, period key, scores compared, distinct children, sum of distances,
    sum of distances towards the worst end), from the rounds' summaries
    (`service.models.round_disagreement`): per role, or per role and factor when narrowed
    to one factor."""

    sums: type[RoundDisagreement] | type[RoundFactorDisagreement] = (
        RoundDisagreement if flt.factor is None else RoundFactorDisagreement
    )
    period = group_key(GroupBy.PERIOD, flt.period).label("period")
    query = (
        sql_select(
            col(sums.role),
            period,
            func.sum(col(sums.scores)),
            func.count(func.distinct(col(ScoringRound.case_id))),
            func.sum(col(sums.distance)),
            func.sum(col(sums.towards_worse)),
        )
        .select_from(sums)
        .join(ScoringRound, col(ScoringRound.id) == col(sums.round_id))
        .join(Case, col(Case.id) == col(ScoringRound.case_id))
        .where(*completed_in(scope, Window.of(flt.start, flt.end)))
        # The period first: grouped by the role first, SQLite would read the rows of one
        # factor in the order of the own views' index (municipality, role), all of them.
        .group_by(period, col(sums.role))
    )
    if flt.factor is not None:
        # The factor's ids first (a few, one per instrument version), so that SQLite too reads
        # the factor's rows by the index instead of every row of the municipality.
        query = query.where(
            col(RoundFactorDisagreement.factor_id).in_(
                sql_select(col(InstrumentFactor.id)).where(col(InstrumentFactor.key) == flt.factor)
            )
        )
    return query


def factor_names(session: Session) -> list[tuple[str, str, str]]:
    """The factors a report can be narrowed to: (key, Danish name, English name), one per key
    over the instruments the municipality can see."""
    return [
        (str(key), str(da), str(en))
        for key, da, en in session.execute(
            sql_select(
                col(InstrumentFactor.key),
                func.min(col(InstrumentFactor.name_da)),
                func.min(col(InstrumentFactor.name_en)),
            )
            .group_by(col(InstrumentFactor.key))
            .order_by(col(InstrumentFactor.key))
        ).all()
    ]


def disagreement_figures(
    session: Session, scope: ReportScope, flt: DisagreementFilter
) -> tuple[ReportTable, list[DisagreementSeries]]:
    """The suppressed table of scores compared, and each role's means where it is shown."""
    k = scope.min_group_size
    counts: dict[tuple[str, str], tuple[int, int]] = {}
    sums: dict[tuple[str, str], tuple[int, int]] = {}
    periods: set[int] = set()
    for role, key, n, children, distance, offset in session.execute(
        disagreement_query(scope, flt)
    ).all():
        role_key = InformantRole(role).value
        periods.add(int(key))
        counts[(role_key, str(key))] = (int(n), int(children))
        sums[(role_key, str(key))] = (int(distance or 0), int(offset or 0))
    roles = [r.value for r in InformantRole if any(key[0] == r.value for key in counts)]
    columns = [str(p) for p in sorted(periods)]
    table = suppressed_table(roles, roles, columns, counts, k)
    series = []
    for row in table.rows:
        points = []
        for column, shown in zip(columns, row.cells, strict=True):
            distance, offset = sums.get((row.key, column), (0, 0))
            points.append(
                DisagreementPoint(
                    period=period_label(int(column), flt.period),
                    scores=shown,
                    mean_distance=round(distance / shown, 2) if shown else None,
                    mean_towards_worse=round(offset / shown, 2) if shown else None,
                )
            )
        series.append(DisagreementSeries(role=InformantRole(row.key), points=points))
    table.columns = [period_label(int(c), flt.period) for c in columns]
    return table, series


def disagreement_report(
    session: Session, actor: Actor, flt: DisagreementFilter
) -> DisagreementReport:
    scope = report_scope(session, actor)
    table, series = disagreement_figures(session, scope, flt)
    record_read(
        session,
        actor,
        "disagreement",
        {"period": flt.period.value, "factor": flt.factor, "scope": scope.label},
    )
    return DisagreementReport(
        scope=scope.label,
        as_of=scope.as_of,
        period=flt.period,
        factor=flt.factor,
        window=ReportWindow(start=flt.start, end=flt.end),
        min_group_size=scope.min_group_size,
        table=table,
        series=series,
        data_use=data_use(
            scope, flt.start, [(c, label_start(c, flt.period)) for c in table.columns]
        ),
        quality=quality.data_quality(session, scope, Window.of(flt.start, flt.end)),
    )
