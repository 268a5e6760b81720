"""One factor over the rounds: the official status as a solid line with the goal set at each
round marked, the informants' spread as a hatched band, and the child's own line beside it.
Where the factor was split out of an earlier one after a change of form, the earlier factor's
scores lead up to it as hollow circles, named in the key."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from service.charts.scale import ChartScale, num, text

WIDTH, HEIGHT = 600, 260
LEFT, RIGHT, TOP, BOTTOM = 76, 16, 24, 70
INSET = 40  # the first and last round stand clear of the plot's edges
INK = "#1a1a1a"
BAND = "#b8b8b8"
CHILD = "#5a3d8a"


@dataclass(frozen=True, slots=True)
class Frame:
    """A chart's size in its own units and its type sizes; drawn as wide as its column."""

    width: float = WIDTH
    height: float = HEIGHT
    left: float = LEFT
    right: float = RIGHT
    top: float = TOP
    bottom: float = BOTTOM
    inset: float = INSET
    #: Added to the chart's class: " phone" for the phone's drawing.
    kind: str = ""
    font: float = 11
    small: float = 10
    #: The key in one column under the chart (a phone), or in two.
    key_columns: int = 2
    #: The ends of the scale named above and below the plot (a phone), or left of it.
    ends_above: bool = False


#: The chart beside its table on a screen or paper.
FULL = Frame()
#: The chart on a 360 px phone: as narrow as the screen, so that its text is read at 12 px
#: or more; the ends of the scale and the key on lines of their own.
PHONE = Frame(
    width=330,
    height=360,
    left=34,
    right=8,
    top=46,
    bottom=158,
    inset=48,
    font=14,
    small=13,
    key_columns=1,
    ends_above=True,
    kind=" phone",
)


@dataclass(frozen=True, slots=True)
class LinePoint:
    """One completed round of one factor."""

    label: str  # the round's date, under the axis
    scale: ChartScale
    score: int | None  # the official status; None: not assessed
    goal: int | None = None  # the goal set with it, for the next round
    spread: tuple[int, int] | None = None  # lowest and highest professional score
    child: int | None = None  # the child's own score
    crosses: bool = False  # measured against the previous round across a mapping or version
    earlier: bool = False  # the score of the earlier factor this one was split out of


@dataclass(frozen=True, slots=True)
class LineTexts:
    title: str
    best: str
    worst: str
    official: str
    goal: str
    spread: str
    child: str
    crosses: str
    earlier: str = ""  # the earlier factor, named in the key where the line shows it


