"""The caseworker's and the team leader's pages: the round page on a phone, links, refused
steps that come back with their reason, confirmation before a step, and the leader's view."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, expect

from tests.factories import LEADER_A
from tests.pages import axe
from tests.pages.axe import DESKTOP, PHONE
from tests.pages.conftest import screenshot_path
from tests.pages.flows import api, new_round
from tests.pages.test_meeting import login
from tests.world import World


def test_the_round_page_on_a_phone(live_server: str, world: World, browser: Browser) -> None:
    with api(live_server, world) as http:
        rnd = new_round(http, ref="WEB-ROUND", name="Lukas")
    rid = rnd["id"]
    page = browser.new_page(viewport=PHONE)
    login(page, live_server, f"/rounds/{rid}")
    expect(page.locator("h1")).to_contain_text("Lukas")
    # Progress marked by a sign and a word, not colour alone.
    current = page.locator("ol.progress li.current")
    expect(current).to_contain_text("Nu:")
    expect(current.locator(".mark")).to_have_text("●")
    # Add an informant with a phone number and a language.
    page.select_option("select[name='role']", "father")
    page.fill("input[name='name']", "Mads Holm")
    page.fill("input[name='phone']", "+45 20 30 40 50")
    page.select_option("select[name='language']", "en")
    page.get_by_role("button", name="Tilføj").click()
    with api(live_server, world) as http:
        father = http.get(f"/rounds/{rid}/informants").json()["items"][-1]
    assert (father["phone"], father["language"]) == ("+45 20 30 40 50", "en")
    row = page.locator("tr", has_text="Mads Holm")
    expect(row).to_contain_text("Far")  # role names, never the enum value
    # A first link is "Lav link"; the table fits the phone.
    row.get_by_role("button", name="Lav link").click()
    expect(page.locator("#new-link")).to_contain_text("/l/")
    # A father scores in the family step (KL 1): his invitation waits until it opens.
    expect(page.locator("tr", has_text="Mads Holm")).to_contain_text(
        "Sendes, når dialogen med familien begynder"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=screenshot_path("round-360"), full_page=False)
    axe.check(page, "round")
    # Re-issuing a link in use warns first.
    page.locator("tr", has_text="Mads Holm").get_by_role("button", name="Lav nyt link").click()
    expect(page.locator("h1")).to_have_text("Lav et nyt link til Mads Holm?")
    expect(page.locator("main")).to_contain_text("holder op med at virke")
    axe.check(page, "confirm new link")
    page.get_by_role("button", name="Lav nyt link").click()
    expect(page.locator("#new-link")).to_contain_text("/l/")

    # A refused step comes back to the round page with the reason there.
    page.get_by_role("button", name="Luk indsamlingen").click()
    expect(page.locator("h1")).to_have_text("Luk indsamlingen for Lukas?")
    page.get_by_role("button", name="Luk indsamlingen").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Mindst én skal have sendt sin vurdering.")
    expect(page.locator("h1")).to_contain_text("Lukas")
    expect(page).to_have_title(re.compile("^Fejl: "))
    axe.check(page, "round with a refusal")

    # Cancelling asks for a reason, and the round then says "Annulleret".
    page.get_by_role("button", name="Annuller runden").click()
    page.fill("#reason", "Familien er flyttet.")
    page.get_by_role("button", name="Annuller runden").click()
    expect(page.locator("ol.progress")).to_contain_text("Annulleret")
    expect(page.locator("main")).to_contain_text("Familien er flyttet.")


def test_adding_an_informant_shows_each_fields_error_beside_it(
    live_server: str, world: World, browser: Browser
) -> None:
    with api(live_server, world) as http:
        rid = new_round(http, ref="WEB-ADD", name="Lukas")["id"]
    page = browser.new_page(viewport=PHONE)
    login(page, live_server, f"/rounds/{rid}")
    page.select_option("select[name='role']", "mother")
    page.fill("input[name='email']", "mette.holm")
    page.fill("input[name='phone']", "ring mig")
    page.get_by_role("button", name="Tilføj").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile("^Fejl: "))
    links = summary.locator("a")
    # One item per field, in the form's order, each a link to its field.
    expect(links).to_have_text(
        [
            "Skriv informantens navn.",
            "Skriv en e-mailadresse som navn@eksempel.dk, eller lad feltet stå tomt.",
            "Skriv et mobilnummer med 8 cifre, fx 20 30 40 50. Du må skrive +45 foran.",
        ]
    )
    for field, href in (("name", "#informant-name"), ("email", "#informant-email")):
        link = summary.locator(f"a[href='{href}']")
        expect(link).to_have_count(1)
        control = page.locator(href)
        expect(control).to_have_attribute("aria-invalid", "true")
        message = page.locator(f"#informant-{field}-error")
        expect(message).to_be_visible()
        expect(control).to_have_attribute("aria-describedby", f"informant-{field}-error")
    summary.locator("a[href='#informant-email']").click()
    expect(page.locator("#informant-email")).to_be_focused()
    # What was typed is still there, and the role not touched is not marked.
    expect(page.locator("#informant-email")).to_have_value("mette.holm")
    expect(page.locator("#informant-role")).to_have_value("mother")
    expect(page.locator("#informant-role")).not_to_have_attribute("aria-invalid", "true")
    axe.check(page, "add informant with errors")
    page.fill("#informant-name", "Mette Holm")
    page.fill("#informant-email", "mette@example.dk")
    page.fill("#informant-phone", "20 30 40 50")
    page.get_by_role("button", name="Tilføj").click()
    expect(page.locator(".error-summary")).to_have_count(0)
    expect(page.locator("tr", has_text="Mette Holm")).to_contain_text("Mor")


def test_a_refused_new_round_comes_back_with_what_was_typed_and_why(
    live_server: str, world: World, browser: Browser
) -> None:
    """Not a page of its own with one sentence: the case page again, each field's message
    beside it, linked from the summary, and nothing typed lost."""
    with api(live_server, world) as http:
        case = http.post(
            "/cases", json={"external_ref": "WEB-NEW", "display_name": "Ida", "birth_year": 2016}
        )
        assert case.status_code == 201, case.text
        case_id = case.json()["id"]
    page = browser.new_page(viewport=DESKTOP)
    login(page, live_server, f"/cases/{case_id}")
    form = page.locator("form[action$='/rounds']")
    summary = page.locator(".error-summary")
    # No due date at all: asked for, not "the due date must be in the future".
    form.get_by_role("button", name="Start runden").click()
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile("^Fejl: "))
    expect(summary.locator("a[href='#round-due_at']")).to_have_text("Vælg en frist for svarene.")
    # A due date in the past, and a meeting before it: each field its own message.
    page.fill("#round-due_at", "2020-03-01")
    page.fill("#round-meeting_at", "2020-02-01T10:00")
    form.get_by_role("button", name="Start runden").click()
    expect(summary.locator("a")).to_have_text(
        ["Mødet skal ligge efter fristen for svarene: scorerne kommer først."]
    )
    expect(page.locator("#round-meeting_at")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#round-due_at")).to_have_value("2020-03-01")
    expect(page.locator("#round-meeting_at")).to_have_value("2020-02-01T10:00")
    page.fill("#round-meeting_at", "")
    form.get_by_role("button", name="Start runden").click()
    expect(summary.locator("a[href='#round-due_at']")).to_have_text(
        "Fristen skal ligge efter i dag."
    )
    expect(page.locator("#round-due_at")).to_have_attribute(
        "aria-describedby", "round-due_at-error"
    )
    axe.check(page, "new round refused")
    summary.locator("a").first.click()
    expect(page.locator("#round-due_at")).to_be_focused()
    page.fill("#round-due_at", "2099-01-15")
    form.get_by_role("button", name="Start runden").click()
    expect(page).to_have_url(re.compile(r"/rounds/\d+$"))


def test_pages_of_cases_and_login(live_server: str, world: World, browser: Browser) -> None:
    with api(live_server, world) as http:
        rnd = new_round(http, ref="WEB-CASES", name="Lukas")
    page = browser.new_page(viewport=DESKTOP)
    page.goto(f"{live_server}/login")
    axe.check(page, "login")
    login(page, live_server, "/cases")
    expect(page.locator("h1")).to_have_text("Mine sager")
    # The navigation is a menu, not "Sprog"; a skip link leads to the content.
    expect(page.get_by_role("navigation")).to_have_attribute("aria-label", "Hovedmenu")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    expect(page.locator("main")).to_contain_text(re.compile(r"svar senest \d+\. \w+ \d{4}"))
    axe.check(page, "cases")
    page.goto(f"{live_server}/cases/{rnd['case_id']}")
    axe.check(page, "case")


def test_a_team_leader_sees_the_teams_cases_by_caseworker(
    live_server: str, world: World, browser: Browser
) -> None:
    with api(live_server, world) as http:
        new_round(http, ref="WEB-LEAD", name="Lukas")
    page = browser.new_page(viewport=DESKTOP)
    login(page, live_server, "/cases", who=LEADER_A)
    expect(page.locator("h1")).to_have_text("Teamets sager")
    expect(page.get_by_role("navigation").get_by_role("link").first).to_have_text("Teamets sager")
    headings = page.locator("main h2")
    expect(headings.first).to_contain_text(re.compile(r"\d+ sag(er)?"))
    expect(page.locator("main")).to_contain_text("Lukas")
    page.screenshot(path=screenshot_path("leader-cases-1280"), full_page=False)
    axe.check(page, "leader's cases")


def test_the_remaining_pages_pass_axe(live_server: str, world: World, browser: Browser) -> None:
    with api(live_server, world) as http:
        rnd = new_round(http, ref="WEB-AXE", name="Lukas")
    page = browser.new_page(viewport=DESKTOP)
    # A dead link: read by informants, so moderate findings fail too.
    page.goto(f"{live_server}/l/not-a-real-token-aaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
    expect(page.locator("h1")).to_have_text("Vi kender ikke linket")
    axe.check(page, "unknown link", moderate=True)
    login(page, live_server, f"/rounds/{rnd['id']}")
    page.get_by_role("link", name="Indtast dine egne vurderinger").click()
    expect(page.locator("fieldset.factor")).to_have_count(8)
    axe.check(page, "scores on an informant's behalf")
    page.goto(f"{live_server}/rounds/999999")
    expect(page.locator(".error-summary")).to_contain_text("Runden findes ikke.")
    axe.check(page, "a refusal")
