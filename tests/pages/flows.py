"""Preparing rounds through the live server's API, as a case system or caseworker would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.factories import CW_A
from tests.world import World

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


def api(base: str, world: World, who: str = CW_A) -> httpx.Client:
    return httpx.Client(base_url=f"{base}/api/v1", headers=world.headers(who), timeout=10)


def new_round(
    http: httpx.Client,
    ref: str = "WEB-1",
    name: str = "Emma",
    case_id: int | None = None,
    instrument: str = "aarhus-boern-familie",
    *,
    child_heard: bool = True,
) -> dict[str, Any]:
    if case_id is None:
        case = http.post(
            "/cases", json={"external_ref": ref, "display_name": name, "birth_year": 2015}
        )
        assert case.status_code == 201, case.text
        case_id = int(case.json()["id"])
    instruments = http.get("/instruments", params={"limit": 200}).json()["items"]
    instrument_id = next(
        i["id"] for i in instruments if i["key"] == instrument and i["status"] == "published"
    )
    now = datetime.now(UTC)
    rnd = http.post(
        f"/cases/{case_id}/rounds",
        json={
            "instrument_id": instrument_id,
            "due_at": (now + timedelta(days=14)).isoformat(),
            "meeting_at": (now + timedelta(days=16)).isoformat(),
        },
    )
    assert rnd.status_code == 201, rnd.text
    data: dict[str, Any] = rnd.json()
    if child_heard:
        hear_family(http, int(data["id"]), only_absent_child=True)
    return data


def hear_family(http: httpx.Client, rid: int, *, only_absent_child: bool = False) -> None:
    """Record why each of the child and the parents who has not scored does not; with
    `only_absent_child`, only a child who is not an informant of the round (too young)."""
    voices = http.get(f"/rounds/{rid}/family-voices")
    assert voices.status_code == 200, voices.text
    for voice in voices.json()["items"]:
        if voice["scored"] or voice["reason"]:
            continue
        if only_absent_child and voice["informant_id"] is not None:
            continue
        child = voice["role"] == "child"
        r = http.put(
            f"/rounds/{rid}/family-voices",
            json={
                "role": voice["role"],
                "informant_id": voice["informant_id"],
                "reason": "age_or_maturity" if child else "not_reachable",
                "note": "Barnet er to år; set i hjemmet." if child else "Ringet op uden svar.",
            },
        )
        assert r.status_code == 200, r.text


def everyone_present(http: httpx.Client, rid: int) -> None:
    """Record everyone expected at the meeting as present (nothing, where there is none)."""
    there = http.get(f"/rounds/{rid}/attendance/meeting")
    if there.status_code == 409:
        return
    present = [i["informant_id"] for i in there.json()["items"]]
    r = http.put(f"/rounds/{rid}/attendance", json={"gathering": "meeting", "present": present})
    assert r.status_code == 200, r.text


def informant_link(http: httpx.Client, round_id: int, role: str, name: str) -> tuple[int, str]:
    informant = http.post(f"/rounds/{round_id}/informants", json={"role": role, "name": name})
    assert informant.status_code == 201, informant.text
    link = http.post(f"/rounds/{round_id}/informants/{informant.json()['id']}/link")
    assert link.status_code == 201, link.text
    return int(informant.json()["id"]), str(link.json()["url"])


def scores(values: list[int], comment: str = "") -> list[dict[str, Any]]:
    return [
        {"factor_key": k, "score": v, "comment": comment}
        for k, v in zip(FACTORS, values, strict=True)
    ]


def complete_round(http: httpx.Client, rid: int, values: list[int]) -> None:
    """Set every official score (the goal one better, or kept at the best) and finish."""
    official = [
        {"factor_key": k, "score": v, "goal": max(v - 1, 0), "rationale": "Drøftet på mødet."}
        for k, v in zip(FACTORS, values, strict=True)
    ]
    r = http.put(f"/rounds/{rid}/official-scores", json={"scores": official})
    assert r.status_code == 200, r.text
    everyone_present(http, rid)
    r = http.post(f"/rounds/{rid}/transitions", json={"event": "finish_consensus"})
    assert r.status_code == 200, r.text
    if r.json()["state"] == "family_dialogue":
        hear_family(http, rid)
        r = http.post(f"/rounds/{rid}/transitions", json={"event": "finish_family_dialogue"})
        assert r.status_code == 200, r.text


def round_at_meeting(http: httpx.Client, base: str, *, follow_up: bool = False) -> int:
    """A round in consensus with divergent scores from the school and the psychologist; with
    `follow_up`, the case's second, after a completed first round."""
    case_id = None
    if follow_up:
        first = new_round(http, ref="WEB-MEET", name="Noah")
        _submit_all(http, base, int(first["id"]))
        complete_round(http, int(first["id"]), [2, 3, 2, 1, 3, 0, 2, 0])
        case_id = int(first["case_id"])
    rnd = new_round(http, ref="WEB-MEET", name="Noah", case_id=case_id)
    rid = int(rnd["id"])
    _submit_all(http, base, rid)
    state = http.get(f"/rounds/{rid}").json()["state"]
    assert state == "consensus", state
    return rid


def _submit_all(http: httpx.Client, base: str, rid: int) -> None:
    for role, name, values in (
        ("school", "Ane Lund", [3, 3, 1, 1, 4, 0, 2, 0]),
        ("psychologist", "Bo Holm", [1, 4, 2, 1, 1, 0, 2, 0]),
    ):
        _, url = informant_link(http, rid, role, name)
        token = url.rsplit("/", 1)[1]
        r = httpx.post(
            f"{base}/api/v1/links/{token}/submission",
            json={"scores": scores(values)},
        )
        assert r.status_code == 200, r.text
    own = http.get(f"/rounds/{rid}/informants").json()["items"][0]
    r = http.post(
        f"/rounds/{rid}/informants/{own['id']}/submission",
        json={"scores": scores([2, 3, 2, 1, 2, 0, 2, 0]), "submit": True},
    )
    assert r.status_code == 200, r.text
