"""The administrator's sign-in page, the login page's email step, and a sign-in refused, in a
real browser; axe-clean."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, expect

from tests.factories import ADMIN_A, CW_A
from tests.pages import axe
from tests.pages.test_meeting import login


def test_the_administrator_sets_the_provider_on_its_page(
    live_server: str, browser: Browser
) -> None:
    page = browser.new_page(viewport=axe.DESKTOP)
    login(page, live_server, "/identity-provider", who=ADMIN_A)
    expect(page.get_by_role("heading", level=1)).to_have_text("Log ind gennem kommunen")
    axe.check(page, "the identity provider, not yet set")
    page.get_by_label("Udsteder (udbyderens adresse)").fill("https://login.example.dk/aarhus")
    page.get_by_label("Klient-id").fill("konsensus")
    page.get_by_label("Klienthemmelighed").fill("en-hemmelighed-til-testen")
    page.get_by_label("Maildomæner for arbejdsmails").fill("aarhus.example.dk")
    page.get_by_label("Gruppe 1").fill("Konsensus-Sagsbehandlere")
    page.locator("#team_0").select_option(label="Team Nord")
    page.get_by_role("button", name="Gem").click()
    expect(page.get_by_text("http://127.0.0.1")).to_have_count(4)
    expect(page.get_by_label("Gruppe 1")).to_have_value("Konsensus-Sagsbehandlere")
    axe.check(page, "the identity provider, set")


def test_the_login_asks_for_the_password_when_no_provider_serves_the_email(
    live_server: str, browser: Browser
) -> None:
    page = browser.new_page(viewport=axe.DESKTOP)
    page.goto(f"{live_server}/login")
    page.fill("#username", CW_A)
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("alert")).to_contain_text("Skriv også din adgangskode")
    axe.check(page, "the login page, the password asked for")
    page.goto(f"{live_server}/login/oidc/callback?code=x&state=y")
    expect(page.get_by_role("alert")).to_contain_text("kunne ikke bekræftes")
    expect(page.get_by_role("link", name="Tilbage til log ind")).to_have_attribute(
        "href", re.compile("/login$")
    )
    axe.check(page, "a sign-in refused")
