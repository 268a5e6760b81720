"""A municipality loads its own session forms (e.g. a licensed pair) as a version: links made
after it use its items, words and line, on the API and the phone page; links made before keep
the shipped forms, and so do their answers; bad pairs are refused with nothing stored; only
an administrator loads, and another municipality is not touched."""

from __future__ import annotations

import copy
import re
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
from sqlmodel import Session, func, select

from service.clock import FrozenClock
from service.models.session_form import SessionFormVersion
from tests.factories import ADMIN_A, ADMIN_B, CW_A, CW_B, create_case
from tests.rounds_helpers import new_case
from tests.sessions_helpers import LICENSED, issue_session_link, new_measure, own_form, session_body
from tests.world import World

FORMS = "/api/v1/municipality/session-forms"


def _answer(form: str, keys: list[str], values: list[int]) -> dict[str, Any]:
    return {
        "form": form,
        "answers": [{"item": k, "value": v} for k, v in zip(keys, values, strict=True)],
        "submission_key": secrets.token_urlsafe(12),
    }


def _stored(db: Session) -> int:
    db.rollback()  # end the read snapshot
    return db.exec(select(func.count()).select_from(SessionFormVersion)).one()


async def test_a_loaded_pair_is_used_by_new_links_and_old_links_keep_the_shipped_forms(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, db: Session
) -> None:
    case_id = await new_case(client, world)
    measure = await new_measure(client, world, case_id, clock.now().date().isoformat())
    old = await issue_session_link(client, world, case_id, measure)
    assert old["form_version_id"] is None

    admin = world.headers(ADMIN_A)
    assert (await client.post(FORMS, json=LICENSED, headers=world.headers(CW_A))).status_code == 403
    changes: tuple[Callable[[dict[str, Any]], object], ...] = (
        lambda b: b["outcome"]["items"].append(copy.deepcopy(b["outcome"]["items"][0])),
        lambda b: b["alliance"]["items"][1]["text"].update(en="  "),
        lambda b: b["outcome"].update(lowest=5, highest=5),
        lambda b: b["alliance"].update(lowest=0, highest=11),
        lambda b: b["outcome"].update(
            items=own_form("x", [f"i_{c}" for c in "abcdefghijk"])["items"]
        ),
        lambda b: b.pop("alliance"),
    )
    for change in changes:
        bad = copy.deepcopy(LICENSED)
        change(bad)
        r = await client.post(FORMS, json=bad, headers=admin)
        assert r.status_code == 422 and r.json()["code"] == "validation_failed", r.text
    assert _stored(db) == 0

    loaded = await client.post(FORMS, json=LICENSED, headers=admin)
    assert loaded.status_code == 201, loaded.text
    version = loaded.json()
    assert (version["version"], version["current"]) == (1, True)
    listed = (await client.get(FORMS, headers=admin)).json()
    assert listed["current_version_id"] == version["id"] and len(listed["items"]) == 1

    new = await issue_session_link(client, world, case_id, measure)
    assert new["form_version_id"] == version["id"]
    shown = (await client.get(f"/api/v1/session-forms/{new['token']}?language=en")).json()
    outcome = shown["forms"][0]
    assert outcome["title"] == "Trivsel (en)" and (outcome["lowest"], outcome["highest"]) == (1, 5)
    assert [i["text"] for i in outcome["items"]] == [
        "Question self",
        "Question close",
        "Question social",
    ]
    assert "from 1 (Very poor) to 5 (Very good)" in outcome["intro"]
    kept = (await client.get(f"/api/v1/session-forms/{old['token']}")).json()
    assert kept["forms"][0]["items"][0]["text"] == "Hvordan har jeg det med mig selv?"

    # Each link's answers are checked against its own forms.
    sent = f"/api/v1/session-forms/{new['token']}/sessions"
    r = await client.post(sent, json=_answer("outcome", ["self", "close", "social"], [5, 5, 2]))
    assert r.status_code == 201, r.text
    assert (r.json()["score"], r.json()["lowest"], r.json()["highest"]) == (4.0, 1, 5)
    for wrong in (
        _answer("outcome", ["self", "close", "social"], [6, 5, 5]),  # above its line
        _answer("outcome", ["self", "close", "social"], [0, 5, 5]),  # below its line
        session_body("outcome", [5, 5, 5, 5]),  # the shipped items
    ):
        r = await client.post(sent, json=wrong)
        assert r.status_code == 422 and r.json()["code"] == "validation_failed", r.text
    clock.advance(timedelta(days=7))  # the next session
    r = await client.post(
        f"/api/v1/session-forms/{old['token']}/sessions", json=session_body("outcome", [8] * 4)
    )
    assert r.status_code == 201 and r.json()["highest"] == 10, r.text
    r = await client.post(
        f"/api/v1/session-forms/{old['token']}/sessions",
        json=_answer("alliance", ["listened", "goals", "approach"], [5, 5, 5]),
    )
    assert r.status_code == 422  # the old link's forms are the shipped ones still

    # The series puts both lines on the shipped 0-10 line: 4 of 1-5 is 7.5, 8 of 0-10 is 8.
    series = await client.get(f"/api/v1/cases/{case_id}/sessions", headers=world.headers(CW_A))
    assert [p["outcome"] for p in series.json()["points"]] == [7.5, 8.0]
    assert sorted((a["score"], a["highest"]) for a in series.json()["answers"]) == [
        (4.0, 5),
        (8.0, 10),
    ]

    # The phone page shows the version's words and line, and records through it.
    page = await client.get(f"/s/{new['token']}?form=alliance")
    assert page.status_code == 200
    assert "Samtalen (da)" in page.text and "Spørgsmål listened" in page.text
    assert page.text.count('type="radio"') == 3 * 5
    fields = {
        name: re.search(rf'name="{name}" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        for name in ("csrf", "submission_key")
    }
    fields |= {"form": "alliance", "answer-listened": "5", "answer-goals": "4"}
    short = await client.post(f"/s/{new['token']}", data={**fields, "answer-approach": "7"})
    assert short.status_code == 422 and 'href="#answer-approach"' in short.text
    done = await client.post(f"/s/{new['token']}", data={**fields, "answer-approach": "5"})
    assert done.status_code == 303, done.text
    old_page = await client.get(f"/s/{old['token']}?form=outcome")
    assert old_page.text.count('type="radio"') == 4 * 11

    # Back to the shipped forms: new links use them; the version stays listed.
    back = await client.delete(f"{FORMS}/current", headers=admin)
    assert back.status_code == 200 and back.json()["current_version_id"] is None
    assert [v["current"] for v in back.json()["items"]] == [False]
    latest = await issue_session_link(client, world, case_id, measure)
    assert latest["form_version_id"] is None
    assert (await client.delete(f"{FORMS}/current", headers=world.headers(CW_A))).status_code == 403


async def test_another_municipality_keeps_the_shipped_forms(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    r = await client.post(FORMS, json=LICENSED, headers=world.headers(ADMIN_A))
    assert r.status_code == 201, r.text
    theirs = await client.get(FORMS, headers=world.headers(ADMIN_B))
    assert theirs.json() == {"items": [], "current_version_id": None}
    assert (await client.get(FORMS, headers=world.headers(CW_B))).status_code == 403
    case = await create_case(client, world, CW_B, external_ref="KOLD-1")
    r = await client.post(
        f"/api/v1/cases/{case['id']}/measures",
        json={"type": "home_based_support", "start_date": clock.now().date().isoformat()},
        headers=world.headers(CW_B),
    )
    assert r.status_code == 201, r.text
    link = await client.post(
        f"/api/v1/cases/{case['id']}/session-links",
        json={"measure_id": r.json()["id"], "label": "Ali"},
        headers=world.headers(CW_B),
    )
    assert link.status_code == 201 and link.json()["form_version_id"] is None
