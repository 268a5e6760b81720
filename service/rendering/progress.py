"""A child's progress as people look at it: the charts and, beside each, a table of the same
numbers, in the reader's language. Shared by the case page, the family's page and the report.

Where the series crosses a mapping between scales (Århus 0-4 to KL's 1-5), every earlier value
is shown on the newest round's scale with the value as scored in brackets ("4 (3)"), and each
round says which scale it used: a raw 3 beside a 4 would read as a worsening."""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

from service.charts import (
    PHONE_LINE,
    PHONE_STAR,
    ChartScale,
    LinePoint,
    LineTexts,
    Spoke,
    StarTexts,
    line_chart,
    star_chart,
)
from service.rendering.language import Translator
from service.schemas.progress import CaseProgress, FactorProgress, ProgressRound, ProgressScale
from service.workflow.outcomes import Outcome
from service.workflow.roles import InformantRole
from service.workflow.scale import BestEnd


@dataclass(frozen=True, slots=True)
class Row:
    """One round of one factor, as the table beside the chart shows it."""

    date: str
    score: str
    goal: str
    outcome: Outcome | None
    no_outcome: str
    spread: str
    own: str
    crosses: bool
    scale: str  # the scale the round used, "0–4"
    earlier_factor: str  # where the point is the earlier factor's, its name


@dataclass(frozen=True, slots=True)
class FactorView:
    key: str
    name: str
    chart: Markup
    rows: list[Row]
    #: The same chart drawn for a phone's width, shown there instead.
    phone_chart: Markup = field(default_factory=Markup)


@dataclass(frozen=True, slots=True)
class StarRow:
    name: str
    previous: str
    current: str
    outcome: Outcome | None


#: The words of a progress view, each under a prefix: "progress" for staff and the report,
#: "familyprogress" for a parent's link and "childprogress" for the child's, in plain words.
WORDS = (
    "title",
    "none",
    "snapshot",
    "crosses",
    "other_rounds",
    "star_title",
    "star_table",
    "current",
    "previous",
    "best_out",
    "best",
    "worst",
    "official",
    "goal",
    "spread",
    "own",
    "child",
    "line_title",
    "table_caption",
    "date",
    "factor",
    "not_assessed",
    "outcome",
    "scale",
    "translated",
    "earlier_factor",
)
#: The outcome's six words, and why there is none: the same for staff, plain for the family.
OUTCOME_WORDS = {"progress": "outcome", "familyprogress": "familyoutcome"}
NO_OUTCOME_WORDS = {"progress": "nooutcome", "familyprogress": "familynooutcome"}


@dataclass
class ProgressView:
    snapshot: bool
    empty: bool
    own_label: str
    words: str = "progress"  # the prefix of its words in the catalogue
    outcome_words: str = "outcome"
    latest_date: str = ""
    previous_date: str = ""
    star: Markup = field(default_factory=Markup)
    #: The star drawn for a phone's width, its factors numbered in a key under it.
    star_phone: Markup = field(default_factory=Markup)
    star_rows: list[StarRow] = field(default_factory=list)
    factors: list[FactorView] = field(default_factory=list)
    crosses: bool = False
    other_rounds: int = 0
    scales_differ: bool = False  # some round used another scale than the newest
    newest_scale: str = ""


def _svg(chart: str) -> Markup:
    """A chart, as markup: `service.charts` escapes every text it writes into it."""
    return Markup(chart)  # noqa: S704


def chart_scale(scale: ProgressScale) -> ChartScale:
    return ChartScale(scale.min, scale.max, scale.best_end is BestEnd.LOW)


def day(rnd: ProgressRound, t: Translator) -> str:
    """ "15. dec. 2026": Babel's short date, in Danish time."""
    return t.short_date(rnd.completed_at)


def _value(value: int | None, t: Translator, words: str = "progress") -> str:
    return t(f"{words}.not_assessed") if value is None else str(value)


def scale_text(scale: ProgressScale) -> str:
    """ "0–4": the points of a scale."""
    return f"{scale.min}–{scale.max}"


def on_newest(value: int | None, newest: int | None, own_scale: bool) -> str:
    """A value as read on the newest scale: as it is on that scale, or translated with the
    value as scored in brackets ("4 (3)")."""
    if value is None or newest is None:
        return ""
    return str(value) if own_scale else f"{newest} ({value})"


