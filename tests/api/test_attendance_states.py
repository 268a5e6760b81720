"""Attendance (fremmøde) has three states: present, absent and not recorded. Nobody is taken to
have come to the meeting without the caseworker's word, and the meeting page records each of
the three and will not finish the step while someone expected is not recorded."""

from __future__ import annotations

import re
from typing import Any

import httpx

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
    staff_login,
    submit_on_behalf,
)
from tests.world import World

SCORES = [2, 3, 2, 1, 2, 0, 2, 0]
DECIDED = dict(zip(FACTORS, [(s, s) for s in SCORES], strict=True))


async def _at_consensus(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, procedure: str, *roles: str
) -> tuple[int, dict[str, int]]:
    """A first-time round at trin 2: the caseworker and the school scored; `roles` added."""
    await set_procedure(client, world, procedure)
    rid = int((await open_round(client, world, clock, await new_case(client, world)))["id"])
    ids = {"caseworker": (await round_informants(client, world, rid))[0]["id"]}
    for role in ("school", *roles):
        ids[role] = (await add_informant(client, world, rid, role, f"{role.title()} Holm"))["id"]
    for role in ("school", "caseworker"):
        r = await submit_on_behalf(client, world, rid, ids[role], entries(SCORES))
        assert r.status_code == 200, r.text
    state = (await client.get(f"/api/v1/rounds/{rid}", headers=world.headers(CW_A))).json()
    if state["state"] == "collecting":
        state = (await fire(client, world, rid, "close_collection")).json()
    assert state["state"] == "consensus", state
    return rid, ids


async def _meeting(client: httpx.AsyncClient, world: World, rid: int) -> dict[str, Any]:
    r = await client.get(f"/api/v1/rounds/{rid}/attendance/meeting", headers=world.headers(CW_A))
    assert r.status_code == 200, r.text
    return {i["role"]: (i["present"], i["recorded"]) for i in r.json()["items"]}


async def _participants(client: httpx.AsyncClient, world: World, rid: int) -> dict[str, Any]:
    r = await client.get(f"/api/v1/rounds/{rid}/result", headers=world.headers(CW_A))
    assert r.status_code == 200, r.text
    return {p["role"]: p["meeting"] for p in r.json()["participants"]}


def _field(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]+)"', html)
    assert found, f"no {name} field in the form"
    return found.group(1)


def _csrf(html: str) -> str:
    return _field(html, "csrf")


