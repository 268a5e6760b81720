"""Driving rounds through HTTP, as a caseworker, an informant with a link, or a case system."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

import httpx

from service.clock import FrozenClock
from tests.factories import ADMIN_A, CW_A, create_case, instrument_id
from tests.world import PASSWORD, World

#: aarhus-boern-familie, in the instrument's order.
FACTORS = [
    "udvikling_adfaerd",
    "familieforhold",
    "skoleforhold",
    "sundhedsforhold",
    "fritid_venskaber",
    "selvhjulpenhed",
    "tilknytning",
    "kriminalitet",
]
CANNOT = None
#: Why a caseworker who scored alone closes the independent step anyway.
ALONE = "Ingen andre kender barnet endnu."


def entries(
    values: Sequence[int | None], goals: Sequence[int | None] | None = None, comment: str = ""
) -> list[dict[str, Any]]:
    """Score entries in factor order; None means 'cannot assess'."""
    out = []
    for i, (key, value) in enumerate(zip(FACTORS, values, strict=True)):
        entry: dict[str, Any] = {"factor_key": key, "comment": comment}
        if value is None:
            entry["cannot_assess"] = True
        else:
            entry["score"] = value
            if goals is not None and goals[i] is not None:
                entry["goal"] = goals[i]
        out.append(entry)
    return out


async def set_procedure(
    client: httpx.AsyncClient, world: World, procedure: str, **policy: Any
) -> None:
    r = await client.patch(
        "/api/v1/municipality/policy",
        json={"procedure": procedure, **policy},
        headers=world.headers(ADMIN_A),
    )
    assert r.status_code == 200, r.text


async def open_round(
    client: httpx.AsyncClient,
    world: World,
    clock: FrozenClock,
    case_id: int,
    *,
    child_heard: bool = True,
    **fields: Any,
) -> dict[str, Any]:
    body = {
        "instrument_id": await instrument_id(client, world, "aarhus-boern-familie"),
        "due_at": (clock.now() + timedelta(days=14)).isoformat(),
        "meeting_at": (clock.now() + timedelta(days=16)).isoformat(),
        **fields,
    }
    r = await client.post(f"/api/v1/cases/{case_id}/rounds", json=body, headers=world.headers(CW_A))
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()
    if child_heard:
        # The child is owed a voice though not an informant (Barnets Lov § 5): tests about
        # other things open rounds for a child too young to score, as the reason says.
        await hear_family(client, world, int(data["id"]), only_absent_child=True)
    return data


async def add_informant(
    client: httpx.AsyncClient, world: World, round_id: int, role: str, name: str
) -> dict[str, Any]:
    r = await client.post(
        f"/api/v1/rounds/{round_id}/informants",
        json={"role": role, "name": name, "email": f"{role}@example.dk"},
        headers=world.headers(CW_A),
    )
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()
    return data


async def issue_link(
    client: httpx.AsyncClient, world: World, round_id: int, informant_id: int
) -> str:
    r = await client.post(
        f"/api/v1/rounds/{round_id}/informants/{informant_id}/link", headers=world.headers(CW_A)
    )
    assert r.status_code == 201, r.text
    token: str = r.json()["token"]
    assert r.json()["url"].endswith(f"/l/{token}")
    return token


async def submit_link(
    client: httpx.AsyncClient, token: str, scores: list[dict[str, Any]]
) -> httpx.Response:
    return await client.post(f"/api/v1/links/{token}/submission", json={"scores": scores})


async def submit_on_behalf(
    client: httpx.AsyncClient,
    world: World,
    round_id: int,
    informant_id: int,
    scores: list[dict[str, Any]],
    *,
    submit: bool = True,
    who: str = CW_A,
) -> httpx.Response:
    return await client.post(
        f"/api/v1/rounds/{round_id}/informants/{informant_id}/submission",
        json={"scores": scores, "submit": submit},
        headers=world.headers(who),
    )


async def record_everyone_present(
    client: httpx.AsyncClient, world: World, round_id: int, who: str = CW_A
) -> None:
    """Record everyone expected at the meeting as present (nothing, where there is none)."""
    r = await client.get(
        f"/api/v1/rounds/{round_id}/attendance/meeting", headers=world.headers(who)
    )
    if r.status_code == 409:  # no meeting in this procedure
        return
    assert r.status_code == 200, r.text
    present = [i["informant_id"] for i in r.json()["items"]]
    r = await client.put(
        f"/api/v1/rounds/{round_id}/attendance",
        json={"gathering": "meeting", "present": present},
        headers=world.headers(who),
    )
    # Not at the meeting (yet, or any more): the event's own answer says what is wrong.
    assert r.status_code == 200 or r.json()["code"] == "not_at_gathering", r.text


async def hear_family(
    client: httpx.AsyncClient,
    world: World,
    round_id: int,
    note: str = "Ringet op tre gange uden svar.",
    *,
    who: str = CW_A,
    only_absent_child: bool = False,
) -> list[dict[str, Any]]:
    """Record why each of the child and the parents who has not scored does not (the child:
    its age; a parent: not reachable); returns the voices as they then stand. With
    `only_absent_child`, only a child who is not an informant of the round."""
    r = await client.get(f"/api/v1/rounds/{round_id}/family-voices", headers=world.headers(who))
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    for voice in items:
        if voice["scored"] or voice["reason"]:
            continue
        if only_absent_child and voice["informant_id"] is not None:
            continue
        child = voice["role"] == "child"
        r = await client.put(
            f"/api/v1/rounds/{round_id}/family-voices",
            json={
                "role": voice["role"],
                "informant_id": voice["informant_id"],
                "reason": "age_or_maturity" if child else "not_reachable",
                "note": "Barnet er to år; set i hjemmet og i vuggestuen." if child else note,
            },
            headers=world.headers(who),
        )
        assert r.status_code == 200, r.text
        items = r.json()["items"]
    return items


async def fire(
    client: httpx.AsyncClient,
    world: World,
    round_id: int,
    event: str,
    reason: str | None = None,
    who: str = CW_A,
    *,
    prepare: bool = True,
) -> httpx.Response:
    """Fire a round's event. With `prepare` (the default), first do what the step waits on
    that a test about something else takes as given: everyone at the meeting recorded as
    present before the meeting ends, and a reason recorded for each member of the family who
    did not score before the family's step ends. Tests of those guards pass prepare=False."""
    if prepare and event == "finish_consensus":
        await record_everyone_present(client, world, round_id, who)
    if prepare and event == "finish_family_dialogue":
        await hear_family(client, world, round_id, reason or "Ringet op tre gange uden svar.")
    return await client.post(
        f"/api/v1/rounds/{round_id}/transitions",
        json={"event": event, "reason": reason},
        headers=world.headers(who),
    )


