"""The charts: well-formed SVG with nothing fetched, the best end up on the line and outward on
the star whichever way the scale counts, every text escaped."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

from service.charts import (
    ChartScale,
    LinePoint,
    LineTexts,
    Spoke,
    StarTexts,
    line_chart,
    star_chart,
)
from service.charts.bars import Bar, BarTexts, stacked_bars
from service.charts.star import CX, CY, PHONE

SVG = "{http://www.w3.org/2000/svg}"
TEXTS = LineTexts("T <b>", "best", "worst", "official", "goal", "spread", "child", "crosses")


def _circles(svg: str) -> list[tuple[float, float]]:
    root = ET.fromstring(svg)
    return [
        (float(c.get("cx", 0)), float(c.get("cy", 0)))
        for c in root.iter(f"{SVG}circle")
        if c.get("r") == "4.5"
    ]


def test_the_best_end_is_up_whichever_way_the_scale_counts() -> None:
    for scale, best, worst in (
        (ChartScale(0, 4, best_low=True), 0, 4),
        (ChartScale(1, 5, best_low=True), 1, 5),
        (ChartScale(1, 5, best_low=False), 5, 1),
    ):
        svg = line_chart("c", [LinePoint("a", scale, worst), LinePoint("b", scale, best)], TEXTS)
        (_, worst_y), (_, best_y) = _circles(svg)
        assert best_y < worst_y, scale


def test_the_best_end_is_outward_on_the_star() -> None:
    for scale, best, worst in (
        (ChartScale(1, 5, best_low=True), 1, 5),
        (ChartScale(0, 4, best_low=False), 4, 0),
    ):
        spokes = [Spoke(f"f{i}", scale, best if i == 0 else worst) for i in range(5)]
        svg = star_chart("s", spokes, StarTexts("t", "now", "before", "best out"))
        radii = [math.hypot(x - CX, y - CY) for x, y in _circles(svg)]
        assert radii[0] > max(radii[1:]), scale


def test_the_rings_values_stand_apart_from_the_first_areas_number() -> None:
    """On a phone the areas are numbered 1..n at the spokes' ends, and the rings carry the
    scale's values: a "1" of the scale under the "1" of the first area read as one."""
    scale = ChartScale(1, 5, best_low=True)
    svg = star_chart(
        "s", [Spoke(f"f{i}", scale, 2) for i in range(8)], StarTexts("t", "now", "", "best"), PHONE
    )
    root = ET.fromstring(svg)
    texts = root.iter("{http://www.w3.org/2000/svg}text")
    rings = [
        (float(t.get("x", 0)), float(t.get("y", 0))) for t in texts if t.get("fill") == "#555555"
    ]
    first = next(
        (float(s.get("x", 0)), float(s.get("y", 0)))
        for s in root.iter("{http://www.w3.org/2000/svg}tspan")
        if s.text == "1"
    )
    assert len(rings) == 5
    assert min(math.hypot(x - first[0], y - first[1]) for x, y in rings) > 20


def test_charts_are_well_formed_fetch_nothing_and_escape_their_text() -> None:
    scale = ChartScale(1, 5, best_low=True)
    line = line_chart(
        "c",
        [
            LinePoint("1.1.2026", scale, 4, goal=3, spread=(3, 5), child=3),
            LinePoint("1.7.2026", scale, None, spread=None),
            LinePoint("<script>", scale, 2, goal=2, spread=(1, 3), child=1, crosses=True),
        ],
        TEXTS,
    )
    star = star_chart(
        "s",
        [Spoke("<Familie & venner>", scale, 2, 3)]
        + [Spoke(f"f{i}", scale, 3, 4) for i in range(7)],
        StarTexts("<t>", "now", "before", "best"),
    )
    for svg in (line, star):
        ET.fromstring(svg)  # well-formed
        assert "<script" not in svg and "style=" not in svg
        assert re.findall(r'(?:href|src)="', svg) == []  # nothing to fetch
        assert set(re.findall(r"https?://[^\s\"']+", svg)) == {"http://www.w3.org/2000/svg"}
    assert "&lt;script&gt;" in line and "T &lt;b&gt;" in line
    assert "&lt;Familie &amp; venner&gt;" in star or "&lt;Familie &amp;" in star
    assert len(_circles(line)) == 2  # the round not assessed has no point