def line_chart(
    chart_id: str, points: Sequence[LinePoint], texts: LineTexts, frame: Frame = FULL
) -> str:
    width, left, right, top = frame.width, frame.left, frame.right, frame.top
    plot_w, plot_h = width - left - right, frame.height - top - frame.bottom
    n = len(points)
    with_spread = any(p.spread is not None for p in points)
    with_child = any(p.child is not None for p in points)
    with_earlier = any(p.earlier for p in points) and bool(texts.earlier)
    keys = 2 + with_spread + with_child + with_earlier
    # The frame has room for four keys; a fifth gets a row of its own.
    rows = -(-keys // frame.key_columns) - -(-4 // frame.key_columns)
    height = frame.height + (18 if frame.key_columns > 1 else 22) * max(0, rows)

    def x(i: int) -> float:
        inner = plot_w - 2 * frame.inset
        return left + frame.inset + (inner / 2 if n == 1 else inner * i / (n - 1))

    def y(scale: ChartScale, value: float) -> float:
        return top + plot_h * (1.0 - scale.goodness(value))

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart line-chart{frame.kind}" '
        f'viewBox="0 0 {num(width)} {num(height)}" role="img" '
        f'aria-labelledby="{chart_id}-title" font-family="Konsensus Sans, DejaVu Sans, sans-serif" '
        f'font-size="{num(frame.font)}">',
        f'<title id="{chart_id}-title">{text(texts.title)}</title>',
        "<defs>"
        f'<pattern id="{chart_id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="#e4e4e4"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{BAND}" stroke-width="2"/></pattern>'
        "</defs>",
    ]
    if not points:
        out.append("</svg>")
        return "".join(out)
    axis = points[-1].scale
    # The value axis, in the newest round's scale: best at the top.
    for value in axis.values:
        vy = y(axis, value)
        out.append(
            f'<line x1="{left}" y1="{num(vy)}" x2="{width - right}" y2="{num(vy)}" '
            'stroke="#d0d0d0" stroke-width="1"/>'
            f'<text x="{left - 8}" y="{num(vy + 4)}" text-anchor="end" fill="{INK}">{value}</text>'
        )
    small = num(frame.small)
    if frame.ends_above:
        # Narrow: the ends of the scale above the plot and under the dates, from the left.
        out.append(
            f'<text x="0" y="{num(top - 26)}" fill="{INK}" font-size="{small}">'
            f"▲ {text(texts.best)}</text>"
            f'<text x="0" y="{num(top + plot_h + 58)}" fill="{INK}" font-size="{small}">'
            f"▼ {text(texts.worst)}</text>"
        )
    else:
        out.append(
            f'<text x="{left - 8}" y="{top - 8}" text-anchor="end" fill="{INK}" '
            f'font-size="{small}">▲ {text(texts.best)}</text>'
            f'<text x="{left - 8}" y="{top + plot_h + 18}" text-anchor="end" fill="{INK}" '
            f'font-size="{small}">▼ {text(texts.worst)}</text>'
        )
    # The professionals' spread, hatched: a band from each round's lowest to highest score,
    # unbroken across the rounds that have one.
    runs: list[list[tuple[float, float, float]]] = [[]]
    for i, p in enumerate(points):
        if p.spread is None:
            runs.append([])
            continue
        top, bottom = sorted((y(p.scale, p.spread[0]), y(p.scale, p.spread[1])))
        runs[-1].append((x(i), top - 3, bottom + 3))
    for band in runs:
        if len(band) == 1:
            bx, top, bottom = band[0]
            band = [(bx - 9, top, bottom), (bx + 9, top, bottom)]
        if band:
            outline = [(bx, t) for bx, t, _ in band] + [(bx, b) for bx, _, b in reversed(band)]
            coords = " ".join(f"{num(px)},{num(py)}" for px, py in outline)
            out.append(
                f'<polygon points="{coords}" fill="url(#{chart_id}-hatch)" stroke="{BAND}" '
                'stroke-width="1"/>'
            )
    # Where a round was measured across a mapping or instrument version.
    for i, p in enumerate(points):
        if p.crosses and i > 0:
            mx = (x(i - 1) + x(i)) / 2
            out.append(
                f'<line x1="{num(mx)}" y1="{top}" x2="{num(mx)}" y2="{top + plot_h}" '
                f'stroke="{INK}" stroke-width="1" stroke-dasharray="2 3"/>'
                f'<text x="{num(mx)}" y="{top - 8}" text-anchor="middle" fill="{INK}" '
                f'font-size="{small}">⇄</text>'
            )
    # The child's own line: dashed, hollow triangles.
    child = [(x(i), y(p.scale, p.child)) for i, p in enumerate(points) if p.child is not None]
    if len(child) > 1:
        out.append(_polyline(child, CHILD, "6 4", 1.5))
    for cx, cy in child:
        out.append(
            f'<path d="M{num(cx)} {num(cy - 6)} L{num(cx + 5.5)} {num(cy + 4)} '
            f'L{num(cx - 5.5)} {num(cy + 4)} Z" fill="#ffffff" stroke="{CHILD}" '
            'stroke-width="1.5"/>'
        )
    # The goal set at each round: an open diamond, a dotted step from the status to it.
    for i, p in enumerate(points):
        if p.goal is None or p.score is None:
            continue
        gx, gy, sy = x(i) + 14, y(p.scale, p.goal), y(p.scale, p.score)
        out.append(
            f'<line x1="{num(x(i))}" y1="{num(sy)}" x2="{num(gx)}" y2="{num(gy)}" '
            f'stroke="{INK}" stroke-width="1" stroke-dasharray="1 2"/>'
            f'<path d="M{num(gx)} {num(gy - 6)} L{num(gx + 6)} {num(gy)} L{num(gx)} '
            f'{num(gy + 6)} L{num(gx - 6)} {num(gy)} Z" fill="#ffffff" stroke="{INK}" '
            'stroke-width="1.5"/>'
        )
    # The official status: a solid line with filled circles; a gap where not assessed.
    run: list[tuple[float, float]] = []
    for i, p in enumerate(points):
        if p.score is None:
            if len(run) > 1:
                out.append(_polyline(run, INK, None, 2.5))
            run = []
            continue
        run.append((x(i), y(p.scale, p.score)))
    if len(run) > 1:
        out.append(_polyline(run, INK, None, 2.5))
    for i, p in enumerate(points):
        if p.score is not None:
            # An earlier factor's score: a hollow circle, named in the key.
            paint = (
                f'fill="#ffffff" stroke="{INK}" stroke-width="2"' if p.earlier else f'fill="{INK}"'
            )
            out.append(
                f'<circle cx="{num(x(i))}" cy="{num(y(p.scale, p.score))}" r="4.5" {paint}/>'
            )
        # Narrow and many rounds: every other date a line lower, so that none overlap.
        below = 18 + (18 if frame.ends_above and n > 3 and i % 2 else 0)
        out.append(
            f'<text x="{num(x(i))}" y="{num(top + plot_h + below)}" text-anchor="middle" '
            f'fill="{INK}">{text(p.label)}</text>'
        )
    out.append(
        _legend(
            chart_id,
            texts,
            with_spread=with_spread,
            with_child=with_child,
            with_earlier=with_earlier,
            frame=frame,
        )
    )
    out.append("</svg>")
    return "".join(out)


