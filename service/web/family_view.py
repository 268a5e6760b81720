"""The family's result page, as people read it: a row per factor with the official result in
plain words beside their own answer, and their series beside the official one."""

from __future__ import annotations

from dataclasses import dataclass

from service.rendering.language import Translator
from service.rendering.progress import ProgressView, progress_view
from service.schemas.instruments import ScaleSpec
from service.schemas.rounds import SubmissionPublic
from service.usecases.child.family_result import FamilyResult
from service.web.forms import factor_words
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
    spread: str  # the professionals' lowest to highest score (KL 3 only)


@dataclass(frozen=True, slots=True)
class FamilyView:
    child: bool  # the child's own words
    best: int
    worst: int
    met: bool
    procedure: str  # how the shared assessment was reached: "kl1", "kl2" or "kl3"
    rows: list[FamilyRow]
    view: ProgressView


def family_view(
    found: FamilyResult,
    own: SubmissionPublic | None,
    t: Translator,
    best: int,
    worst: int,
    scale: ScaleSpec | None = None,
) -> FamilyView:
    answers = {s.factor_key: s for s in own.scores} if own else {}
    child = found.role is InformantRole.CHILD
    words = "childprogress" if child else "familyprogress"
    # Each factor as the reader knows it from the form: the parents' words, the child's question.
    said = {f.key: factor_words(t, f, found.role) for f in found.factors}
    names = {key: w.name for key, w in said.items()}

    def point(key: str, value: int | None) -> str:
        """A number with its words: the child's own answer ("2 (Både godt og svært)"), or
        the scale's name of the point for a parent ("2 (Moderate problemer)")."""
        if value is None:
            return ""
        text = said[key].text(value) if child and key in said else t.label(scale, value)
        return f"{value} ({text})" if text and text != str(value) else str(value)

    # Where the family met the professionals (KL 3): how differently they saw it this time.
    spread = (
        {
            f.factor_key: next(
                (_span(s.min, s.max) for s in f.spread if s.round_id == found.round.id), ""
            )
            for f in found.progress.factors
        }
        if found.met_professionals
        else {}
    )
    rows = []
    for factor in found.result.factors:
        key = factor.factor_key
        official, result = factor.official, factor.outcome
        mine = answers.get(key)
        if mine is None:
            yours = ""
        elif mine.cannot_assess:
            yours = t("child.skip" if child else "form.cannot_assess")
        elif mine.goal is None:
            yours = point(key, mine.score)
        else:
            own_goal = "childresult.own_goal" if child else "familyresult.own_goal"
            yours = t(own_goal, score=point(key, mine.score), goal=point(key, mine.goal))
        rows.append(
            FamilyRow(
                name=names.get(key) or t.name(factor),
                official=(
                    t(f"{words}.not_assessed")
                    if official is None or official.score is None
                    else point(key, official.score)
                ),
                goal="" if official is None else point(key, official.goal),
                outcome=result.outcome if result else None,
                no_outcome=t("familynooutcome." + result.no_outcome.value)
                if result and result.no_outcome
                else "",
                yours=yours,
                spread=spread.get(key, ""),
            )
        )
    return FamilyView(
        child=child,
        best=best,
        worst=worst,
        met=found.met_professionals,
        procedure=found.round.procedure.value,
        rows=rows,
        view=progress_view(
            found.progress,
            t,
            own_role=found.role,
            professionals=found.met_professionals,
            chart_prefix="family",
            words=words,
            names=names,
        ),
    )


def _span(low: int, high: int) -> str:
    return str(low) if low == high else f"{low}–{high}"
