"""Agreement across a municipality's completed rounds: Krippendorff's alpha (ordinal) over the
independent scores, per instrument family, factor and period, with a seeded bootstrap interval
(`service.workflow.agreement`).

A unit is one round's factor; its values are the value counts the round kept as it completed
(`service.models.round_agreement`), each point as its distance from the scale's best end. Rounds
are kept apart by instrument family and number of points: a family's versions on another scale,
and another family reached through a mapping, are figures of their own. The database hands back
each unit's counts as one number (six bits a point, so scales of up to ten points), grouped:
a cell is a few hundred distinct rows however many rounds stand behind it.

A cell with fewer children than the municipality's minimum group size shows nothing, not even
how many children there were. The figures are not counts that add up, so nothing else is hidden
to keep a hidden one from being worked out.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import BigInteger, cast, func, literal
from sqlalchemy import select as sql_select
from sqlmodel import Session, col

from service.auth.actor import Actor
from service.models.case import Case
from service.models.instrument import Instrument, InstrumentFactor
from service.models.round import ScoringRound
from service.models.round_agreement import RoundFactorAgreement
from service.schemas.agreement import AgreementCell, AgreementReport
from service.schemas.reports import ReportWindow
from service.usecases.reports.completed import completed_in
from service.usecases.reports.groups import (
    GroupBy,
    PeriodLength,
    group_key,
    label_start,
    period_label,
)
from service.usecases.reports.scope import ReportScope, Window, data_use, record_read, report_scope
from service.workflow.agreement import DEFAULT_CONFIDENCE, ReliabilityLevel, alpha_estimate

#: Bits a point's count takes in a unit's number: up to 63 informants on one point.
BITS = 6
#: The most points a scale may have for its units to fit one 64-bit number.
MAX_POINTS = 10
#: Resamplings behind each interval.
DRAWS = 1000


#: (family, points, factor key, period key)
_Cell = tuple[str, int, str, int]


@dataclass(frozen=True, slots=True)
class AgreementFilter:
    period: PeriodLength = PeriodLength.YEAR
    start: date | None = None
    end: date | None = None


def _units(scope: ReportScope, window: Window) -> Any:
    """Per round and factor in scope: its value counts as one number, and how many values."""
    a = RoundFactorAgreement
    # Cast, so that PostgreSQL shifts a 64-bit number (a plain 1 is 32 bits there).
    weight = cast(literal(1), BigInteger).op("<<")(col(a.severity) * BITS)
    return (
        sql_select(
            col(a.round_id).label("round_id"),
            col(a.factor_id).label("factor_id"),
            func.sum(col(a.scores) * weight).label("pattern"),
        )
        .join(ScoringRound, col(ScoringRound.id) == col(a.round_id))
        .join(Case, col(Case.id) == col(ScoringRound.case_id))
        .where(*completed_in(scope, window))
        .group_by(col(a.round_id), col(a.factor_id))
        .having(func.sum(col(a.scores)) >= 2)
        .subquery("unit")
    )


def _cells(scope: ReportScope, flt: AgreementFilter) -> tuple[Any, Any]:
    """(the distinct units per cell and how many rounds have each, the children per cell)."""
    units = _units(scope, Window.of(flt.start, flt.end))
    period = group_key(GroupBy.PERIOD, flt.period).label("period")
    points = (col(Instrument.scale_max) - col(Instrument.scale_min) + 1).label("points")
    cell = (col(Instrument.key), points, col(InstrumentFactor.key), period)
    base = (
        sql_select()
        .select_from(units)
        .join(ScoringRound, col(ScoringRound.id) == units.c.round_id)
        .join(Instrument, col(Instrument.id) == col(ScoringRound.instrument_id))
        .join(InstrumentFactor, col(InstrumentFactor.id) == units.c.factor_id)
        .where(col(Instrument.scale_max) - col(Instrument.scale_min) < MAX_POINTS)
    )
    patterns = base.add_columns(*cell, units.c.pattern, func.count()).group_by(
        *cell, units.c.pattern
    )
    children = base.add_columns(
        *cell, func.count(func.distinct(col(ScoringRound.case_id)))
    ).group_by(*cell)
    return patterns, children


def _decode(pattern: int, points: int) -> list[int]:
    mask = (1 << BITS) - 1
    return [(pattern >> (BITS * s)) & mask for s in range(points)]


def _seed(*parts: object) -> int:
    """The same cell draws the same resamplings every time it is shown."""
    return zlib.crc32("|".join(map(str, parts)).encode())


def agreement_cells(
    session: Session, scope: ReportScope, flt: AgreementFilter
) -> list[AgreementCell]:
    patterns_query, children_query = _cells(scope, flt)
    counted: dict[_Cell, tuple[list[list[int]], list[int]]] = defaultdict(lambda: ([], []))
    for family, points, factor, period, pattern, rounds in session.execute(patterns_query).all():
        rows, weights = counted[(str(family), int(points), str(factor), int(period))]
        rows.append(_decode(int(pattern), int(points)))
        weights.append(int(rounds))
    children = {
        (str(family), int(points), str(factor), int(period)): int(n)
        for family, points, factor, period, n in session.execute(children_query).all()
    }
    families = {
        str(key): (str(da), str(en))
        for key, da, en in session.execute(
            sql_select(
                col(Instrument.key),
                func.min(col(Instrument.name_da)),
                func.min(col(Instrument.name_en)),
            )
            .where(col(Instrument.key).in_({c[0] for c in children}))
            .group_by(col(Instrument.key))
        ).all()
    }
    factors = {
        str(key): (str(da), str(en))
        for key, da, en in session.execute(
            sql_select(
                col(InstrumentFactor.key),
                func.min(col(InstrumentFactor.name_da)),
                func.min(col(InstrumentFactor.name_en)),
            )
            .where(col(InstrumentFactor.key).in_({c[2] for c in children}))
            .group_by(col(InstrumentFactor.key))
        ).all()
    }
    cells = []
    for key in sorted(children):
        family, points, factor, period = key
        n = children[key]
        family_da, family_en = families.get(family, (family, family))
        name_da, name_en = factors.get(factor, (factor, factor))
        label = period_label(period, flt.period)
        common: dict[str, Any] = {
            "family": family,
            "family_name_da": family_da,
            "family_name_en": family_en,
            "points": points,
            "factor_key": factor,
            "name_da": name_da,
            "name_en": name_en,
            "period": label,
        }
        if n < scope.min_group_size:
            cells.append(
                AgreementCell(
                    **common,
                    suppressed=True,
                    children=None,
                    rounds=None,
                    alpha=None,
                    low=None,
                    high=None,
                    reliability=ReliabilityLevel.UNKNOWN,
                )
            )
            continue
        rows, weights = counted[key]
        values: Any = np.repeat(np.asarray(rows, dtype=np.int64), weights, axis=0) if rows else []
        found = alpha_estimate(values, seed=_seed(family, points, factor, label), draws=DRAWS)
        cells.append(
            AgreementCell(
                **common,
                suppressed=False,
                children=n,
                rounds=found.units,
                alpha=_round(found.alpha),
                low=_round(found.low),
                high=_round(found.high),
                reliability=found.reliability,
            )
        )
    return cells


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def agreement_report(session: Session, actor: Actor, flt: AgreementFilter) -> AgreementReport:
    scope = report_scope(session, actor)
    cells = agreement_cells(session, scope, flt)
    record_read(session, actor, "agreement", {"period": flt.period.value, "scope": scope.label})
    periods = sorted({c.period for c in cells})
    return AgreementReport(
        scope=scope.label,
        as_of=scope.as_of,
        period=flt.period,
        window=ReportWindow(start=flt.start, end=flt.end),
        min_group_size=scope.min_group_size,
        confidence=DEFAULT_CONFIDENCE,
        draws=DRAWS,
        cells=cells,
        data_use=data_use(scope, flt.start, [(p, label_start(p, flt.period)) for p in periods]),
    )
