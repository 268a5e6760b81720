"""The steps of the tables on the staff pages: ticking off who came to the meeting and to the
family dialogue, the team leader deciding only as the caseworker's substitute, and a step that
needs the caseworker's reason asking for it; all of it shown with the result."""

from __future__ import annotations

import re

import httpx

from service.clock import FrozenClock
from tests.factories import CW_A, LEADER_A
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
    staff_login,
    submit_on_behalf,
)
from tests.world import World

SCORES = [2, 3, 2, 1, 2, 0, 2, 0]


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field in the form"
    return found.group(1)


def _official_form(csrf: str) -> dict[str, str]:
    form = {"csrf": csrf, "at": ""}
    for key, score in zip(FACTORS, SCORES, strict=True):
        form |= {f"official-{key}": str(score), f"goal-{key}": str(score), f"rationale-{key}": "r"}
    return form


async def _at_meeting(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, *roles: str
) -> tuple[int, dict[str, int]]:
    await set_procedure(client, world, "kl1")
    rid = int((await open_round(client, world, clock, await new_case(client, world)))["id"])
    ids = {"caseworker": (await round_informants(client, world, rid))[0]["id"]}
    for role in ("school", *roles):
        ids[role] = (await add_informant(client, world, rid, role, f"{role.title()} Holm"))["id"]
    for role in ("school", "caseworker"):
        r = await submit_on_behalf(client, world, rid, ids[role], entries(SCORES))
        assert r.status_code == 200, r.text
    return rid, ids