def progress_view(
    progress: CaseProgress,
    t: Translator,
    *,
    own_role: InformantRole = InformantRole.CHILD,
    professionals: bool = True,
    chart_prefix: str = "p",
    words: str = "progress",
    names: dict[str, str] | None = None,
    own_label: str | None = None,
) -> ProgressView:
    """The charts and tables; `own_role`'s scores are the line beside the official one (the
    child's for staff, the reader's own on a family link). Without `professionals` the spread
    of the professionals' scores is left out (a family that did not meet them). `words` is
    the prefix of the texts (plain ones for the family), `names` the factors as the reader
    knows them, by key."""
    own_label = own_label or t(
        f"{words}.child" if own_role is InformantRole.CHILD else f"{words}.own"
    )
    view = ProgressView(
        snapshot=progress.snapshot,
        empty=not progress.rounds,
        own_label=own_label,
        words=words,
        outcome_words=OUTCOME_WORDS.get(words, "familyoutcome"),
        other_rounds=len(progress.other_rounds),
    )
    if not progress.rounds:
        return view
    rounds = {r.round_id: r for r in progress.rounds}
    latest = progress.rounds[-1]
    previous = progress.rounds[-2] if len(progress.rounds) > 1 else None
    view.latest_date = day(latest, t)
    view.previous_date = day(previous, t) if previous else ""
    view.crosses = any(r.crosses not in (None, "same") for r in progress.rounds)
    view.scales_differ = any(r.scale != latest.scale for r in progress.rounds)
    view.newest_scale = scale_text(latest.scale)
    spokes = []
    for n, factor in enumerate(progress.factors):
        name = (names or {}).get(factor.factor_key) or t.name(factor)
        view.factors.append(
            _factor(
                factor,
                name,
                rounds,
                t,
                own_role,
                professionals,
                f"{chart_prefix}-f{n}",
                words,
                own_label,
            )
        )
        points = {p.round_id: p for p in factor.official}
        now = points.get(latest.round_id)
        before = points.get(previous.round_id) if previous else None
        spokes.append(
            Spoke(
                label=name,
                scale=chart_scale(latest.scale),
                current=now.score if now else None,
                previous=before.score if before else None,
                previous_scale=chart_scale(previous.scale) if previous else None,
            )
        )
        view.star_rows.append(
            StarRow(
                name=name,
                previous=(
                    _value(before.score, t, words)
                    if before.score is None
                    else on_newest(
                        before.score, before.score_on_newest_scale, previous.scale == latest.scale
                    )
                )
                if before and previous
                else "",
                current=_value(now.score, t, words) if now else "",
                outcome=now.outcome if now else None,
            )
        )
    star_texts = StarTexts(
        title=t(f"{words}.star_title", date=view.latest_date),
        current=t(f"{words}.current", date=view.latest_date),
        previous=t(f"{words}.previous", date=view.previous_date) if previous else "",
        best=t(f"{words}.best_out"),
    )
    view.star = _svg(star_chart(f"{chart_prefix}-star", spokes, star_texts))
    view.star_phone = _svg(star_chart(f"{chart_prefix}-star-phone", spokes, star_texts, PHONE_STAR))
    return view


def _factor(
    factor: FactorProgress,
    name: str,
    rounds: dict[int, ProgressRound],
    t: Translator,
    own_role: InformantRole,
    professionals: bool,
    chart_id: str,
    words: str,
    own_label: str,
) -> FactorView:
    no_outcome = NO_OUTCOME_WORDS.get(words, "familynooutcome")
    spread = {s.round_id: s for s in factor.spread} if professionals else {}
    own = next((r for r in factor.roles if r.role is own_role), None)
    own_scores = {p.round_id: p.scores for p in own.points} if own else {}
    own_newest = {p.round_id: p.scores_on_newest_scale for p in own.points} if own else {}
    newest = list(rounds.values())[-1].scale
    points, rows = [], []
    for p in factor.official:
        rnd = rounds[p.round_id]
        s = spread.get(p.round_id)
        mine = own_scores.get(p.round_id) or []
        mine_newest = own_newest.get(p.round_id) or []
        crosses = rnd.crosses not in (None, "same")
        same = rnd.scale == newest
        earlier = p.factor_key != factor.factor_key
        points.append(
            LinePoint(
                label=day(rnd, t),
                scale=chart_scale(rnd.scale),
                score=p.score,
                goal=p.goal,
                spread=(s.min, s.max) if s else None,
                child=mine[0] if mine else None,
                crosses=crosses,
                earlier=earlier,
            )
        )
        rows.append(
            Row(
                date=day(rnd, t),
                score=_value(p.score, t, words)
                if p.score is None
                else on_newest(p.score, p.score_on_newest_scale, same),
                goal=on_newest(p.goal, p.goal_on_newest_scale, same),
                outcome=p.outcome,
                no_outcome=t(f"{no_outcome}.{p.no_outcome.value}") if p.no_outcome else "",
                spread=(
                    f"{s.min}–{s.max}"
                    if same
                    else f"{s.min_on_newest_scale}–{s.max_on_newest_scale} ({s.min}–{s.max})"
                )
                if s
                else "",
                own=", ".join(
                    on_newest(v, n, same) for v, n in zip(mine, mine_newest, strict=False)
                ),
                crosses=crosses,
                scale=scale_text(rnd.scale),
                earlier_factor=t(f"{words}.earlier_factor", factor=t.name(p, "factor_name"))
                if earlier
                else "",
            )
        )
    texts = LineTexts(
        title=t(f"{words}.line_title", factor=name),
        best=t(f"{words}.best"),
        worst=t(f"{words}.worst"),
        official=t(f"{words}.official"),
        goal=t(f"{words}.goal"),
        spread=t(f"{words}.spread"),
        child=own_label,
        crosses=t(f"{words}.crosses"),
        earlier=next(
            (
                t(f"{words}.earlier_factor", factor=t.name(p, "factor_name"))
                for p in factor.official
                if p.factor_key != factor.factor_key
            ),
            "",
        ),
    )
    return FactorView(
        key=factor.factor_key,
        name=name,
        chart=_svg(line_chart(chart_id, points, texts)),
        rows=rows,
        phone_chart=_svg(line_chart(f"{chart_id}-phone", points, texts, PHONE_LINE)),
    )
