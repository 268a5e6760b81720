"""Drift: a caseworker's official scores beside the median of the informants' own scores of
the same rounds, per factor and period (`service.workflow.drift`), read from the per-round
summary (`service.models.round_drift`). The figures are the caseworker's alone: the API and
the page answer only for the person asking, and another person's id is not found. A leader
sees the spread of the team's figures per factor (quartiles, no names, no extremes), only
where at least the municipality's smallest group of caseworkers have figures; nothing ranks
staff. Every read is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sql_select
from sqlmodel import Session, col

from service.auth.actor import Actor
from service.errors import Forbidden, NotFound
from service.models.case import Case
from service.models.instrument import InstrumentFactor
from service.models.round import ScoringRound
from service.models.round_drift import RoundFactorDrift
from service.models.staff import StaffRole
from service.schemas.drift import (
    DriftFactor,
    DriftPoint,
    DriftReport,
    DriftSpreadFactor,
    DriftSpreadReport,
)
from service.schemas.reports import ReportWindow
from service.usecases.calibration import results
from service.usecases.child.cases import CaseVisibility
from service.usecases.reports.completed import completed_in
from service.usecases.reports.groups import GroupBy, PeriodLength, group_key, period_label
from service.usecases.reports.scope import Window, data_use, record_read, report_scope
from service.workflow import drift
from service.workflow.states import RoundState


@dataclass(frozen=True, slots=True)
class DriftFilter:
    period: PeriodLength = PeriodLength.HALF_YEAR
    start: date | None = None
    end: date | None = None


def _window(window: Window) -> list[Any]:
    where: list[Any] = [col(ScoringRound.state) == RoundState.COMPLETED]
    if window.start is not None:
        where.append(col(ScoringRound.completed_at) >= window.start)
    if window.end is not None:
        where.append(col(ScoringRound.completed_at) < window.end)
    return where


_D = RoundFactorDrift
_F = InstrumentFactor


def own_drift_query(staff_id: int, flt: DriftFilter) -> Any:
    """(factor key, Danish name, English name, period key, rounds, sum, sum of squares) of the
    official scores the person set, in the rounds completed in the window."""
    period = group_key(GroupBy.PERIOD, flt.period).label("period")
    offset = col(_D.towards_worse)
    return (
        sql_select(
            col(_F.key),
            func.min(col(_F.name_da)),
            func.min(col(_F.name_en)),
            period,
            func.count(),
            func.sum(offset),
            func.sum(offset * offset),
        )
        .select_from(_D)
        .join(ScoringRound, col(ScoringRound.id) == col(_D.round_id))
        .join(_F, col(_F.id) == col(_D.factor_id))
        .where(col(_D.caseworker_id) == staff_id, *_window(Window.of(flt.start, flt.end)))
        .group_by(col(_F.key), period)
        .order_by(col(_F.key), period)
    )


def own_drift(
    session: Session, actor: Actor, staff_id: int, flt: DriftFilter, now: datetime
) -> DriftReport:
    """The asking person's own drift. Anyone else's id, and any caller that is not a member of
    staff, is answered as not found: whether a colleague has figures is not told either."""
    if not actor.is_staff or staff_id != actor.id:
        raise NotFound("No such person's figures")
    factors: dict[str, DriftFactor] = {}
    for key, name_da, name_en, period, rounds, total, squares in session.execute(
        own_drift_query(staff_id, flt)
    ).all():
        figure = drift.summarise(int(rounds), float(total or 0), float(squares or 0))
        factor = factors.setdefault(
            str(key), DriftFactor(factor=str(key), name_da=name_da, name_en=name_en, points=[])
        )
        factor.points.append(
            DriftPoint(
                period=period_label(int(period), flt.period),
                rounds=figure.rounds,
                mean=figure.mean,
                spread=figure.spread,
                leaning=figure.leaning,
            )
        )
    record_read(session, actor, "own_drift", {"period": flt.period.value})
    return DriftReport(
        staff_id=staff_id,
        period=flt.period,
        window=ReportWindow(start=flt.start, end=flt.end),
        factors=list(factors.values()),
        calibration=results.own_distances(session, actor, now),
    )


def spread_query(scope: Any, window: Window) -> Any:
    """(caseworker, factor id, rounds, sum) over the rounds of the cases in scope: each
    caseworker's mean per factor, which only the spread is made of. By the factor's id, not
    its key: the few ids are named afterwards, instead of joining every row to its factor."""
    query = (
        sql_select(
            col(_D.caseworker_id),
            col(_D.factor_id),
            func.count(),
            func.sum(col(_D.towards_worse)),
        )
        .select_from(_D)
        .join(ScoringRound, col(ScoringRound.id) == col(_D.round_id))
        .where(*completed_in(scope, window))
        .group_by(col(_D.caseworker_id), col(_D.factor_id))
    )
    if scope.visibility is not CaseVisibility.ALL:
        query = query.join(Case, col(Case.id) == col(ScoringRound.case_id))
    return query


def drift_spread(session: Session, actor: Actor, flt: DriftFilter) -> DriftSpreadReport:
    """The team's (or, for an administrator or a case system, the municipality's) spread of
    the caseworkers' drift per factor. A caseworker has her own figures and no one else's."""
    if actor.is_staff and actor.role is StaffRole.CASEWORKER:
        raise Forbidden("A caseworker sees her own drift, not the team's")
    scope = report_scope(session, actor)
    window = Window.of(flt.start, flt.end)
    sums: dict[tuple[int, int], list[float]] = {}
    for who, factor_id, rounds, total in session.execute(spread_query(scope, window)).all():
        sums.setdefault((int(who), int(factor_id)), [0.0, 0.0])
        sums[(int(who), int(factor_id))][0] += int(rounds)
        sums[(int(who), int(factor_id))][1] += float(total or 0)
    factor_keys = {
        int(i): (str(key), str(da), str(en))
        for i, key, da, en in session.execute(
            sql_select(col(_F.id), col(_F.key), col(_F.name_da), col(_F.name_en)).where(
                col(_F.id).in_({f for _, f in sums})
            )
        ).all()
    }
    # One caseworker's rounds of a factor may lie in several versions of its instrument.
    per_person: dict[tuple[int, str], list[float]] = {}
    names: dict[str, tuple[str, str]] = {}
    for (who, factor_id), (rounds, total) in sums.items():
        key, name_da, name_en = factor_keys[factor_id]
        names.setdefault(key, (name_da, name_en))
        entry = per_person.setdefault((who, key), [0.0, 0.0])
        entry[0] += rounds
        entry[1] += total
    means: dict[str, list[float]] = {}
    for (_who, key), (rounds, total) in per_person.items():
        means.setdefault(key, []).append(total / rounds)
    factors = []
    for key in sorted(means):
        shown = drift.quartiles(means[key], scope.min_group_size)
        factors.append(
            DriftSpreadFactor(
                factor=key,
                name_da=names[key][0],
                name_en=names[key][1],
                caseworkers=len(means[key]) if shown else None,
                lower_quartile=shown[0] if shown else None,
                median=shown[1] if shown else None,
                upper_quartile=shown[2] if shown else None,
            )
        )
    record_read(session, actor, "drift_spread", {"scope": scope.label})
    return DriftSpreadReport(
        scope=scope.label,
        as_of=scope.as_of,
        window=ReportWindow(start=flt.start, end=flt.end),
        min_group_size=scope.min_group_size,
        factors=factors,
        data_use=data_use(scope, flt.start),
    )
