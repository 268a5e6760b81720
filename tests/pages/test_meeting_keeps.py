"""The meeting page keeps everything the caseworker types: who came (present, absent or not
recorded), every score, goal and rationale after a refused save, with every error at once; it
saves as the caseworker goes, warns before anything unsaved is left behind, and carries it
across the language switch. Nothing leaves the service before the step is finished."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Dialog, Page, expect
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from service.models.outbox import OutboxMessage
from tests.factories import ADMIN_A
from tests.pages import axe
from tests.pages.axe import DESKTOP
from tests.pages.flows import api, round_at_meeting
from tests.pages.test_meeting import DECISIONS, login
from tests.world import World

#: The factors where the school and the psychologist diverge: they need a rationale.
DIVERGENT = ("udvikling_adfaerd", "fritid_venskaber")


def _person(page: Page, name: str) -> object:
    return page.locator("#attendance fieldset.person").filter(has_text=name)


def _at_the_meeting(live_server: str, world: World, browser: Browser) -> Page:
    """The caseworker on the meeting page of a round at its consensus meeting."""
    with api(live_server, world) as http:
        rid = round_at_meeting(http, live_server)
    page = browser.new_page(viewport=DESKTOP)
    login(page, live_server, f"/rounds/{rid}/meeting")
    return page


def _decide_all(page: Page) -> None:
    for key, (score, goal) in DECISIONS.items():
        page.select_option(f"select[name='official-{key}']", score)
        page.select_option(f"select[name='goal-{key}']", goal)


def test_a_refused_save_keeps_who_came_and_every_value_and_lists_every_error(
    live_server: str, world: World, browser: Browser
) -> None:
    page = _at_the_meeting(live_server, world, browser)
    # Three states: nothing chosen is "not recorded", and nobody starts as present.
    people = page.locator("#attendance fieldset.person")
    expect(people).to_have_count(3)
    expect(page.locator("#attendance input[type=radio]:checked")).to_have_count(0)
    expect(people.first).to_contain_text("Ikke registreret")
    bo = page.locator("#attendance fieldset.person").filter(has_text="Bo Holm")
    bo.get_by_role("radio", name="Deltog ikke").check()
    ane = page.locator("#attendance fieldset.person").filter(has_text="Ane Lund")
    ane.get_by_role("radio", name="Deltog", exact=True).check()
    _decide_all(page)
    page.fill("textarea[name='rationale-skoleforhold']", "Enige om skolen.")
    page.get_by_role("button", name="Gem alle officielle scorer").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    # Both divergent factors at once, each linked to the field that needs the caseworker (the
    # rationale, not the score) and told beside it; that field, and only it, is marked.
    expect(summary.locator("li")).to_have_count(2)
    for key in DIVERGENT:
        expect(summary.locator(f"a[href='#rationale-{key}']")).to_contain_text(
            "Skriv en begrundelse"
        )
        expect(page.locator(f"#err-{key}")).to_contain_text("Skriv en begrundelse")
        expect(page.locator(f"#rationale-{key}")).to_have_attribute("aria-invalid", "true")
        expect(page.locator(f"#official-{key}")).not_to_have_attribute("aria-invalid", "true")
    summary.locator(f"a[href='#rationale-{DIVERGENT[0]}']").click()
    expect(page.locator(f"#rationale-{DIVERGENT[0]}")).to_be_focused()
    # Everything as typed: who did not come is still absent, not turned present.
    expect(bo.get_by_role("radio", name="Deltog ikke")).to_be_checked()
    expect(ane.get_by_role("radio", name="Deltog", exact=True)).to_be_checked()
    for key, (score, goal) in DECISIONS.items():
        expect(page.locator(f"select[name='official-{key}']")).to_have_value(score)
        expect(page.locator(f"select[name='goal-{key}']")).to_have_value(goal)
    expect(page.locator("textarea[name='rationale-skoleforhold']")).to_have_value(
        "Enige om skolen."
    )
    axe.check(page, "meeting with every error")
    # Finishing with someone not recorded: the person is named in the summary.
    for key in DIVERGENT:
        page.fill(f"textarea[name='rationale-{key}']", "Drøftet på mødet.")
    page.get_by_role("button", name="Afslut konsensus").click()
    expect(summary).to_contain_text(re.compile(r": vælg, om personen deltog i mødet\."))
    expect(bo.get_by_role("radio", name="Deltog ikke")).to_be_checked()
    axe.check(page, "meeting with attendance missing")


def test_each_error_leads_to_the_field_it_is_about(
    live_server: str, world: World, browser: Browser
) -> None:
    """Not assessed without a reason: the reason's box. A goal worse than the score: the goal."""
    page = _at_the_meeting(live_server, world, browser)
    _decide_all(page)
    page.select_option("select[name='official-skoleforhold']", "na")  # the goal goes away
    page.select_option("select[name='official-kriminalitet']", "1")
    page.select_option("select[name='goal-kriminalitet']", "3")
    page.get_by_role("button", name="Gem alle officielle scorer").click()
    summary = page.locator(".error-summary")
    expect(summary.locator("a[href='#reason-skoleforhold']")).to_contain_text(
        "Skriv, hvorfor området ikke er vurderet."
    )
    expect(summary.locator("a[href='#goal-kriminalitet']")).to_contain_text(
        "Målet må ikke være dårligere end scoren."
    )
    expect(page.locator("#reason-skoleforhold")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#goal-kriminalitet")).to_have_attribute("aria-invalid", "true")
    summary.locator("a[href='#goal-kriminalitet']").click()
    expect(page.locator("#goal-kriminalitet")).to_be_focused()
    axe.check(page, "meeting with errors on other fields")


def test_in_english_every_error_is_listed_and_the_three_states_are_named(
    live_server: str, world: World, browser: Browser
) -> None:
    page = _at_the_meeting(live_server, world, browser)
    page.get_by_role("link", name="English").click()
    expect(page.locator("h1")).to_have_text("Meeting: Noah")
    expect(page.locator("#attendance")).to_contain_text("Not recorded")
    bo = page.locator("#attendance fieldset.person").filter(has_text="Bo Holm")
    bo.get_by_role("radio", name="Did not take part").check()
    _decide_all(page)
    page.get_by_role("button", name="Finish the consensus").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("There is a problem")
    for key in DIVERGENT:
        expect(summary.locator(f"a[href='#rationale-{key}']")).to_contain_text("Write a reason")
    expect(summary).to_contain_text("Ane Lund: choose whether they took part in the meeting.")
    expect(bo.get_by_role("radio", name="Did not take part")).to_be_checked()
    expect(page.locator("select[name='official-kriminalitet']")).to_have_value("0")
    axe.check(page, "meeting with errors, English")


def test_the_page_saves_as_it_goes_warns_before_leaving_and_keeps_it_across_languages(
    live_server: str, world: World, browser: Browser, engine: Engine
) -> None:
    with api(live_server, world) as http:
        rid = round_at_meeting(http, live_server)
    with Session(engine) as session:
        before = session.exec(select(func.count()).select_from(OutboxMessage)).one()
    page = browser.new_page(viewport=DESKTOP)
    login(page, live_server, f"/rounds/{rid}/meeting")
    status = page.locator("#save-status")
    expect(status).to_have_text("0 af 8 områder er besluttet.")
    page.select_option("select[name='official-skoleforhold']", "2")
    page.select_option("select[name='goal-skoleforhold']", "1")
    expect(status).to_contain_text("Sidst gemt")
    expect(status).to_contain_text("1 af 8 områder er besluttet.")
    # A score the rules do not take yet (no rationale where they disagree): not saved, said.
    page.select_option("select[name='official-udvikling_adfaerd']", "2")
    expect(status).to_contain_text("1 område er ikke gemt endnu")
    # Leaving by a link asks first; staying keeps the page as it is.
    asked: list[str] = []

    def stay(dialog: Dialog) -> None:
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    page.get_by_role("link", name="Tilbage til runden").click()
    expect(page.locator("select[name='official-udvikling_adfaerd']")).to_have_value("2")
    assert asked == ["beforeunload"], asked
    assert page.url.endswith(f"/rounds/{rid}/meeting")
    page.remove_listener("dialog", stay)
    # The language switch loses nothing: saved first, the rest carried over.
    page.get_by_role("link", name="English").click()
    expect(page.locator("h1")).to_have_text("Meeting: Noah")
    expect(page.locator("select[name='official-skoleforhold']")).to_have_value("2")
    expect(page.locator("select[name='official-udvikling_adfaerd']")).to_have_value("2")
    expect(status).to_contain_text("1 area is not saved yet")
    page.select_option("select[name='goal-udvikling_adfaerd']", "1")
    page.fill("textarea[name='rationale-udvikling_adfaerd']", "Discussed.")
    expect(status).to_contain_text("2 of 8 areas are decided.")
    expect(status).not_to_contain_text("not saved yet")
    axe.check(page, "meeting saving as it goes")
    # Once all is saved, leaving asks nothing.
    page.on("dialog", stay)
    page.get_by_role("link", name="Back to the round").click()
    expect(page).to_have_url(re.compile(rf"/rounds/{rid}$"))
    assert asked == ["beforeunload"], asked
    # A draft until the step is finished: nothing became official, nobody was told.
    with api(live_server, world) as http:
        assert http.get(f"/rounds/{rid}").json()["state"] == "consensus"
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(OutboxMessage)).one() == before


