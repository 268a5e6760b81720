"""The calibration pages in a real browser, on the demo data, checked by axe-core: the list,
the open vignette's form and the closed one's results; and the organiser's forms."""

from __future__ import annotations

from playwright.sync_api import Browser, expect
from sqlalchemy import Engine

from service.demo import demo_logins, load_demo
from tests.pages import axe


def test_the_calibration_pages(live_server: str, engine: Engine, browser: Browser) -> None:
    load_demo(engine)
    caseworker = next(login for login in demo_logins() if login.role == "caseworker")
    page = browser.new_page(viewport=axe.DESKTOP)
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", caseworker.username)
    page.fill("input[name=password]", caseworker.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/cases")
    page.click("nav.staff-nav >> text=Kalibrering")
    page.wait_for_url(f"{live_server}/calibration")
    axe.check(page, "calibration")

    page.click("text=Fælles kalibrering: Oskar")
    assert page.locator("fieldset.factor").count() == 10
    axe.check(page, "calibration: scoring a vignette")

    page.goto(f"{live_server}/calibration")
    page.click("text=Fælles kalibrering: Mathilde")
    assert page.locator("section.calibration-factor").count() == 10
    axe.check(page, "calibration: results")

    # The team leader organises: an exercise refused, a vignette's form.
    leader = next(login for login in demo_logins() if login.role == "team_leader")
    page = browser.new_page(viewport=axe.DESKTOP)
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", leader.username)
    page.fill("input[name=password]", leader.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/cases")
    page.goto(f"{live_server}/calibration")
    page.get_by_role("button", name="Åbn øvelsen").click()
    # No title and no closing day: both refused, in the error summary and beside the fields.
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Skriv øvelsens navn")
    expect(summary).to_contain_text("Vælg den dag, øvelsen lukker.")
    axe.check(page, "calibration: opening an exercise, refused")

    page.get_by_role("link", name="Skriv en ny vignet").click()
    axe.check(page, "calibration: choosing the vignette's form")
    page.get_by_role("button", name="Fortsæt").click()
    expect(page.locator("fieldset.factor")).to_have_count(10)
    page.get_by_role("button", name="Gem vignetten").click()
    expect(page.locator("#error-summary")).to_be_visible()
    axe.check(page, "calibration: writing a vignette, refused")