def test_the_lines_per_role_leave_a_gap_where_a_figure_is_hidden() -> None:
    from service.charts.series import Series, SeriesTexts, series_chart

    svg = series_chart(
        "d",
        ["2025-H1", "2025-H2", "2026-H1", "2026-H2"],
        [Series("School <x>", [0.8, None, 0.6, 0.7]), Series("Child", [1.2, 1.1, 1.0, 0.9])],
        SeriesTexts("Distance & role", "points"),
    )
    root = ET.fromstring(svg)  # well-formed, every text escaped
    assert root.find(f"{SVG}title") is not None
    assert "School &lt;x&gt;" in svg and "Distance &amp; role" in svg
    lines = [p.get("points", "").split() for p in root.iter(f"{SVG}polyline")]
    # The school's line breaks at the hidden figure: one piece of two points, a lone marker;
    # the child's is unbroken.
    assert sorted(len(points) for points in lines) == [2, 4]


def test_bars_draw_the_tables_suppression_with_one_neutral_mark() -> None:
    """A group whose total the table hides (whether it was small or hid another) is one
    hatched bar, never "too few"; a hidden part is hatched; the shares are in the reader's
    words; and the legend's hidden mark is the same hatch with the same words."""
    svg = stacked_bars(
        "b",
        [
            Bar("hides a total", [35, 12], None),
            Bar("hides a part", [30, None], 33),
            Bar("shows all", [40, 10], 50),
        ],
        BarTexts("T", ["yes", "no"], "HIDDEN: either reason", percent=lambda s: f"{s:.0%}!"),
    )
    root = ET.fromstring(svg)
    hatched = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "hidden-part"]
    assert len(hatched) == 2
    whole, part = hatched
    assert float(whole.get("width", 0)) > float(part.get("width", 0)) > 0
    assert all(r.findtext(f"{SVG}title") == "HIDDEN: either reason" for r in hatched)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "80%!" in texts and "91%!" in texts  # 40 of 50, 30 of 33
    assert texts.count("HIDDEN: either reason") == 1  # the legend
    assert not any("few" in (t or "") for t in texts)


def test_the_two_compasses_mark_where_they_part_and_meet_and_escape_their_text() -> None:
    from service.charts.compass import CompassPoint, CompassTexts, compass_chart

    scale = ChartScale(0, 4, best_low=True)
    svg = compass_chart(
        "k",
        scale,
        [
            CompassPoint("jan", caseworker=3, provider=None, official=3),
            CompassPoint("jun", caseworker=3, provider=1, official=3, providers=(0, 2), apart=True),
            CompassPoint("dec", caseworker=2, provider=2, official=2, meets=True),
        ],
        CompassTexts("<Skole>", "best", "worst", "cw", "prov", "official", "apart", "meet"),
    )
    root = ET.fromstring(svg)
    assert root.find(f"{SVG}title") is not None and "&lt;Skole&gt;" in svg
    marks = [t.text for t in root.iter(f"{SVG}text") if t.get("font-weight") == "bold"]
    assert marks[:2] == ["≠", "="]  # above the round they part at and the one they meet at
    # The caseworker's best score sits higher than their worse one; the provider's line starts
    # where they first scored, and each of the two providers has a square of their own.
    circles = [(float(c.get("cx", 0)), float(c.get("cy", 0))) for c in root.iter(f"{SVG}circle")]
    assert circles[2][1] < circles[1][1]
    squares = [r for r in root.iter(f"{SVG}rect") if r.get("width") == "7"]
    assert len(squares) == 2
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")