async def test_the_caseworker_ticks_off_the_meeting_on_its_page_and_the_result_shows_it(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    rid, ids = await _at_meeting(client, world, clock, "provider", "mother")
    await staff_login(client, CW_A)
    page = await client.get(f"/rounds/{rid}/meeting")
    assert page.status_code == 200
    assert "Hvem deltog i mødet?" in page.text
    # Three states: nothing chosen is "not recorded", never counted as having come.
    school = f'name="attendance-{ids["school"]}"'
    assert f'{school} value="present">' in page.text and f'{school} value="absent">' in page.text
    assert f'name="attendance-{ids["mother"]}"' not in page.text  # the mother comes in trin 3
    assert 'name="substitute_reason"' not in page.text  # the caseworker decides as themself
    people = [ids["caseworker"], ids["school"], ids["provider"]]
    form = _official_form(_csrf(page.text)) | {
        "attendance": "meeting",
        "attendance_people": ",".join(str(i) for i in people),
        f"attendance-{ids['caseworker']}": "present",
        f"attendance-{ids['school']}": "absent",
        f"attendance-{ids['provider']}": "present",
    }
    saved = await client.post(f"/rounds/{rid}/meeting", data=form)
    assert saved.status_code == 303, saved.text
    came = await client.get(f"/api/v1/rounds/{rid}/attendance/meeting", headers=world.headers(CW_A))
    assert {i["role"]: i["present"] for i in came.json()["items"]} == {
        "caseworker": True,
        "school": False,
        "provider": True,
    }
    assert (await fire(client, world, rid, "finish_consensus", prepare=False)).status_code == 200
    # KL 1, trin 3: the provider's part in the dialogue is ticked off on the round's page.
    page = await client.get(f"/rounds/{rid}")
    assert "Hvem var med i dialogen fra kommunen og leverandøren?" in page.text
    # Three states here too: the provider, chosen neither way, is not recorded, not absent.
    assert 'name="attendance-' in page.text and 'type="checkbox" name="present-' not in page.text
    half = await client.post(
        f"/rounds/{rid}/attendance",
        data={
            "csrf": _csrf(page.text),
            "gathering": "family_dialogue",
            f"attendance-{ids['caseworker']}": "present",
        },
    )
    assert half.status_code == 303, half.text
    dialogue = await client.get(
        f"/api/v1/rounds/{rid}/attendance/family_dialogue", headers=world.headers(CW_A)
    )
    assert {i["role"]: i["state"] for i in dialogue.json()["items"]} == {
        "caseworker": "present",
        "provider": "not_recorded",
    }
    ticked = await client.post(
        f"/rounds/{rid}/attendance",
        data={
            "csrf": _csrf(page.text),
            "gathering": "family_dialogue",
            f"attendance-{ids['caseworker']}": "present",
            f"attendance-{ids['provider']}": "present",
        },
    )
    assert ticked.status_code == 303, ticked.text
    # The mother did not score: the confirmation says that her reason is missing, per person
    # on the round's page, and the step will not end without it.
    confirm = await client.get(f"/rounds/{rid}/confirm?event=finish_family_dialogue")
    assert "Én i familien har hverken svaret eller fået en begrundelse" in confirm.text
    refused = await client.post(
        f"/rounds/{rid}/events",
        data={"csrf": _csrf(confirm.text), "event": "finish_family_dialogue", "confirmed": "1"},
    )
    assert refused.status_code == 409, refused.text
    why = "Mor kom ikke til samtalen."
    saved = await client.post(
        f"/rounds/{rid}/family-voices",
        data={
            "csrf": _csrf(confirm.text),
            "voice": f"mother:{ids['mother']}",
            "reason": "not_reachable",
            "note": why,
        },
    )
    assert saved.status_code == 303, saved.text
    confirm = await client.get(f"/rounds/{rid}/confirm?event=finish_family_dialogue")
    assert "hverken svaret" not in confirm.text
    done = await client.post(
        f"/rounds/{rid}/events",
        data={"csrf": _csrf(confirm.text), "event": "finish_family_dialogue", "confirmed": "1"},
    )
    assert done.status_code == 303
    page = await client.get(f"/rounds/{rid}")
    result = page.text[page.text.index('id="participants"') :]
    row = re.search(r"<tr>\s*<th scope=\"row\">School Holm</th>(.*?)</tr>", result, re.S)
    assert row and "Til mødet" in result and ">Nej<" in row.group(1)
    mother = re.search(r"<tr>\s*<th scope=\"row\">Mother Holm</th>(.*?)</tr>", result, re.S)
    assert mother and why in mother.group(1)
    provider = re.search(r"<tr>\s*<th scope=\"row\">Provider Holm</th>(.*?)</tr>", result, re.S)
    assert provider and provider.group(1).count(">Ja<") == 2  # at the meeting, in the dialogue


async def test_the_team_leader_sets_the_score_on_the_meeting_page_only_with_a_reason(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    rid, _ = await _at_meeting(client, world, clock)
    await staff_login(client, LEADER_A)
    page = await client.get(f"/rounds/{rid}/meeting")
    assert 'name="substitute_reason"' in page.text
    refused = await client.post(f"/rounds/{rid}/meeting", data=_official_form(_csrf(page.text)))
    assert refused.status_code == 422
    assert "Som teamleder kan du kun sætte den i stedet for sagsbehandleren" in refused.text
    why = "Sagsbehandleren er syg."
    form = _official_form(_csrf(page.text)) | {"substitute_reason": why}
    assert (await client.post(f"/rounds/{rid}/meeting", data=form)).status_code == 303
    assert (await fire(client, world, rid, "finish_consensus")).status_code == 200
    done = await fire(client, world, rid, "finish_family_dialogue", reason="Ingen familie endnu.")
    assert done.json()["state"] == "completed"
    page = await client.get(f"/rounds/{rid}")
    assert f"Sat af teamlederen i stedet for sagsbehandleren: {why}" in page.text
    report = await client.get(f"/rounds/{rid}/report")
    assert report.status_code == 200 and why in report.text and "Til mødet" in report.text


async def test_closing_short_asks_the_caseworker_why(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    await set_procedure(client, world, "kl1")
    rid = int((await open_round(client, world, clock, await new_case(client, world)))["id"])
    school = (await add_informant(client, world, rid, "school", "Lærer Ane"))["id"]
    assert (await submit_on_behalf(client, world, rid, school, entries(SCORES))).status_code == 200
    await staff_login(client, CW_A)
    confirm = await client.get(f"/rounds/{rid}/confirm?event=close_collection")
    assert "Der er færre end to vurderinger, eller din egen mangler" in confirm.text
    assert re.search(r'<textarea id="reason" name="reason"[^>]*required', confirm.text)
    fields = {"csrf": _csrf(confirm.text), "event": "close_collection", "confirmed": "1"}
    refused = await client.post(f"/rounds/{rid}/events", data=fields)
    assert refused.status_code == 409 and "din egen skal være med" in refused.text
    closed = await client.post(
        f"/rounds/{rid}/events", data=fields | {"reason": "Jeg har talt med skolen."}
    )
    assert closed.status_code == 303
    decided = dict(zip(FACTORS, [(s, s) for s in SCORES], strict=True))
    assert (await set_official(client, world, rid, decided)).status_code == 200
    assert (await fire(client, world, rid, "finish_consensus")).status_code == 200
    assert (await fire(client, world, rid, "finish_family_dialogue", reason="x")).status_code == 200
    page = await client.get(f"/rounds/{rid}")
    assert "Begrundelse: Jeg har talt med skolen." in page.text
