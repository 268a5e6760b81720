"""The follow-up cadence in a real browser: the administrator's standard page, a case's
cadence page where the caseworker declines a provider's request, and the team leader's
approval of fewer follow-ups on the cases page; axe-clean."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import Browser, expect

from tests.factories import ADMIN_A, LEADER_A
from tests.pages import axe
from tests.pages.flows import api
from tests.pages.test_daily_work import completed_round
from tests.pages.test_meeting import login
from tests.world import World


def test_a_standard_a_deviation_and_a_request_on_the_pages(
    live_server: str, world: World, browser: Browser
) -> None:
    with api(live_server, world, ADMIN_A) as admin:
        assert admin.post("/municipality/cadence-standard", json={"based_on": "herning"}).is_success
    with api(live_server, world) as http:
        case = http.post(
            "/cases", json={"external_ref": "WEB-CAD", "display_name": "Sofie", "birth_year": 2014}
        )
        case_id = int(case.json()["id"])
        r = http.post(
            f"/cases/{case_id}/measures",
            json={
                "type": "foster_care",
                "category": "placement_with_consent",
                "start_date": date.today().isoformat(),
            },
        )
        assert r.status_code == 201, r.text
        rid = completed_round(http, live_server, case_id)
        due = date.fromisoformat(http.get(f"/rounds/{rid}").json()["next_due_on"])
        r = http.post(
            f"/cases/{case_id}/cadence-deviations",
            json={
                "planned_on": (due + timedelta(days=30)).isoformat(),
                "reason_code": "long_term_foster_care",
            },
        )
        assert r.json()["state"] == "pending", r.text
        r = http.post(
            f"/cases/{case_id}/follow-up-requests",
            json={"provider_name": "Plejefamilien Holm", "reason": "Sofie vil ikke i skole."},
        )
        assert r.status_code == 201, r.text

    page = browser.new_page(viewport=axe.DESKTOP)
    login(page, live_server, f"/cases/{case_id}/cadence")
    expect(page.get_by_text("Venter på teamlederen")).to_be_visible()
    axe.check(page, "a case's follow-up cadence")
    page.get_by_label("Begrundelse for afslag").fill("Vi ses allerede om tre uger.")
    page.get_by_role("button", name="Afvis").click()
    expect(page.get_by_text("Afvist (Vi ses allerede om tre uger.)")).to_be_visible()

    leader = browser.new_page(viewport=axe.DESKTOP)
    login(leader, live_server, "/cases", who=LEADER_A)
    approvals = leader.locator("section.approvals")
    expect(approvals).to_contain_text("1 afvigelse venter på din godkendelse")
    axe.check(leader, "cases, with a deviation to approve")
    approvals.get_by_role("button", name="Godkend").click()
    expect(leader.locator("section.approvals")).to_have_count(0)

    admin_page = browser.new_page(viewport=axe.DESKTOP)
    login(admin_page, live_server, "/cadence-standard", who=ADMIN_A)
    expect(admin_page.get_by_role("heading", level=2).first).to_contain_text("Herning")
    axe.check(admin_page, "the follow-up standard")
    admin_page.get_by_role("link", name="Ret standardens regler").click()
    expect(admin_page.get_by_role("heading", level=1)).to_have_text(
        "Ret kommunens standard for opfølgning"
    )
    axe.check(admin_page, "editing the follow-up standard")
    admin_page.get_by_label("Standardens navn").fill("")
    admin_page.get_by_role("button", name="Gem standarden").click()
    expect(admin_page.locator("#error-summary")).to_contain_text("Skriv standardens navn.")
    axe.check(admin_page, "the follow-up standard's form, refused")
