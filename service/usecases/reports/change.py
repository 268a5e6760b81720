"""The mean change of the official status per factor between a child's consecutive rounds,
with the number of children behind it: negative is fewer problems, on any scale (the change
is counted towards the scale's worst end)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Float, cast, func
from sqlalchemy import case as sql_case
from sqlalchemy import select as sql_select
from sqlmodel import Session, col

from service.auth.actor import Actor
from service.models.case import Case
from service.models.instrument import Instrument, InstrumentFactor
from service.models.round import FactorOutcome, ScoringRound
from service.schemas.reports import ChangeReport, FactorChange, ReportWindow
from service.usecases.reports import quality
from service.usecases.reports.completed import completed_in
from service.usecases.reports.scope import ReportScope, Window, record_read, report_scope
from service.workflow.scale import BestEnd


def change_query(scope: ReportScope, window: Window) -> Any:
    """One query: per factor key, (names, pairs, distinct children, mean change)."""

    worse = sql_case(
        (
            col(Instrument.best_end) == BestEnd.LOW.value,
            col(FactorOutcome.score) - col(FactorOutcome.previous_score),
        ),
        else_=col(FactorOutcome.previous_score) - col(FactorOutcome.score),
    )
    return (
        sql_select(
            col(InstrumentFactor.key),
            func.min(col(InstrumentFactor.name_da)),
            func.min(col(InstrumentFactor.name_en)),
            func.count(),
            func.count(func.distinct(col(ScoringRound.case_id))),
            func.avg(cast(worse, Float)),
        )
        .select_from(FactorOutcome)
        .join(ScoringRound, col(ScoringRound.id) == col(FactorOutcome.round_id))
        .join(Case, col(Case.id) == col(ScoringRound.case_id))
        .join(Instrument, col(Instrument.id) == col(ScoringRound.instrument_id))
        .join(InstrumentFactor, col(InstrumentFactor.id) == col(FactorOutcome.factor_id))
        .where(
            col(FactorOutcome.score).is_not(None),
            col(FactorOutcome.previous_score).is_not(None),
            *completed_in(scope, window),
        )
        .group_by(col(InstrumentFactor.key))
        .order_by(col(InstrumentFactor.key))
    )


def change_report(
    session: Session, actor: Actor, start: date | None = None, end: date | None = None
) -> ChangeReport:
    scope = report_scope(session, actor)
    window = Window.of(start, end)
    k = scope.min_group_size
    factors = []
    for key, name_da, name_en, pairs, children, mean in session.execute(
        change_query(scope, window)
    ).all():
        shown = children >= k
        factors.append(
            FactorChange(
                factor_key=key,
                name_da=name_da,
                name_en=name_en,
                mean_change=round(float(mean), 2) if shown and mean is not None else None,
                children=children if shown else None,
                changes=pairs if shown else None,
            )
        )
    record_read(session, actor, "change", {"scope": scope.label})
    return ChangeReport(
        scope=scope.label,
        as_of=scope.as_of,
        window=ReportWindow(start=start, end=end),
        min_group_size=k,
        factors=factors,
        quality=quality.data_quality(session, scope, window),
    )
