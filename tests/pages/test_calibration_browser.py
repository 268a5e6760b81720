"""The calibration pages in a real browser, on the demo data, checked by axe-core: the list,
the open vignette's form and the closed one's results."""

from __future__ import annotations

from playwright.sync_api import Browser
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
