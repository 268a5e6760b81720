"""The meeting page's projector mode (mødevisning), read from the back of the room: no text
under 20 px, the divergent factors marked by a bar and a sign as well as colour, the lowest and
highest score of each factor marked, the last round's official score and goal labelled as
such, and the informants named only by their role where the municipality chose so. The mode
is a switch on the page, remembered for the person."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.factories import ADMIN_A, LEADER_A
from tests.pages import axe
from tests.pages.conftest import screenshot_path
from tests.pages.flows import api, round_at_meeting
from tests.pages.test_meeting import PROJECTOR, login
from tests.world import World

SMALL_PROJECTOR: ViewportSize = {"width": 1280, "height": 720}

#: The smallest font size of any text a person can see on the page, with the text it is in.
_SMALLEST_TEXT = """() => {
  let smallest = [1000, ""];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    const element = node.parentElement;
    if (!text || !element || element.closest("script, style, option")) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const box = range.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;  // hidden, or for screen readers only
    const style = getComputedStyle(element);
    if (style.visibility === "hidden") continue;
    const size = parseFloat(style.fontSize);
    if (size < smallest[0]) smallest = [size, text.slice(0, 60)];
  }
  return smallest;
}"""


def _no_serious_findings(page: Page, size: ViewportSize, name: str) -> None:
    page.set_viewport_size(size)
    assert axe.violations(page, moderate=False) == [], (name, size)
    page.screenshot(path=screenshot_path(f"{name}-{size['width']}"), full_page=False)


def test_the_projector_mode_is_legible_marks_divergence_and_shows_roles_only(
    live_server: str, world: World, browser: Browser
) -> None:
    with api(live_server, world, who=ADMIN_A) as admin:
        r = admin.patch("/municipality/policy", json={"projector_shows_names": False})
        assert r.status_code == 200, r.text
        assert r.json()["policy"]["projector_shows_names"] is False
    with api(live_server, world) as http:
        rid = round_at_meeting(http, live_server, follow_up=True)
    page = browser.new_page(viewport=PROJECTOR)
    login(page, live_server, f"/rounds/{rid}/meeting")
    switch = page.get_by_role("button", name="Mødevisning til projektor")
    # Off by default: the caseworker's own page names everyone.
    expect(switch).to_have_attribute("aria-pressed", "false")
    expect(page.locator("table.overview thead")).to_contain_text("Ane Lund")
    # Something chosen, then straight to the switch: it is on the projected page too.
    page.select_option("select[name='official-kriminalitet']", "0")
    switch.click()
    expect(page.locator("body")).to_have_class("meeting projector")
    expect(switch).to_have_attribute("aria-pressed", "true")
    expect(page.locator("select[name='official-kriminalitet']")).to_have_value("0")

    # Nothing on screen the family should not see: the informants by their role only.
    main = page.locator("main")
    for name in ("Ane Lund", "Bo Holm"):
        expect(main).not_to_contain_text(name)
    header = page.locator("table.overview thead")
    expect(header).to_contain_text("Skole")
    expect(header).to_contain_text("Psykolog eller sundhedsplejerske")
    expect(page.locator("#attendance")).to_contain_text("Skole")

    # Read from the back of the room: no text under 20 px, at either projector size.
    for size in (PROJECTOR, SMALL_PROJECTOR):
        page.set_viewport_size(size)
        smallest, where = page.evaluate(_SMALLEST_TEXT)
        assert smallest >= 20, (size, smallest, where)
    page.set_viewport_size(PROJECTOR)

    # Divergence by shape and position as well as colour: first, a wide bar and a sign.
    first = page.locator("table.overview tbody tr").first
    expect(first).to_have_class("diverges")
    expect(first.locator("th .diverge-icon")).to_be_visible()
    bar = first.locator("th").evaluate("e => parseFloat(getComputedStyle(e).borderLeftWidth)")
    assert bar >= 10, bar
    # The lowest and highest score of the factor, marked by a sign and said in words.
    high = first.locator("td.high")
    low = first.locator("td.low")
    expect(high.first).to_contain_text("▲")
    expect(high.first).to_contain_text("højeste score")
    expect(low.first).to_contain_text("▼")
    expect(low.first).to_contain_text("laveste score")
    # The last round's official score and goal, labelled as such.
    expect(header).to_contain_text("Forrige runde (officiel): score → mål")
    expect(page.locator("section.meeting-factor .previous").first).to_contain_text(
        "Forrige runde (officiel):"
    )
    # Every factor with its marks on one screen at 1920 x 1080.
    box = page.locator("table.overview").bounding_box()
    assert box is not None and box["y"] + box["height"] <= 1080, box

    # On a smaller projector the most divergent factor still starts on the first screen.
    page.set_viewport_size(SMALL_PROJECTOR)
    page.evaluate("window.scrollTo(0, 0)")
    row = first.bounding_box()
    assert row is not None and row["y"] + 40 <= 720, row
    for size in (PROJECTOR, SMALL_PROJECTOR):
        _no_serious_findings(page, size, "meeting-projector")
    axe.check(page, "meeting, projector mode")

    # Remembered for the person: a new login finds the page in projector mode ...
    again = browser.new_page(viewport=PROJECTOR)
    login(again, live_server, f"/rounds/{rid}/meeting")
    expect(again.locator("body")).to_have_class("meeting projector")
    # ... and only for that person: the team leader's page is as it was.
    leader = browser.new_page(viewport=PROJECTOR)
    login(leader, live_server, f"/rounds/{rid}/meeting", who=LEADER_A)
    expect(leader.locator("body")).to_have_class("meeting")
    expect(leader.locator("table.overview thead")).to_contain_text("Ane Lund")
    # Switched off, the caseworker sees the names again.
    again.get_by_role("button", name="Mødevisning til projektor").click()
    expect(again.locator("body")).to_have_class("meeting")
    expect(again.locator("table.overview thead")).to_contain_text("Ane Lund")


def test_the_projector_shows_names_where_the_municipality_allows_it(
    live_server: str, world: World, browser: Browser
) -> None:
    with api(live_server, world) as http:
        rid = round_at_meeting(http, live_server)
    page = browser.new_page(viewport=PROJECTOR)
    page.context.clear_cookies()
    login(page, live_server, f"/rounds/{rid}/meeting")
    page.get_by_role("link", name="English").click()
    page.get_by_role("button", name="Projector view for the meeting").click()
    expect(page.locator("body")).to_have_class("meeting projector")
    expect(page.locator("table.overview thead")).to_contain_text("Ane Lund")
    expect(page.locator("table.overview thead")).to_contain_text(
        "Last round (official): score → goal"
    )
    smallest, where = page.evaluate(_SMALLEST_TEXT)
    assert smallest >= 20, (smallest, where)
    axe.check(page, "meeting, projector mode, English")
