"""The documentation's pictures of the caseworker's daily pages, at a phone's, a tablet's, a
laptop's and a wide screen's width: the meeting, the family's result, the cases list and the
form for answers entered on an informant's behalf. `make screenshots` renews them in
docs/screenshots/; the test command leaves them alone (this module runs only when
KONSENSUS_SCREENSHOTS names where they go). axe-core checks each page at each width."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, ViewportSize
from sqlalchemy import Engine

from service.config import Settings
from service.demo import DEMO_STAFF, load_demo, reissue_family_link
from tests.pages import axe
from tests.pages.conftest import screenshot_path
from tests.pages.flows import api, new_round, round_at_meeting
from tests.pages.test_meeting import login
from tests.world import World

pytestmark = pytest.mark.skipif(
    "KONSENSUS_SCREENSHOTS" not in os.environ,
    reason="the pictures are renewed by `make screenshots`, not by the test command",
)

WIDTHS: dict[int, ViewportSize] = {
    360: {"width": 360, "height": 780},
    768: {"width": 768, "height": 1024},
    1280: {"width": 1280, "height": 800},
    1920: {"width": 1920, "height": 1080},
}


def _pictures(page: Page, name: str) -> None:
    """The page at every width, axe-checked there, each picture reduced to a small palette
    (the pages are flat colours: a few dozen KB instead of a few hundred)."""
    for width, size in WIDTHS.items():
        page.set_viewport_size(size)
        problems = axe.violations(page, moderate=False)
        assert problems == [], (name, width, problems)
        path = screenshot_path(f"{name}-{width}")
        page.screenshot(path=path, full_page=False)
        with Image.open(path) as shot:
            small = shot.convert("RGB").quantize(colors=64)
        small.save(path, optimize=True)


def test_the_daily_pages_at_four_widths(
    live_server: str, world: World, engine: Engine, settings: Settings, browser: Browser
) -> None:
    load_demo(engine)
    with api(live_server, world) as http:
        at_meeting = round_at_meeting(http, live_server, follow_up=True)
        collecting = int(new_round(http, ref="WEB-SHOT", name="Ida")["id"])
        r = http.post(
            f"/rounds/{collecting}/informants", json={"role": "school", "name": "Hanne Holm"}
        )
        assert r.status_code == 201, r.text
        hanne = int(r.json()["id"])
    staff = browser.new_page(viewport=WIDTHS[1280])
    login(staff, live_server, f"/rounds/{at_meeting}/meeting")
    staff.wait_for_selector("table.overview")
    _pictures(staff, "meeting-room")
    staff.goto(f"{live_server}/rounds/{collecting}/informants/{hanne}/scores")
    staff.get_by_label("Pr. telefon").check()
    staff.locator("input[name='score-udvikling_adfaerd'][value='2']").check()
    staff.locator("#save-status").filter(has_text="Sidst gemt").wait_for()
    _pictures(staff, "on-behalf")
    staff.close()

    # The demo's caseworker: a caseload to sort, and a family's result with a history.
    demo = browser.new_page(viewport=WIDTHS[1280])
    demo.goto(f"{live_server}/login")
    demo.fill("#username", DEMO_STAFF[0][1])
    demo.fill("#password", DEMO_STAFF[0][3])
    demo.get_by_role("button", name="Log ind").click()
    demo.wait_for_url(f"{live_server}/cases")
    _pictures(demo, "cases")
    demo.close()

    token = reissue_family_link(engine, settings.keyring(), datetime.now(UTC))
    assert token is not None
    family = browser.new_page(viewport=WIDTHS[360])
    family.goto(f"{live_server}/l/{token}")
    family.evaluate("document.querySelector('.family-result').scrollIntoView()")
    _pictures(family, "family-view")
    family.close()
