"""The six outcomes (goal attainment, DOMAIN.md §6) of the official scores, by group: how
many factors of how many children met their goal, progressed, held, stood still or fell
back, per measure kind, provider, team, age band, procedure or period (Århus: Bilag 1,
Figur 8-9)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from service.auth.actor import Actor
from service.models.case import Case, Measure, Provider
from service.models.instrument import InstrumentFactor
from service.models.municipality import Team
from service.models.round import FactorOutcome, ScoringRound
from service.models.round_measure import RoundMeasure
from service.schemas.reports import OutcomesReport, ReportTable, ReportWindow
from service.usecases.reports import quality

# Named here as well: change, disagreement and own_views still import it from this module.
from service.usecases.reports.completed import completed_in
from service.usecases.reports.groups import (
    AGE_BANDS,
    THROUGH_MEASURES,
    GroupBy,
    PeriodLength,
    group_key,
    period_label,
    period_start,
)
from service.usecases.reports.scope import (
    ReportScope,
    Window,
    data_use,
    record_read,
    report_scope,
)
from service.usecases.reports.tables import suppressed_table
from service.workflow.outcomes import Outcome

#: The outcomes from best to worst, as the table's columns.
OUTCOMES: tuple[Outcome, ...] = (
    Outcome.PROGRESSION_GOAL_MET,
    Outcome.PROGRESSION,
    Outcome.MAINTENANCE_GOAL_MET,
    Outcome.UNPROBLEMATIC,
    Outcome.NO_PROGRESSION,
    Outcome.NEGATIVE_PROGRESSION,
)


@dataclass(frozen=True, slots=True)
class OutcomeFilter:
    group_by: GroupBy = GroupBy.MEASURE_CATEGORY
    period: PeriodLength = PeriodLength.HALF_YEAR
    factor: str | None = None  # a factor key; None: every factor
    start: date | None = None
    end: date | None = None


def outcome_counts(scope: ReportScope, flt: OutcomeFilter) -> Any:
    """One query: (group key, outcome, count, distinct children)."""
    key = group_key(flt.group_by, flt.period).label("key")
    query = (
        sql_select(
            key,
            col(FactorOutcome.outcome),
            func.count(),
            func.count(func.distinct(col(ScoringRound.case_id))),
        )
        .select_from(FactorOutcome)
        .join(ScoringRound, col(ScoringRound.id) == col(FactorOutcome.round_id))
        .join(Case, col(Case.id) == col(ScoringRound.case_id))
        .where(
            col(FactorOutcome.outcome).is_not(None),
            *completed_in(scope, Window.of(flt.start, flt.end)),
        )
        .group_by(key, col(FactorOutcome.outcome))
    )
    if flt.group_by in THROUGH_MEASURES:
        query = query.join(RoundMeasure, col(RoundMeasure.round_id) == col(ScoringRound.id))
        if flt.group_by in (GroupBy.MEASURE_CATEGORY, GroupBy.MEASURE_TYPE):
            query = query.join(Measure, col(Measure.id) == col(RoundMeasure.measure_id))
    if flt.factor is not None:
        query = query.join(
            InstrumentFactor, col(InstrumentFactor.id) == col(FactorOutcome.factor_id)
        ).where(col(InstrumentFactor.key) == flt.factor)
    return query


def _labels(session: Session, flt: OutcomeFilter, keys: list[Any]) -> dict[Any, str]:
    if flt.group_by is GroupBy.PROVIDER:
        names = dict(session.exec(select(Provider.id, Provider.name)).all())
        return {k: names.get(k, "") if k is not None else "" for k in keys}
    if flt.group_by is GroupBy.TEAM:
        names = dict(session.exec(select(Team.id, Team.name)).all())
        return {k: names.get(k, "") if k is not None else "" for k in keys}
    if flt.group_by is GroupBy.AGE_BAND:
        return {k: AGE_BANDS[int(k)][1] for k in keys}
    if flt.group_by is GroupBy.PERIOD:
        return {k: period_label(int(k), flt.period) for k in keys}
    if flt.group_by is GroupBy.NONE:
        return {k: "" for k in keys}
    return {k: str(getattr(k, "value", k)) for k in keys}


def outcome_table(session: Session, scope: ReportScope, flt: OutcomeFilter) -> ReportTable:
    counts: dict[tuple[str, str], tuple[int, int]] = {}
    raw_keys: dict[str, Any] = {}
    for key, outcome, count, children in session.execute(outcome_counts(scope, flt)).all():
        name = "" if key is None else str(getattr(key, "value", key))
        raw_keys[name] = key
        counts[(name, Outcome(outcome).value)] = (int(count), int(children))
    labels = _labels(session, flt, list(raw_keys.values()))
    ordered = sorted(raw_keys, key=lambda k: _order(flt.group_by, raw_keys[k], labels))
    return suppressed_table(
        ordered,
        [labels[raw_keys[k]] for k in ordered],
        [o.value for o in OUTCOMES],
        counts,
        scope.min_group_size,
    )


def _order(group_by: GroupBy, key: Any, labels: dict[Any, str]) -> tuple[int, Any]:
    if key is None:
        return (1, "")
    if group_by in (GroupBy.AGE_BAND, GroupBy.PERIOD):
        return (0, int(key))
    return (0, labels[key].casefold())


def outcomes_report(session: Session, actor: Actor, flt: OutcomeFilter) -> OutcomesReport:
    scope = report_scope(session, actor)
    table = outcome_table(session, scope, flt)
    record_read(
        session,
        actor,
        "outcomes",
        {"group_by": flt.group_by.value, "factor": flt.factor, "scope": scope.label},
    )
    return OutcomesReport(
        scope=scope.label,
        as_of=scope.as_of,
        group_by=flt.group_by,
        period=flt.period,
        factor=flt.factor,
        window=ReportWindow(start=flt.start, end=flt.end),
        table=table,
        groups_overlap=flt.group_by in THROUGH_MEASURES,
        data_use=data_use(
            scope,
            flt.start,
            [(r.label, period_start(int(r.key), flt.period)) for r in table.rows]
            if flt.group_by is GroupBy.PERIOD
            else [],
        ),
        quality=quality.data_quality(session, scope, Window.of(flt.start, flt.end)),
    )
