"""A child's session forms over the sessions: the outcome form's score and the alliance
form's score, each 0-10 with 10 at the top, one point per session day. The two lines differ
by dash and marker as well as colour; a form not answered on a day is a gap, never a guess."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from service.charts.scale import num, text

WIDTH, HEIGHT = 600, 300
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 16, 84
INK = "#1a1a1a"
OUTCOME = "#1a1a1a"
ALLIANCE = "#2166ac"
TOP_VALUE = 10


@dataclass(frozen=True, slots=True)
class SessionChartTexts:
    title: str
    outcome: str  # the outcome line's name in the key
    alliance: str
    #: One label per session day, under the axis (thinned when there are many).
    days: Sequence[str]


def session_chart(
    chart_id: str,
    outcome: Sequence[float | None],
    alliance: Sequence[float | None],
    texts: SessionChartTexts,
) -> str:
    n = len(texts.days)
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + (plot_w / 2 if n <= 1 else 16 + (plot_w - 32) * i / (n - 1))

    def y(value: float) -> float:
        return TOP + plot_h * (1 - value / TOP_VALUE)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart session-chart" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{chart_id}-title" '
        f'font-family="DejaVu Sans, sans-serif" font-size="13">',
        f'<title id="{chart_id}-title">{text(texts.title)}</title>',
    ]
    for tick in range(0, TOP_VALUE + 1, 2):
        vy = y(tick)
        out.append(
            f'<line x1="{LEFT}" y1="{num(vy)}" x2="{WIDTH - RIGHT}" y2="{num(vy)}" '
            'stroke="#d0d0d0" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{num(vy + 4)}" text-anchor="end" fill="{INK}">{tick}</text>'
        )
    every = max(1, -(-n // 6))  # at most about six dates under the axis
    for i, label in enumerate(texts.days):
        if i % every == 0 or i == n - 1:
            out.append(
                f'<text x="{num(x(i))}" y="{TOP + plot_h + 20}" text-anchor="middle" '
                f'fill="{INK}">{text(label)}</text>'
            )
    for values, colour, dash, square in (
        (outcome, OUTCOME, "", False),
        (alliance, ALLIANCE, ' stroke-dasharray="6 3"', True),
    ):
        runs: list[list[tuple[float, float]]] = [[]]
        for i, point in enumerate(values[:n]):
            if point is None:
                runs.append([])
            else:
                runs[-1].append((x(i), y(point)))
        for run in runs:
            if len(run) > 1:
                points = " ".join(f"{num(px)},{num(py)}" for px, py in run)
                out.append(
                    f'<polyline points="{points}" fill="none" stroke="{colour}" '
                    f'stroke-width="2"{dash} stroke-linejoin="round"/>'
                )
            out.extend(_marker(px, py, colour, square) for px, py in run)
    key_y = HEIGHT - 28
    for k, (name, colour, dash, square) in enumerate(
        (
            (texts.outcome, OUTCOME, "", False),
            (texts.alliance, ALLIANCE, ' stroke-dasharray="6 3"', True),
        )
    ):
        ky = key_y + 18 * k
        out.append(
            f'<line x1="{LEFT}" y1="{ky}" x2="{LEFT + 28}" y2="{ky}" stroke="{colour}" '
            f'stroke-width="2"{dash}/>'
            + _marker(LEFT + 14, ky, colour, square)
            + f'<text x="{LEFT + 36}" y="{ky + 4}" fill="{INK}">{text(name)}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def _marker(x: float, y: float, colour: str, square: bool) -> str:
    if square:
        return (
            f'<rect x="{num(x - 4)}" y="{num(y - 4)}" width="8" height="8" fill="#ffffff" '
            f'stroke="{colour}" stroke-width="1.5"/>'
        )
    return f'<circle cx="{num(x)}" cy="{num(y)}" r="4" fill="{colour}"/>'
