"""Each KL procedure, first time and follow-up, driven end to end through HTTP.

The scenario (aarhus-boern-familie, 0-4, 0 best) and its expected notes and outcomes are
computed by hand below.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from dateutil.relativedelta import relativedelta

from service.clock import FrozenClock
from tests.factories import CW_A
from tests.rounds_helpers import (
    CANNOT,
    add_informant,
    amend,
    entries,
    fire,
    issue_link,
    new_case,
    open_round,
    set_official,
    set_procedure,
    submit_link,
    submit_on_behalf,
)
from tests.world import World

LOCAL = ZoneInfo("Europe/Copenhagen")

# Round 1: the informants' scores, in factor order
# (udvikling, familie, skole, sundhed, fritid, selvhjulpen, tilknytning, kriminalitet).
CASEWORKER_1 = [2, 3, 2, 1, 2, 0, 2, 0]
SCHOOL_1 = [3, 3, 1, 1, 2, 0, 2, 0]
PSYCHOLOGIST_1 = [2, 4, CANNOT, 1, 3, 0, 2, 0]
MOTHER_1 = [1, 2, 2, 1, 1, 0, 1, 0]
CHILD_1 = [0, CANNOT, CANNOT, CANNOT, CANNOT, CANNOT, CANNOT, CANNOT]
# The official score and goal; kriminalitet not assessed.
OFFICIAL_1 = {
    "udvikling_adfaerd": (2, 1),
    "familieforhold": (3, 2),
    "skoleforhold": (2, 2),
    "sundhedsforhold": (1, 1),
    "fritid_venskaber": (3, 1),
    "selvhjulpenhed": (0, 0),
    "tilknytning": (2, 1),
    "kriminalitet": (None, None),
}
# Every informant score differing from the official one: (factor, informant, their score, official).
NOTES_PROFESSIONALS_1 = {
    ("udvikling_adfaerd", "Lærer Ane", 3, 2),
    ("familieforhold", "Psykolog Bo", 4, 3),
    ("skoleforhold", "Lærer Ane", 1, 2),
    ("fritid_venskaber", "cw.a", 2, 3),
    ("fritid_venskaber", "Lærer Ane", 2, 3),
    ("kriminalitet", "cw.a", 0, None),
    ("kriminalitet", "Lærer Ane", 0, None),
    ("kriminalitet", "Psykolog Bo", 0, None),
}
NOTES_FAMILY_1 = {
    ("udvikling_adfaerd", "Mor Mette", 1, 2),
    ("familieforhold", "Mor Mette", 2, 3),
    ("fritid_venskaber", "Mor Mette", 1, 3),
    ("tilknytning", "Mor Mette", 1, 2),
    ("kriminalitet", "Mor Mette", 0, None),
    ("udvikling_adfaerd", "Emma", 0, 2),
}

# Round 2 (follow-up): the official scores, and what goal attainment must be.
OFFICIAL_2 = {
    "udvikling_adfaerd": (1, 1),
    "familieforhold": (3, 2),
    "skoleforhold": (1, 1),
    "sundhedsforhold": (2, 1),
    "fritid_venskaber": (2, 1),
    "selvhjulpenhed": (0, 0),
    "tilknytning": (3, 2),
    "kriminalitet": (0, 0),
}
OUTCOMES_2 = {
    "udvikling_adfaerd": ("progression_goal_met", None),  # 2 -> 1, goal 1
    "familieforhold": ("no_progression", None),  # 3 -> 3, goal 2
    "skoleforhold": ("maintenance_goal_met", None),  # 2 -> 1, goal 2 (keep)
    "sundhedsforhold": ("negative_progression", None),  # 1 -> 2, goal 1 (keep)
    "fritid_venskaber": ("progression", None),  # 3 -> 2, goal 1
    "selvhjulpenhed": ("unproblematic", None),  # 0 -> 0
    "tilknytning": ("negative_progression", None),  # 2 -> 3, goal 1
    "kriminalitet": (None, "no_previous_status"),  # not assessed in round 1
}
PROVIDER_2 = [1, 3, 1, 2, 2, 0, 2, 0]  # differs on tilknytning only

PATHS = {
    "kl1": ["collecting", "consensus", "family_dialogue", "completed"],
    "kl2": ["collecting", "consensus", "family_dialogue", "provider_information", "completed"],
    "kl3": ["collecting", "consensus", "completed"],
}


def _note_set(
    result: dict[str, Any], step: str | None = None
) -> set[tuple[str, str, int, int | None]]:
    return {
        (f["factor_key"], n["informant_name"], n["informant_score"], n["official_score"])
        for f in result["factors"]
        for n in f["disagreements"]
        if step is None or n["step"] == step
    }


async def _result(client: httpx.AsyncClient, world: World, round_id: int) -> dict[str, Any]:
    r = await client.get(f"/api/v1/rounds/{round_id}/result", headers=world.headers(CW_A))
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    return data


async def _finish(
    client: httpx.AsyncClient,
    world: World,
    procedure: str,
    round_id: int,
    states: list[str],
    family_step: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """From consensus to completed, along the procedure's own path."""
    r = await fire(client, world, round_id, "finish_consensus")
    assert r.status_code == 200, r.text
    states.append(r.json()["state"])
    if procedure in ("kl1", "kl2"):
        if family_step is not None:
            await family_step()
        else:
            r = await fire(client, world, round_id, "finish_family_dialogue", prepare=False)
            assert r.status_code == 409, "the family step needs their scores or a reason"
        r = await fire(
            client,
            world,
            round_id,
            "finish_family_dialogue",
            reason=None if family_step else "Forældrene mødte ikke op.",
        )
        assert r.status_code == 200, r.text
        states.append(r.json()["state"])
    if procedure == "kl2":
        assert r.json()["allowed_events"] == ["cancel", "inform_provider"]
        r = await fire(
            client, world, round_id, "inform_provider", reason="Sendt til plejefamilien."
        )
        assert r.status_code == 200, r.text
        states.append(r.json()["state"])
        assert r.json()["provider_informed_at"] is not None


