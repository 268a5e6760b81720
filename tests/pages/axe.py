"""axe-core in the pages: every page at 360 and 1280 px. Serious and critical findings fail
everywhere; moderate ones too on the pages that informants and children see."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, ViewportSize

PHONE: ViewportSize = {"width": 360, "height": 780}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
_axe = Axe()
#: Every page that axe-core looked at in this run, for the record.
CHECKED: set[str] = set()


def violations(page: Page, *, moderate: bool) -> list[tuple[str, str, int]]:
    impacts = {"serious", "critical"} | ({"moderate"} if moderate else set())
    results = _axe.run(page)
    return [
        (v["id"], v["impact"], len(v["nodes"]))
        for v in results.response["violations"]
        if v["impact"] in impacts
    ]


def check(page: Page, name: str, *, moderate: bool = False) -> None:
    """axe-core at 360 and at 1280 px; the page is left at the size it had."""
    before = page.viewport_size
    found = {}
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        problems = violations(page, moderate=moderate)
        if problems:
            found[size["width"]] = problems
        CHECKED.add(name)
    if before:
        page.set_viewport_size(before)
    assert found == {}, (name, found)
