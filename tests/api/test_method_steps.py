"""Every step of KL's tables happens, not only the state change: who came to the meeting (trin
2), the provider's part in KL 1's family dialogue (trin 3), and a family step that ends only
when the child and each parent have scored or the caseworker says why not."""

from __future__ import annotations

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
    submit_on_behalf,
)
from tests.world import World

SCORES = [2, 3, 2, 1, 2, 0, 2, 0]
DECIDED = dict(zip(FACTORS, [(s, s) for s in SCORES], strict=True))


async def _at_consensus(
    client: httpx.AsyncClient,
    world: World,
    clock: FrozenClock,
    procedure: str,
    *roles: str,
    ref: str = "DUBU-R1",
) -> tuple[int, dict[str, int]]:
    """A first-time round at trin 2: the caseworker and the school scored; `roles` added."""
    await set_procedure(client, world, procedure)
    case_id = await new_case(client, world, ref=ref)
    rid = int((await open_round(client, world, clock, case_id))["id"])
    ids = {"caseworker": (await round_informants(client, world, rid))[0]["id"]}
    for role in ("school", *roles):
        ids[role] = (await add_informant(client, world, rid, role, f"{role.title()} Holm"))["id"]
    for role in ("school", "caseworker"):
        r = await submit_on_behalf(client, world, rid, ids[role], entries(SCORES))
        assert r.status_code == 200, r.text
    state = (await client.get(f"/api/v1/rounds/{rid}", headers=world.headers(CW_A))).json()
    if state["state"] == "collecting":  # someone has not scored: closed by hand, two voices
        state = (await fire(client, world, rid, "close_collection")).json()
    assert state["state"] == "consensus", state
    return rid, ids


async def _attendance(
    client: httpx.AsyncClient, world: World, rid: int, gathering: str, present: list[int]
) -> httpx.Response:
    return await client.put(
        f"/api/v1/rounds/{rid}/attendance",
        json={"gathering": gathering, "present": present},
        headers=world.headers(CW_A),
    )


def _by_role(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["role"]: p for p in result["participants"]}


