"""The pages in a real browser: an informant fills the form behind a link; a caseworker logs
in and completes a consensus. Screenshots at 360 and 1280 px go to docs/screenshots/."""

from __future__ import annotations

import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.factories import ADMIN_A, CW_A
from tests.pages.conftest import screenshot_path
from tests.pages.flows import api, informant_link, new_round, round_at_meeting
from tests.world import PASSWORD, World

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


def test_caseworker_completes_a_consensus(live_server: str, world: World, browser: Browser) -> None:
    with api(live_server, world) as http:
        rid = round_at_meeting(http, live_server)
    page = browser.new_page(viewport=DESKTOP)
    page.goto(f"{live_server}/rounds/{rid}/meeting")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.fill("#username", CW_A)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    expect(page.locator("h1")).to_contain_text("Møde: Noah")
    # The most divergent factor first: fritid (1..4), highlighted.
    first = page.locator("section.meeting-factor").first
    expect(first).to_have_class(re.compile("diverges"))
    expect(first.locator("h2")).to_contain_text("Fritidsforhold")
    expect(first.locator("table.scores tbody tr")).to_have_count(3)
    page.screenshot(path=screenshot_path("meeting-1280"), full_page=False)
    _no_serious_violations(page)

    decisions = {
        "udvikling_adfaerd": ("2", "1"),
        "familieforhold": ("3", "2"),
        "skoleforhold": ("2", "2"),
        "sundhedsforhold": ("1", "1"),
        "fritid_venskaber": ("3", "2"),
        "selvhjulpenhed": ("0", "0"),
        "tilknytning": ("2", "1"),
        "kriminalitet": ("0", "0"),
    }
    for key, (score, goal) in decisions.items():
        page.select_option(f"select[name='official-{key}']", score)
        page.select_option(f"select[name='goal-{key}']", goal)
    # Divergent factors need a rationale: refused first, typed values kept.
    page.get_by_role("button", name="Gem officielle scorer").click()
    expect(page.locator(".error-summary")).to_be_visible()
    # Beside the factor, in Danish, by the refusal's code (not the API's English detail).
    expect(page.locator("p.error[id^='err-']").first).to_have_text(
        "Skriv en begrundelse: informanterne er uenige, eller scoren ligger uden for deres spænd."
    )
    expect(page.locator("select[name='official-kriminalitet']")).to_have_value("0")
    for key in ("udvikling_adfaerd", "fritid_venskaber"):
        page.fill(
            f"textarea[name='rationale-{key}']",
            "Drøftet: forskellige rammer giver forskellige billeder.",
        )
    page.get_by_role("button", name="Gem officielle scorer").click()
    expect(page.locator(".notice.success")).to_contain_text("gemt")
    expect(page.locator("section.meeting-factor").first.locator(".notes")).to_contain_text(
        "Lærer Ane"
    )
    page.set_viewport_size(PHONE)
    page.screenshot(path=screenshot_path("meeting-360"), full_page=False)
    page.set_viewport_size(DESKTOP)
    page.get_by_role("button", name="Afslut konsensus").click()
    expect(page.locator("ol.progress li.current")).to_have_text("Dialog med barn og forældre")
    page.fill("input[name='reason']", "Forældrene deltog ikke.")
    page.get_by_role("button", name="Afslut dialogen med familien").click()
    expect(page.locator("ol.progress li.done").last).to_have_text("Afsluttet")
    expect(page.locator("text=Uenighedsnoter")).to_be_visible()
    page.screenshot(path=screenshot_path("round-completed-1280"), full_page=False)
    page.goto(f"{live_server}/cases")
    expect(page.locator("table")).to_contain_text("Noah")
    page.screenshot(path=screenshot_path("cases-1280"), full_page=False)
    page.close()