def _decide_and_record(page: Page, present: str) -> None:
    _decide_all(page)
    for key in DIVERGENT:
        page.fill(f"textarea[name='rationale-{key}']", "Drøftet på mødet.")
    for radio in page.locator("#attendance").get_by_role("radio", name=present, exact=True).all():
        radio.check()


def test_finishing_says_before_and_after_what_it_does_and_leads_on_to_the_family(
    live_server: str, world: World, browser: Browser
) -> None:
    with api(live_server, world) as http:
        rid = round_at_meeting(http, live_server)
        mother = http.post(
            f"/rounds/{rid}/informants",
            json={"role": "mother", "name": "Mette Berg", "email": "mette@example.dk"},
        )
        assert mother.status_code == 201, mother.text
    page = browser.new_page(viewport=DESKTOP)
    login(page, live_server, f"/rounds/{rid}/meeting")
    _decide_and_record(page, "Deltog")
    page.get_by_role("button", name="Afslut konsensus").click()
    # Said in advance: what happens next, and to whom.
    expect(page.locator("h1")).to_have_text("Afslut konsensus for Noah?")
    expect(page.locator("main")).to_contain_text(
        "Derefter scorer barnet og forældrene i dialog med dig: Mette Berg."
    )
    axe.check(page, "confirm finishing the meeting")
    page.get_by_role("button", name="Afslut konsensus").click()
    # Said after: what was done, and the next step as the main button.
    notice = page.locator("#finished")
    expect(notice).to_contain_text("Konsensus er afsluttet.")
    expect(notice).to_contain_text("Nu scorer barnet og forældrene i dialog med dig: Mette Berg.")
    main = notice.get_by_role("link", name="Gå til dialogen med familien")
    expect(main).to_have_class("button")
    expect(page.get_by_role("button", name="Afslut dialogen med familien")).to_have_class(
        "secondary"
    )
    axe.check(page, "meeting finished")
    main.click()
    expect(page).to_have_url(re.compile(rf"/rounds/{rid}$"))
    # On the round page too, the family's step is the main button now, not the meeting.
    actions = page.locator("h2:has-text('Næste skridt') + .actions")
    expect(actions.get_by_role("button", name="Afslut dialogen med familien")).not_to_have_class(
        re.compile("secondary")
    )
    expect(actions.get_by_role("link", name="Se mødet")).to_have_class("button secondary")
    axe.check(page, "round after the meeting")


