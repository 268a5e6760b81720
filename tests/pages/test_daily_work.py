"""The caseworker's daily work in a real browser: rounds named by their place among the
child's rounds, the cases list ordered by what needs doing, a new round that guides its
caseworker, and scores entered on an informant's behalf."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from service.models.audit import AuditEvent
from service.models.case import Case
from service.models.round import Submission
from tests.factories import ADMIN_A
from tests.pages import axe
from tests.pages.flows import FACTORS, api, complete_round, informant_link, new_round, scores
from tests.pages.test_meeting import login
from tests.world import World


@pytest.mark.every_engine
def test_rounds_are_numbered_per_child_by_date_without_the_cancelled(
    live_server: str, world: World, browser: Browser
) -> None:
    with api(live_server, world) as http:
        # Another child's round first, so that database ids and the child's count differ.
        new_round(http, ref="WEB-OTHER", name="Ida")
        cancelled = new_round(http, ref="WEB-NUM", name="Valdemar")
        case_id = int(cancelled["case_id"])
        r = http.post(
            f"/rounds/{cancelled['id']}/transitions",
            json={"event": "cancel", "reason": "Oprettet ved en fejl."},
        )
        assert r.status_code == 200, r.text
        first = completed_round(http, live_server, case_id)
        follow_up = new_round(http, case_id=case_id)
        numbers = {
            r["id"]: r["number"]
            for r in http.get("/rounds", params={"case_id": case_id}).json()["items"]
        }
    assert numbers == {cancelled["id"]: None, first: 1, follow_up["id"]: 2}
    page = browser.new_page(viewport=axe.DESKTOP)
    login(page, live_server, f"/rounds/{follow_up['id']}")
    expect(page.locator("h1")).to_have_text("Opfølgning 1: Valdemar")
    page.goto(f"{live_server}/rounds/{first}")
    expect(page.locator("h1")).to_have_text("Første runde: Valdemar")
    page.goto(f"{live_server}/cases/{case_id}")
    rows = page.locator("main table tbody tr")
    expect(rows.nth(0)).to_contain_text("Opfølgning 1")
    expect(rows.nth(1)).to_contain_text("Første runde")
    expect(rows.nth(2)).to_contain_text("Annulleret runde")
    axe.check(page, "case with numbered rounds")


def completed_round(http: httpx.Client, base: str, case_id: int) -> int:
    """A round of the case with the caseworker's and the school's scores in, and its result
    set (the collection closes itself once both are in): a completed round."""
    rid = int(new_round(http, case_id=case_id)["id"])
    _, url = informant_link(http, rid, "school", "Ane Lund")
    r = httpx.post(
        f"{base}/api/v1/links/{url.rsplit('/', 1)[1]}/submission",
        json={"scores": scores([3, 3, 1, 1, 4, 0, 2, 0])},
    )
    assert r.status_code == 200, r.text
    own = http.get(f"/rounds/{rid}/informants").json()["items"][0]
    r = http.post(
        f"/rounds/{rid}/informants/{own['id']}/submission",
        json={"scores": scores([2, 3, 2, 1, 2, 0, 2, 0]), "submit": True},
    )
    assert r.status_code == 200, r.text
    complete_round(http, rid, [2, 3, 2, 1, 3, 0, 2, 0])
    return rid


def _case(http: httpx.Client, ref: str, name: str, born: int) -> int:
    r = http.post("/cases", json={"external_ref": ref, "display_name": name, "birth_year": born})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _round_due_in(http: httpx.Client, case_id: int, days: int) -> int:
    instruments = http.get("/instruments", params={"limit": 200}).json()["items"]
    instrument_id = next(
        i["id"]
        for i in instruments
        if i["key"] == "aarhus-boern-familie" and i["status"] == "published"
    )
    due = datetime.now(UTC) + timedelta(days=days)
    r = http.post(
        f"/cases/{case_id}/rounds", json={"instrument_id": instrument_id, "due_at": due.isoformat()}
    )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


# The count, the ordering and the search are SQL: both engines.
@pytest.mark.every_engine
def test_the_cases_list_puts_what_needs_doing_first_and_can_be_searched(
    live_server: str, world: World, browser: Browser, db: Session
) -> None:
    with api(live_server, world) as http:
        later = _case(http, "DUBU-2026-000417-LATER", "Ida", 2016)
        _round_due_in(http, later, 30)
        overdue = _case(http, "DUBU-2026-000418-OVERDUE", "Valdemar", 2012)
        meeting = _case(http, "DUBU-2026-000419-MEETING", "Valdemar", 2014)
        rid = _round_due_in(http, meeting, 30)
        own = http.get(f"/rounds/{rid}/informants").json()["items"][0]
        r = http.post(
            f"/rounds/{rid}/informants/{own['id']}/submission",
            json={"scores": scores([2, 3, 2, 1, 2, 0, 2, 0]), "submit": True},
        )
        assert r.status_code == 200, r.text
        r = http.post(
            f"/rounds/{rid}/transitions",
            json={"event": "close_collection", "reason": "Kun min egen vurdering."},
        )
        assert r.status_code == 200, r.text
        soon = _case(http, "DUBU-2026-000420-SOON", "Ida", 2019)
        _round_due_in(http, soon, 5)
    # The intake was a month ago, and no round was opened: the first round is overdue.
    case = db.get(Case, overdue)
    assert case is not None
    case.created_at = datetime.now(UTC) - timedelta(days=30)
    db.add(case)
    db.commit()

    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    login(page, live_server, "/cases")
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(4)
    # Overdue first, then due soon, then at the meeting, then the rest; born and case number.
    expect(rows.nth(0)).to_contain_text("Valdemar")
    expect(rows.nth(0)).to_contain_text("2012")
    expect(rows.nth(0)).to_contain_text("Overskredet")
    expect(rows.nth(1)).to_contain_text("DUBU-2026-000420-SOON")
    expect(rows.nth(1)).to_contain_text("2019")
    expect(rows.nth(2)).to_contain_text("DUBU-2026-000419-MEETING")
    expect(rows.nth(2)).to_contain_text("Til møde")
    expect(rows.nth(3)).to_contain_text("DUBU-2026-000417-LATER")
    # A case number stays on one line on a wide screen.
    lines = (
        rows.nth(2)
        .locator(".case-ref")
        .evaluate(
            "cell => { const r = document.createRange(); r.selectNodeContents(cell);"
            " return r.getClientRects().length; }"
        )
    )
    assert lines == 1, lines
    axe.check(page, "cases, by what needs doing")

    page.get_by_label("Vis").select_option("meeting")
    page.get_by_role("button", name="Vis sagerne").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("DUBU-2026-000419-MEETING")
    expect(page.locator("main")).to_contain_text("1 sag fundet")

    page.get_by_label("Vis").select_option("all")
    page.get_by_label("Søg efter navn eller sagsnummer").fill("ida")
    page.get_by_role("button", name="Vis sagerne").click()
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("2019")  # due soon before later, also when searching
    page.get_by_label("Søg efter navn eller sagsnummer").fill("000418")
    page.get_by_role("button", name="Vis sagerne").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Valdemar")
    page.get_by_label("Søg efter navn eller sagsnummer").fill("100%_")
    page.get_by_role("button", name="Vis sagerne").click()
    expect(page.locator("main")).to_contain_text("Ingen sager passer til søgningen.")
    axe.check(page, "cases, nothing found")
    page.goto(f"{live_server}/cases?q={'x' * 101}&show=nonsense")
    expect(page.locator(".error-summary")).to_contain_text("Søgningen må højst være 100 tegn")
    expect(rows).to_have_count(4)  # an unknown filter shows every case


@pytest.mark.every_engine
def test_answers_entered_on_behalf_name_the_informant_and_say_how_they_came(
    live_server: str, world: World, browser: Browser, engine: Engine
) -> None:
    with api(live_server, world) as http:
        rid = int(new_round(http, ref="WEB-BEHALF", name="Ida")["id"])
        r = http.post(f"/rounds/{rid}/informants", json={"role": "school", "name": "Hanne Holm"})
        assert r.status_code == 201, r.text
        hanne = int(r.json()["id"])
    page = browser.new_page(viewport=axe.DESKTOP)
    login(page, live_server, f"/rounds/{rid}")
    page.get_by_role("link", name="Indtast svar for Hanne Holm").click()
    expect(page.locator("h1")).to_contain_text("Hanne Holms svar")
    main = page.locator("main")
    # Spoken of, not spoken to: the caseworker is not the informant.
    expect(main).not_to_contain_text("Dit mål")
    expect(main).not_to_contain_text("Jeg kan ikke vurdere")
    expect(main).to_contain_text("Hanne Holms mål: Hvor skal det være ved næste opfølgning?")
    expect(main).to_contain_text("Hanne Holm kan ikke vurdere dette")
    axe.check(page, "answers on an informant's behalf")

    # Saved as she goes, and said so.
    first = FACTORS[0]
    page.locator(f"input[name='score-{first}'][value='2']").check()
    expect(page.locator("#save-status")).to_contain_text("Sidst gemt")
    page.reload()
    expect(page.locator(f"input[name='score-{first}'][value='2']")).to_be_checked()

    # Sent in half filled and without saying how the answers came: every problem at once.
    page.locator(f"input[name='score-{FACTORS[1]}'][value='1']").check()
    page.get_by_role("button", name="Send svarene ind").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Vælg, hvordan du fik svarene")
    expect(summary.locator("li")).to_have_count(1 + len(FACTORS) - 2)
    expect(page).to_have_title(re.compile("^Fejl: "))
    for key in FACTORS[2:]:
        page.locator(f"input[name='score-{key}'][value='1']").check()
    # Sent in without saying how the answers came: asked for, nothing typed lost, and the
    # rules' trial on the complete answers kept nothing (no submission, no audit event).
    page.get_by_role("button", name="Send svarene ind").click()
    expect(summary).to_contain_text("Vælg, hvordan du fik svarene")
    expect(summary.locator("li")).to_have_count(1)
    with Session(engine) as session:
        sent = select(func.count()).select_from(AuditEvent)
        assert session.exec(sent.where(AuditEvent.action == "submission.submit")).one() == 0
        assert session.exec(select(func.count()).select_from(Submission)).one() <= 1  # a draft
    expect(page.locator(f"input[name='score-{FACTORS[-1]}'][value='1']")).to_be_checked()
    axe.check(page, "answers on an informant's behalf, refused")
    page.get_by_label("Pr. telefon").check()
    page.get_by_role("button", name="Send svarene ind").click()
    expect(page).to_have_url(re.compile(rf"/rounds/{rid}#informants$"))
    expect(page.get_by_role("status").first).to_contain_text(
        "Hanne Holms svar er gemt og sendt ind. Modtaget pr. telefon."
    )
    row = page.locator("tr", has_text="Hanne Holm")
    expect(row).to_contain_text("pr. telefon")
    # The answers are in: no link to offer her any more.
    expect(row.get_by_role("button", name=re.compile("Lav"))).to_have_count(0)
    with api(live_server, world) as http:
        listed = http.get(f"/rounds/{rid}/informants").json()["items"]
    assert next(i for i in listed if i["id"] == hanne)["received_via"] == "phone"


def test_a_parents_answers_before_the_family_step_say_when_they_can_be_entered(
    live_server: str, world: World, browser: Browser
) -> None:
    """Where the family answers after the meeting, the parent's form is shown greyed out
    while the others answer: the page says why, and does not promise to save as one types."""
    with api(live_server, world, ADMIN_A) as admin:
        r = admin.patch("/municipality/policy", json={"procedure": "kl1"})
        assert r.status_code == 200, r.text
    with api(live_server, world) as http:
        rid = int(new_round(http, ref="WEB-PARENT", name="Ida")["id"])
        r = http.post(f"/rounds/{rid}/informants", json={"role": "mother", "name": "Mette Holm"})
        assert r.status_code == 201, r.text
        assert r.json()["step"] == "family", r.json()
        mother = int(r.json()["id"])
    page = browser.new_page(viewport=axe.DESKTOP)
    login(page, live_server, f"/rounds/{rid}/informants/{mother}/scores")
    main = page.locator("main")
    expect(main.locator(".notice")).to_have_text(
        "Familiens svar gives efter konsensusmødet: Mette Holms svar kan indtastes, når "
        "familiens trin begynder."
    )
    expect(main).not_to_contain_text("Svarene gemmes, mens du skriver")
    expect(page.locator("input[name^='score-']").first).to_be_disabled()
    axe.check(page, "a parent's answers before the family step")


@pytest.mark.every_engine
def test_a_new_round_guides_its_caseworker_from_adding_to_waiting(
    live_server: str, world: World, browser: Browser
) -> None:
    with api(live_server, world) as http:
        case_id = _case(http, "WEB-GUIDE", "Ida", 2017)
        completed_round(http, live_server, case_id)  # Ane Lund from the school was in it
    page = browser.new_page(viewport=axe.DESKTOP)
    login(page, live_server, f"/cases/{case_id}")
    due = (datetime.now(UTC) + timedelta(days=14)).date().isoformat()
    page.locator("input[name=due_at]").fill(due)
    page.get_by_role("button", name="Start runden").click()
    expect(page.locator("h1")).to_have_text("Opfølgning 1: Ida")
    actions = page.locator("form[action$='/events']")
    # Nobody to ask yet: closing the collection is not on offer, opening not the main step.
    expect(actions.get_by_role("button", name="Luk indsamlingen")).to_have_count(0)
    expect(actions.get_by_role("button", name="Åbn runden")).to_have_class("secondary")
    guide = page.locator("section.round-guide")
    expect(guide).to_contain_text("Fagpersoner")
    expect(guide).to_contain_text("vurderer hver for sig inden mødet")
    axe.check(page, "a new round's guide")
    # The last round's school teacher, one click away.
    guide.get_by_role("button", name="Tilføj Ane Lund (Skole)").click()
    expect(page.locator("#informants + .table-wrap")).to_contain_text("Ane Lund")
    expect(guide.get_by_role("button", name="Tilføj Ane Lund (Skole)")).to_have_count(0)
    open_button = actions.get_by_role("button", name="Åbn runden")
    expect(open_button).not_to_have_class("secondary")
    open_button.click()
    # Open: now it waits for the answers, and says how many are in.
    expect(guide).to_contain_text("0 af 2 har svaret")
    expect(actions.get_by_role("button", name="Luk indsamlingen")).to_have_class("secondary")
    axe.check(page, "a round waiting for answers")
