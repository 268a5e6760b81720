"""The words on the pages: one name for each thing, read the same way on every page."""

from __future__ import annotations

import pytest

from service.rendering.language import catalogue

#: How each catalogue quotes a word it names.
QUOTES = {"da": ("»", "«"), "en": ("“", "”")}
ROW = {"da": "række", "en": "row"}


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_meeting_legend_speaks_of_the_rows_it_marks(language: str) -> None:
    """The overview marks a divergent factor's whole row yellow and labels it; the legend
    says so, with the label's own word, rather than speaking of numbers."""
    words = catalogue(language)
    opening, closing = QUOTES[language]
    legend = words["meeting.legend"]
    assert f"{opening}{words['meeting.diverges_short']}{closing}" in legend
    assert ROW[language] in legend.lower()
