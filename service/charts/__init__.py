"""Server-rendered SVG charts of a child's progress: no JavaScript, no network, no HTTP.

Pure functions from plain numbers to SVG text. Readable in black and white and in print:
lines differ by dash and marker shape, not by colour alone, and the informants' spread is
hatched. The scale's best end is always up (on the line) or outward (on the star), whichever
way the instrument counts. Every chart is meant to stand beside a table of the same numbers.
"""

from service.charts.line import PHONE as PHONE_LINE
from service.charts.line import LinePoint, LineTexts, line_chart
from service.charts.scale import ChartScale
from service.charts.star import PHONE as PHONE_STAR
from service.charts.star import Spoke, StarTexts, star_chart

__all__ = [
    "PHONE_LINE",
    "PHONE_STAR",
    "ChartScale",
    "LinePoint",
    "LineTexts",
    "Spoke",
    "StarTexts",
    "line_chart",
    "star_chart",
]
