"""Two views of one factor over the rounds, side by side on one plot (Forandringskompasset):
the caseworker's own score as a solid line with filled circles, the provider's as a dashed line
with hollow squares (each provider's own score a small square where there are several), and the
official score as a broad grey reference line behind them. Where the views are apart, a thick
bracket joins them and "≠" stands above the round; where they meet again, "=" does. Drawn large
enough to be read on a meeting room's projector; readable in black and white."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from service.charts.scale import ChartScale, num, text

WIDTH, HEIGHT = 640, 330
LEFT, RIGHT, TOP, BOTTOM = 56, 20, 40, 126
INSET = 44
FONT = 15
INK = "#1a1a1a"
PROVIDER = "#1f4e8c"
REFERENCE = "#a8a8a8"
APART = "#8a1c12"


@dataclass(frozen=True, slots=True)
class CompassPoint:
    """One completed round of one factor, every value on the chart's scale."""

    label: str  # the round's date, under the axis
    caseworker: float | None
    provider: float | None
    official: int | None = None
    providers: tuple[int, ...] = ()  # each provider's own score, drawn where there are several
    apart: bool = False
    meets: bool = False  # apart at the last round both scored, not now


@dataclass(frozen=True, slots=True)
class CompassTexts:
    title: str
    best: str
    worst: str
    caseworker: str
    provider: str
    official: str
    apart: str
    meets: str


def compass_chart(
    chart_id: str, scale: ChartScale, points: Sequence[CompassPoint], texts: CompassTexts
) -> str:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = len(points)

    def x(i: int) -> float:
        inner = plot_w - 2 * INSET
        return LEFT + INSET + (inner / 2 if n == 1 else inner * i / (n - 1))

    def y(value: float) -> float:
        return TOP + plot_h * (1.0 - scale.goodness(value))

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart compass-chart" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{chart_id}-title" '
        f'font-family="Konsensus Sans, DejaVu Sans, sans-serif" font-size="{FONT}">',
        f'<title id="{chart_id}-title">{text(texts.title)}</title>',
    ]
    for value in scale.values:
        vy = y(value)
        out.append(
            f'<line x1="{LEFT}" y1="{num(vy)}" x2="{WIDTH - RIGHT}" y2="{num(vy)}" '
            'stroke="#d0d0d0" stroke-width="1"/>'
            f'<text x="{LEFT - 10}" y="{num(vy + 5)}" text-anchor="end" fill="{INK}">{value}</text>'
        )
    out.append(
        f'<text x="{LEFT - 10}" y="{TOP - 16}" text-anchor="end" fill="{INK}">'
        f"▲ {text(texts.best)}</text>"
        f'<text x="{LEFT - 10}" y="{TOP + plot_h + 44}" text-anchor="end" fill="{INK}">'
        f"▼ {text(texts.worst)}</text>"
    )
    # The official score: a broad grey line behind the two views, a reference, not a view.
    out.extend(_runs([(i, p.official) for i, p in enumerate(points)], x, y, REFERENCE, None, 7))
    # Where the views are apart: a thick bracket between them, "≠" above; "=" where they meet.
    for i, p in enumerate(points):
        if p.apart and p.caseworker is not None and p.provider is not None:
            ends = [p.caseworker, p.provider, *p.providers]
            y1, y2 = min(y(v) for v in ends), max(y(v) for v in ends)
            out.append(
                f'<line x1="{num(x(i))}" y1="{num(y1)}" x2="{num(x(i))}" y2="{num(y2)}" '
                f'stroke="{APART}" stroke-width="5" stroke-opacity="0.55"/>'
            )
        mark = "≠" if p.apart else ("=" if p.meets else "")
        if mark:
            out.append(
                f'<text x="{num(x(i))}" y="{TOP - 16}" text-anchor="middle" font-weight="bold" '
                f'fill="{APART if p.apart else INK}">{mark}</text>'
            )
    # The provider's view: dashed, hollow squares; each provider's own score where several.
    out.extend(_runs([(i, p.provider) for i, p in enumerate(points)], x, y, PROVIDER, "9 5", 3))
    for i, p in enumerate(points):
        if len(p.providers) > 1:
            for score in p.providers:
                out.append(_square(x(i) + 12, y(score), 3.5, PROVIDER))
        if p.provider is not None:
            out.append(_square(x(i), y(p.provider), 6, PROVIDER))
    # The caseworker's view: solid, filled circles, drawn last so that it shows where they meet.
    out.extend(_runs([(i, p.caseworker) for i, p in enumerate(points)], x, y, INK, None, 3))
    for i, p in enumerate(points):
        if p.caseworker is not None:
            out.append(f'<circle cx="{num(x(i))}" cy="{num(y(p.caseworker))}" r="5" fill="{INK}"/>')
        out.append(
            f'<text x="{num(x(i))}" y="{TOP + plot_h + 22}" text-anchor="middle" '
            f'fill="{INK}">{text(p.label)}</text>'
        )
    out.append(_legend(texts, TOP + plot_h + 64))
    out.append("</svg>")
    return "".join(out)