@pytest.mark.parametrize("procedure", ["kl1", "kl2", "kl3"])
async def test_procedure_first_time_then_follow_up(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, procedure: str
) -> None:
    # KL 2 closes the independent step by hand; the others when everyone has submitted.
    close = "manual" if procedure == "kl2" else "all_submitted"
    interval = 4 if procedure == "kl2" else 6
    await set_procedure(client, world, procedure, collection_close=close, interval_months=interval)
    case_id = await new_case(client, world)

    # ---------------- round 1: first time ----------------
    rnd = await open_round(client, world, clock, case_id)
    rid = rnd["id"]
    assert (rnd["procedure"], rnd["variant"], rnd["state"]) == (
        procedure,
        "first_time",
        "collecting",
    )
    assert rnd["consensus"] == ("caseworker_alone" if procedure == "kl2" else "meeting")
    states = [rnd["state"]]
    listing = await client.get(f"/api/v1/rounds/{rid}/informants", headers=world.headers(CW_A))
    caseworker = listing.json()["items"][0]
    assert (caseworker["role"], caseworker["step"]) == ("caseworker", "independent")
    school = await add_informant(client, world, rid, "school", "Lærer Ane")
    psych = await add_informant(client, world, rid, "psychologist", "Psykolog Bo")
    provider = await add_informant(client, world, rid, "provider", "Plejefamilien Holm")
    mother = await add_informant(client, world, rid, "mother", "Mor Mette")
    child = await add_informant(client, world, rid, "child", "Emma")
    family_step = "independent" if procedure == "kl3" else "family"
    # On a first round the provider joins the meeting (KL 1, 3), or is told the result (KL 2,
    # which has no meeting); it does not score beforehand.
    assert (school["step"], psych["step"], provider["step"]) == (
        "independent",
        "independent",
        "informed" if procedure == "kl2" else "meeting_only",
    )
    assert (mother["step"], child["step"]) == (family_step, family_step)
    r = await client.post(
        f"/api/v1/rounds/{rid}/informants/{provider['id']}/link", headers=world.headers(CW_A)
    )
    assert r.status_code == 409
    assert r.json()["code"] == "informant_does_not_score"

    school_link = await issue_link(client, world, rid, school["id"])
    psych_link = await issue_link(client, world, rid, psych["id"])
    mother_link = await issue_link(client, world, rid, mother["id"])

    assert (await submit_link(client, school_link, entries(SCHOOL_1))).status_code == 200
    assert (await submit_link(client, psych_link, entries(PSYCHOLOGIST_1))).status_code == 200
    if procedure == "kl3":
        assert (await submit_link(client, mother_link, entries(MOTHER_1))).status_code == 200
        r = await submit_on_behalf(client, world, rid, child["id"], entries(CHILD_1))
        assert r.status_code == 200, r.text
        assert r.json()["entered_on_behalf"] is True
    else:
        # The family scores after the consensus: their link does not take scores yet.
        r = await submit_link(client, mother_link, entries(MOTHER_1))
        assert r.status_code == 409
        assert r.json()["code"] == "not_accepting"
    r = await submit_on_behalf(client, world, rid, caseworker["id"], entries(CASEWORKER_1))
    assert r.status_code == 200, r.text
    assert r.json()["entered_on_behalf"] is False  # the caseworker's own scores

    current = (await client.get(f"/api/v1/rounds/{rid}", headers=world.headers(CW_A))).json()
    if procedure == "kl2":
        assert current["state"] == "collecting"
        r = await fire(client, world, rid, "close_collection")
        assert r.status_code == 200, r.text
        current = r.json()
    assert current["state"] == "consensus"
    states.append("consensus")

    # The meeting view: every score side by side, the most divergent factor first.
    view = (await client.get(f"/api/v1/rounds/{rid}/consensus", headers=world.headers(CW_A))).json()
    first = view["factors"][0]
    if procedure == "kl3":
        # With mother (1) and child (0), udvikling spans 0..3 and diverges.
        assert (
            first["factor_key"],
            first["spread_min"],
            first["spread_max"],
            first["diverges"],
        ) == (
            "udvikling_adfaerd",
            0,
            3,
            True,
        )
    else:
        # Professionals only: udvikling (2,3,2), familie (3,3,4), skole (2,1), fritid (2,2,3)
        # span 1 each; ties keep the instrument's order; nothing diverges at threshold 1.
        assert [f["factor_key"] for f in view["factors"][:4]] == [
            "udvikling_adfaerd",
            "familieforhold",
            "skoleforhold",
            "fritid_venskaber",
        ]
        assert not any(f["diverges"] for f in view["factors"])
    by_key = {f["factor_key"]: f for f in view["factors"]}
    school_udv = next(s for s in by_key["udvikling_adfaerd"]["scores"] if s["name"] == "Lærer Ane")
    assert (school_udv["score"], school_udv["comment"], school_udv["role"]) == (3, "", "school")
    assert any(s["cannot_assess"] for s in by_key["skoleforhold"]["scores"])

    r = await fire(client, world, rid, "finish_consensus")
    assert r.status_code == 409
    assert r.json()["code"] == "transition_not_ready"
    assert r.json()["unmet"] == ["all_factors_settled"]
    r = await set_official(client, world, rid, OFFICIAL_1)
    assert r.status_code == 200, r.text
    expected = NOTES_PROFESSIONALS_1 | (NOTES_FAMILY_1 if procedure == "kl3" else set())
    assert _note_set(r.json()) == expected  # as they will be stored

    async def family() -> None:
        r = await submit_link(client, mother_link, entries(MOTHER_1))
        assert r.status_code == 200, r.text
        r = await submit_on_behalf(client, world, rid, child["id"], entries(CHILD_1))
        assert r.status_code == 200, r.text

    await _finish(
        client, world, procedure, rid, states, family_step=family if procedure != "kl3" else None
    )
    assert states == PATHS[procedure]

    result = await _result(client, world, rid)
    assert result["state"] == "completed"
    assert result["previous_round_id"] is None
    assert _note_set(result) == NOTES_PROFESSIONALS_1 | NOTES_FAMILY_1
    assert _note_set(result, "family") == (set() if procedure == "kl3" else NOTES_FAMILY_1)
    official = {
        f["factor_key"]: (f["official"]["score"], f["official"]["goal"]) for f in result["factors"]
    }
    assert official == OFFICIAL_1
    assert all(f["outcome"]["no_outcome"] == "no_previous_round" for f in result["factors"])
    # The first follow-up is due three months after the date the round was planned for (its
    # due date), not after the day it happened to be completed.
    planned_1 = datetime.fromisoformat(rnd["due_at"]).astimezone(LOCAL).date()
    assert result["next_due_on"] == (planned_1 + relativedelta(months=3)).isoformat()
    history = (
        await client.get(f"/api/v1/rounds/{rid}/history", headers=world.headers(CW_A))
    ).json()["items"]
    assert [h["to_state"] for h in history] == PATHS[procedure]
    assert history[1]["actor_id"] == (
        f"staff:{world.user(CW_A).id}" if procedure == "kl2" else "system"
    )

    # ---------------- round 2: follow-up, three months on ----------------
    clock.advance(timedelta(days=91))
    # KL 1 and 2 hear the family after the meeting: the test shows the step waiting for it.
    rnd2 = await open_round(client, world, clock, case_id, child_heard=procedure == "kl3")
    rid2 = rnd2["id"]
    assert rnd2["variant"] == "follow_up"
    caseworker2 = (
        await client.get(f"/api/v1/rounds/{rid2}/informants", headers=world.headers(CW_A))
    ).json()["items"][0]
    school2 = await add_informant(client, world, rid2, "school", "Lærer Ane")
    provider2 = await add_informant(client, world, rid2, "provider", "Plejefamilien Holm")
    assert provider2["step"] == "independent"  # from the first follow-up on, the provider scores
    official_values = [OFFICIAL_2[k][0] for k in OFFICIAL_2]
    assert (
        await submit_link(
            client, await issue_link(client, world, rid2, provider2["id"]), entries(PROVIDER_2)
        )
    ).status_code == 200
    assert (
        await submit_link(
            client, await issue_link(client, world, rid2, school2["id"]), entries(official_values)
        )
    ).status_code == 200
    r = await submit_on_behalf(client, world, rid2, caseworker2["id"], entries(official_values))
    assert r.status_code == 200, r.text
    if procedure == "kl2":
        assert (await fire(client, world, rid2, "close_collection")).status_code == 200
    assert (await set_official(client, world, rid2, OFFICIAL_2)).status_code == 200
    states2 = ["collecting", "consensus"]
    await _finish(client, world, procedure, rid2, states2)
    assert states2 == PATHS[procedure]
    result2 = await _result(client, world, rid2)
    assert result2["previous_round_id"] == rid
    outcomes = {
        f["factor_key"]: (f["outcome"]["outcome"], f["outcome"]["no_outcome"])
        for f in result2["factors"]
    }
    assert outcomes == OUTCOMES_2
    assert _note_set(result2) == {("tilknytning", "Plejefamilien Holm", 2, 3)}
    # Round 2 was planned for round 1's next due date; the interval is the procedure's.
    planned_2 = date.fromisoformat(result["next_due_on"])
    assert result2["next_due_on"] == (planned_2 + relativedelta(months=interval)).isoformat()

    # A correction of round 1 reaches the outcome round 2 measured against it: familieforhold
    # was 3 (goal 2) and stayed 3, no progression; corrected to 4 (goal 3), 4 -> 3 meets it.
    r = await amend(
        client,
        world,
        rid,
        "familieforhold",
        (4, 3),
        rationale="Psykologens vurdering vejer tungest.",
    )
    assert r.status_code == 201, r.text
    amended_1 = r.json()
    assert amended_1["previous_round_id"] is None  # round 2 is later, never round 1's previous
    assert all(f["outcome"]["no_outcome"] == "no_previous_round" for f in amended_1["factors"])
    familie = next(
        f
        for f in (await _result(client, world, rid2))["factors"]
        if f["factor_key"] == "familieforhold"
    )
    assert familie["outcome"]["outcome"] == "progression_goal_met"
    assert (familie["outcome"]["previous_score"], familie["outcome"]["previous_goal"]) == (4, 3)
    # Round 2's own amendments measure against round 1 still, and leave round 1 alone.
    r = await amend(
        client, world, rid2, "skoleforhold", (2, 1), rationale="Skolen har set et tilbagefald."
    )
    assert r.status_code == 201, r.text
    assert r.json()["previous_round_id"] == rid
    skole = next(f for f in r.json()["factors"] if f["factor_key"] == "skoleforhold")
    assert skole["outcome"]["outcome"] == "maintenance_goal_met"  # 2 -> 2, goal 2 (keep)