async def test_nobody_is_present_at_the_meeting_until_the_caseworker_says_so(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    rid, ids = await _at_consensus(client, world, clock, "kl1", "provider")
    # Expected by the table, but not recorded: not present, and not recorded.
    assert await _meeting(client, world, rid) == {
        "caseworker": (False, False),
        "school": (False, False),
        "provider": (False, False),
    }
    assert (await set_official(client, world, rid, DECIDED)).status_code == 200
    # Nobody is shown as having come, and the meeting cannot end before someone says who did.
    assert await _participants(client, world, rid) == {
        "caseworker": None,
        "school": None,
        "provider": None,
    }
    r = await fire(client, world, rid, "finish_consensus", prepare=False)
    assert (r.status_code, r.json().get("unmet")) == (409, ["attendance_recorded"]), r.text
    # Present and absent are recorded; the one left not recorded still holds the step.
    r = await client.put(
        f"/api/v1/rounds/{rid}/attendance",
        json={"gathering": "meeting", "present": [ids["caseworker"]], "absent": [ids["school"]]},
        headers=world.headers(CW_A),
    )
    assert r.status_code == 200, r.text
    assert {i["role"]: i["state"] for i in r.json()["items"]} == {
        "caseworker": "present",
        "school": "absent",
        "provider": "not_recorded",
    }
    r = await fire(client, world, rid, "finish_consensus", prepare=False)
    assert (r.status_code, r.json().get("unmet")) == (409, ["attendance_recorded"]), r.text


async def test_the_api_records_present_and_absent_and_the_result_keeps_both(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    rid, ids = await _at_consensus(client, world, clock, "kl3")
    r = await client.put(
        f"/api/v1/rounds/{rid}/attendance",
        json={"gathering": "meeting", "present": [ids["caseworker"]]},
        headers=world.headers(CW_A),
    )
    assert r.status_code == 200, r.text
    assert await _meeting(client, world, rid) == {
        "caseworker": (True, True),
        "school": (False, True),
    }
    assert (await set_official(client, world, rid, DECIDED)).status_code == 200
    r = await fire(client, world, rid, "finish_consensus", prepare=False)
    assert r.json()["state"] == "completed", r.text
    assert await _participants(client, world, rid) == {"caseworker": True, "school": False}


async def test_the_meeting_page_records_three_states_and_will_not_finish_with_one_unknown(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    rid, ids = await _at_consensus(client, world, clock, "kl1", "provider")
    await staff_login(client, CW_A)
    page = await client.get(f"/rounds/{rid}/meeting")
    assert page.status_code == 200, page.text
    # Radio buttons per person, nothing chosen: not recorded.
    for who in ("caseworker", "school", "provider"):
        assert f'name="attendance-{ids[who]}" value="present"' in page.text
        assert f'name="attendance-{ids[who]}" value="absent"' in page.text
    assert " checked" not in page.text.split('id="attendance"', 1)[1].split("</fieldset>")[0]
    # Finishing with nothing chosen at all: everyone expected is named, nothing else breaks.
    bare = {
        "csrf": _csrf(page.text),
        "attendance": "meeting",
        "attendance_people": _field(page.text, "attendance_people"),
        "finish": "finish_consensus",
    }
    nothing = await client.post(f"/rounds/{rid}/meeting", data=bare)
    assert nothing.status_code == 422, nothing.text
    for who in ("caseworker", "school", "provider"):
        assert f'href="#attendance-{ids[who]}-present"' in nothing.text
    form = {
        "csrf": _csrf(page.text),
        "at": "",
        "attendance": "meeting",
        "attendance_people": _field(page.text, "attendance_people"),
        f"attendance-{ids['caseworker']}": "present",
        f"attendance-{ids['school']}": "absent",
    }
    for key, score in zip(FACTORS, SCORES, strict=True):
        form |= {f"official-{key}": str(score), f"goal-{key}": str(score)}
    saved = await client.post(f"/rounds/{rid}/meeting", data=form)
    assert saved.status_code == 303, saved.text
    assert await _meeting(client, world, rid) == {
        "caseworker": (True, True),
        "school": (False, True),
        "provider": (False, False),
    }
    # Finishing with the provider not recorded: refused on the page, next to the person.
    refused = await client.post(
        f"/rounds/{rid}/meeting", data=form | {"finish": "finish_consensus"}
    )
    assert refused.status_code == 422, refused.text
    assert f'href="#attendance-{ids["provider"]}-present"' in refused.text
    assert "Provider Holm" in refused.text.split('id="error-summary"', 1)[1].split("</div>")[0]
    state = (await client.get(f"/api/v1/rounds/{rid}", headers=world.headers(CW_A))).json()
    assert state["state"] == "consensus"
    # Recorded as absent: the step goes on to its confirmation.
    form[f"attendance-{ids['provider']}"] = "absent"
    going = await client.post(f"/rounds/{rid}/meeting", data=form | {"finish": "finish_consensus"})
    assert going.status_code == 303, going.text
    assert going.headers["location"] == f"/rounds/{rid}/meeting/finish"
    # And back to not recorded, by choosing nothing.
    del form[f"attendance-{ids['school']}"]
    assert (await client.post(f"/rounds/{rid}/meeting", data=form)).status_code == 303
    assert (await _meeting(client, world, rid))["school"] == (False, False)


async def test_the_api_will_not_finish_the_meeting_with_someone_not_recorded(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    rid, _ = await _at_consensus(client, world, clock, "kl3")
    assert (await set_official(client, world, rid, DECIDED)).status_code == 200
    r = await fire(client, world, rid, "finish_consensus", prepare=False)
    assert (r.status_code, r.json().get("unmet")) == (409, ["attendance_recorded"])
