"""The two compasses as people look at them: per factor a chart of the caseworker's and the
provider's views with the official score as a reference, and beside it a table of the same
figures, in the reader's language. Shared by the staff page and the round's report."""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

from service.charts.compass import CompassPoint as ChartPoint
from service.charts.compass import CompassTexts, compass_chart
from service.charts.scale import ChartScale
from service.rendering.language import Translator
from service.schemas.compasses import CaseCompasses, CompassPoint
from service.schemas.progress import ProgressScale
from service.workflow.compasses import Stance, Turn
from service.workflow.scale import BestEnd


@dataclass(frozen=True, slots=True)
class CompassRow:
    date: str
    caseworker: str
    provider: str
    official: str
    gap: str
    stance: str
    turn: str
    apart: bool


@dataclass(frozen=True, slots=True)
class CompassFactorView:
    key: str
    name: str
    chart: Markup
    rows: list[CompassRow]
    apart: list[str]  # the dates they are apart at
    met: list[str]  # the dates they meet again at


@dataclass
class CompassesView:
    empty: bool
    snapshot: bool
    threshold: int
    scale: str = ""
    factors: list[CompassFactorView] = field(default_factory=list)


def _svg(chart: str) -> Markup:
    """A chart, as markup: `service.charts` escapes every text it writes into it."""
    return Markup(chart)  # noqa: S704


def _scale(scale: ProgressScale) -> ChartScale:
    return ChartScale(scale.min, scale.max, scale.best_end is BestEnd.LOW)


def _view(t: Translator, value: float | None, scores: list[int]) -> str:
    """A view as the table shows it: the score, or the mean and each score of several."""
    if value is None:
        return t("compasses.none")
    if len(scores) > 1:
        each = ", ".join(str(s) for s in scores)
        return t("compasses.several", mean=t.number(value, 1), each=each)
    return t.number(value, 0)


def _row(t: Translator, date: str, p: CompassPoint) -> CompassRow:
    return CompassRow(
        date=date,
        caseworker=_view(t, p.caseworker, p.caseworker_scores),
        provider=_view(t, p.provider, p.provider_scores),
        official=t("compasses.none") if p.official is None else str(p.official),
        gap="" if p.gap is None else str(p.gap),
        stance=t(f"compasses.stance.{p.stance.value}") if p.stance else "",
        turn=t(f"compasses.turn.{p.turn.value}") if p.turn else "",
        apart=p.stance is Stance.APART,
    )


def compasses_view(
    found: CaseCompasses, t: Translator, *, chart_prefix: str = "k"
) -> CompassesView:
    view = CompassesView(empty=not found.rounds, snapshot=found.snapshot, threshold=found.threshold)
    if found.scale is None:
        return view
    view.scale = f"{found.scale.min}–{found.scale.max}"
    dates = {r.round_id: t.short_date(r.completed_at) for r in found.rounds}
    scale = _scale(found.scale)
    texts = {
        "best": t("progress.best"),
        "worst": t("progress.worst"),
        "caseworker": t("compasses.caseworker"),
        "provider": t("compasses.provider"),
        "official": t("compasses.official"),
        "apart": t.plural("compasses.key_apart", found.threshold + 1),
        "meets": t("compasses.key_meets"),
    }
    for n, factor in enumerate(found.factors):
        name = t.name(factor)
        points = [
            ChartPoint(
                label=dates[p.round_id],
                caseworker=p.caseworker,
                provider=p.provider,
                official=p.official,
                providers=tuple(p.provider_scores),
                apart=p.stance is Stance.APART,
                meets=p.turn is Turn.MEET,
            )
            for p in factor.points
        ]
        chart = compass_chart(
            f"{chart_prefix}-f{n}",
            scale,
            points,
            CompassTexts(title=t("compasses.chart_title", factor=name), **texts),
        )
        view.factors.append(
            CompassFactorView(
                key=factor.factor_key,
                name=name,
                chart=_svg(chart),
                rows=[_row(t, dates[p.round_id], p) for p in factor.points],
                apart=[dates[p.round_id] for p in factor.points if p.stance is Stance.APART],
                met=[dates[p.round_id] for p in factor.points if p.turn is Turn.MEET],
            )
        )
    return view