def _polyline(
    points: Sequence[tuple[float, float]], colour: str, dash: str | None, width: float
) -> str:
    coords = " ".join(f"{num(px)},{num(py)}" for px, py in points)
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<polyline points="{coords}" fill="none" stroke="{colour}" '
        f'stroke-width="{width}"{dashed} stroke-linejoin="round"/>'
    )


def _legend(
    chart_id: str,
    texts: LineTexts,
    *,
    with_spread: bool,
    with_child: bool,
    with_earlier: bool,
    frame: Frame,
) -> str:
    """A key under the chart, drawn with the same marks as the chart, for what it shows."""
    columns = frame.key_columns
    row = 18 if columns > 1 else 22
    y0 = frame.height - (32 if columns > 1 else 4 * row - 8)
    items = [
        f'<line x1="0" y1="0" x2="18" y2="0" stroke="{INK}" stroke-width="2.5"/>'
        f'<circle cx="9" cy="0" r="4" fill="{INK}"/>',
        f'<path d="M9 -6 L15 0 L9 6 L3 0 Z" fill="#ffffff" stroke="{INK}" stroke-width="1.5"/>',
    ]
    labels = [texts.official, texts.goal]
    if with_spread:
        items.append(
            f'<rect x="0" y="-6" width="18" height="12" fill="url(#{chart_id}-hatch)" '
            f'stroke="{BAND}"/>'
        )
        labels.append(texts.spread)
    if with_child:
        items.append(
            f'<line x1="0" y1="0" x2="18" y2="0" stroke="{CHILD}" stroke-width="1.5" '
            'stroke-dasharray="6 4"/>'
            f'<path d="M9 -6 L14.5 4 L3.5 4 Z" fill="#ffffff" stroke="{CHILD}" '
            'stroke-width="1.5"/>'
        )
        labels.append(texts.child)
    if with_earlier:
        items.append(
            f'<circle cx="9" cy="0" r="4" fill="#ffffff" stroke="{INK}" stroke-width="2"/>'
        )
        labels.append(texts.earlier)
    left = frame.left if columns > 1 else 0
    out = [f'<g transform="translate({num(left)} {num(y0)})" fill="{INK}">']
    column = (frame.width - frame.left - frame.right) / columns
    for n, (mark, label) in enumerate(zip(items, labels, strict=True)):
        out.append(
            f'<g transform="translate({num(column * (n % columns))} {row * (n // columns)})">'
            f'{mark}<text x="24" y="{4 if columns > 1 else 5}">{text(label)}</text></g>'
        )
    out.append("</g>")
    return "".join(out)
