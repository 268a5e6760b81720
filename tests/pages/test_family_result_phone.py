"""The family's result on a 360 px phone, after two rounds, so that their progress is shown:
the result's cards on top, every chart drawn for the phone's width with no text under 12 px,
every table as cards, and nothing wider than the screen."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.pages import axe
from tests.pages.axe import PHONE
from tests.pages.conftest import screenshot_path
from tests.pages.flows import (
    FACTORS,
    _submit_all,
    api,
    complete_round,
    everyone_present,
    hear_family,
    informant_link,
    new_round,
)
from tests.pages.test_family_result_browser import MOTHER, _send
from tests.world import World

#: The smallest text a person can see on the page, in CSS pixels as drawn: an SVG's text is
#: drawn at its font size times the SVG's scale. With the text it is in.
_SMALLEST_TEXT = """() => {
  let smallest = [1000, ""];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    const element = node.parentElement;
    if (!text || !element || element.closest("script, style, title")) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const box = range.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;  // hidden, or for screen readers only
    let size = parseFloat(getComputedStyle(element).fontSize);
    const svg = element.closest("svg");
    if (svg && svg.viewBox.baseVal && svg.viewBox.baseVal.width) {
      size *= svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    }
    if (size < smallest[0]) smallest = [size, text.slice(0, 60)];
  }
  return smallest;
}"""

#: Whatever reaches past the screen's right edge, or is cut off inside its own box.
_OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  if (document.documentElement.scrollWidth > width) out.push(["page", document.documentElement.scrollWidth]);
  for (const e of document.querySelectorAll("main *")) {
    const box = e.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || e.closest(".visually-hidden, thead")) continue;
    if (box.right > width + 0.5) out.push([e.tagName + "." + e.className, Math.round(box.right)]);
  }
  for (const e of document.querySelectorAll(".table-wrap")) {
    if (e.scrollWidth > e.clientWidth + 1) out.push(["cut off", e.getAttribute("aria-label") || e.getAttribute("aria-labelledby")]);
  }
  return out.slice(0, 10);
}"""


def _two_rounds(base: str, world: World) -> str:
    """A case with two completed rounds (KL 1), the mother scoring in the second; her link."""
    with api(base, world) as http:
        first = new_round(http, ref="WEB-PHONE", name="Emma")
        _submit_all(http, base, int(first["id"]))
        complete_round(http, int(first["id"]), [3, 3, 2, 2, 3, 1, 2, 1])
        rid = int(new_round(http, ref="WEB-PHONE", case_id=int(first["case_id"]))["id"])
        _, mother = informant_link(http, rid, "mother", "Lene Berg")
        _submit_all(http, base, rid)
        official = [
            {"factor_key": k, "score": v, "goal": max(v - 1, 0), "rationale": "Drøftet."}
            for k, v in zip(FACTORS, [2, 3, 1, 1, 2, 0, 2, 0], strict=True)
        ]
        r = http.put(f"/rounds/{rid}/official-scores", json={"scores": official})
        assert r.status_code == 200, r.text
        everyone_present(http, rid)
        r = http.post(f"/rounds/{rid}/transitions", json={"event": "finish_consensus"})
        assert r.status_code == 200, r.text
        _send(base, mother, MOTHER)
        hear_family(http, rid)
        r = http.post(f"/rounds/{rid}/transitions", json={"event": "finish_family_dialogue"})
        assert r.status_code == 200, r.text
        assert http.get(f"/rounds/{rid}").json()["state"] == "completed"
    return mother


def _check_phone(page: Page, name: str) -> None:
    smallest, where = page.evaluate(_SMALLEST_TEXT)
    assert smallest >= 12, (name, smallest, where)
    assert page.evaluate(_OVERFLOW) == [], name


def test_the_familys_result_fits_a_phone_with_every_chart_readable(
    live_server: str, world: World, browser: Browser
) -> None:
    mother = _two_rounds(live_server, world)
    page = browser.new_page(viewport=PHONE)
    page.goto(mother)
    result = page.locator(".family-result")
    progress = page.locator(".progress-view")
    expect(progress).to_be_visible()
    # The result's cards first, the progress under them.
    cards = result.locator("table.stack").first
    expect(cards.locator("tbody tr").first).to_have_css("display", "block")
    top = cards.bounding_box()
    below = progress.bounding_box()
    assert top is not None and below is not None and top["y"] < below["y"]
    # Every chart in its phone-sized drawing; the tables beside them as cards too.
    expect(progress.locator(".chart-wide").first).to_be_hidden()
    expect(progress.locator(".chart-narrow svg")).to_have_count(9)  # the star, 8 factors
    for table in progress.locator("table").all():
        expect(table.locator("tbody tr").first).to_have_css("display", "block")
    _check_phone(page, "family result")
    height = page.evaluate("document.documentElement.scrollHeight")
    print(f"family result at 360 px: {height} px long")
    page.screenshot(path=screenshot_path("family-result-phone-360"), full_page=True)
    axe.check(page, "family result with progress, phone", moderate=True)
    # In English, and wider than a phone the wide charts are back.
    page.goto(f"{mother}?lang=en")
    _check_phone(page, "family result, English")
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(progress.locator(".chart-wide").first).to_be_visible()
    expect(progress.locator(".chart-narrow").first).to_be_hidden()
    page.close()