async def test_the_caseworker_ticks_off_who_came_to_the_meeting(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    rid, ids = await _at_consensus(
        client, world, clock, "kl1", "provider", "psychologist", "mother"
    )
    # Before anyone is recorded: the table's meeting set for the first time (Tabel 1, trin 2:
    # "alle ovenstående plus leverandør"), not the mother, who comes in trin 3; nobody is
    # counted as having come until the caseworker says so.
    r = await client.get(f"/api/v1/rounds/{rid}/attendance/meeting", headers=world.headers(CW_A))
    assert r.status_code == 200, r.text
    default = {i["role"]: (i["present"], i["recorded"]) for i in r.json()["items"]}
    assert default == {
        "caseworker": (False, False),
        "school": (False, False),
        "provider": (False, False),
        "psychologist": (False, False),
    }
    wrong = await _attendance(client, world, rid, "meeting", [ids["mother"]])
    assert (wrong.status_code, wrong.json()["code"]) == (422, "not_expected_there")
    dialogue_now = await _attendance(client, world, rid, "family_dialogue", [ids["caseworker"]])
    assert (dialogue_now.status_code, dialogue_now.json()["code"]) == (409, "not_at_gathering")
    came = [ids["caseworker"], ids["school"], ids["provider"]]
    r = await _attendance(client, world, rid, "meeting", came)
    assert r.status_code == 200, r.text
    ticked = {i["role"]: (i["present"], i["recorded"]) for i in r.json()["items"]}
    assert ticked["psychologist"] == (False, True) and ticked["provider"] == (True, True)
    assert (await set_official(client, world, rid, DECIDED)).status_code == 200
    finished = await fire(client, world, rid, "finish_consensus", prepare=False)
    assert finished.json()["state"] == "family_dialogue", finished.text
    late = await _attendance(client, world, rid, "meeting", came)
    assert (late.status_code, late.json()["code"]) == (409, "not_at_gathering")
    result = (await client.get(f"/api/v1/rounds/{rid}/result", headers=world.headers(CW_A))).json()
    people = _by_role(result)
    assert result["gatherings"] == ["meeting", "family_dialogue"]
    assert people["psychologist"]["meeting"] is False
    assert people["provider"]["meeting"] is True and people["provider"]["scored"] is False
    assert people["school"]["meeting"] is True and people["school"]["scored"] is True
    assert people["mother"]["meeting"] is None  # not one of the meeting's


async def test_unrecorded_attendance_never_shows_as_present_and_kl2_has_no_meeting(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    rid, _ = await _at_consensus(client, world, clock, "kl3")
    assert (await set_official(client, world, rid, DECIDED)).status_code == 200
    # The meeting does not end with anyone expected there not recorded.
    r = await fire(client, world, rid, "finish_consensus", prepare=False)
    assert (r.status_code, r.json()["unmet"]) == (409, ["attendance_recorded"])
    result = (await client.get(f"/api/v1/rounds/{rid}/result", headers=world.headers(CW_A))).json()
    # The table's meeting set, not recorded: not shown as having come.
    assert {p["role"]: p["meeting"] for p in result["participants"]} == {
        "caseworker": None,
        "school": None,
    }
    kl2, _ = await _at_consensus(client, world, clock, "kl2", ref="DUBU-KL2")
    none = await client.get(f"/api/v1/rounds/{kl2}/attendance/meeting", headers=world.headers(CW_A))
    assert (none.status_code, none.json()["code"]) == (409, "no_such_gathering")


async def test_the_family_step_needs_every_family_informant_or_the_caseworkers_reason(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    rid, ids = await _at_consensus(
        client, world, clock, "kl1", "provider", "child", "mother", "father"
    )
    assert (await set_official(client, world, rid, DECIDED)).status_code == 200
    assert (await fire(client, world, rid, "finish_consensus")).status_code == 200
    r = await submit_on_behalf(client, world, rid, ids["mother"], entries([1, 2, 2, 1, 1, 0, 1, 0]))
    assert r.status_code == 200, r.text
    # One of three is not the family heard: the child and the father would vanish, and one
    # reason for the whole family does not do.
    for reason in (None, "Samtale holdt."):
        alone = await fire(client, world, rid, "finish_family_dialogue", reason, prepare=False)
        assert (alone.status_code, alone.json()["unmet"]) == (409, ["family_heard"])
    state = (await client.get(f"/api/v1/rounds/{rid}", headers=world.headers(CW_A))).json()
    assert "finish_family_dialogue" not in state["reason_needed"]
    voices = await client.get(f"/api/v1/rounds/{rid}/family-voices", headers=world.headers(CW_A))
    assert voices.json()["missing"] == 2
    assert {v["role"]: v["scored"] for v in voices.json()["items"]} == {
        "child": False,
        "mother": True,
        "father": False,
    }
    # KL 1, trin 3: "i dialog med socialrådgiver og leverandør"; the provider was not there.
    r = await _attendance(client, world, rid, "family_dialogue", [ids["caseworker"]])
    assert r.status_code == 200, r.text
    assert {i["role"]: i["present"] for i in r.json()["items"]} == {
        "caseworker": True,
        "provider": False,
    }

    async def not_heard(role: str, reason: str, note: str) -> httpx.Response:
        return await client.put(
            f"/api/v1/rounds/{rid}/family-voices",
            json={"role": role, "informant_id": ids[role], "reason": reason, "note": note},
            headers=world.headers(CW_A),
        )

    # Age or maturity is the child's reason, never a parent's; a parent who scored needs none.
    wrong = await not_heard("father", "age_or_maturity", "x")
    assert (wrong.status_code, wrong.json()["code"]) == (422, "reason_for_child_only")
    scored = await not_heard("mother", "declined", "x")
    assert (scored.status_code, scored.json()["code"]) == (409, "already_scored")
    empty = await not_heard("father", "declined", "  ")
    assert empty.status_code == 422, empty.text
    father = "Far ønskede ikke at deltage; tilbudt samtale alene."
    child = "Emma var på lejrskole; hendes ønsker hørt i telefonen dagen efter."
    assert (await not_heard("father", "declined", father)).json()["missing"] == 1
    assert (await not_heard("child", "not_reachable", child)).json()["missing"] == 0
    done = await fire(client, world, rid, "finish_family_dialogue", prepare=False)
    assert done.status_code == 200 and done.json()["state"] == "completed", done.text
    result = (await client.get(f"/api/v1/rounds/{rid}/result", headers=world.headers(CW_A))).json()
    people = _by_role(result)
    assert (people["mother"]["scored"], people["mother"]["not_scored_reason"]) == (True, None)
    assert (people["father"]["not_heard"], people["father"]["not_scored_reason"]) == (
        "declined",
        father,
    )
    assert (people["child"]["not_heard"], people["child"]["not_scored_reason"]) == (
        "not_reachable",
        child,
    )
    assert (people["provider"]["family_dialogue"], people["caseworker"]["family_dialogue"]) == (
        False,
        True,
    )
    assert people["school"]["family_dialogue"] is None
    # Recorded once the step has ended: refused, nothing changed.
    late = await not_heard("father", "not_reachable", "x")
    assert (late.status_code, late.json()["code"]) == (409, "family_step_over")


async def test_the_family_step_ends_without_a_reason_when_everyone_scored(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    rid, ids = await _at_consensus(client, world, clock, "kl1", "child", "mother")
    assert (await set_official(client, world, rid, DECIDED)).status_code == 200
    assert (await fire(client, world, rid, "finish_consensus")).status_code == 200
    for role in ("child", "mother"):
        r = await submit_on_behalf(client, world, rid, ids[role], entries(SCORES))
        assert r.status_code == 200, r.text
    done = await fire(client, world, rid, "finish_family_dialogue")
    assert done.json()["state"] == "completed", done.text


async def test_the_child_is_owed_a_voice_when_only_a_parent_is_in_the_round(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    """KL 1 with the mother as the only family informant finished with the child never
    asked: the child is owed a voice though not an informant (Barnets Lov § 5)."""
    await set_procedure(client, world, "kl1")
    rid = int(
        (await open_round(client, world, clock, await new_case(client, world), child_heard=False))[
            "id"
        ]
    )
    ids = {"caseworker": (await round_informants(client, world, rid))[0]["id"]}
    for role in ("school", "mother"):
        ids[role] = (await add_informant(client, world, rid, role, f"{role.title()} Holm"))["id"]
    for role in ("school", "caseworker"):
        r = await submit_on_behalf(client, world, rid, ids[role], entries(SCORES))
        assert r.status_code == 200, r.text
    assert (await set_official(client, world, rid, DECIDED)).status_code == 200
    assert (await fire(client, world, rid, "finish_consensus")).status_code == 200
    r = await submit_on_behalf(client, world, rid, ids["mother"], entries(SCORES))
    assert r.status_code == 200, r.text
    refused = await fire(client, world, rid, "finish_family_dialogue", "Mor deltog.", prepare=False)
    assert (refused.status_code, refused.json()["unmet"]) == (409, ["family_heard"])
    voices = await client.get(f"/api/v1/rounds/{rid}/family-voices", headers=world.headers(CW_A))
    assert [(v["role"], v["informant_id"], v["scored"]) for v in voices.json()["items"]] == [
        ("child", None, False),
        ("mother", ids["mother"], True),
    ]
    how = "Emma er tre år. Set sammen med mor i hjemmet; hun viste glæde ved børnehaven."
    r = await client.put(
        f"/api/v1/rounds/{rid}/family-voices",
        json={"role": "child", "reason": "age_or_maturity", "note": how},
        headers=world.headers(CW_A),
    )
    assert (r.status_code, r.json()["missing"]) == (200, 0), r.text
    done = await fire(client, world, rid, "finish_family_dialogue", prepare=False)
    assert done.json()["state"] == "completed", done.text
    result = (await client.get(f"/api/v1/rounds/{rid}/result", headers=world.headers(CW_A))).json()
    assert [(v["role"], v["reason"], v["note"]) for v in result["family_voices"]] == [
        ("child", "age_or_maturity", how),
        ("mother", None, None),
    ]


async def test_kl3_closes_its_collection_only_with_the_family_heard(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    """KL 3 takes the family's scores in trin 1: neither the caseworker nor the municipality's
    automatic close ends it with the child unheard and no reason."""
    await set_procedure(client, world, "kl3")
    rid = int(
        (await open_round(client, world, clock, await new_case(client, world), child_heard=False))[
            "id"
        ]
    )
    caseworker = (await round_informants(client, world, rid))[0]["id"]
    school = (await add_informant(client, world, rid, "school", "Ane Lund"))["id"]
    for informant in (school, caseworker):
        r = await submit_on_behalf(client, world, rid, informant, entries(SCORES))
        assert r.status_code == 200, r.text
    state = (await client.get(f"/api/v1/rounds/{rid}", headers=world.headers(CW_A))).json()
    assert state["state"] == "collecting"  # everyone added has answered; the child has not
    refused = await fire(client, world, rid, "close_collection", "Nok svar.", prepare=False)
    assert (refused.status_code, refused.json()["unmet"]) == (409, ["family_heard"])
    r = await client.put(
        f"/api/v1/rounds/{rid}/family-voices",
        json={"role": "child", "reason": "declined", "note": "Noah ville ikke; talte om skolen."},
        headers=world.headers(CW_A),
    )
    assert r.status_code == 200, r.text
    closed = await fire(client, world, rid, "close_collection", prepare=False)
    assert closed.json()["state"] == "consensus", closed.text
