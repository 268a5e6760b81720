"""The family's forms: a parent reads plain words addressed to them, a father reads the
factor about the father as "you and your child", and a child answers in a ten-year-old's
words, with faces, one question a screen, comes back to where they left off, and ends on
their own thank-you page."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.factories import ADMIN_A
from tests.pages import axe
from tests.pages.axe import PHONE
from tests.pages.conftest import screenshot_path
from tests.pages.flows import api, informant_link, new_round
from tests.world import World


def test_a_father_reads_words_meant_for_him(
    live_server: str, world: World, browser: Browser
) -> None:
    # KL 3 on KL's form: the parents score independently, and the form has "Relation til far".
    with api(live_server, world, ADMIN_A) as admin:
        policy = {"procedure": "kl3", "instruments_in_use": ["kl-boern-familie"]}
        assert admin.patch("/municipality/policy", json=policy).status_code == 200, policy
    with api(live_server, world) as http:
        rnd = new_round(http, ref="WEB-FATHER", name="Lukas", instrument="kl-boern-familie")
        _, url = informant_link(http, rnd["id"], "father", "Mads Holm")
    page = browser.new_page(viewport=PHONE)
    page.goto(url)
    father = page.locator("#factor-relation_far")
    expect(father.locator(".factor-name")).to_contain_text("Dig og dit barn")
    expect(father).to_contain_text("Mit barn og jeg har et trygt og godt forhold.")
    mother = page.locator("#factor-relation_mor")
    expect(mother.locator(".factor-name")).to_contain_text("Barnet og mor")
    school = page.locator("#factor-skoleforhold")
    expect(school).to_contain_text("Mit barn kommer hver dag")
    # Not the professionals' words.
    expect(page.locator("main")).not_to_contain_text("Fremmøde, faglig udvikling")
    father.scroll_into_view_if_needed()
    page.screenshot(path=screenshot_path("parent-360"), full_page=False)
    axe.check(page, "parent's form", moderate=True)


def test_the_child_answers_in_its_own_words(
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
    expect(page.locator(".step")).to_have_text("Område 1 af 8")
    expect(page.locator("legend h1")).to_have_text(
        "Hvordan har du det, og hvordan går det med at styre dig selv?"
    )
    steps = page.locator(".big-step")
    expect(steps).to_have_count(6)  # five answers and "I don't know"
    expect(steps.first).to_contain_text("Rigtig godt")
    expect(steps.nth(4)).to_contain_text("Rigtig svært")
    expect(page.locator(".big-step svg.face")).to_have_count(5)
    expect(page.locator("main")).not_to_contain_text("problemer")
    page.locator(".step").scroll_into_view_if_needed()
    page.evaluate(
        "window.scrollBy(0, document.querySelector('.step').getBoundingClientRect().top - 8)"
    )
    page.screenshot(path=screenshot_path("child-360"), full_page=False)
    axe.check(page, "child's form", moderate=True)

    # The scale's own numbers are there too, as the meeting shows them.
    expect(page.locator(".big-step .step-mark").first).to_have_text("0")
    steps.nth(1).click()
    page.get_by_role("button", name="Næste").click()
    # Then the goal, in the same words: only as good as now or better.
    expect(page.locator(".step")).to_have_text("Område 1 af 8")
    expect(page.locator(".big-step")).to_have_count(3)
    expect(page.locator(".big-step").nth(1)).to_contain_text("Godt (som nu)")
    # Asked about the question it answered, in its words, not the professionals' name.
    legend = page.locator("legend")
    expect(legend).to_contain_text("Hvordan har du det, og hvordan går det med at styre dig selv?")
    expect(legend.locator("h1")).to_have_text("Hvordan vil du gerne have, at det er næste gang?")
    expect(page.locator("main")).not_to_contain_text("Udvikling og adfærd")
    expect(page.locator("main")).to_contain_text("Du svarede: Godt.")
    axe.check(page, "child's goal", moderate=True)
    page.locator(".big-step").first.click()
    page.get_by_role("button", name="Næste").click()
    expect(page.locator(".step")).to_have_text("Område 2 af 8")
    page.locator(".big-step").first.click()
    page.get_by_role("button", name="Næste").click()
    page.locator(".big-step").first.click()
    page.get_by_role("button", name="Næste").click()
    expect(page.locator("legend h1")).to_have_text("Hvordan går det i skolen?")
    # Coming back later: the child starts at the first question not answered.
    page.goto("about:blank")
    page.goto(url)
    expect(page.locator("legend h1")).to_have_text("Hvordan går det i skolen?")
    expect(page.locator(".step")).to_have_text("Område 3 af 8")
    page.get_by_role("button", name="Tilbage").click()
    expect(page.locator(".step")).to_have_text("Område 2 af 8")
    expect(page.locator("input[name='goal-familieforhold'][value='0']")).to_be_checked()
    page.get_by_role("button", name="Næste").click()
    for _ in range(6):
        page.locator(".big-step.skip").click()
        page.get_by_role("button", name="Næste").click()
    expect(page.locator("h1")).to_have_text("Nu har du svaret på det hele")
    page.get_by_role("button", name="Send mine svar").click()
    # The child's own thank-you page, not the adults' list of numbers.
    expect(page.locator("h1")).to_have_text("Tak, Emma!")
    expect(page.locator("dl.answers")).to_have_count(0)
    page.screenshot(path=screenshot_path("child-thanks-360"), full_page=False)
    axe.check(page, "child's thank-you", moderate=True)


def test_the_child_counts_areas_and_no_question_is_skipped_in_silence(
    live_server: str, world: World, browser: Browser
) -> None:
    """The count stays "Område n af 8" through the goals; "Næste" with nothing chosen keeps
    the child on the question; the last screen lists what is left, in the child's words."""
    with api(live_server, world, ADMIN_A) as admin:
        assert admin.patch("/municipality/policy", json={"procedure": "kl3"}).status_code == 200
    with api(live_server, world) as http:
        rnd = new_round(http, ref="WEB-CHILD-COUNT")
        _, url = informant_link(http, rnd["id"], "child", "Emma")
    page = browser.new_page(viewport=PHONE)
    page.goto(url)
    question = "Hvordan har du det, og hvordan går det med at styre dig selv?"
    expect(page.locator(".step")).to_have_text("Område 1 af 8")

    # Nothing chosen: the same question again, with a message the child understands.
    page.get_by_role("button", name="Næste").click()
    expect(page.locator("legend h1")).to_have_text(question)
    expect(page.locator(".step")).to_have_text("Område 1 af 8")
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator("#error-child")).to_contain_text("Du har ikke valgt et svar endnu")
    expect(page.locator("main")).not_to_contain_text("Vælg et punkt")
    axe.check(page, "child's question not answered", moderate=True)

    # The goal belongs to its area: the count does not move until the next area.
    page.locator(".big-step").nth(1).click()
    page.get_by_role("button", name="Næste").click()
    expect(page.locator("legend h1")).to_have_text(
        "Hvordan vil du gerne have, at det er næste gang?"
    )
    expect(page.locator(".step")).to_have_text("Område 1 af 8")
    page.locator(".big-step").first.click()
    page.get_by_role("button", name="Næste").click()
    expect(page.locator(".step")).to_have_text("Område 2 af 8")
    # "Det ved jeg ikke", chosen on purpose, is an answer: on to the next area.
    page.locator(".big-step.skip").click()
    page.get_by_role("button", name="Næste").click()
    expect(page.locator(".step")).to_have_text("Område 3 af 8")

    # The last screen, reached with six areas left, lists them in the child's words.
    page.goto(f"{url}?q=10")
    expect(page.locator("h1")).to_have_text("Du mangler at svare på 6 spørgsmål")
    expect(page.locator("main")).not_to_contain_text("Nu har du svaret på det hele")
    left = page.locator(".child-missing a")
    expect(left).to_have_count(6)
    expect(left.first).to_have_text("Hvordan går det i skolen?")
    expect(page.get_by_role("button", name="Send mine svar")).to_have_count(0)
    axe.check(page, "child's last screen with questions left", moderate=True)
    page.screenshot(path=screenshot_path("child-missing-360"), full_page=False)
    left.first.click()
    expect(page.locator("legend h1")).to_have_text("Hvordan går det i skolen?")
    expect(page.locator(".step")).to_have_text("Område 3 af 8")
