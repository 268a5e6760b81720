"""Disagreement notes: a differing proposed goal is kept as a note like a differing score, and
an amendment weighs the same informants as the first decision (`002` Tabel 1-3)."""

from __future__ import annotations

import re
from typing import Any

import httpx

from service.clock import FrozenClock
from service.rendering.language import catalogue
from tests.factories import CW_A
from tests.rounds_helpers import (
    FACTORS,
    add_informant,
    amend,
    entries,
    fire,
    issue_link,
    new_case,
    open_round,
    set_official,
    staff_login,
    submit_link,
    submit_on_behalf,
)
from tests.world import World

SCORES = [2, 3, 2, 1, 2, 0, 2, 0]
#: The official decision: every score as the professionals gave it; each goal keeps the score,
#: except udvikling, whose goal is 1.
OFFICIAL = {key: (s, s) for key, s in zip(FACTORS, SCORES, strict=True)} | {
    "udvikling_adfaerd": (2, 1)
}
SAME_GOALS = [OFFICIAL[k][1] for k in FACTORS]
NOTES_HEADING = catalogue("da")["report.notes"]


def _notes(view: dict[str, Any]) -> set[tuple[str, str, str, int, int | None, bool, bool]]:
    return {
        (
            f["factor_key"],
            n["informant_name"],
            n["step"],
            n["informant_score"],
            n["informant_goal"],
            n["score_differs"],
            n["goal_differs"],
        )
        for f in view["factors"]
        for n in f["disagreements"]
    }


async def _caseworker_id(client: httpx.AsyncClient, world: World, rid: int) -> int:
    rows = (
        await client.get(f"/api/v1/rounds/{rid}/informants", headers=world.headers(CW_A))
    ).json()["items"]
    return int(next(i["id"] for i in rows if i["role"] == "caseworker"))


