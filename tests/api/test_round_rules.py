"""Every refusal of the round workflow, and the caseworker's authority."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import Engine

from service.clock import FrozenClock
from service.db import session_scope
from service.usecases.procedure.rounds import close_due_rounds
from tests.factories import ADMIN_A, CW2_A, CW_A, CW_B, LEADER_A, instrument_id
from tests.rounds_helpers import (
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

SCORES: list[int | None] = [2, 3, 2, 1, 2, 0, 2, 0]
SHORT = "Kun skolen har svaret; vi går videre alligevel."
ALL_KEYS = [
    "udvikling_adfaerd",
    "familieforhold",
    "skoleforhold",
    "sundhedsforhold",
    "fritid_venskaber",
    "selvhjulpenhed",
    "tilknytning",
    "kriminalitet",
]


async def _caseworker_informant(client: httpx.AsyncClient, world: World, rid: int) -> int:
    rows = (
        await client.get(f"/api/v1/rounds/{rid}/informants", headers=world.headers(CW_A))
    ).json()["items"]
    return int(next(i["id"] for i in rows if i["role"] == "caseworker"))


async def _in_consensus(
    client: httpx.AsyncClient,
    world: World,
    clock: FrozenClock,
    school_scores: list[int | None] | None = None,
) -> int:
    case_id = await new_case(client, world)
    rnd = await open_round(client, world, clock, case_id)
    school = await add_informant(client, world, rnd["id"], "school", "Lærer Ane")
    token = await issue_link(client, world, rnd["id"], school["id"])
    assert (await submit_link(client, token, entries(school_scores or SCORES))).status_code == 200
    if school_scores is not None:
        cw = await _caseworker_informant(client, world, rnd["id"])
        assert (
            await submit_on_behalf(client, world, rnd["id"], cw, entries(SCORES))
        ).status_code == 200
        return int(rnd["id"])  # everyone has submitted: the step closed by itself
    r = await fire(client, world, rnd["id"], "close_collection", reason=SHORT)
    assert r.status_code == 200, r.text
    return int(rnd["id"])


async def test_illegal_event_names_state_and_allowed_events(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    rnd = await open_round(client, world, clock, await new_case(client, world))
    r = await fire(client, world, rnd["id"], "finish_consensus")
    assert r.status_code == 409
    body = r.json()
    assert r.headers["content-type"] == "application/problem+json"
    assert (body["code"], body["state"], body["allowed_events"]) == (
        "illegal_transition",
        "collecting",
        ["cancel", "close_collection"],
    )
    # Closing with no scores at all is possible from here, but not ready.
    r = await fire(client, world, rnd["id"], "close_collection")
    assert (r.status_code, r.json()["code"], r.json()["unmet"]) == (
        409,
        "transition_not_ready",
        ["has_independent_scores", "several_voices"],
    )
    unknown = await fire(client, world, rnd["id"], "teleport")
    assert unknown.status_code == 422


async def test_opening_refusals(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    case_id = await new_case(client, world)
    not_adopted = await client.post(
        f"/api/v1/cases/{case_id}/rounds",
        json={
            "instrument_id": await instrument_id(client, world, "aarhus-boern-familie"),
            "due_at": (clock.now() + timedelta(days=3)).isoformat(),
            "procedure": "kl3",
        },
        headers=world.headers(CW_A),
    )
    assert (not_adopted.status_code, not_adopted.json()["code"], not_adopted.json()["adopted"]) == (
        409,
        "procedure_not_adopted",
        "kl1",
    )
    for key, code in (("kl-unge", "instrument_not_in_use"),):
        r = await client.post(
            f"/api/v1/cases/{case_id}/rounds",
            json={
                "instrument_id": await instrument_id(client, world, key),
                "due_at": (clock.now() + timedelta(days=3)).isoformat(),
            },
            headers=world.headers(CW_A),
        )
        assert (r.status_code, r.json()["code"]) == (409, code)
    past = await client.post(
        f"/api/v1/cases/{case_id}/rounds",
        json={
            "instrument_id": await instrument_id(client, world, "aarhus-boern-familie"),
            "due_at": (clock.now() - timedelta(days=1)).isoformat(),
        },
        headers=world.headers(CW_A),
    )
    assert past.json()["code"] == "due_in_past"
    naive = await client.post(
        f"/api/v1/cases/{case_id}/rounds",
        json={"instrument_id": 1, "due_at": "2030-01-01T10:00:00"},
        headers=world.headers(CW_A),
    )
    assert naive.status_code == 422
    meeting_first = await client.post(
        f"/api/v1/cases/{case_id}/rounds",
        json={
            "instrument_id": 1,
            "due_at": "2030-01-10T10:00:00Z",
            "meeting_at": "2030-01-01T10:00:00Z",
        },
        headers=world.headers(CW_A),
    )
    assert meeting_first.status_code == 422
    await open_round(client, world, clock, case_id)
    second = await client.post(
        f"/api/v1/cases/{case_id}/rounds",
        json={
            "instrument_id": await instrument_id(client, world, "aarhus-boern-familie"),
            "due_at": (clock.now() + timedelta(days=3)).isoformat(),
        },
        headers=world.headers(CW_A),
    )
    assert (second.status_code, second.json()["code"]) == (409, "round_in_progress")


async def test_draft_round_opens_later(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    rnd = await open_round(client, world, clock, await new_case(client, world), draft=True)
    assert rnd["state"] == "draft"
    school = await add_informant(client, world, rnd["id"], "school", "Lærer Ane")
    token = await issue_link(client, world, rnd["id"], school["id"])
    form = (await client.get(f"/api/v1/links/{token}")).json()
    assert (form["status"], form["accepting"]) == ("not_open_yet", False)
    assert (await submit_link(client, token, entries(SCORES))).status_code == 409
    assert (await fire(client, world, rnd["id"], "open")).json()["state"] == "collecting"
    assert (await submit_link(client, token, entries(SCORES))).status_code == 200


async def test_cancel_needs_a_reason_and_ends_the_round(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    rnd = await open_round(client, world, clock, await new_case(client, world))
    school = await add_informant(client, world, rnd["id"], "school", "Lærer Ane")
    token = await issue_link(client, world, rnd["id"], school["id"])
    r = await fire(client, world, rnd["id"], "cancel")
    assert (r.status_code, r.json()["unmet"]) == (409, ["has_reason"])
    r = await fire(client, world, rnd["id"], "cancel", reason="Sagen er lukket.")
    assert r.status_code == 200
    assert (r.json()["state"], r.json()["cancel_reason"], r.json()["allowed_events"]) == (
        "cancelled",
        "Sagen er lukket.",
        [],
    )
    form = (await client.get(f"/api/v1/links/{token}")).json()
    assert (form["status"], form["accepting"]) == ("closed", False)
    assert (await submit_link(client, token, entries(SCORES))).status_code == 409
    history = (
        await client.get(f"/api/v1/rounds/{rnd['id']}/history", headers=world.headers(CW_A))
    ).json()["items"]
    assert (history[-1]["event"], history[-1]["reason"], history[-1]["actor_label"]) == (
        "cancel",
        "Sagen er lukket.",
        "cw.a",
    )
    # The case may now get a new round.
    again = await open_round(client, world, clock, rnd["case_id"])
    assert again["variant"] == "first_time"


async def test_official_score_rules(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    # The school's scores against the caseworker's: fritid diverges (0 vs 3).
    rid = await _in_consensus(client, world, clock, [2, 3, 2, 1, 0, 0, 2, 0])
    late = await submit_on_behalf(
        client, world, rid, await _caseworker_informant(client, world, rid), entries(SCORES)
    )
    assert (late.status_code, late.json()["code"]) == (409, "not_accepting")  # the step is closed
    cases = [
        (
            {"factor_key": "udvikling_adfaerd", "score": 2, "goal": 3, "rationale": "x"},
            "goal_worse_than_status",
        ),
        ({"factor_key": "udvikling_adfaerd", "score": 2}, "goal_required"),
        (
            {"factor_key": "udvikling_adfaerd", "score": 4, "goal": 3},
            "rationale_required",
        ),  # outside 2..2
        ({"factor_key": "udvikling_adfaerd", "score": 7, "goal": 3, "rationale": "x"}, "off_scale"),
        ({"factor_key": "kriminalitet", "score": None}, "not_assessed_reason_required"),
        ({"factor_key": "nope", "score": 1, "goal": 1}, "unknown_factor"),
    ]
    for entry, code in cases:
        r = await client.put(
            f"/api/v1/rounds/{rid}/official-scores",
            json={"scores": [entry]},
            headers=world.headers(CW_A),
        )
        assert (r.status_code, r.json()["code"]) == (422, code), (entry, r.text)
    view = (await client.get(f"/api/v1/rounds/{rid}/consensus", headers=world.headers(CW_A))).json()
    assert all(f["official"] is None for f in view["factors"])  # nothing stored by the refusals
    assert view["factors"][0]["factor_key"] == "fritid_venskaber" and view["factors"][0]["diverges"]


async def test_only_the_caseworker_or_team_leader_decides(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    rid = await _in_consensus(client, world, clock)
    for who, seen in ((CW2_A, 404), (CW_B, 404), (LEADER_A, 200), (ADMIN_A, 403)):
        r = await client.get(f"/api/v1/rounds/{rid}/consensus", headers=world.headers(who))
        assert r.status_code == seen, (who, r.text)
    decisions = {"udvikling_adfaerd": (2, 1)}
    assert (
        await set_official(client, world, rid, decisions, who=CW2_A)
    ).status_code == 404  # not their case
    assert (
        await set_official(client, world, rid, decisions, who=CW_B)
    ).status_code == 404  # other municipality
    admin = await set_official(client, world, rid, decisions, who=ADMIN_A)
    assert (admin.status_code, admin.json()["code"]) == (403, "not_case_authority")
    client_token = await set_official(client, world, rid, decisions, who="client-a")
    assert client_token.status_code == 403
    assert (await set_official(client, world, rid, decisions, who=CW_A)).status_code == 200


async def test_the_team_leader_decides_only_as_the_caseworkers_substitute_with_a_reason(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    """ "Det er socialrådgiveren, der foretager den endelige afvejning": the official score is
    the case's caseworker's; the team leader stands in, says why, and shows as such."""
    await set_procedure(client, world, "kl3")
    rid = await _in_consensus(client, world, clock)
    decisions = dict(zip(ALL_KEYS, [(s, s) for s in SCORES], strict=True))
    bare = await set_official(client, world, rid, decisions, who=LEADER_A)
    assert (bare.status_code, bare.json()["code"]) == (422, "substitute_reason_required")
    blank = await set_official(client, world, rid, decisions, who=LEADER_A, substitute_reason=" ")
    assert blank.status_code == 422
    view = (await client.get(f"/api/v1/rounds/{rid}/consensus", headers=world.headers(CW_A))).json()
    assert all(f["official"] is None for f in view["factors"])
    reason = "Sagsbehandleren er syg; mødet kunne ikke vente."
    r = await set_official(client, world, rid, decisions, who=LEADER_A, substitute_reason=reason)
    assert r.status_code == 200, r.text
    official = r.json()["factors"][0]["official"]
    assert (official["set_as"], official["substitute_reason"]) == ("substitute", reason)
    # The caseworker's own decision is theirs again: no substitution shown for that factor.
    own = await set_official(
        client, world, rid, {"udvikling_adfaerd": (2, 2)}, substitute_reason="ignored"
    )
    assert own.status_code == 200
    assert (await fire(client, world, rid, "finish_consensus")).json()["state"] == "completed"
    result = (await client.get(f"/api/v1/rounds/{rid}/result", headers=world.headers(CW_A))).json()
    by_key = {f["factor_key"]: f["official"] for f in result["factors"]}
    assert (
        by_key["udvikling_adfaerd"]["set_as"],
        by_key["udvikling_adfaerd"]["substitute_reason"],
    ) == (
        "caseworker",
        None,
    )
    assert (by_key["skoleforhold"]["set_as"], by_key["skoleforhold"]["substitute_reason"]) == (
        "substitute",
        reason,
    )
    history = (
        await client.get(f"/api/v1/rounds/{rid}/history", headers=world.headers(CW_A))
    ).json()["items"]
    stood_in = [h for h in history if h["event"] == "decided_as_substitute"]
    assert len(stood_in) == 1 and stood_in[0]["reason"].startswith(reason)
    assert stood_in[0]["actor_id"].startswith("staff:")
    # An amendment by the team leader is a substitution too.
    bare = await client.post(
        f"/api/v1/rounds/{rid}/amendments",
        json={"factor_key": "skoleforhold", "score": 2, "goal": 1, "reason": "Rettelse."},
        headers=world.headers(LEADER_A),
    )
    assert (bare.status_code, bare.json()["code"]) == (422, "substitute_reason_required")
    amended = await client.post(
        f"/api/v1/rounds/{rid}/amendments",
        json={
            "factor_key": "skoleforhold",
            "score": 2,
            "goal": 1,
            "reason": "Rettelse.",
            "substitute_reason": "Sagsbehandleren er på ferie.",
        },
        headers=world.headers(LEADER_A),
    )
    assert amended.status_code == 201, amended.text
    assert amended.json()["amendments"][0]["substitute_reason"] == "Sagsbehandleren er på ferie."


async def test_integrator_runs_a_round_for_the_caseworker(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    case_id = await new_case(client, world)
    r = await client.post(
        f"/api/v1/cases/{case_id}/rounds",
        json={
            "instrument_id": await instrument_id(client, world, "aarhus-boern-familie"),
            "due_at": (clock.now() + timedelta(days=7)).isoformat(),
        },
        headers=world.headers("client-a"),
    )
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    r = await client.post(
        f"/api/v1/rounds/{rid}/informants",
        json={"role": "daycare", "name": "Pædagog Sif"},
        headers=world.headers("client-a"),
    )
    assert r.status_code == 201
    readonly = await client.get(f"/api/v1/rounds/{rid}", headers=world.headers("client-a-ro"))
    assert readonly.status_code == 403


async def test_completed_round_is_frozen_and_amended_with_history(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    await set_procedure(client, world, "kl3")
    rid = await _in_consensus(client, world, clock)
    decisions = dict(zip(ALL_KEYS, [(s, s) for s in SCORES], strict=True))
    decisions["udvikling_adfaerd"] = (3, 2)  # differs from the school's 2
    assert (await set_official(client, world, rid, decisions)).status_code == 200
    assert (await fire(client, world, rid, "finish_consensus")).json()["state"] == "completed"
    frozen = await set_official(client, world, rid, {"udvikling_adfaerd": (2, 1)})
    assert (frozen.status_code, frozen.json()["code"]) == (409, "not_in_consensus")
    no_reason = await amend(client, world, rid, "udvikling_adfaerd", (2, 1), reason=None)
    assert no_reason.status_code == 422
    r = await amend(client, world, rid, "udvikling_adfaerd", (2, 1), "Tastefejl ved mødet.")
    assert r.status_code == 201, r.text
    result = r.json()
    amendment = result["amendments"][0]
    assert (
        amendment["previous_score"],
        amendment["previous_goal"],
        amendment["score"],
        amendment["reason"],
    ) == (3, 2, 2, "Tastefejl ved mødet.")
    udv = next(f for f in result["factors"] if f["factor_key"] == "udvikling_adfaerd")
    assert (udv["official"]["score"], udv["official"]["goal"]) == (2, 1)
    assert (
        udv["disagreements"] == []
    )  # the school's 2 now agrees; the old note is superseded, not deleted


async def test_due_date_closes_the_step_where_the_policy_says_so(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, engine: Engine
) -> None:
    await set_procedure(client, world, "kl1", collection_close="due_date")
    rnd = await open_round(client, world, clock, await new_case(client, world))
    school = await add_informant(client, world, rnd["id"], "school", "Lærer Ane")
    assert (
        await submit_link(
            client, await issue_link(client, world, rnd["id"], school["id"]), entries(SCORES)
        )
    ).status_code == 200
    with session_scope(engine) as session:
        assert close_due_rounds(session, clock.now()) == 0  # not due yet
    clock.advance(timedelta(days=15))
    with session_scope(engine) as session:
        # Only the school: the caseworker's own score is missing, so the due date does not
        # close the step on its own.
        assert close_due_rounds(session, clock.now()) == 0
    cw = await _caseworker_informant(client, world, rnd["id"])
    assert (
        await submit_on_behalf(client, world, rnd["id"], cw, entries(SCORES))
    ).status_code == 200
    with session_scope(engine) as session:
        assert close_due_rounds(session, clock.now()) == 1
    r = await client.get(f"/api/v1/rounds/{rnd['id']}", headers=world.headers(CW_A))
    assert r.json()["state"] == "consensus"


async def test_staff_of_another_municipality_cannot_see_a_round(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    rnd = await open_round(client, world, clock, await new_case(client, world))
    for path in ("", "/informants", "/history", "/consensus", "/result"):
        r = await client.get(f"/api/v1/rounds/{rnd['id']}{path}", headers=world.headers(CW_B))
        assert r.status_code == 404, path
    listing = await client.get("/api/v1/rounds", headers=world.headers(CW_B))
    assert listing.json()["total"] == 0


async def test_closing_short_needs_the_caseworkers_reason_and_shows_in_the_result(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    """The score is "et produkt af flere aktørers vurdering": fewer than two independent scores,
    or none of the caseworker's, close the step only with the caseworker's reason."""
    await set_procedure(client, world, "kl3")
    rnd = await open_round(client, world, clock, await new_case(client, world))
    rid = rnd["id"]
    school = await add_informant(client, world, rid, "school", "Lærer Ane")
    token = await issue_link(client, world, rid, school["id"])
    assert (await submit_link(client, token, entries(SCORES))).status_code == 200
    state = (await client.get(f"/api/v1/rounds/{rid}", headers=world.headers(CW_A))).json()
    assert state["state"] == "collecting"
    assert state["reason_needed"] == ["cancel", "close_collection"]
    bare = await fire(client, world, rid, "close_collection")
    assert (bare.status_code, bare.json()["unmet"]) == (409, ["several_voices"])
    # A case system cannot give the caseworker's word.
    by_system = await fire(client, world, rid, "close_collection", reason=SHORT, who="client-a")
    assert (by_system.status_code, by_system.json()["unmet"]) == (409, ["several_voices"])
    r = await fire(client, world, rid, "close_collection", reason=SHORT)
    assert r.status_code == 200 and r.json()["collection_close_reason"] == SHORT, r.text
    decisions = dict(zip(ALL_KEYS, [(s, s) for s in SCORES], strict=True))
    assert (await set_official(client, world, rid, decisions)).status_code == 200
    assert (await fire(client, world, rid, "finish_consensus")).json()["state"] == "completed"
    result = (await client.get(f"/api/v1/rounds/{rid}/result", headers=world.headers(CW_A))).json()
    collection = result["collection"]
    assert (
        collection["independent_scores"],
        collection["caseworker_scored"],
        collection["short"],
        collection["reason"],
    ) == (1, False, True, SHORT)


async def test_a_round_with_enough_voices_closes_without_a_reason(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    rid = await _in_consensus(client, world, clock, school_scores=list(SCORES))  # closed by itself
    rnd = (await client.get(f"/api/v1/rounds/{rid}", headers=world.headers(CW_A))).json()
    assert (rnd["state"], rnd["collection_close_reason"]) == ("consensus", None)
    # The caseworker alone, all submitted: the policy does not close it on one voice.
    case_id = await new_case(client, world, ref="DUBU-ALONE")
    alone = (await open_round(client, world, clock, case_id))["id"]
    cw = await _caseworker_informant(client, world, alone)
    assert (await submit_on_behalf(client, world, alone, cw, entries(SCORES))).status_code == 200
    state = (await client.get(f"/api/v1/rounds/{alone}", headers=world.headers(CW_A))).json()
    assert state["state"] == "collecting" and "close_collection" in state["reason_needed"]
