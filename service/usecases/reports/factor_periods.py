"""Goal attainment over time, split by factor (Århus' Figur 9, `002` l.2084): for every factor,
the six outcomes per period, in one query and one report, where a leader otherwise asked once
per factor. Each factor's table is the one the outcomes report gives when narrowed to that
factor and broken down by period (`outcomes.outcome_counts`): the same counts, suppressed
alike, so the two never disagree about a figure."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sql_select
from sqlmodel import Session, col

from service.auth.actor import Actor
from service.models.instrument import InstrumentFactor
from service.models.round import FactorOutcome
from service.schemas.reports import FactorPeriods, FactorPeriodsReport, ReportWindow
from service.usecases.reports import quality
from service.usecases.reports.groups import GroupBy, PeriodLength, period_label, period_start
from service.usecases.reports.outcomes import OUTCOMES, OutcomeFilter, outcome_counts
from service.usecases.reports.scope import (
    ReportScope,
    Window,
    data_use,
    record_read,
    report_scope,
)
from service.usecases.reports.tables import suppressed_table
from service.workflow.outcomes import Outcome


def factor_period_counts(scope: ReportScope, flt: OutcomeFilter) -> Any:
    """The outcomes report's query by period, once more grouped by factor key: (period key,
    outcome, count, distinct children, factor key)."""
    key = col(InstrumentFactor.key)
    return (
        outcome_counts(scope, replace(flt, group_by=GroupBy.PERIOD, factor=None))
        .add_columns(key)
        .join(InstrumentFactor, col(InstrumentFactor.id) == col(FactorOutcome.factor_id))
        .group_by(key)
    )


def _names(session: Session, keys: set[str]) -> dict[str, tuple[str, str]]:
    """Each factor key's Danish and English name (one per key over the instrument versions)."""
    rows = session.execute(
        sql_select(
            col(InstrumentFactor.key),
            func.min(col(InstrumentFactor.name_da)),
            func.min(col(InstrumentFactor.name_en)),
        )
        .where(col(InstrumentFactor.key).in_(sorted(keys)))
        .group_by(col(InstrumentFactor.key))
    ).all()
    return {str(k): (str(da), str(en)) for k, da, en in rows}


def factor_periods(session: Session, scope: ReportScope, flt: OutcomeFilter) -> list[FactorPeriods]:
    counts: dict[str, dict[tuple[str, str], tuple[int, int]]] = {}
    periods: set[int] = set()
    for period, outcome, n, children, factor in session.execute(
        factor_period_counts(scope, flt)
    ).all():
        periods.add(int(period))
        counts.setdefault(str(factor), {})[(str(period), Outcome(outcome).value)] = (
            int(n),
            int(children),
        )
    # Every factor over the same periods, so that the tables read side by side.
    keys = [str(p) for p in sorted(periods)]
    labels = [period_label(p, flt.period) for p in sorted(periods)]
    names = _names(session, set(counts))
    found = []
    for factor in sorted(counts, key=lambda f: names.get(f, (f, f))[0].casefold()):
        table = suppressed_table(
            keys, labels, [o.value for o in OUTCOMES], counts[factor], scope.min_group_size
        )
        da, en = names.get(factor, (factor, factor))
        found.append(FactorPeriods(factor_key=factor, name_da=da, name_en=en, table=table))
    return found


def factor_periods_report(
    session: Session,
    actor: Actor,
    period: PeriodLength,
    start: date | None = None,
    end: date | None = None,
) -> FactorPeriodsReport:
    scope = report_scope(session, actor)
    flt = OutcomeFilter(GroupBy.PERIOD, period, None, start, end)
    factors = factor_periods(session, scope, flt)
    record_read(session, actor, "factor_periods", {"period": period.value, "scope": scope.label})
    return FactorPeriodsReport(
        scope=scope.label,
        as_of=scope.as_of,
        period=period,
        window=ReportWindow(start=start, end=end),
        min_group_size=scope.min_group_size,
        factors=factors,
        data_use=data_use(
            scope,
            start,
            [(r.label, period_start(int(r.key), period)) for r in factors[0].table.rows]
            if factors
            else [],
        ),
        quality=quality.data_quality(session, scope, Window.of(start, end)),
    )
