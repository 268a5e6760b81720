"""Personal links: opaque, hashed, expiring, revocable, scanner-proof, throttled, independent."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlmodel import Session, select

from service.clock import FrozenClock
from service.models.audit import AuditEvent
from service.models.round import Informant
from tests.factories import CW_A
from tests.rounds_helpers import (
    add_informant,
    entries,
    issue_link,
    new_case,
    open_round,
    submit_link,
)
from tests.world import World

SCHOOL = [3, 3, 1, 1, 2, 0, 2, 0]


async def _round_with_school(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> tuple[int, dict[str, Any], str]:
    case_id = await new_case(client, world)
    rnd = await open_round(client, world, clock, case_id)
    school = await add_informant(client, world, rnd["id"], "school", "Lærer Ane")
    token = await issue_link(client, world, rnd["id"], school["id"])
    return rnd["id"], school, token


async def test_only_a_keyed_hash_is_stored(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, db: Session
) -> None:
    _, school, token = await _round_with_school(client, world, clock)
    assert len(token) >= 43  # 256 bits, base64url
    stored = db.get(Informant, school["id"])
    assert stored is not None and stored.token_hash is not None
    assert token not in stored.token_hash and len(stored.token_hash) == 64
    # Never readable again through the API.
    listing = await client.get(
        f"/api/v1/rounds/{school['id']}/informants", headers=world.headers(CW_A)
    )
    assert token not in listing.text


async def test_gets_and_heads_change_nothing(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, db: Session
) -> None:
    rid, school, token = await _round_with_school(client, world, clock)
    events_before = len(db.exec(select(AuditEvent)).all())
    for _ in range(5):  # a mail gateway opening the link, again and again
        assert (await client.head(f"/api/v1/links/{token}")).status_code == 200
        r = await client.get(f"/api/v1/links/{token}")
        assert r.status_code == 200
        assert r.headers["referrer-policy"] == "no-referrer"
        assert r.headers["cache-control"] == "no-store"
    db.rollback()  # end the read snapshot
    informant = db.get(Informant, school["id"])
    assert informant is not None and informant.first_opened_at is None
    assert len(db.exec(select(AuditEvent)).all()) == events_before
    # The person then uses it: fully usable, and the first opening is recorded.
    form = (await client.post(f"/api/v1/links/{token}/open")).json()
    assert form["status"] == "open" and form["accepting"] is True
    assert form["child"] == "Emma"
    assert len(form["instrument"]["factors"]) == 8
    assert all(len(f["guidance"]) == 5 for f in form["instrument"]["factors"])
    draft = await client.post(f"/api/v1/links/{token}/draft", json={"scores": entries(SCHOOL)[:3]})
    assert draft.status_code == 200 and draft.json()["submission"]["status"] == "draft"
    draft = await client.post(f"/api/v1/links/{token}/draft", json={"scores": entries(SCHOOL)[:4]})
    assert len(draft.json()["submission"]["scores"]) == 4
    r = await submit_link(client, token, entries(SCHOOL))
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "submitted" and r.json()["accepting"] is False
    db.rollback()  # end the read snapshot
    informant = db.get(Informant, school["id"])
    assert informant is not None and informant.first_opened_at is not None
    actions = [
        e.action
        for e in db.exec(select(AuditEvent).where(AuditEvent.object_type == "informant")).all()
    ]
    assert "link.open" in actions and "submission.submit" in actions
    rows = (
        await client.get(f"/api/v1/rounds/{rid}/informants", headers=world.headers(CW_A))
    ).json()["items"]
    assert next(i for i in rows if i["id"] == school["id"])["first_opened_at"] is not None


async def test_submission_is_final_and_complete(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    _, _, token = await _round_with_school(client, world, clock)
    incomplete = await submit_link(client, token, entries(SCHOOL)[:7])
    assert incomplete.status_code == 422
    assert incomplete.json()["code"] == "incomplete"
    assert incomplete.json()["missing"] == ["kriminalitet"]
    assert (await submit_link(client, token, entries(SCHOOL))).status_code == 200
    again = await submit_link(client, token, entries(SCHOOL))
    assert again.status_code == 409
    assert again.json()["code"] == "already_submitted"
    late_draft = await client.post(
        f"/api/v1/links/{token}/draft", json={"scores": entries(SCHOOL)[:1]}
    )
    assert late_draft.status_code == 409
    # What was submitted is still shown, read-only.
    form = (await client.get(f"/api/v1/links/{token}")).json()
    assert [s["score"] for s in form["submission"]["scores"]] == SCHOOL


async def test_bad_scores_are_refused_and_nothing_is_lost(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    _, _, token = await _round_with_school(client, world, clock)
    saved = await client.post(f"/api/v1/links/{token}/draft", json={"scores": entries(SCHOOL)[:2]})
    assert saved.status_code == 200
    worse = [{"factor_key": "udvikling_adfaerd", "score": 2, "goal": 3}]
    # Submitting checks the goal against the score; every problem is reported at once.
    r = await client.post(f"/api/v1/links/{token}/submission", json={"scores": worse})
    assert r.status_code == 422
    assert r.json()["code"] == "goal_worse_than_status"
    assert len(r.json()["missing"]) == 7 and "udvikling_adfaerd" not in r.json()["missing"]
    cases = [
        ([{"factor_key": "udvikling_adfaerd", "score": 5}], "off_scale"),
        ([{"factor_key": "udvikling_adfaerd", "score": 2, "goal": 9}], "off_scale"),
        ([{"factor_key": "no_such_factor", "score": 2}], "unknown_factor"),
        (
            [{"factor_key": "udvikling_adfaerd", "score": 2, "cannot_assess": True}],
            "validation_failed",
        ),
        ([{"factor_key": "udvikling_adfaerd", "comment": "x" * 2001}], "validation_failed"),
    ]
    for scores, code in cases:
        r = await client.post(f"/api/v1/links/{token}/draft", json={"scores": scores})
        assert r.status_code == 422, (scores, r.text)
        assert r.json()["code"] == code
    form = (await client.get(f"/api/v1/links/{token}")).json()
    assert [s["score"] for s in form["submission"]["scores"]] == SCHOOL[:2]


async def test_a_draft_keeps_whatever_was_chosen(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    """A draft is the person's work in progress: a goal worse than the score, or a goal
    before the score, is kept; only submitting checks them."""
    _, _, token = await _round_with_school(client, world, clock)
    draft = [
        {"factor_key": "udvikling_adfaerd", "score": 2, "goal": 3},
        {"factor_key": "familieforhold", "goal": 1},
    ]
    r = await client.post(f"/api/v1/links/{token}/draft", json={"scores": draft})
    assert r.status_code == 200, r.text
    stored = (await client.get(f"/api/v1/links/{token}")).json()["submission"]["scores"]
    assert [(s["score"], s["goal"], s["comment"]) for s in stored] == [
        (2, 3, ""),
        (None, 1, ""),
    ]


async def test_revoke_reissue_and_expiry(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    rid, school, token = await _round_with_school(client, world, clock)
    r = await client.post(
        f"/api/v1/rounds/{rid}/informants/{school['id']}/link/revoke", headers=world.headers(CW_A)
    )
    assert r.json()["link"] == "revoked"
    gone = await client.get(f"/api/v1/links/{token}")
    assert gone.status_code == 410
    assert gone.json()["code"] == "link_revoked"
    assert "Emma" not in gone.text and "round" not in gone.json()["detail"].lower()
    new = await issue_link(client, world, rid, school["id"])
    assert new != token
    # The withdrawn link stays withdrawn; it does not become "unknown" once replaced.
    old = await client.get(f"/api/v1/links/{token}")
    assert (old.status_code, old.json()["code"]) == (410, "link_revoked")
    assert (await client.get(f"/api/v1/links/{new}")).status_code == 200
    # A link replaced by a newer one answers as withdrawn too, never as unknown.
    newer = await issue_link(client, world, rid, school["id"])
    replaced = await client.get(f"/api/v1/links/{new}")
    assert (replaced.status_code, replaced.json()["code"]) == (410, "link_replaced")
    assert "Emma" not in replaced.text
    page = await client.get(f"/l/{new}")
    assert page.status_code == 410 and "et nyere link til dig" in page.text
    new = newer
    # Default expiry: the due date (14 days) plus the grace period (7 days).
    clock.advance(timedelta(days=21, seconds=1))
    expired = await client.get(f"/api/v1/links/{new}")
    assert expired.status_code == 410
    assert expired.json()["code"] == "link_expired"


async def test_a_link_works_for_its_informant_and_round_alone(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    rid, _school, token = await _round_with_school(client, world, clock)
    psych = await add_informant(client, world, rid, "psychologist", "Psykolog Bo")
    other = await issue_link(client, world, rid, psych["id"])
    assert (
        await submit_link(client, other, entries([2, 4, None, 1, 3, 0, 2, 0]))
    ).status_code == 200
    # Independence: the school's form shows no one else's scores.
    form = (await client.get(f"/api/v1/links/{token}")).json()
    assert form["submission"] is None
    assert form["informant"]["name"] == "Lærer Ane"
    assert "Psykolog" not in str(form)
    # The caseworker sees who submitted, not what, while the step is open.
    rows = (
        await client.get(f"/api/v1/rounds/{rid}/informants", headers=world.headers(CW_A))
    ).json()["items"]
    assert {i["name"]: i["submission"] for i in rows} == {
        "cw.a": "none",
        "Lærer Ane": "none",
        "Psykolog Bo": "submitted",
    }
    hidden = await client.get(f"/api/v1/rounds/{rid}/consensus", headers=world.headers(CW_A))
    assert hidden.status_code == 409
    assert hidden.json()["code"] == "scores_hidden"
    # A link is no bearer token for the staff API.
    r = await client.get(f"/api/v1/rounds/{rid}", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401


async def test_guessing_links_is_throttled(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    _, _, token = await _round_with_school(client, world, clock)
    for i in range(10):
        r = await client.get(f"/api/v1/links/guess{i:02d}-aaaaaaaaaaaaaaaaaaaaaaaaaaaa")
        assert r.status_code == 404
        assert r.json()["code"] == "link_not_found"
    blocked = await client.get("/api/v1/links/guess99-aaaaaaaaaaaaaaaaaaaaaaaaaaaa")
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) >= 1
    # Even a good link waits while the address is throttled.
    assert (await client.get(f"/api/v1/links/{token}")).status_code == 429
