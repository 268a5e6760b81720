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
class Frame:
    """The star's size in its own units and its type sizes; drawn as wide as its column."""

    width: float = WIDTH
    height: float = HEIGHT
    cx: float = CX
    cy: float = CY
    radius: float = RADIUS
    #: Added to the chart's class: " phone" for the phone's drawing.
    kind: str = ""
    font: float = 11
    small: float = 9
    #: The spokes numbered, and the factors named by number in a key under the star (a
    #: phone), rather than their names around it.
    numbered: bool = False


#: The star beside its table on a screen or paper.
FULL = Frame()
#: The star on a 360 px phone: as narrow as the screen, so that its text is read at 12 px or
#: more; the factors one per line under it.
PHONE = Frame(
    width=330,
    height=300,
    cx=165,
    cy=150,
    radius=105,
    font=14,
    small=13,
    numbered=True,
    kind=" phone",
)
#: A line of the phone's key.
_ROW = 22


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


def star_chart(
    chart_id: str, spokes: Sequence[Spoke], texts: StarTexts, frame: Frame = FULL
) -> str:
    n = len(spokes)
    # On a phone the key names every factor on a line of its own under the star.
    height = frame.height + (_ROW * (3 + _key_lines(spokes)) if frame.numbered else 0)

    def _radius(scale: ChartScale, value: float) -> float:
        return frame.radius * (INNER + (1 - INNER) * scale.goodness(value))

    def _at(i: float, n: int, r: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / n
        return frame.cx + r * math.cos(angle), frame.cy + r * math.sin(angle)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart star-chart{frame.kind}" '
        f'viewBox="0 0 {num(frame.width)} {num(height)}" role="img" '
        f'aria-labelledby="{chart_id}-title" font-family="Konsensus Sans, DejaVu Sans, sans-serif" '
        f'font-size="{num(frame.font)}">',
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
        # Between the first two spokes: on the first, the outer ring's value sat under the
        # first area's name (on a phone its number), and read as one.
        lx, ly = _at(0.5, n, _radius(scale, value))
        out.append(
            f'<text x="{num(lx + 2)}" y="{num(ly - 2)}" fill="#555555" '
            f'font-size="{num(frame.small)}">{value}</text>'
        )
    for i, spoke in enumerate(spokes):
        ex, ey = _at(i, n, frame.radius)
        out.append(
            f'<line x1="{num(frame.cx)}" y1="{num(frame.cy)}" x2="{num(ex)}" y2="{num(ey)}" '
            'stroke="#c8c8c8" stroke-width="1"/>'
        )
        label = str(i + 1) if frame.numbered else spoke.label
        out.append(_label(_at(i, n, frame.radius + 14), frame, label))
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
    if frame.numbered:
        out.append(_phone_key(spokes, texts, frame.height))
        out.append("</svg>")
        return "".join(out)
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


#: Characters on a line of the phone's key.
_KEY_WIDTH = 34


def _key_lines(spokes: Sequence[Spoke]) -> int:
    return sum(len(wrap(s.label, _KEY_WIDTH)) for s in spokes)


def _phone_key(spokes: Sequence[Spoke], texts: StarTexts, top: float) -> str:
    """Under the star on a phone: this round's and the last round's marks, the best end, and
    every factor by its spoke's number, each on a line of its own."""
    out = [
        f'<g transform="translate(4 {num(top)})" fill="{INK}">'
        f'<line x1="0" y1="0" x2="22" y2="0" stroke="{INK}" stroke-width="2.5"/>'
        f'<circle cx="11" cy="0" r="4" fill="{INK}"/>'
        f'<text x="30" y="5">{text(texts.current)}</text>'
    ]
    line = 1
    if texts.previous:
        out.append(
            f'<g transform="translate(0 {_ROW})">'
            f'<line x1="0" y1="0" x2="22" y2="0" stroke="{INK}" stroke-width="1.5" '
            'stroke-dasharray="5 4"/>'
            f'<rect x="7" y="-4" width="8" height="8" fill="#ffffff" stroke="{INK}" '
            'stroke-width="1.5"/>'
            f'<text x="30" y="5">{text(texts.previous)}</text></g>'
        )
        line += 1
    out.append(f'<text x="0" y="{_ROW * line + 5}">{text(texts.best)}</text>')
    line += 1
    for i, spoke in enumerate(spokes):
        for k, part in enumerate(wrap(spoke.label, _KEY_WIDTH)):
            number = f"{i + 1}" if k == 0 else ""
            out.append(
                f'<text y="{_ROW * line + 5}"><tspan x="0" font-weight="700">{number}</tspan>'
                f'<tspan x="30">{text(part)}</tspan></text>'
            )
            line += 1
    out.append("</g>")
    return "".join(out)


def _label(at: tuple[float, float], frame: Frame, label: str) -> str:
    x, y = at
    dx = x - frame.cx
    anchor = "middle" if abs(dx) < 20 else ("start" if dx > 0 else "end")
    lines = wrap(label)
    # Labels above the centre grow upward, those below grow downward.
    below = 4 if abs(dx) >= 20 else 8 + (frame.font - 11)
    first = y - 12 * (len(lines) - 1) if y < frame.cy - 20 else y + below
    spans = "".join(
        f'<tspan x="{num(x)}" y="{num(first + 12 * k)}">{text(line)}</tspan>'
        for k, line in enumerate(lines)
    )
    return f'<text text-anchor="{anchor}" fill="{INK}">{spans}</text>'