async def set_official(
    client: httpx.AsyncClient,
    world: World,
    round_id: int,
    decisions: Mapping[str, tuple[int | None, int | None]],
    rationale: str = "Drøftet på mødet.",
    who: str = CW_A,
    substitute_reason: str | None = None,
) -> httpx.Response:
    scores: list[dict[str, Any]] = []
    for key, (score, goal) in decisions.items():
        if score is None:
            scores.append(
                {
                    "factor_key": key,
                    "score": None,
                    "not_assessed_reason": "Ikke relevant for alderen.",
                }
            )
        else:
            scores.append({"factor_key": key, "score": score, "goal": goal, "rationale": rationale})
    body: dict[str, Any] = {"scores": scores}
    if substitute_reason is not None:
        body["substitute_reason"] = substitute_reason
    return await client.put(
        f"/api/v1/rounds/{round_id}/official-scores", json=body, headers=world.headers(who)
    )


async def amend(
    client: httpx.AsyncClient,
    world: World,
    round_id: int,
    factor_key: str,
    score_goal: tuple[int, int],
    reason: str | None = "Rettet efter mødet.",
    rationale: str | None = None,
) -> httpx.Response:
    body: dict[str, Any] = {"factor_key": factor_key, "score": score_goal[0], "goal": score_goal[1]}
    if reason is not None:
        body["reason"] = reason
    if rationale is not None:
        body["rationale"] = rationale
    return await client.post(
        f"/api/v1/rounds/{round_id}/amendments", json=body, headers=world.headers(CW_A)
    )


async def new_case(client: httpx.AsyncClient, world: World, ref: str = "DUBU-R1") -> int:
    case = await create_case(client, world, CW_A, external_ref=ref)
    return int(case["id"])


async def round_informants(
    client: httpx.AsyncClient, world: World, round_id: int
) -> list[dict[str, Any]]:
    r = await client.get(f"/api/v1/rounds/{round_id}/informants", headers=world.headers(CW_A))
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


async def complete_round(
    client: httpx.AsyncClient,
    world: World,
    clock: FrozenClock,
    case_id: int,
    official: Sequence[tuple[int | None, int | None]],
    scores: Mapping[str, Sequence[int | None]] | None = None,
    *,
    days_after: int = 180,
    **fields: Any,
) -> int:
    """One round on KL 3 (set the procedure first), from opening to completion: every role in
    `scores` scores independently (the caseworker as the official scores unless given), the
    official `(score, goal)` per factor is set, and the clock moves on `days_after` days."""
    rid = int((await open_round(client, world, clock, case_id, **fields))["id"])
    caseworker = (await round_informants(client, world, rid))[0]["id"]
    scores = dict(scores or {})
    own = scores.pop("caseworker", [s for s, _ in official])
    scored = [
        ((await add_informant(client, world, rid, role, f"{role.title()} {n}"))["id"], values)
        for n, (role, values) in enumerate(scores.items())
    ]
    for informant_id, values in [*scored, (caseworker, own)]:
        r = await submit_on_behalf(client, world, rid, informant_id, entries(values))
        assert r.status_code == 200, r.text
    if not scored:  # the caseworker alone: they close the step short, with a reason
        r = await fire(client, world, rid, "close_collection", reason=ALONE)
        assert r.status_code == 200, r.text
    r = await set_official(client, world, rid, dict(zip(FACTORS, official, strict=True)))
    assert r.status_code == 200, r.text
    r = await fire(client, world, rid, "finish_consensus")
    assert r.status_code == 200 and r.json()["state"] == "completed", r.text
    clock.advance(timedelta(days=days_after))
    return rid


async def staff_login(client: httpx.AsyncClient, who: str = CW_A) -> None:
    """Log in to the staff pages: the client keeps the session cookie."""
    login = await client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', login.text)
    assert csrf, "no CSRF field on the login page"
    r = await client.post(
        "/login", data={"csrf": csrf.group(1), "username": who, "password": PASSWORD}
    )
    assert r.status_code == 303, r.text
