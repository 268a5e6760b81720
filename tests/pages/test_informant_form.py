"""The teacher's form behind the personal link, on a phone: nothing typed is lost (a draft
keeps anything, the form saves as the person goes and says how far they got), errors are
found where they are, and filling it in takes few taps."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Browser, Dialog, Page, Route, expect
from playwright.sync_api import Error as PlaywrightError

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

    # A goal before its score: a draft keeps it.
    page.locator("input[name='score-udvikling_adfaerd'][value='2']").check()
    page.locator("input[name='goal-familieforhold'][value='1']").check()
    # The original Århus form has no comment box with each score (free_text_per_factor).
    expect(page.locator("textarea[name^='comment-']")).to_have_count(0)
    page.get_by_role("button", name="Gem kladde").click()
    expect(page.locator("#save-status")).to_contain_text("Vi har gemt din kladde")
    page.goto(url)
    expect(page.locator("input[name='score-udvikling_adfaerd'][value='2']")).to_be_checked()
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
    expect(summary.locator("li")).to_have_count(7)
    expect(summary.locator("a").first).to_have_text(
        "Familieforhold: Vælg et punkt, eller marker at du ikke kan vurdere det."
    )
    expect(page.locator("[role=alert]")).to_have_count(1)  # one announcement, not seven
    expect(page.locator("#error-kriminalitet")).to_contain_text("Vælg et punkt")
    expect(page.locator("input[name='score-familieforhold'][value='3']")).to_have_attribute(
        "aria-invalid", "true"
    )
    axe.check(page, "informant form with errors", moderate=True)
    summary.locator("a").first.click()
    expect(page.locator("#score-familieforhold")).to_be_focused()

    page.locator("input[name='goal-udvikling_adfaerd'][value='1']").check()
    page.locator("input[name='score-familieforhold'][value='1']").check()
    for key in FACTORS[2:]:
        page.locator(f"input[name='score-{key}'][value='na']").check()
    # "Cannot assess" has no goal to propose.
    expect(page.locator("[data-goal-for='score-kriminalitet']")).to_be_hidden()
    page.get_by_role("button", name="Send vurderingen").click()
    expect(page.locator(".notice.success h2")).to_have_text("Tak for din vurdering")
    expect(page.locator(".notice.success")).to_be_focused()
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


def test_switching_language_or_leaving_loses_nothing_just_chosen(
    live_server: str, world: World, browser: Browser
) -> None:
    """A score chosen a moment before the language link is clicked is on the page in the
    other language: the form saves first, then goes. (Sent as the page was left, the save
    would come after the page it must show.) Leaving with anything unsaved asks first."""
    page, url = _open(live_server, world, browser, ref="WEB-LANG")
    # Saves are held back for a while, as on a slow phone connection.
    held: list[str] = []

    def slowly(route: Route) -> None:
        if route.request.method == "POST":
            held.append(route.request.method)
            time.sleep(0.6)
        route.continue_()

    page.route(lambda address: address == url, slowly)
    page.locator("input[name='score-skoleforhold'][value='3']").check()
    page.locator("input[name='score-familieforhold'][value='1']").check()
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("input[name='score-skoleforhold'][value='3']")).to_be_checked()
    expect(page.locator("input[name='score-familieforhold'][value='1']")).to_be_checked()
    assert held, "the form did not save on the way"
    page.unroute(lambda address: address == url)

    # Leaving with a change not saved yet asks first; staying keeps it.
    asked: list[str] = []

    def stay(dialog: Dialog) -> None:
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    page.locator("input[name='score-kriminalitet'][value='2']").check()
    with pytest.raises(PlaywrightError, match="ERR_ABORTED"):  # stayed
        page.goto("about:blank")
    assert asked == ["beforeunload"], asked
    expect(page.locator("input[name='score-kriminalitet'][value='2']")).to_be_checked()


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


def _top(page: Page, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return float(box["y"])


def test_the_introduction_is_short_and_the_rest_one_click_away(
    live_server: str, world: World, browser: Browser
) -> None:
    """On a 360 px phone the first question starts on the first screen: the deadline and who
    sees the answers stay in view, why we ask and the rights are behind a disclosure."""
    page, _ = _open(live_server, world, browser, ref="WEB-INTRO")
    first = _top(page, "fieldset.factor")
    print(f"first question at 360 px starts {first:.0f} px down")
    assert first < 780, first  # within the phone's first screen (780 px high)
    intro = page.locator(".intro")
    expect(intro.locator(".due")).to_be_visible()
    expect(intro.locator(".due")).to_contain_text("Svar senest")
    expect(intro.locator(".who-sees-short")).to_have_text(
        "Du svarer alene. Ingen ser dine svar, før indsamlingen er lukket."
    )
    rights = intro.locator(".rights")
    expect(rights).to_be_hidden()
    expect(intro.locator(".who-sees")).to_be_hidden()
    intro.get_by_text("Hvem ser dine svar, hvorfor vi spørger, og dine rettigheder").click()
    expect(rights).to_be_visible()
    expect(rights).to_contain_text("Datatilsynet")
    expect(intro.locator(".who-sees")).to_contain_text("Du svarer alene")
    axe.check(page, "informant form with the introduction opened", moderate=True)


def test_after_sending_the_confirmation_is_at_the_top_with_the_focus(
    live_server: str, world: World, browser: Browser
) -> None:
    page, _ = _open(live_server, world, browser, ref="WEB-SENT")
    for key in FACTORS:
        page.locator(f"input[name='score-{key}'][value='na']").check()
    page.get_by_role("button", name="Send vurderingen").click()
    confirmation = page.locator(".notice.success")
    expect(confirmation).to_be_focused()
    expect(confirmation.locator("h2")).to_have_text("Tak for din vurdering")
    top = _top(page, ".notice.success")
    print(f"the thanks at 360 px start {top:.0f} px down")
    assert top < 300, top
    # Sent: no deadline and no introduction any more.
    expect(page.locator("main")).not_to_contain_text("Svar senest")
    expect(page.locator(".due")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text("beder dig vurdere")
    axe.check(page, "informant form sent", moderate=True)


def test_only_allowed_goals_are_offered(live_server: str, world: World, browser: Browser) -> None:
    """The goal may not be worse than the score: only those goals are offered, as the
    score is chosen and changed (0 is best on the Århus scale)."""
    page, _ = _open(live_server, world, browser, ref="WEB-GOALS")
    goals = "#factor-udvikling_adfaerd fieldset.goal"
    page.locator("input[name='score-udvikling_adfaerd'][value='2']").check()
    for value, shown in (("0", True), ("1", True), ("2", True), ("3", False), ("4", False)):
        chip = page.locator(f"{goals} input[value='{value}']")
        expect(chip).to_be_visible() if shown else expect(chip).to_be_hidden()
    page.locator("input[name='goal-udvikling_adfaerd'][value='2']").check()
    note = page.locator(f"{goals} .goal-reset")
    expect(note).to_be_empty()
    # A better score takes the now worse goal away, says "no proposal" instead, and tells.
    page.locator("input[name='score-udvikling_adfaerd'][value='1']").check()
    expect(page.locator(f"{goals} input[value='2']")).to_be_hidden()
    expect(page.locator(f"{goals} input[value='']")).to_be_checked()
    expect(note).to_have_text(
        "Det mål, du havde valgt, er dårligere end den nye score, så det er fjernet. "
        "Vælg et nyt mål."
    )
    page.locator("input[name='goal-udvikling_adfaerd'][value='1']").check()
    expect(note).to_be_empty()
    page.locator("input[name='score-udvikling_adfaerd'][value='4']").check()
    expect(page.locator(f"{goals} input[value='4']")).to_be_visible()
    axe.check(page, "informant form with goals offered", moderate=True)


def test_without_the_script_an_error_sits_directly_above_its_field(
    live_server: str, world: World, browser: Browser
) -> None:
    """The form works without JavaScript: a worse goal is refused on sending, with the
    message right above the goals, and the summary's link keeps the message in view."""
    with api(live_server, world) as http:
        rnd = new_round(http, ref="WEB-NOJS")
        _, url = informant_link(http, rnd["id"], "school", "Ane Lund")
    page = browser.new_context(viewport=PHONE, java_script_enabled=False).new_page()
    page.goto(url)
    page.locator("input[name='score-udvikling_adfaerd'][value='1']").check()
    page.locator("input[name='goal-udvikling_adfaerd'][value='3']").check()
    for key in FACTORS[1:]:
        page.locator(f"input[name='score-{key}'][value='na']").check()
    page.get_by_role("button", name="Send vurderingen").click()
    error = page.locator("#error-udvikling_adfaerd")
    expect(error).to_have_text(re.compile("Målet må ikke være dårligere end vurderingen"))
    goals = page.locator("#factor-udvikling_adfaerd fieldset.goal")
    expect(goals.locator("#error-udvikling_adfaerd")).to_have_count(1)
    above = error.bounding_box()
    chips = goals.locator(".chips").bounding_box()
    assert above is not None and chips is not None
    gap = chips["y"] - (above["y"] + above["height"])
    print(f"goal error ends {gap:.0f} px above the goals")
    assert 0 <= gap < 24, gap
    page.locator(".error-summary a").first.click()
    expect(page.locator("#goal-udvikling_adfaerd")).to_be_focused()
    shown = error.bounding_box()
    assert shown is not None and shown["y"] >= 0, shown  # not scrolled off the top
    # Nothing typed is lost: the refused goal comes back as it was.
    expect(page.locator("input[name='goal-udvikling_adfaerd'][value='3']")).to_be_checked()
