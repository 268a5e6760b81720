"""The pages in a real browser: an informant fills the form behind a link; a caseworker logs
in and completes a consensus. Screenshots at 360 and 1280 px go to docs/screenshots/."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.factories import ADMIN_A
from tests.pages.conftest import screenshot_path
from tests.pages.flows import api, informant_link, new_round
from tests.world import World

PHONE: ViewportSize = {"width": 360, "height": 780}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}


def _no_serious_violations(page: Page) -> None:
    results = Axe().run(page)
    serious = [
        (v["id"], v["impact"], len(v["nodes"]))
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], serious


def test_the_child_answers_one_question_a_screen(
    live_server: str, world: World, browser: Browser
) -> None:
    # KL 3: the child scores independently, before the meeting.
    with api(live_server, world, ADMIN_A) as admin:
        assert admin.patch("/municipality/policy", json={"procedure": "kl3"}).status_code == 200
    with api(live_server, world) as http:
        rnd = new_round(http, ref="WEB-CHILD")
        _, url = informant_link(http, rnd["id"], "child", "Emma")
    page = browser.new_page(viewport=PHONE)
    page.goto(url)
    expect(page.locator(".child-intro")).to_contain_text("Hej Emma")
    expect(page.locator(".step")).to_have_text("Spørgsmål 1 af 8")
    expect(page.locator(".big-step")).to_have_count(6)  # five steps and "I don't know"
    page.screenshot(path=screenshot_path("child-360"), full_page=False)
    _no_serious_violations(page)
    # The steps carry the scale's own numbers, as the meeting shows them (0-4 here).
    expect(page.locator(".big-step .step-mark").first).to_have_text("0")
    page.locator(".big-step.step-2").click()
    page.get_by_role("button", name="Næste").click()
    # The child sets a goal too: a screen of its own, only as good as now or better.
    expect(page.locator(".step")).to_have_text("Spørgsmål 2 af 9")
    expect(page.locator("h1")).to_contain_text("næste gang")
    expect(page.locator(".big-step")).to_have_count(3)  # 0, 1 (as now) and "I don't know"
    _no_serious_violations(page)
    page.get_by_role("button", name="Tilbage").click()
    expect(page.locator("input[name='score-udvikling_adfaerd'][value='1']")).to_be_checked()
    for n in range(8):
        page.locator(".big-step.skip" if n % 2 else ".big-step.step-1").click()
        page.get_by_role("button", name="Næste").click()
        if not n % 2:  # a score: its goal comes next
            page.locator(".big-step.step-1").click()
            page.get_by_role("button", name="Næste").click()
    expect(page.locator("h1")).to_have_text("Nu har du svaret på det hele")
    page.get_by_role("button", name="Send mine svar").click()
    expect(page.locator(".notice.success h2")).to_have_text("Tak for din vurdering")
    page.close()