def test_finishing_a_kl3_meeting_says_when_the_next_round_is_due_in_english(
    live_server: str, world: World, browser: Browser
) -> None:
    with api(live_server, world, who=ADMIN_A) as admin:
        r = admin.patch("/municipality/policy", json={"procedure": "kl3"})
        assert r.status_code == 200, r.text
    page = _at_the_meeting(live_server, world, browser)
    page.get_by_role("link", name="English").click()
    _decide_and_record(page, "Took part")
    page.get_by_role("button", name="Finish the consensus").click()
    expect(page.locator("h1")).to_have_text("Finish the consensus for Noah?")
    main = page.locator("main")
    expect(main).to_contain_text("The round will be completed and its result locked.")
    expect(main).to_contain_text(re.compile(r"The next round is due \w+"))
    expect(main).to_contain_text("Nobody in the family can be reached by email or text message.")
    axe.check(page, "confirm finishing the meeting, English")
    page.get_by_role("button", name="Finish the consensus").click()
    notice = page.locator("#finished")
    expect(notice).to_contain_text("The consensus is finished.")
    expect(notice).to_contain_text(re.compile(r"The round is completed .* next round is due"))
    expect(notice.get_by_role("link", name="See the result")).to_have_class("button")
    axe.check(page, "meeting finished, English")
