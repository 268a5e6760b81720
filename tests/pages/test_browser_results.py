"""The result pages in a real browser, on the demo's Emma (three completed rounds): her case
page with the star and the lines, the round's report, and her mother's view of the result.
axe-core checks each; the screenshots at 360 and 1280 px are the README's pictures."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from service.config import Settings
from service.demo import DEMO_STAFF, load_demo, reissue_family_link
from service.models.case import Case
from service.models.round import ScoringRound
from service.workflow.states import RoundState
from tests.pages import axe
from tests.pages.conftest import screenshot_path

CASEWORKER, PASSWORD = DEMO_STAFF[0][1], DEMO_STAFF[0][3]


def _emma(engine: Engine) -> tuple[int, int]:
    """Emma's case and her newest completed round."""
    with Session(engine) as session:
        case_id, round_id = session.exec(
            select(Case.id, ScoringRound.id)
            .join(ScoringRound, col(ScoringRound.case_id) == col(Case.id))
            .where(
                Case.external_ref == "DUBU-2024-0117", ScoringRound.state == RoundState.COMPLETED
            )
            .order_by(col(ScoringRound.completed_at).desc())
        ).first() or (None, None)
    assert case_id is not None and round_id is not None
    return case_id, round_id


def _login(page: Page, base: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", CASEWORKER)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/cases")


@pytest.mark.slow
def test_emmas_progress_her_report_and_her_mothers_view(
    live_server: str, engine: Engine, settings: Settings, browser: Browser
) -> None:
    load_demo(engine)
    case_id, round_id = _emma(engine)
    page = browser.new_page(viewport=axe.DESKTOP)
    _login(page, live_server)

    page.goto(f"{live_server}/cases/{case_id}")
    star = page.locator("svg.star-chart:not(.phone)")
    assert star.count() == 1 and star.is_visible()
    assert page.locator("svg.line-chart:not(.phone)").count() == 10  # a line per factor
    assert page.locator(".progress-view table").count() == 11  # and a table beside each chart
    axe.check(page, "case progress")
    page.locator("#progress-heading").scroll_into_view_if_needed()
    page.evaluate("document.getElementById('progress-heading').scrollIntoView()")
    page.screenshot(path=screenshot_path("progress-1280"), full_page=False)
    page.set_viewport_size(axe.PHONE)
    page.locator(".factor-progress").first.scroll_into_view_if_needed()
    page.evaluate("document.querySelector('.factor-progress').scrollIntoView()")
    page.screenshot(path=screenshot_path("progress-360"), full_page=False)
    page.set_viewport_size(axe.DESKTOP)

    # The two compasses: the foster mother and the caseworker part on school and meet again.
    page.goto(f"{live_server}/cases/{case_id}/compasses")
    assert page.locator("svg.compass-chart").count() == 10
    school = page.locator("section.compass", has_text="Skoleforhold")
    assert school.locator("tr.diverges").count() == 1 and "Mødes igen" in school.inner_text()
    axe.check(page, "two compasses")
    page.set_viewport_size(axe.PHONE)
    axe.check(page, "two compasses on a phone")
    page.set_viewport_size(axe.DESKTOP)

    page.goto(f"{live_server}/rounds/{round_id}")
    pdf_button = page.locator(f"a[href='/rounds/{round_id}/report.pdf']")
    assert pdf_button.is_visible()
    # What the round led to for her placement, with the form to amend it.
    assert page.locator("#decision").is_visible()
    axe.check(page, "round with its decision")
    with page.expect_download() as download:
        pdf_button.click()
    assert download.value.suggested_filename.endswith(".pdf")
    page.goto(f"{live_server}/rounds/{round_id}/report")
    assert "Resultatdokumentation for Emma" in page.locator("h1").inner_text()
    axe.check(page, "round report")
    page.screenshot(path=screenshot_path("report-1280"), full_page=False)

    token = reissue_family_link(engine, settings.keyring(), datetime.now(UTC))
    assert token is not None
    family = browser.new_page(viewport=axe.PHONE)
    family.goto(f"{live_server}/l/{token}")
    result = family.locator(".family-result")
    assert result.is_visible() and "Resultatet af runden" in result.inner_text()
    assert family.locator(".family-result svg.line-chart:not(.phone)").count() == 10
    axe.check(family, "family result", moderate=True)
    family.evaluate("document.querySelector('.family-result').scrollIntoView()")
    family.screenshot(path=screenshot_path("family-result-360"), full_page=False)
    family.close()
    page.close()
