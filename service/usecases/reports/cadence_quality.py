"""Days between follow-ups set against the adopted cadence standard (`004` #14: a key figure
for the number of days between follow-ups): per kind of measure, aggregated and suppressed
below the smallest group, and per case, the cases whose latest follow-up came later than the
standard allowed. Never per caseworker."""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import date

from sqlmodel import Session, col, select

from service.auth.actor import Actor
from service.clock import LOCAL_TIME
from service.models.cadence import CadenceStandard
from service.models.case import Case, Measure, MeasureCategory, MeasureType
from service.models.round import ScoringRound
from service.schemas.cadence import CadenceCaseGap, CadenceKindQuality, CadenceQuality
from service.usecases.procedure.cadence_standards import rules
from service.usecases.reports.scope import record_read, report_scope
from service.workflow import cadence_standards as cs
from service.workflow.states import RoundState

#: At most this many cases are listed, the furthest behind the standard first.
MAX_CASES = 50

Kind = tuple[MeasureCategory | None, MeasureType]


def _day(rnd: ScoringRound) -> date:
    assert rnd.completed_at is not None
    return rnd.completed_at.astimezone(LOCAL_TIME).date()


def cadence_quality(session: Session, actor: Actor) -> CadenceQuality | None:
    """None where the municipality has adopted no standard."""
    scope = report_scope(session, actor)
    standard = session.exec(select(CadenceStandard)).first()
    if standard is None:
        return None
    found = rules(session, actor.municipality_id)
    cases = {c.id: c for c in session.exec(select(Case).where(scope.cases())).all()}
    rounds: dict[int, list[ScoringRound]] = defaultdict(list)
    for rnd in session.exec(
        select(ScoringRound)
        .where(
            col(ScoringRound.case_id).in_(list(cases)),
            ScoringRound.state == RoundState.COMPLETED,
        )
        .order_by(col(ScoringRound.completed_at), col(ScoringRound.id))
    ).all():
        rounds[rnd.case_id].append(rnd)
    measures: dict[int, list[Measure]] = defaultdict(list)
    for measure in session.exec(
        select(Measure).where(col(Measure.case_id).in_(list(rounds)))
    ).all():
        measures[measure.case_id].append(measure)
    by_kind: dict[Kind, list[tuple[int, int]]] = defaultdict(list)
    latest: dict[int, CadenceCaseGap] = {}
    for case_id, done in rounds.items():
        for previous, current in itertools.pairwise(done):
            before, after = _day(previous), _day(current)
            for measure in measures[case_id]:
                if measure.start_date > before or (
                    measure.end_date is not None and measure.end_date < before
                ):
                    continue
                rule = cs.rule_for(
                    found,
                    measure.category.value if measure.category else None,
                    measure.type.value,
                    measure.intensive,
                )
                if rule is None:
                    continue
                days, allowed = cs.gap_against(measure.start_date, rule.standard, before, after)
                by_kind[(measure.category, measure.type)].append((days, allowed))
                case = cases[case_id]
                latest[case_id] = CadenceCaseGap(
                    case_id=case_id,
                    display_name=case.display_name,
                    external_ref=case.external_ref,
                    category=measure.category,
                    measure_type=measure.type,
                    completed_on=after,
                    days=days,
                    standard_days=allowed,
                )
    kinds = []
    for (category, measure_type), gaps in sorted(
        by_kind.items(), key=lambda item: (item[0][0] or "", item[0][1])
    ):
        shown = len(gaps) >= scope.min_group_size
        kinds.append(
            CadenceKindQuality(
                category=category,
                measure_type=measure_type,
                gaps=len(gaps) if shown else None,
                mean_days=round(sum(d for d, _ in gaps) / len(gaps), 1) if shown else None,
                mean_standard_days=round(sum(a for _, a in gaps) / len(gaps), 1) if shown else None,
                within_share=round(sum(d <= a for d, a in gaps) / len(gaps), 3) if shown else None,
            )
        )
    behind = sorted(
        (g for g in latest.values() if g.days > g.standard_days),
        key=lambda g: (g.standard_days - g.days, g.display_name, g.case_id),
    )[:MAX_CASES]
    record_read(session, actor, "cadence_quality", {"cases": [g.case_id for g in behind]})
    return CadenceQuality(standard=standard.name, kinds=kinds, cases=behind)