async def test_a_differing_goal_is_kept_as_a_note_in_both_steps(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    rnd = await open_round(client, world, clock, await new_case(client, world))
    rid = rnd["id"]
    school = await add_informant(client, world, rid, "school", "Lærer Ane")
    mother = await add_informant(client, world, rid, "mother", "Mor Mette")
    # The school agrees on every score, and proposes to keep udvikling at 2 (not to reach 1).
    school_goals = [2, *SAME_GOALS[1:]]
    token = await issue_link(client, world, rid, school["id"])
    assert (await submit_link(client, token, entries(SCORES, school_goals))).status_code == 200
    cw = await _caseworker_id(client, world, rid)
    r = await submit_on_behalf(client, world, rid, cw, entries(SCORES, SAME_GOALS))
    assert r.status_code == 200, r.text

    r = await set_official(client, world, rid, OFFICIAL)
    assert r.status_code == 200, r.text
    expected_school = ("udvikling_adfaerd", "Lærer Ane", "independent", 2, 2, False, True)
    assert _notes(r.json()) == {expected_school}  # as the meeting sees it before storing
    await staff_login(client)
    meeting = await client.get(f"/rounds/{rid}/meeting")
    assert "Lærer Ane (Skole): score 2, <strong>mål 2 (afviger)</strong>" in meeting.text
    client.cookies.clear()  # the staff browser is gone: a personal link refuses one

    assert (await fire(client, world, rid, "finish_consensus")).status_code == 200
    # The mother, in the family step, agrees on the scores but aims higher on skoleforhold.
    mother_goals = [*SAME_GOALS[:2], 0, *SAME_GOALS[3:]]
    mother_link = await issue_link(client, world, rid, mother["id"])
    assert (
        await submit_link(client, mother_link, entries(SCORES, mother_goals))
    ).status_code == 200
    r = await fire(client, world, rid, "finish_family_dialogue")
    assert r.status_code == 200, r.text

    result = (await client.get(f"/api/v1/rounds/{rid}/result", headers=world.headers(CW_A))).json()
    assert _notes(result) == {
        expected_school,
        ("skoleforhold", "Mor Mette", "family", 2, 0, False, True),
    }
    await staff_login(client)
    page = await client.get(f"/rounds/{rid}")
    assert "Mor Mette (Mor): score 2, <strong>mål 0 (afviger)</strong>" in page.text


async def test_an_amendment_weighs_the_same_informants_as_the_first_decision(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    rnd = await open_round(client, world, clock, await new_case(client, world))
    rid = rnd["id"]
    school = await add_informant(client, world, rid, "school", "Lærer Ane")
    mother = await add_informant(client, world, rid, "mother", "Mor Mette")
    token = await issue_link(client, world, rid, school["id"])
    assert (await submit_link(client, token, entries(SCORES))).status_code == 200
    cw = await _caseworker_id(client, world, rid)
    assert (await submit_on_behalf(client, world, rid, cw, entries(SCORES))).status_code == 200
    # The professionals agree: no rationale is needed for their common score.
    assert (await set_official(client, world, rid, OFFICIAL, rationale="")).status_code == 200
    assert (await fire(client, world, rid, "finish_consensus")).status_code == 200
    # The mother sees udvikling at 4: her score is a note, not a part of the decision.
    mother_scores = [4, *SCORES[1:]]
    mother_link = await issue_link(client, world, rid, mother["id"])
    assert (await submit_link(client, mother_link, entries(mother_scores))).status_code == 200
    assert (await fire(client, world, rid, "finish_family_dialogue")).status_code == 200

    # Correcting the goal weighs the professionals' scores (2 and 2), as the decision did.
    r = await amend(client, world, rid, "udvikling_adfaerd", (2, 2), reason="Målet var for højt.")
    assert r.status_code == 201, r.text
    udv = next(f for f in r.json()["factors"] if f["factor_key"] == "udvikling_adfaerd")
    assert [(n["informant_name"], n["informant_score"]) for n in udv["disagreements"]] == [
        ("Mor Mette", 4)
    ]


async def test_a_note_keeps_the_informants_words_not_the_meetings_rationale(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    """The meeting's rationale ("Drøftet på mødet.") is the reason for the official score and
    stays with it; the school's note and the mother's note after the meeting hold what they
    said, and nothing the meeting wrote."""
    rationale = "Drøftet på mødet."
    rid = (await open_round(client, world, clock, await new_case(client, world)))["id"]
    school = await add_informant(client, world, rid, "school", "Lærer Ane")
    mother = await add_informant(client, world, rid, "mother", "Mor Mette")
    token = await issue_link(client, world, rid, school["id"])
    r = await submit_link(client, token, entries([3, *SCORES[1:]], SAME_GOALS))
    assert r.status_code == 200, r.text
    cw = await _caseworker_id(client, world, rid)
    r = await submit_on_behalf(client, world, rid, cw, entries(SCORES, SAME_GOALS))
    assert r.status_code == 200, r.text
    r = await set_official(client, world, rid, OFFICIAL, rationale=rationale)
    assert r.status_code == 200, r.text
    preview = [n for f in r.json()["factors"] for n in f["disagreements"]]
    assert preview and all(rationale not in n["note"] for n in preview), preview
    assert (await fire(client, world, rid, "finish_consensus")).status_code == 200
    mother_link = await issue_link(client, world, rid, mother["id"])
    r = await submit_link(client, mother_link, entries([1, *SCORES[1:]], SAME_GOALS))
    assert r.status_code == 200, r.text
    assert (await fire(client, world, rid, "finish_family_dialogue")).status_code == 200

    result = (await client.get(f"/api/v1/rounds/{rid}/result", headers=world.headers(CW_A))).json()
    factor = next(f for f in result["factors"] if f["factor_key"] == "udvikling_adfaerd")
    assert factor["official"]["rationale"] == rationale  # kept with the decision
    notes = {n["informant_name"]: n for n in factor["disagreements"]}
    assert set(notes) == {"Lærer Ane", "Mor Mette"}
    for note in notes.values():
        assert rationale not in note["note"] + note["informant_comment"], note
    await staff_login(client)
    page = (await client.get(f"/rounds/{rid}/report")).text
    # The report prints the rationale with each decision, and not again in the notes.
    notes_section = page.split(f"<h2>{NOTES_HEADING}</h2>")[1]
    assert "Lærer Ane" in notes_section and rationale not in notes_section
    # The mother's own reason for seeing it differently, recorded in the dialogue: beside her
    # note, apart from the rationale, her score and comment untouched.
    own = "Mor oplever, at Emma er mere urolig om aftenen, end skolen ser."
    r = await client.put(
        f"/api/v1/rounds/{rid}/disagreement-notes/{notes['Mor Mette']['id']}",
        json={"reason": own},
        headers=world.headers(CW_A),
    )
    assert r.status_code == 200, r.text
    assert (r.json()["note"], r.json()["informant_score"]) == (own, 1)
    result = (await client.get(f"/api/v1/rounds/{rid}/result", headers=world.headers(CW_A))).json()
    factor = next(f for f in result["factors"] if f["factor_key"] == "udvikling_adfaerd")
    assert factor["official"]["rationale"] == rationale
    assert {n["informant_name"]: n["note"] for n in factor["disagreements"]} == {
        "Lærer Ane": "",
        "Mor Mette": own,
    }
    in_report = (await client.get(f"/rounds/{rid}/report")).text.split(f"<h2>{NOTES_HEADING}</h2>")[
        1
    ]
    assert "Egen begrundelse: " + own in in_report
    round_page = await client.get(f"/rounds/{rid}")
    assert "Egen begrundelse: " + own in round_page.text
    assert "Ret begrundelsen fra Mor Mette" in round_page.text
    # Through the round's page, and an unknown note: refused, nothing changed.
    csrf = re.search(r'name="csrf" value="([^"]+)"', round_page.text)
    assert csrf
    saved = await client.post(
        f"/rounds/{rid}/notes/{notes['Lærer Ane']['id']}",
        data={"csrf": csrf.group(1), "reason": "Skolen ser mest formiddagene."},
    )
    assert saved.status_code == 303, saved.text
    missing = await client.put(
        f"/api/v1/rounds/{rid}/disagreement-notes/999999",
        json={"reason": "x"},
        headers=world.headers(CW_A),
    )
    assert (missing.status_code, missing.json()["code"]) == (404, "note_not_found")
    result = (await client.get(f"/api/v1/rounds/{rid}/result", headers=world.headers(CW_A))).json()
    factor = next(f for f in result["factors"] if f["factor_key"] == "udvikling_adfaerd")
    assert {n["informant_name"]: n["note"] for n in factor["disagreements"]} == {
        "Lærer Ane": "Skolen ser mest formiddagene.",
        "Mor Mette": own,
    }
