"""The family's result page, as people read it: a row per factor with the official result in
plain words beside their own answer, and their series beside the official one."""

from __future__ import annotations

from dataclasses import dataclass

from service.schemas.rounds import SubmissionPublic
from service.usecases.family_result import FamilyResult
from service.web.i18n import Translator
from service.web.progress_view import ProgressView, progress_view
from service.workflow.outcomes import Outcome
from service.workflow.roles import InformantRole


@dataclass(frozen=True, slots=True)
class FamilyRow:
    name: str
    official: str
    goal: str
    outcome: Outcome | None
    no_outcome: str
    yours: str


@dataclass(frozen=True, slots=True)
class FamilyView:
    child: bool  # the child's own words
    best: int
    worst: int
    met: bool
    rows: list[FamilyRow]
    view: ProgressView


def family_view(
    found: FamilyResult, own: SubmissionPublic | None, t: Translator, best: int, worst: int
) -> FamilyView:
    answers = {s.factor_key: s for s in own.scores} if own else {}
    rows = []
    for factor in found.result.factors:
        official, result = factor.official, factor.outcome
        mine = answers.get(factor.factor_key)
        if mine is None:
            yours = ""
        elif mine.cannot_assess:
            yours = t("form.cannot_assess")
        else:
            yours = str(mine.score) + (f" → {mine.goal}" if mine.goal is not None else "")
        rows.append(
            FamilyRow(
                name=t.name(factor),
                official=(
                    t("progress.not_assessed")
                    if official is None or official.score is None
                    else str(official.score)
                ),
                goal="" if official is None or official.goal is None else str(official.goal),
                outcome=result.outcome if result else None,
                no_outcome=t("nooutcome." + result.no_outcome.value)
                if result and result.no_outcome
                else "",
                yours=yours,
            )
        )
    return FamilyView(
        child=found.role is InformantRole.CHILD,
        best=best,
        worst=worst,
        met=found.met_professionals,
        rows=rows,
        view=progress_view(
            found.progress,
            t,
            own_role=found.role,
            professionals=found.met_professionals,
            chart_prefix="family",
        ),
    )
