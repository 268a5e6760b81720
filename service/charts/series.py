"""Several lines over the same periods (one per informant role): a value from 0 up, e.g. the
mean distance from the official score. Lines differ by dash and marker shape as well as
colour, so they read in black and white; a suppressed or missing value is a gap, never a
guess; the periods are the x axis, labelled under it, and a key names each line."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from service.charts.scale import num, text

WIDTH = 820
LEFT, RIGHT, TOP, PLOT_H, AXIS_H, KEY_ROW = 56, 16, 24, 220, 44, 18
INK = "#1a1a1a"
#: (colour, dash) per line; the marker shapes cycle apart from them.
STYLES = (
    ("#1a1a1a", None),
    ("#b2182b", "6 3"),
    ("#2166ac", "2 3"),
    ("#1b7837", "8 3 2 3"),
    ("#5a3d8a", None),
    ("#8c510a", "6 3"),
    ("#01665e", "2 3"),
    ("#c51b7d", "8 3 2 3"),
    ("#4d4d4d", "12 4"),
)
MARKERS = ("circle", "square", "triangle", "diamond")


@dataclass(frozen=True, slots=True)
class Series:
    label: str
    values: Sequence[float | None]  # one per period; None: suppressed or nothing to show


@dataclass(frozen=True, slots=True)
class SeriesTexts:
    title: str
    axis: str  # what the values are, beside the y axis
    number: Callable[[float], str] = lambda value: f"{value:g}"  # a tick in the reader's words


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "circle":
        return f'<circle cx="{num(x)}" cy="{num(y)}" r="4" fill="{colour}"/>'
    if shape == "square":
        return (
            f'<rect x="{num(x - 3.5)}" y="{num(y - 3.5)}" width="7" height="7" '
            f'fill="#ffffff" stroke="{colour}" stroke-width="1.5"/>'
        )
    if shape == "triangle":
        return (
            f'<path d="M{num(x)} {num(y - 5)} L{num(x + 4.5)} {num(y + 3.5)} '
            f'L{num(x - 4.5)} {num(y + 3.5)} Z" fill="{colour}"/>'
        )
    return (
        f'<path d="M{num(x)} {num(y - 5)} L{num(x + 5)} {num(y)} L{num(x)} {num(y + 5)} '
        f'L{num(x - 5)} {num(y)} Z" fill="#ffffff" stroke="{colour}" stroke-width="1.5"/>'
    )


def series_chart(
    chart_id: str, periods: Sequence[str], series: Sequence[Series], texts: SeriesTexts
) -> str:
    plot_w = WIDTH - LEFT - RIGHT
    per_row = 3
    key_h = KEY_ROW * math.ceil(max(len(series), 1) / per_row) + 8
    height = TOP + PLOT_H + AXIS_H + key_h
    values = [v for s in series for v in s.values if v is not None]
    top = max(1.0, math.ceil(max(values, default=0.0) * 2) / 2)
    n = len(periods)

    def x(i: int) -> float:
        return LEFT + (plot_w / 2 if n <= 1 else 20 + (plot_w - 40) * i / (n - 1))

    def y(value: float) -> float:
        return TOP + PLOT_H * (1 - value / top)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart series-chart" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{chart_id}-title" '
        f'font-family="DejaVu Sans, sans-serif" font-size="11">',
        f'<title id="{chart_id}-title">{text(texts.title)}</title>',
    ]
    steps = round(top / 0.5)
    for s in range(steps + 1):
        value = s * 0.5
        vy = y(value)
        out.append(
            f'<line x1="{LEFT}" y1="{num(vy)}" x2="{WIDTH - RIGHT}" y2="{num(vy)}" '
            'stroke="#d0d0d0" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{num(vy + 4)}" text-anchor="end" fill="{INK}">'
            f"{text(texts.number(value))}</text>"
        )
    out.append(
        f'<text x="12" y="{num(TOP + PLOT_H / 2)}" text-anchor="middle" fill="{INK}" '
        f'transform="rotate(-90 12 {num(TOP + PLOT_H / 2)})">{text(texts.axis)}</text>'
    )
    every = max(1, math.ceil(n / 12))  # at most about twelve labels under the axis
    for i, label in enumerate(periods):
        if i % every == 0 or i == n - 1:
            out.append(
                f'<text x="{num(x(i))}" y="{TOP + PLOT_H + 18}" text-anchor="middle" '
                f'fill="{INK}">{text(label)}</text>'
            )
    for number, line in enumerate(series):
        colour, dash = STYLES[number % len(STYLES)]
        shape = MARKERS[number % len(MARKERS)]
        run: list[tuple[float, float]] = []
        runs: list[list[tuple[float, float]]] = [run]
        for i, point in enumerate(line.values[:n]):
            if point is None:
                run = []
                runs.append(run)
                continue
            run.append((x(i), y(point)))
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        for part in runs:
            if len(part) > 1:
                coords = " ".join(f"{num(px)},{num(py)}" for px, py in part)
                out.append(
                    f'<polyline points="{coords}" fill="none" stroke="{colour}" '
                    f'stroke-width="2"{dashed} stroke-linejoin="round"/>'
                )
            for px, py in part:
                out.append(_marker(shape, px, py, colour))
        kx = LEFT + (number % per_row) * (plot_w / per_row)
        ky = TOP + PLOT_H + AXIS_H + (number // per_row) * KEY_ROW
        out.append(
            f'<line x1="{num(kx)}" y1="{num(ky)}" x2="{num(kx + 24)}" y2="{num(ky)}" '
            f'stroke="{colour}" stroke-width="2"{dashed}/>'
            + _marker(shape, kx + 12, ky, colour)
            + f'<text x="{num(kx + 30)}" y="{num(ky + 4)}" fill="{INK}">{text(line.label)}</text>'
        )
    out.append("</svg>")
    return "".join(out)
