"""The session form on a 360 px phone, with the keyboard alone: one screen, eleven points on
each line within reach, no sideways scrolling, axe clean; the provider's series; and a
municipality's own forms on their shorter line."""

from __future__ import annotations

from datetime import date

from playwright.sync_api import Browser, expect

from tests.factories import ADMIN_A
from tests.pages import axe
from tests.pages.axe import PHONE
from tests.pages.flows import api
from tests.sessions_helpers import LICENSED
from tests.world import World


def test_a_young_person_answers_on_a_phone_with_the_keyboard(
    live_server: str, world: World, browser: Browser
) -> None:
    with api(live_server, world) as http:
        case = http.post(
            "/cases", json={"external_ref": "FIT-1", "display_name": "Mads", "birth_year": 2011}
        ).json()
        measure = http.post(
            f"/cases/{case['id']}/measures",
            json={"type": "home_based_support", "start_date": date.today().isoformat()},
        ).json()
        young, provider = (
            http.post(
                f"/cases/{case['id']}/session-links",
                json={"measure_id": measure["id"], "holder": holder, "label": label},
            ).json()["url"]
            for holder, label in (("young_person", "Mads"), ("provider", "Familiehuset"))
        )
    page = browser.new_page(viewport=PHONE)
    page.goto(young)
    axe.check(page, "session form start", moderate=True)
    page.get_by_role("link", name="Før samtalen: Hvordan har du det?").click()
    expect(page.locator("fieldset.session-item")).to_have_count(4)
    axe.check(page, "session form", moderate=True)
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= PHONE["width"], wide
    target = page.locator(".session-point").first.bounding_box()
    assert target is not None and target["width"] >= 24 and target["height"] >= 24
    # Keyboard alone: into the first line, an arrow key moves along it, Tab to the next line.
    page.locator("#answer-myself").focus()
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    for item in ("family", "daily_life", "overall"):
        page.keyboard.press("Tab")
        expect(page.locator(f"#answer-{item}")).to_be_focused()
        page.keyboard.press("ArrowRight")
    expect(page.locator("input[name='answer-myself']:checked")).to_have_value("4")
    page.get_by_role("button", name="Send mine svar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tak for dine svar")

    page.goto(provider)
    expect(page.locator("svg.session-chart")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(1)
    axe.check(page, "session series for the provider", moderate=True)


def test_a_municipalitys_own_forms_on_a_phone(
    live_server: str, world: World, browser: Browser
) -> None:
    with api(live_server, world, ADMIN_A) as admin:
        assert admin.post("/municipality/session-forms", json=LICENSED).status_code == 201
    with api(live_server, world) as http:
        case = http.post(
            "/cases", json={"external_ref": "FIT-2", "display_name": "Sara", "birth_year": 2010}
        ).json()
        measure = http.post(
            f"/cases/{case['id']}/measures",
            json={"type": "home_based_support", "start_date": date.today().isoformat()},
        ).json()
        young = http.post(
            f"/cases/{case['id']}/session-links",
            json={"measure_id": measure["id"], "label": "Sara"},
        ).json()["url"]
    page = browser.new_page(viewport=PHONE)
    page.goto(young + "?form=outcome")
    expect(page.get_by_role("heading", level=1)).to_have_text("Trivsel (da)")
    expect(page.locator("fieldset.session-item")).to_have_count(3)
    expect(page.locator("input[name='answer-self']")).to_have_count(5)
    axe.check(page, "the municipality's own session form", moderate=True)
    for item in ("self", "close", "social"):
        page.locator(f"input[name='answer-{item}'][value='4']").check()
    page.get_by_role("button", name="Send mine svar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tak for dine svar")
