"""The child's plan in a real browser: a row made on the plan page beside the goal it serves,
its status followed at the next round, the printed plan without notes, the round's page with
the plan's rows per factor, and who does what on an informant's link; axe-clean."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.pages import axe
from tests.pages.flows import api, informant_link, new_round
from tests.pages.test_daily_work import completed_round
from tests.pages.test_meeting import login
from tests.world import World


def test_a_plan_row_from_the_page_to_the_round_and_the_link(
    live_server: str, world: World, browser: Browser
) -> None:
    with api(live_server, world) as http:
        case = http.post(
            "/cases", json={"external_ref": "WEB-PLAN", "display_name": "Lasse", "birth_year": 2015}
        )
        case_id = int(case.json()["id"])
        completed_round(http, live_server, case_id)
        follow_up = int(new_round(http, case_id=case_id)["id"])
        _, link = informant_link(http, follow_up, "school", "Hanne Lund")

    page = browser.new_page(viewport=axe.DESKTOP)
    login(page, live_server, f"/cases/{case_id}/plan")
    expect(page.locator("h1")).to_have_text("Barnets plan")
    expect(page.get_by_text("Planen har ingen linjer endnu.")).to_be_visible()
    axe.check(page, "the child's plan, empty")
    page.fill("#new-situation", "Lasse kommer i skole uden madpakke og er sulten.")
    page.fill("#new-desired", "At han bliver mæt.")
    page.fill("#new-means", "En madmakker i klassen.")
    page.fill("#new-actor", "Klasselærer Hanne")
    page.select_option("#new-role", "school")
    page.fill("#new-external", "Penge til brød og pålæg.")
    page.locator("#new-row ~ form").get_by_label("Skoleforhold").check()
    page.get_by_role("button", name="Tilføj linjen").click()
    goals = page.locator("table").first
    expect(goals.locator("tr", has_text="Skoleforhold")).to_contain_text(
        "Klasselærer Hanne: En madmakker i klassen."
    )
    page.get_by_label("Status ved runden nu").select_option("under_way")
    page.get_by_label("Note til medarbejdere").fill("Madpakken kommer tre dage om ugen.")
    page.get_by_role("button", name="Gem status").click()
    expect(page.locator("section.plan-row")).to_contain_text("I gang")
    axe.check(page, "the child's plan, a row followed")

    page.goto(f"{live_server}/cases/{case_id}/plan/print")
    expect(page.locator("h1")).to_have_text("Barnets plan for Lasse")
    expect(page.locator("main")).not_to_contain_text("tre dage om ugen")
    axe.check(page, "the child's plan, printed")

    page.goto(f"{live_server}/rounds/{follow_up}")
    expect(page.locator("#plan")).to_have_text("Barnets plan ved runden")
    expect(page.locator("main")).to_contain_text("En madmakker i klassen. (I gang)")
    axe.check(page, "a round with the child's plan")

    informant = browser.new_page(viewport=axe.PHONE)
    informant.goto(link)
    section = informant.locator("section", has=informant.locator("#who-does-what"))
    expect(section).to_contain_text("Klasselærer Hanne: En madmakker i klassen.")
    expect(section).not_to_contain_text("sulten")
    axe.check(informant, "an informant's form with who does what", moderate=True)
