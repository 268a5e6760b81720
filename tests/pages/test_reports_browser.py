"""The leader's report pages in a real browser, on the demo data: goal attainment, who sees
the child differently, the child's and the parents' own view, the spread of drift, procedure
compliance, whether staff score alike and what the rounds led to. axe-core checks each; the
screenshots are the README's pictures."""

from __future__ import annotations

from playwright.sync_api import Browser
from sqlalchemy import Engine

from service.demo import demo_logins, load_demo
from tests.pages import axe
from tests.pages.conftest import screenshot_path


def test_the_leaders_report_pages(live_server: str, engine: Engine, browser: Browser) -> None:
    load_demo(engine)
    leader = next(login for login in demo_logins() if login.role == "team_leader")
    page = browser.new_page(viewport=axe.DESKTOP)
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", leader.username)
    page.fill("input[name=password]", leader.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/cases")

    page.goto(f"{live_server}/reports?group_by=provider")
    assert page.locator("svg.bar-chart").is_visible()
    axe.check(page, "reports")
    page.screenshot(path=screenshot_path("reports"), full_page=False)

    page.click("nav.report-nav >> text=Faktorer over tid")
    page.wait_for_url(f"{live_server}/reports/factors")
    assert page.locator("svg.bar-chart").count() >= 8
    axe.check(page, "reports: factors over time")

    page.click("nav.report-nav >> text=Hvem ser barnet anderledes")
    page.wait_for_url(f"{live_server}/reports/disagreement")
    assert page.locator("svg.series-chart").is_visible()
    assert page.locator(".suppressed").count() > 0
    axe.check(page, "reports: disagreement")
    page.screenshot(path=screenshot_path("reports-disagreement-1280"), full_page=False)

    page.goto(f"{live_server}/reports/own-views")
    assert page.locator("svg.bar-chart").count() == 2
    axe.check(page, "reports: own views")
    page.screenshot(path=screenshot_path("reports-own-views-1280"), full_page=False)
    page.set_viewport_size(axe.PHONE)
    page.screenshot(path=screenshot_path("reports-own-views-360"), full_page=False)

    page.goto(f"{live_server}/reports/drift-spread")
    assert page.locator("table.report-table .suppressed").count() > 0
    axe.check(page, "reports: drift spread")

    caseworker = next(login for login in demo_logins() if login.role == "caseworker")
    own = browser.new_page(viewport=axe.DESKTOP)
    own.goto(f"{live_server}/login")
    own.fill("input[name=username]", caseworker.username)
    own.fill("input[name=password]", caseworker.password)
    own.click("button[type=submit]")
    own.wait_for_url(f"{live_server}/cases")
    own.click("nav.staff-nav >> text=Min scoring over tid")
    own.wait_for_url(f"{live_server}/my-scoring")
    assert own.locator("table.report-table tbody tr").count() > 0
    axe.check(own, "my scoring over time")

    page.goto(f"{live_server}/reports/compliance")
    assert page.locator("table.report-table tbody tr").count() > 0
    axe.check(page, "reports: procedure compliance")

    page.click("nav.report-nav >> text=Scorer vi ens?")
    page.wait_for_url(f"{live_server}/reports/agreement")
    assert page.locator("table.report-table tbody tr").count() > 0
    axe.check(page, "reports: agreement")

    page.click("nav.report-nav >> text=Beslutninger")
    page.wait_for_url(f"{live_server}/reports/decisions")
    assert page.locator("table.report-table tbody tr").count() > 0
    axe.check(page, "reports: decisions")
