"""The teacher's form behind the personal link, on a phone: nothing typed is lost (a draft
keeps anything, the form saves as the person goes and says how far they got), errors are
found where they are, and filling it in takes few taps."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.pages import axe
from tests.pages.axe import DESKTOP, PHONE
from tests.pages.conftest import screenshot_path
from tests.pages.flows import FACTORS, api, informant_link, new_round
from tests.world import World


def _open(live_server: str, world: World, browser: Browser, ref: str = "WEB-1") -> tuple[Page, str]:
    with api(live_server, world) as http:
        rnd = new_round(http, ref=ref)
        _, url = informant_link(http, rnd["id"], "school", "Ane Lund")
    page = browser.new_context(viewport=PHONE).new_page()
    page.goto(url)
    return page, url


def test_a_draft_keeps_everything_and_submitting_finds_the_errors(
    live_server: str, world: World, browser: Browser
) -> None:
    page, url = _open(live_server, world, browser)
    expect(page.locator("h1")).to_have_text("Vurdering af Emmas trivsel")
    expect(page.locator(".intro")).to_contain_text("Du svarer alene")
    # Which end is best, and what a goal is.
    expect(page.locator(".scale-help")).to_contain_text("0 (Ingen problemer) er bedst")
    expect(page.locator("#factor-udvikling_adfaerd fieldset.goal legend")).to_contain_text(
        "næste opfølgning"
    )
    expect(page.locator("fieldset.factor")).to_have_count(8)
    expect(page.locator("#factor-udvikling_adfaerd .point-text").first).to_be_visible()
    page.screenshot(path=screenshot_path("informant-360"), full_page=False)
    axe.check(page, "informant form", moderate=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # A goal worse than its score, and a goal before its score: a draft keeps both.
    page.locator("input[name='score-udvikling_adfaerd'][value='2']").check()
    page.locator("input[name='goal-udvikling_adfaerd'][value='3']").check()
    page.locator("input[name='goal-familieforhold'][value='1']").check()
    # The original Århus form has no comment box with each score (free_text_per_factor).
    expect(page.locator("textarea[name^='comment-']")).to_have_count(0)
    page.get_by_role("button", name="Gem kladde").click()
    expect(page.locator("#save-status")).to_contain_text("Vi har gemt din kladde")
    page.goto(url)
    expect(page.locator("input[name='goal-udvikling_adfaerd'][value='3']")).to_be_checked()
    expect(page.locator("input[name='goal-familieforhold'][value='1']")).to_be_checked()
    # On return it says how far they got, with Babel's plural and a full date.
    expect(page.locator("#save-status")).to_contain_text(
        "Du har svaret på 1 af 8. 7 områder mangler."
    )
    expect(page.locator("#save-status")).to_contain_text(re.compile(r"Sidst gemt \w+dag den \d+\."))

    # Submitting finds every problem at once: a summary at the top that takes the focus,
    # "Fejl:" in the title, each message beside its own field, links to the fields.
    page.get_by_role("button", name="Send vurderingen").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Fejl: "))
    expect(summary.locator("li")).to_have_count(8)
    expect(summary.locator("a").first).to_have_text(
        "Udvikling og adfærd: Målet må ikke være dårligere end vurderingen."
    )
    expect(page.locator("[role=alert]")).to_have_count(1)  # one announcement, not eight
    expect(page.locator("#error-kriminalitet")).to_contain_text("Vælg et punkt")
    expect(page.locator("input[name='goal-udvikling_adfaerd'][value='3']")).to_have_attribute(
        "aria-invalid", "true"
    )
    axe.check(page, "informant form with errors", moderate=True)
    summary.locator("a").first.click()
    expect(page.locator("#goal-udvikling_adfaerd")).to_be_focused()

    page.locator("input[name='goal-udvikling_adfaerd'][value='1']").check()
    page.locator("input[name='score-familieforhold'][value='1']").check()
    for key in FACTORS[2:]:
        page.locator(f"input[name='score-{key}'][value='na']").check()
    # "Cannot assess" has no goal to propose.
    expect(page.locator("[data-goal-for='score-kriminalitet']")).to_be_hidden()
    page.get_by_role("button", name="Send vurderingen").click()
    expect(page.locator(".notice.success h2")).to_have_text("Tak for din vurdering")
    expect(page.locator("dl.answers")).to_contain_text(
        "2 Moderate problemer. Mål: 1 Lette problemer"
    )
    expect(page.locator("form[data-autosave]")).to_have_count(0)
    page.screenshot(path=screenshot_path("informant-submitted-360"), full_page=False)
    axe.check(page, "informant form submitted", moderate=True)


def test_the_form_saves_as_the_person_goes(
    live_server: str, world: World, browser: Browser
) -> None:
    page, url = _open(live_server, world, browser, ref="WEB-AUTO")
    page.locator("input[name='score-skoleforhold'][value='3']").check()
    # No button pressed: the script saved it, and says so.
    expect(page.locator("#save-status")).to_contain_text("Du har svaret på 1 af 8", timeout=10000)
    page.goto("about:blank")
    page.goto(url)
    expect(page.locator("input[name='score-skoleforhold'][value='3']")).to_be_checked()


def test_the_teachers_form_takes_few_taps_on_a_phone(
    live_server: str, world: World, browser: Browser
) -> None:
    """A score and a goal on every factor, then submit: one tap each. The figures go to the
    test's output."""
    page, _ = _open(live_server, world, browser, ref="WEB-TAPS")
    height = page.evaluate("document.documentElement.scrollHeight")
    taps = 0
    for key in FACTORS:
        page.locator(f"input[name='score-{key}'][value='2']").click()
        page.locator(f"input[name='goal-{key}'][value='1']").click()
        taps += 2
    page.get_by_role("button", name="Send vurderingen").click()
    taps += 1
    expect(page.locator(".notice.success h2")).to_have_text("Tak for din vurdering")
    print(f"teacher's form at 360 px: {taps} taps, {height} px high")
    assert taps == 2 * len(FACTORS) + 1
    assert height < 8820  # the form's height before the goal became one tap


def test_the_form_in_english_on_a_desktop(live_server: str, world: World, browser: Browser) -> None:
    with api(live_server, world) as http:
        rnd = new_round(http, ref="WEB-EN", name="Lukas")
        _, url = informant_link(http, rnd["id"], "daycare", "Sif Holm")
    page = browser.new_page(viewport=DESKTOP)
    page.goto(url)
    expect(page.locator("h1")).to_have_text("Vurdering af Lukas' trivsel")
    page.get_by_role("link", name="English").click()
    expect(page.locator(".intro")).to_contain_text("You answer on your own")
    expect(page.locator(".intro")).to_contain_text(re.compile(r"\w+day, \w+ \d+, \d{4} at "))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.screenshot(path=screenshot_path("informant-1280"), full_page=False)
    axe.check(page, "informant form in English", moderate=True)