def _runs(
    values: Sequence[tuple[int, float | None]],
    x: Callable[[int], float],
    y: Callable[[float], float],
    colour: str,
    dash: str | None,
    width: float,
) -> list[str]:
    """A line through the values, broken where one is missing."""
    out: list[str] = []
    run: list[tuple[float, float]] = []
    for i, value in [*values, (-1, None)]:
        if value is None:
            if len(run) > 1:
                coords = " ".join(f"{num(px)},{num(py)}" for px, py in run)
                dashed = f' stroke-dasharray="{dash}"' if dash else ""
                out.append(
                    f'<polyline points="{coords}" fill="none" stroke="{colour}" '
                    f'stroke-width="{width}"{dashed} stroke-linejoin="round" '
                    'stroke-linecap="round"/>'
                )
            run = []
            continue
        run.append((x(i), y(value)))
    return out


def _square(cx: float, cy: float, half: float, colour: str) -> str:
    return (
        f'<rect x="{num(cx - half)}" y="{num(cy - half)}" width="{num(2 * half)}" '
        f'height="{num(2 * half)}" fill="#ffffff" stroke="{colour}" stroke-width="2.5"/>'
    )


def _legend(texts: CompassTexts, y0: float) -> str:
    """A key under the chart in two rows, drawn with the chart's own marks."""
    items = [
        (
            f'<line x1="0" y1="0" x2="26" y2="0" stroke="{INK}" stroke-width="3"/>'
            f'<circle cx="13" cy="0" r="5" fill="{INK}"/>',
            texts.caseworker,
        ),
        (
            f'<line x1="0" y1="0" x2="26" y2="0" stroke="{PROVIDER}" stroke-width="3" '
            'stroke-dasharray="9 5"/>' + _square(13, 0, 6, PROVIDER),
            texts.provider,
        ),
        (
            f'<line x1="0" y1="0" x2="26" y2="0" stroke="{REFERENCE}" stroke-width="7"/>',
            texts.official,
        ),
        (
            f'<line x1="13" y1="-8" x2="13" y2="8" stroke="{APART}" stroke-width="5" '
            'stroke-opacity="0.55"/>'
            f'<text x="22" y="5" font-weight="bold" fill="{APART}">≠</text>',
            texts.apart,
        ),
        ('<text x="13" y="5" text-anchor="middle" font-weight="bold">=</text>', texts.meets),
    ]
    column = (WIDTH - LEFT - RIGHT) / 2
    out = [f'<g transform="translate({LEFT} {num(y0)})" fill="{INK}">']
    for n, (mark, label) in enumerate(items):
        shift = 14 if n == 3 else 0  # "≠" beside the bracket
        if n == 4:
            shift = -8
        out.append(
            f'<g transform="translate({num(column * (n % 2))} {22 * (n // 2)})">{mark}'
            f'<text x="{34 + shift}" y="5">{text(label)}</text></g>'
        )
    out.append("</g>")
    return "".join(out)
