"""A round's star (radar): every factor a spoke, the best end outward, this round drawn over
the previous one, the way users of the Outcomes Star read it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from service.charts.scale import ChartScale, num, text, wrap

WIDTH, HEIGHT = 600, 510
CX, CY = WIDTH / 2, 235  # the centre
RADIUS = 165
INNER = 0.12  # the worst end sits a little off the centre, so that it stays visible
INK = "#1a1a1a"


@dataclass(frozen=True, slots=True)
class Spoke:
    label: str
    scale: ChartScale
    current: int | None
    previous: int | None = None
    previous_scale: ChartScale | None = None


@dataclass(frozen=True, slots=True)
class StarTexts:
    title: str
    current: str
    previous: str
    best: str


def _radius(scale: ChartScale, value: float) -> float:
    return RADIUS * (INNER + (1 - INNER) * scale.goodness(value))


def _at(i: int, n: int, r: float) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * i / n
    return CX + r * math.cos(angle), CY + r * math.sin(angle)


def star_chart(chart_id: str, spokes: Sequence[Spoke], texts: StarTexts) -> str:
    n = len(spokes)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart star-chart" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title" font-family="Konsensus Sans, DejaVu Sans, sans-serif" '
        f'font-size="11">',
        f'<title id="{chart_id}-title">{text(texts.title)}</title>',
    ]
    if n < 3:
        out.append("</svg>")
        return "".join(out)
    scale = spokes[0].scale
    # Rings, one per scale point; the outermost is the best.
    for value in scale.values:
        ring = [_at(i, n, _radius(scale, value)) for i in range(n)]
        best = value == scale.best
        out.append(
            f'<polygon points="{_coords(ring)}" fill="none" stroke="#c8c8c8" '
            f'stroke-width="{1.5 if best else 1}"/>'
        )
        lx, ly = _at(0, n, _radius(scale, value))
        out.append(
            f'<text x="{num(lx + 4)}" y="{num(ly - 2)}" fill="#555555" font-size="9">{value}</text>'
        )
    for i, spoke in enumerate(spokes):
        ex, ey = _at(i, n, RADIUS)
        out.append(
            f'<line x1="{CX}" y1="{CY}" x2="{num(ex)}" y2="{num(ey)}" '
            'stroke="#c8c8c8" stroke-width="1"/>'
        )
        out.append(_label(i, n, spoke.label))
    previous = [
        (i, _at(i, n, _radius(s.previous_scale or s.scale, s.previous)))
        for i, s in enumerate(spokes)
        if s.previous is not None
    ]
    if len(previous) >= 3:
        out.append(
            f'<polygon points="{_coords([p for _, p in previous])}" fill="none" stroke="{INK}" '
            'stroke-width="1.5" stroke-dasharray="5 4"/>'
        )
    for _, (px, py) in previous:
        out.append(
            f'<rect x="{num(px - 4)}" y="{num(py - 4)}" width="8" height="8" fill="#ffffff" '
            f'stroke="{INK}" stroke-width="1.5"/>'
        )
    current = [
        _at(i, n, _radius(s.scale, s.current))
        for i, s in enumerate(spokes)
        if s.current is not None
    ]
    if len(current) >= 3:
        out.append(
            f'<polygon points="{_coords(current)}" fill="#7a7a7a" fill-opacity="0.25" '
            f'stroke="{INK}" stroke-width="2.5"/>'
        )
    for cx, cy in current:
        out.append(f'<circle cx="{num(cx)}" cy="{num(cy)}" r="4.5" fill="{INK}"/>')
    # Key
    ky = HEIGHT - 34
    out.append(
        f'<g transform="translate(20 {ky})" fill="{INK}">'
        f'<line x1="0" y1="0" x2="22" y2="0" stroke="{INK}" stroke-width="2.5"/>'
        f'<circle cx="11" cy="0" r="4" fill="{INK}"/>'
        f'<text x="28" y="4">{text(texts.current)}</text>'
        f'<g transform="translate(190 0)">'
        f'<line x1="0" y1="0" x2="22" y2="0" stroke="{INK}" stroke-width="1.5" '
        'stroke-dasharray="5 4"/>'
        f'<rect x="7" y="-4" width="8" height="8" fill="#ffffff" stroke="{INK}" '
        'stroke-width="1.5"/>'
        f'<text x="28" y="4">{text(texts.previous)}</text></g>'
        f'<text x="0" y="20" font-size="10">{text(texts.best)}</text>'
        "</g>"
    )
    out.append("</svg>")
    return "".join(out)


def _coords(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{num(x)},{num(y)}" for x, y in points)


def _label(i: int, n: int, label: str) -> str:
    x, y = _at(i, n, RADIUS + 14)
    dx = x - CX
    anchor = "middle" if abs(dx) < 20 else ("start" if dx > 0 else "end")
    lines = wrap(label)
    # Labels above the centre grow upward, those below grow downward.
    first = y - 12 * (len(lines) - 1) if y < CY - 20 else y + (4 if abs(dx) >= 20 else 8)
    spans = "".join(
        f'<tspan x="{num(x)}" y="{num(first + 12 * k)}">{text(line)}</tspan>'
        for k, line in enumerate(lines)
    )
    return f'<text text-anchor="{anchor}" fill="{INK}">{spans}</text>'
