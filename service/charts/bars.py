"""Stacked bars: one bar per group, split into its categories (the six outcomes), each bar
as shares of the group's total so groups of different sizes compare. The chart draws the
table's own suppression, and no other: what a bar cannot show is one hatched part, and a
group whose total the table hides is one hatched bar. The hatch says only "hidden", never
why: whether a group was too small or was hidden so that a small one cannot be worked out is
exactly what the reader must not learn, so the legend gives both reasons for every mark."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from service.charts.scale import num, text

WIDTH = 820
LABEL_W, RIGHT, TOP, BAR_H, GAP, LEGEND_H = 300, 16, 28, 22, 10, 84
INK = "#1a1a1a"
HIDDEN = "#b8b8b8"


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    counts: Sequence[int | None]  # per category; None: suppressed
    total: int | None  # None: hidden in the table, so hatched whole here


def _whole_percent(share: float) -> str:
    return f"{round(100 * share)}%"


@dataclass(frozen=True, slots=True)
class BarTexts:
    title: str
    categories: Sequence[str]  # the categories' names, in order
    hidden: str  # the legend of the hatched part, the same mark as the table's
    percent: Callable[[float], str] = _whole_percent  # a share (0-1) in the reader's language


#: Best to worst: dark green through grey to dark red, distinct in black and white too by
#: lightness, and each part carries its share as text where it is wide enough.
PALETTE = ("#1b7837", "#7fbf7b", "#2166ac", "#92c5de", "#d9d9d9", "#b2182b")


#: Light text on these of the palette's parts (dark fills); dark text on the rest.
DARK = frozenset({0, 2, 5})


def stacked_bars(
    chart_id: str,
    bars: Sequence[Bar],
    texts: BarTexts,
    palette: Sequence[str] = PALETTE,
    dark: frozenset[int] = DARK,
) -> str:
    plot_w = WIDTH - LABEL_W - RIGHT
    height = TOP + len(bars) * (BAR_H + GAP) + LEGEND_H
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart bar-chart" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{chart_id}-title" '
        f'font-family="DejaVu Sans, sans-serif" font-size="11">',
        f'<title id="{chart_id}-title">{text(texts.title)}</title>',
        "<defs>"
        f'<pattern id="{chart_id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)">'
        '<rect width="6" height="6" fill="#f0f0f0"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{HIDDEN}" stroke-width="2"/></pattern>'
        "</defs>",
    ]
    for i, bar in enumerate(bars):
        y = TOP + i * (BAR_H + GAP)
        out.append(
            f'<text x="{LABEL_W - 8}" y="{num(y + BAR_H / 2 + 4)}" text-anchor="end" '
            f'fill="{INK}">{text(bar.label)}</text>'
        )
        if bar.total is None:
            out.append(
                f'<rect x="{LABEL_W}" y="{y}" width="{num(plot_w)}" height="{BAR_H}" '
                f'fill="url(#{chart_id}-hatch)" stroke="{HIDDEN}" class="hidden-part">'
                f"<title>{text(texts.hidden)}</title></rect>"
            )
            continue
        if not bar.total:
            continue
        x = float(LABEL_W)
        shown = 0
        for n, count in enumerate(bar.counts):
            if not count:
                continue
            shown += count
            w = plot_w * count / bar.total
            share = text(texts.percent(count / bar.total))
            out.append(
                f'<rect x="{num(x)}" y="{y}" width="{num(w)}" height="{BAR_H}" '
                f'fill="{palette[n % len(palette)]}" stroke="#ffffff" stroke-width="1">'
                f"<title>{text(texts.categories[n])}: {share}</title></rect>"
            )
            if w >= 30:
                colour = "#ffffff" if n in dark else INK
                out.append(
                    f'<text x="{num(x + w / 2)}" y="{num(y + BAR_H / 2 + 4)}" '
                    f'text-anchor="middle" fill="{colour}">{share}</text>'
                )
            x += w
        rest = bar.total - shown
        if rest > 0:
            out.append(
                f'<rect x="{num(x)}" y="{y}" width="{num(plot_w * rest / bar.total)}" '
                f'height="{BAR_H}" fill="url(#{chart_id}-hatch)" stroke="{HIDDEN}" '
                'class="hidden-part">'
                f"<title>{text(texts.hidden)}</title></rect>"
            )
    legend_y = TOP + len(bars) * (BAR_H + GAP) + 8
    per_row = 3
    for n, name in enumerate(texts.categories):
        lx = LABEL_W + (n % per_row) * (plot_w / per_row)
        ly = legend_y + (n // per_row) * 18
        out.append(_key(lx, ly, palette[n % len(palette)], name))
    # The hidden mark's reasons are a sentence: it has a line of its own.
    rows = -(-len(texts.categories) // per_row)
    out.append(_key(RIGHT, legend_y + rows * 18, f"url(#{chart_id}-hatch)", texts.hidden))
    out.append("</svg>")
    return "".join(out)


def _key(x: float, y: float, fill: str, name: str) -> str:
    return (
        f'<rect x="{num(x)}" y="{num(y)}" width="12" height="12" fill="{fill}" '
        f'stroke="{HIDDEN}"/>'
        f'<text x="{num(x + 16)}" y="{num(y + 10)}" fill="{INK}">{text(name)}</text>'
    )
