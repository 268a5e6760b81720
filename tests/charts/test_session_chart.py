"""The session chart: both forms on a fixed 0-10 line, a day without an answer a gap."""

from __future__ import annotations

import re

from service.charts.sessions import SessionChartTexts, session_chart

TEXTS = SessionChartTexts("Mads", "Hvordan det går", "Samtalen", ["1/11", "8/11", "15/11"])


def test_each_form_is_a_line_and_a_missing_answer_breaks_it() -> None:
    svg = session_chart("c", [4.0, 5.5, 7.0], [8.0, None, 9.0], TEXTS)
    lines = re.findall(r'<polyline points="([^"]+)"', svg)
    assert len(lines) == 1 and len(lines[0].split()) == 3  # the alliance line has a gap
    assert svg.count("<circle") == 3 + 1  # three outcome points and the key's marker
    assert svg.count("<rect") == 2 + 1
    ticks = re.findall(r'text-anchor="end" fill="#1a1a1a">(\d+)</text>', svg)
    assert ticks == ["0", "2", "4", "6", "8", "10"]  # whatever the values, 0 to 10
