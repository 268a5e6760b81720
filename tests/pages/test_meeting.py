"""The meeting page on a projector: an overview that fits one screen, the last round beside
today's scores, the text of every scale point, and nothing chosen is lost on finishing."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.factories import CW_A
from tests.pages import axe
from tests.pages.axe import DESKTOP, PHONE
from tests.pages.conftest import screenshot_path
from tests.pages.flows import api, round_at_meeting
from tests.world import PASSWORD, World

PROJECTOR: ViewportSize = {"width": 1920, "height": 1080}
DECISIONS = {
    "udvikling_adfaerd": ("2", "1"),
    "familieforhold": ("3", "2"),
    "skoleforhold": ("2", "2"),
    "sundhedsforhold": ("1", "1"),
    "fritid_venskaber": ("3", "2"),
    "selvhjulpenhed": ("0", "0"),
    "tilknytning": ("2", "1"),
    "kriminalitet": ("0", "0"),
}


def login(page: Page, live_server: str, path: str, who: str = CW_A) -> None:
    page.goto(f"{live_server}{path}")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.fill("#username", who)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Log ind").click()


def test_the_overview_fits_a_projector_and_shows_the_last_round(
    live_server: str, world: World, browser: Browser
) -> None:
    with api(live_server, world) as http:
        rid = round_at_meeting(http, live_server, follow_up=True)
    page = browser.new_page(viewport=PROJECTOR)
    login(page, live_server, f"/rounds/{rid}/meeting")
    overview = page.locator("table.overview")
    expect(overview.locator("tbody tr")).to_have_count(8)
    # Factors x informants, the divergent marked, all on one screen at 1920 px.
    box = overview.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 1080, box
    expect(overview.locator("tbody tr").first).to_have_class("diverges")
    expect(overview.locator("thead")).to_contain_text("Ane Lund")
    # The previous round's official score and goal, per factor.
    first = page.locator("section.meeting-factor").first
    expect(first.locator(".previous")).to_contain_text(
        "Forrige runde (officiel): 3 Alvorlige problemer. Mål: 2"
    )
    # Every number with the text of its scale point.
    expect(first.locator("table.scores")).to_contain_text("4 Massive problemer")
    page.screenshot(path=screenshot_path("meeting-overview-1920"), full_page=False)
    overview.locator("a").nth(2).click()
    expect(page).to_have_url(re.compile(r"#f-\w+$"))
    # The "why not assessed" field appears only when "not assessed" is chosen.
    reason = page.locator("input[name='reason-kriminalitet']")
    expect(reason).to_be_hidden()
    page.select_option("select[name='official-kriminalitet']", "na")
    expect(reason).to_be_visible()
    axe.check(page, "meeting")


def test_finishing_saves_what_is_on_the_page_and_asks_first(
    live_server: str, world: World, browser: Browser
) -> None:
    with api(live_server, world) as http:
        rid = round_at_meeting(http, live_server)
    page = browser.new_page(viewport=DESKTOP)
    login(page, live_server, f"/rounds/{rid}/meeting")
    expect(page.locator("h1")).to_have_text("Møde: Noah")
    expect(page.locator(".previous").first).to_have_text("Første runde: ingen tidligere score.")
    page.screenshot(path=screenshot_path("meeting-1280"), full_page=False)
    for key, (score, goal) in DECISIONS.items():
        page.select_option(f"select[name='official-{key}']", score)
        page.select_option(f"select[name='goal-{key}']", goal)
    # Divergent factors need a rationale: refused with a summary, what was chosen kept.
    page.get_by_role("button", name="Afslut konsensus").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Skriv en begrundelse")
    expect(summary).to_contain_text("Ane Lund: vælg, om personen deltog i mødet.")
    expect(page).to_have_title(re.compile("^Fejl: "))
    expect(page.locator("select[name='official-kriminalitet']")).to_have_value("0")
    axe.check(page, "meeting with errors")
    for key in ("udvikling_adfaerd", "fritid_venskaber"):
        page.fill(f"textarea[name='rationale-{key}']", "Drøftet: forskellige rammer.")
    # Saving one factor returns to it.
    page.locator("#f-skoleforhold").get_by_role("button", name="Gem").click()
    expect(page).to_have_url(re.compile(r"saved=1#f-skoleforhold$"))
    expect(page.locator(".notice.success")).to_contain_text("gemt")
    page.set_viewport_size(PHONE)
    # Nothing on it (a table's words for screen readers included) makes it scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=screenshot_path("meeting-360"), full_page=False)
    page.set_viewport_size(DESKTOP)
    # A change not yet saved, then straight to finishing: it is saved first, then confirmed.
    page.fill("textarea[name='rationale-skoleforhold']", "Enige om skolen.")
    # Everyone at the meeting is recorded as present or absent before it can end.
    for radio in page.locator("#attendance").get_by_role("radio", name="Deltog", exact=True).all():
        radio.check()
    page.get_by_role("button", name="Afslut konsensus").click()
    expect(page.locator("h1")).to_have_text("Afslut konsensus for Noah?")
    axe.check(page, "confirm step")
    page.get_by_role("button", name="Afslut konsensus").click()
    expect(page.locator("ol.progress li.current")).to_contain_text("Dialog med barn og forældre")
    with api(live_server, world) as http:
        result = http.get(f"/rounds/{rid}/result").json()
    school = next(f for f in result["factors"] if f["factor_key"] == "skoleforhold")
    assert school["official"]["rationale"] == "Enige om skolen."
    # The meeting page now shows the decisions as text, not greyed-out controls.
    page.goto(f"{live_server}/rounds/{rid}/meeting")
    expect(page.locator("select")).to_have_count(0)
    expect(page.locator("dl.official-read").first).to_contain_text("Officiel score")
    # Finishing the family step asks first, and a reason is needed.
    page.goto(f"{live_server}/rounds/{rid}")
    page.get_by_role("button", name="Afslut dialogen med familien").click()
    expect(page.locator("h1")).to_contain_text("Afslut dialogen")
    page.fill("#reason", "Forældrene deltog ikke.")
    page.get_by_role("button", name="Afslut dialogen med familien").click()
    expect(page.locator("ol.progress li.done").last).to_contain_text("Afsluttet")
    # The completed round explains each official score and its rationale.
    expect(page.locator("#result ~ .table-wrap")).to_contain_text(
        "Score 2 (Moderate problemer). Mål 1 (Lette problemer)."
    )
    expect(page.locator("#result ~ .table-wrap")).to_contain_text("Drøftet: forskellige rammer.")
    page.screenshot(path=screenshot_path("round-completed-1280"), full_page=False)
    axe.check(page, "completed round")
