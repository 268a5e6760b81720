"""Agreement across a municipality's completed rounds: Krippendorff's alpha (ordinal) over the
independent scores, per instrument family, factor and period, with a seeded bootstrap interval
(`service.workflow.agreement`).

A unit is one round's factor; its values are the value counts the round kept as it completed,
each point as its distance from the scale's best end, packed a row per unit
(`service.models.round_agreement.RoundFactorCounts`: six bits a point, scales of up to 20
points). Rounds are kept apart by instrument family and number of points: a family's versions
on another scale, and another family reached through a mapping (Århus 0-4 to KL 1-5), are
figures of their own, and the page says so. Agreement is about how alike people score with the
same form's words; a mapping pairs the scales' points for following a child, not the words of
their anchors. The database groups the units by their packed counts: a cell is a few hundred
distinct rows however many rounds stand behind it.

A cell with fewer children than the municipality's minimum group size shows nothing, not even
how many children there were. The figures are not counts that add up, so nothing else is hidden
to keep a hidden one from being worked out.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import BigInteger, cast, func, literal, null, union_all
from sqlalchemy import select as sql_select
from sqlmodel import Session, col

from service.auth.actor import Actor
from service.models import tenancy
from service.models.case import Case
from service.models.instrument import Instrument, InstrumentFactor
from service.models.round import ScoringRound
from service.models.round_agreement import RoundFactorCounts
from service.schemas.agreement import AgreementCell, AgreementReport
from service.schemas.reports import ReportWindow
from service.usecases.child.cases import CaseVisibility
from service.usecases.reports.agreement_figures import CellFigures, kept, view_name
from service.usecases.reports.completed import completed_in
from service.usecases.reports.figure_cache import FigureCache
from service.usecases.reports.groups import (
    GroupBy,
    PeriodLength,
    group_key,
    label_start,
    period_label,
)
from service.usecases.reports.scope import ReportScope, Window, data_use, record_read, report_scope
from service.workflow.agreement import (
    DEFAULT_CONFIDENCE,
    CountedUnits,
    ReliabilityLevel,
    alpha_estimates,
    forget_estimates,
    unpack_counts,
)

#: Resamplings behind each interval.
DRAWS = 1000


#: (family, points, factor key, period key)
_Cell = tuple[str, int, str, int]
#: (instrument id, factor id, period key): what the database counts by
_Group = tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class AgreementFilter:
    period: PeriodLength = PeriodLength.YEAR
    start: date | None = None
    end: date | None = None


def _counted(scope: ReportScope, flt: AgreementFilter) -> Any:
    """One statement: per instrument, factor id, period and unit's packed counts, how many
    units (a round's factor with two or more scores) have them; and, in rows of their own
    (`children` 1), how many children stand behind each instrument, factor id and period.

    The rounds in scope are picked, with their period, once per round, not once per unit. By
    ids, not keys: the few ids are named afterwards, instead of joining every unit to its
    instrument and factor."""
    u = RoundFactorCounts
    rounds = sql_select(
        col(ScoringRound.id).label("id"),
        col(ScoringRound.case_id).label("case_id"),
        col(ScoringRound.instrument_id).label("instrument_id"),
        group_key(GroupBy.PERIOD, flt.period).label("period"),
    ).where(*completed_in(scope, Window.of(flt.start, flt.end)))
    if scope.visibility is not CaseVisibility.ALL:
        rounds = rounds.join(Case, col(Case.id) == col(ScoringRound.case_id))
    chosen = rounds.subquery("chosen")
    units = (
        sql_select(
            chosen.c.case_id,
            chosen.c.instrument_id,
            col(u.factor_id).label("factor_id"),
            chosen.c.period,
            col(u.packed).label("packed"),
            col(u.packed_beyond).label("packed_beyond"),
        )
        .join_from(u, chosen, chosen.c.id == col(u.round_id))
        .where(col(u.scored) >= 2)
        .cte("unit")
    )
    group = (units.c.instrument_id, units.c.factor_id, units.c.period)
    packed = (units.c.packed, units.c.packed_beyond)
    nothing = cast(null(), BigInteger)
    return union_all(
        sql_select(*group, *packed, func.count().label("n"), literal(0).label("children")).group_by(
            *group, *packed
        ),
        sql_select(
            *group, nothing, nothing, func.count(func.distinct(units.c.case_id)), literal(1)
        ).group_by(*group),
    )


def _children_across_versions(
    session: Session, scope: ReportScope, flt: AgreementFilter, cells: set[_Cell]
) -> dict[_Cell, int]:
    """The children behind cells whose units lie on several versions of an instrument (or
    several factors of one key): a child with rounds on two of them counts once."""
    u = RoundFactorCounts
    period = group_key(GroupBy.PERIOD, flt.period)
    points = col(Instrument.scale_max) - col(Instrument.scale_min) + 1
    cell = (col(Instrument.key), points, col(InstrumentFactor.key), period)
    query = (
        sql_select(*cell, func.count(func.distinct(col(ScoringRound.case_id))))
        .select_from(u)
        .join(ScoringRound, col(ScoringRound.id) == col(u.round_id))
        .join(Instrument, col(Instrument.id) == col(ScoringRound.instrument_id))
        .join(InstrumentFactor, col(InstrumentFactor.id) == col(u.factor_id))
        .where(
            *completed_in(scope, Window.of(flt.start, flt.end)),
            col(u.scored) >= 2,
            col(Instrument.key).in_({c[0] for c in cells}),
        )
        .group_by(*cell)
    )
    if scope.visibility is not CaseVisibility.ALL:
        query = query.join(Case, col(Case.id) == col(ScoringRound.case_id))
    found = {
        (str(family), int(n), str(factor), int(p)): int(children)
        for family, n, factor, p, children in session.execute(query).all()
    }
    return {c: found.get(c, 0) for c in cells}


def _seed(*parts: object) -> int:
    """The same cell draws the same resamplings every time it is shown."""
    return zlib.crc32("|".join(map(str, parts)).encode())


def _names(session: Session, model: Any, keys: set[str]) -> dict[str, tuple[str, str]]:
    """A family's or a factor's name by key (any version's: they share the key's name)."""
    return {
        str(key): (str(da), str(en))
        for key, da, en in session.execute(
            sql_select(col(model.key), func.min(col(model.name_da)), func.min(col(model.name_en)))
            .where(col(model.key).in_(keys))
            .group_by(col(model.key))
        ).all()
    }


@dataclass(frozen=True, slots=True)
class _Tally:
    """Per cell, how many units have each pattern of counts, and the children behind it."""

    counted: dict[_Cell, dict[tuple[int, ...], int]]
    children: dict[_Cell, int]


#: A municipality's tallies by scope, filter and fingerprint (`fingerprint`): about a
#: megabyte each at a municipality of 3,000 children, so at most some 32 MB a process.
_TALLIES: FigureCache[_Tally] = FigureCache(size=32)


def forget_figures(*, estimates: bool = True) -> None:
    """Work every figure out again on its next read (a benchmark's first read); with
    `estimates` False, count the units again but read back the intervals of unchanged cells
    (a read after new rounds)."""
    _TALLIES.clear()
    if estimates:
        forget_estimates()


def units_fingerprint(session: Session) -> tuple[int, ...]:
    """What changes whenever the session's municipality's units change: a completed round's
    counts written (they are never changed afterwards,
    `service.usecases.consensus.round_agreement`) or a case erased with its rounds. A count and
    sums over an index, in the report's own snapshot."""
    u = RoundFactorCounts
    # In 64 bits: the ids are 32-bit integers, and their products would overflow there.
    mixed = (
        cast(col(u.round_id), BigInteger) * 7919 + cast(col(u.factor_id), BigInteger) * 104729
    ) % 1000003
    found = session.execute(
        sql_select(
            func.count(),
            func.coalesce(func.sum(col(u.round_id)), 0),
            func.coalesce(func.max(col(u.round_id)), 0),
            func.coalesce(func.sum(mixed), 0),
        )
    ).one()
    return tuple(int(v) for v in found)


def cases_fingerprint(session: Session, scope: ReportScope) -> tuple[int, ...]:
    """For a team or a caseworker, what changes when a case moves in or out: a count and a sum
    of the visible cases' ids; nothing for the whole municipality."""
    if scope.visibility is CaseVisibility.ALL:
        return ()
    cases = session.execute(
        sql_select(func.count(), func.coalesce(func.sum(col(Case.id)), 0)).where(scope.cases())
    ).one()
    return tuple(int(v) for v in cases)


def fingerprint(units: tuple[int, ...], cases: tuple[int, ...], scope: ReportScope) -> str:
    """The data a view's figures come from, and the smallest group they were shown above."""
    return "/".join(
        [",".join(map(str, units)), ",".join(map(str, cases)), str(scope.min_group_size)]
    )


def _tally(session: Session, scope: ReportScope, flt: AgreementFilter) -> _Tally:
    rows = session.execute(_counted(scope, flt)).all()
    instruments = {
        int(i): (str(key), int(points))
        for i, key, points in session.execute(
            sql_select(
                col(Instrument.id),
                col(Instrument.key),
                col(Instrument.scale_max) - col(Instrument.scale_min) + 1,
            ).where(col(Instrument.id).in_({int(r[0]) for r in rows}))
        ).all()
    }
    factor_keys = {
        int(i): str(key)
        for i, key in session.execute(
            sql_select(col(InstrumentFactor.id), col(InstrumentFactor.key)).where(
                col(InstrumentFactor.id).in_({int(r[1]) for r in rows})
            )
        ).all()
    }

    def cell_of(instrument_id: int, factor_id: int, period: int) -> _Cell:
        family, points = instruments[instrument_id]
        return (family, points, factor_keys[factor_id], period)

    counted: dict[_Cell, dict[tuple[int, ...], int]] = defaultdict(dict)
    children: dict[_Cell, int] = defaultdict(int)
    groups: dict[_Cell, set[_Group]] = defaultdict(set)
    decoded: dict[tuple[int, tuple[int, ...]], tuple[int, ...]] = {}
    for instrument_id, factor_id, period, packed, beyond, n, of_children in rows:
        key = cell_of(int(instrument_id), int(factor_id), int(period))
        if of_children:
            children[key] += int(n)
            groups[key].add((int(instrument_id), int(factor_id), int(period)))
            continue
        words = (int(packed), int(beyond))
        points = key[1]
        pattern = decoded.get((points, words))
        if pattern is None:
            pattern = decoded[(points, words)] = unpack_counts(words, points)
        # The same counts on two versions of an instrument are one pattern of the cell.
        counted[key][pattern] = counted[key].get(pattern, 0) + int(n)
    merged = {key for key, found in groups.items() if len(found) > 1}
    if merged:
        children.update(_children_across_versions(session, scope, flt, merged))
    return _Tally(dict(counted), dict(children))


def work_out(
    session: Session, scope: ReportScope, flt: AgreementFilter, read: str
) -> list[CellFigures]:
    """Every cell's figures from the units in scope: counted (or read back from this
    process's tallies under the fingerprint `read`), and for each cell enough children stand
    behind, alpha and its interval (`alpha_estimates`, which reads back a cell's unchanged
    interval)."""
    kept_as = (tenancy.session_municipality(session), scope.visibility, scope.viewer, flt, read)
    tally = _TALLIES.get_or_compute(session, kept_as, lambda: _tally(session, scope, flt))
    counted, children = tally.counted, tally.children
    listed: list[CellFigures] = []
    figures: list[CountedUnits] = []
    for key in sorted(children):
        family, points, factor, period = key
        shown = children[key] >= scope.min_group_size
        listed.append(CellFigures(family, points, factor, period, children[key], shown))
        if shown:
            patterns = counted.get(key, {})
            figures.append(
                CountedUnits(
                    np.asarray(list(patterns), dtype=np.int64).reshape(len(patterns), points),
                    np.asarray(list(patterns.values()), dtype=np.int64),
                    _seed(family, points, factor, period_label(period, flt.period)),
                )
            )
    # Every shown cell's interval in one pass (`alpha_estimates`), in the order listed.
    estimates = iter(alpha_estimates(figures, draws=DRAWS))
    worked_out = []
    for listed_cell in listed:
        if not listed_cell.shown:
            worked_out.append(listed_cell)
            continue
        found = next(estimates)
        worked_out.append(
            replace(
                listed_cell,
                rounds=found.units,
                alpha=_round(found.alpha),
                low=_round(found.low),
                high=_round(found.high),
                reliability=found.reliability,
                values=found.values,
                interval=found.key.hex() or None,
            )
        )
    return worked_out


def figures_of(session: Session, scope: ReportScope, flt: AgreementFilter) -> list[CellFigures]:
    """The view's figures as worked out ahead for exactly the data this read sees, or else
    worked out now."""
    read = fingerprint(units_fingerprint(session), cases_fingerprint(session, scope), scope)
    view = view_name(scope, flt.period, windowed=flt.start is not None or flt.end is not None)
    ahead = kept(session, view, read) if view is not None else None
    return ahead if ahead is not None else work_out(session, scope, flt, read)


def agreement_cells(
    session: Session, scope: ReportScope, flt: AgreementFilter
) -> list[AgreementCell]:
    figures = figures_of(session, scope, flt)
    families = _names(session, Instrument, {c.family for c in figures})
    factors = _names(session, InstrumentFactor, {c.factor for c in figures})
    cells = []
    for cell in figures:
        family_da, family_en = families.get(cell.family, (cell.family, cell.family))
        name_da, name_en = factors.get(cell.factor, (cell.factor, cell.factor))
        cells.append(
            AgreementCell(
                family=cell.family,
                family_name_da=family_da,
                family_name_en=family_en,
                points=cell.points,
                factor_key=cell.factor,
                name_da=name_da,
                name_en=name_en,
                period=period_label(cell.period, flt.period),
                suppressed=not cell.shown,
                children=cell.children if cell.shown else None,
                rounds=cell.rounds if cell.shown else None,
                alpha=cell.alpha if cell.shown else None,
                low=cell.low if cell.shown else None,
                high=cell.high if cell.shown else None,
                reliability=cell.reliability if cell.shown else ReliabilityLevel.UNKNOWN,
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
