"""The round's page asks, per person, why the child or a parent has not scored, keeps what was
typed when something is missing, and lets the family's step end only when every voice is
scored or reasoned for."""

from __future__ import annotations

import re

import httpx
from fastapi import FastAPI

from service.clock import FrozenClock
from tests.factories import CW_A
from tests.rounds_helpers import (
    FACTORS,
    add_informant,
    entries,
    fire,
    new_case,
    open_round,
    round_informants,
    set_official,
    set_procedure,
    submit_on_behalf,
)
from tests.staff_browser import form_csrf, staff_browser
from tests.world import World

SCORES = [2, 3, 2, 1, 2, 0, 2, 0]


def _section(html: str) -> str:
    found = re.search(r'<section aria-labelledby="family-voices">(.*?)</section>', html, re.S)
    assert found, "no section on the family's voices"
    return found.group(1)


async def test_the_round_page_records_why_the_child_did_not_score(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, app: FastAPI
) -> None:
    await set_procedure(client, world, "kl1")
    case_id = await new_case(client, world)
    rid = int((await open_round(client, world, clock, case_id, child_heard=False))["id"])
    caseworker = (await round_informants(client, world, rid))[0]["id"]
    school = (await add_informant(client, world, rid, "school", "Ane Lund"))["id"]
    mother = (await add_informant(client, world, rid, "mother", "Lene Berg"))["id"]
    for informant in (school, caseworker):
        assert (await submit_on_behalf(client, world, rid, informant, entries(SCORES))).is_success
    official = dict(zip(FACTORS, [(s, s) for s in SCORES], strict=True))
    assert (await set_official(client, world, rid, official)).status_code == 200
    assert (await fire(client, world, rid, "finish_consensus")).status_code == 200
    assert (await submit_on_behalf(client, world, rid, mother, entries(SCORES))).is_success

    async with staff_browser(app, CW_A) as browser:
        page = await browser.get(f"/rounds/{rid}")
        section = _section(page.text)
        assert "Barnet (ikke med som informant)" in section
        assert "Mangler svar eller begrundelse" in section
        assert "Hvorfor svarer barnet ikke?" in section  # mid-sentence, not "Barnet"
        assert "Lene Berg (Mor)" in section and "Har svaret" in section
        assert "1 mangler stadig svar eller begrundelse." in section
        # A reason without a note: refused next to the field, the choice kept.
        refused = await browser.post(
            f"/rounds/{rid}/family-voices",
            data={"csrf": form_csrf(page.text), "voice": "child:", "reason": "age_or_maturity"},
        )
        assert refused.status_code == 422, refused.text
        assert 'href="#informant-voice-child-"' in refused.text
        assert "Vælg en grund, og skriv, hvad du gjorde i stedet." in _section(refused.text)
        assert 'value="age_or_maturity" checked' in refused.text
        # Finishing before the child's voice is accounted for: refused, with what is missing.
        early = await browser.post(
            f"/rounds/{rid}/events",
            data={
                "csrf": form_csrf(page.text),
                "event": "finish_family_dialogue",
                "confirmed": "1",
            },
        )
        assert early.status_code == 409, early.text
        assert "for hver af dem skrive, hvorfor de ikke har" in early.text
        note = "Emma er to år; set i vuggestuen og hjemme, hvor hun trives."
        saved = await browser.post(
            f"/rounds/{rid}/family-voices",
            data={
                "csrf": form_csrf(page.text),
                "voice": "child:",
                "reason": "age_or_maturity",
                "note": note,
            },
        )
        assert saved.status_code == 303, saved.text
        page = await browser.get(f"/rounds/{rid}")
        section = _section(page.text)
        assert "Svarer ikke: barnets alder eller modenhed. " + note in section
        assert "Alle i familien har svaret eller har en begrundelse." in section
        done = await browser.post(
            f"/rounds/{rid}/events",
            data={
                "csrf": form_csrf(page.text),
                "event": "finish_family_dialogue",
                "confirmed": "1",
            },
        )
        assert done.status_code == 303, done.text
        completed = await browser.get(f"/rounds/{rid}")
        # The result says why the child did not score, as does the report.
        participants = completed.text.split('id="participants"', 1)[1]
        assert "barnets alder eller modenhed – " + note in participants
        report = await browser.get(f"/rounds/{rid}/report")
        assert "barnets alder eller modenhed – " + note in report.text
