"""The rounds every report counts: the completed ones of the cases in the report's scope,
completed within its window. The reports and their data quality share it."""

from __future__ import annotations

from typing import Any

from sqlmodel import col

from service.models.round import ScoringRound
from service.usecases.reports.scope import ReportScope, Window
from service.workflow.states import RoundState


def completed_in(scope: ReportScope, window: Window) -> list[Any]:
    """The WHERE clauses every report shares: completed rounds of the cases in scope."""
    where = [col(ScoringRound.state) == RoundState.COMPLETED, scope.cases()]
    if window.start is not None:
        where.append(col(ScoringRound.completed_at) >= window.start)
    if window.end is not None:
        where.append(col(ScoringRound.completed_at) < window.end)
    return where
