"""The family hears of the result: when the round is completed, the mother, the father and the
child are each sent a new link to it (through the outbox, by email or SMS as they can be
reached); the caseworker can send a new one later. The same result is there as JSON on their
link: the official result beside their own answers, never a professional's own score, the
professionals' spread only where the family met them (KL 3)."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import Session, col, select

from service.auth.keys import Keyring
from service.auth.seal import unseal
from service.clock import FrozenClock
from service.models.outbox import Channel, DeliveryStatus, MessageKind, OutboxMessage
from service.notifications import outbox
from tests.conftest import TEST_SECRET
from tests.factories import CW_A
from tests.rounds_helpers import (
    ALONE,
    FACTORS,
    add_informant,
    entries,
    fire,
    issue_link,
    new_case,
    open_round,
    round_informants,
    set_official,
    set_procedure,
    submit_link,
    submit_on_behalf,
)
from tests.staff_browser import form_csrf, staff_browser
from tests.world import World

OFFICIAL = [(3, 2), (2, 2), (3, 3), (1, 1), (0, 0), (2, 1), (3, 3), (1, 1)]
SCHOOL = [4, 4, 4, 4, 4, 4, 4, 4]
PSYCHOLOGIST = [2, 2, 2, 2, 2, 2, 2, 2]
MOTHER = [2, 2, 3, 1, 0, 1, 3, 1]
CHILD = [1, 1, 2, 0, 0, 1, 2, None]


def results(db: Session, informant_id: int) -> list[OutboxMessage]:
    db.rollback()  # a fresh look: what the service has committed since
    return list(
        db.exec(
            select(OutboxMessage)
            .where(
                OutboxMessage.informant_id == informant_id,
                OutboxMessage.kind == MessageKind.RESULT,
            )
            .order_by(col(OutboxMessage.id))
        ).all()
    )


def token_in(message: OutboxMessage) -> str:
    """The link the message will carry: kept sealed beside the body until it is sent."""
    assert message.sealed_link, "the link is kept until the message has gone"
    url = unseal(Keyring(TEST_SECRET), message.sealed_link, outbox.LINK_SEAL_CONTEXT)
    found = re.search(r"/l/([A-Za-z0-9_\-]{20,64})$", url)
    assert found, url
    return found.group(1)


async def _kl1_round(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, db: Session
) -> tuple[int, dict[str, int], dict[str, str]]:
    """A KL 1 round to completion: the school scores on its link, the mother and the child in
    the family step; the father (no email, no phone) scores nothing."""
    rid = (await open_round(client, world, clock, await new_case(client, world)))["id"]
    people, tokens = {}, {}
    for role, name in (("school", "Lærer Ane"), ("mother", "Mor Lene"), ("child", "Emma")):
        informant = await add_informant(client, world, rid, role, name)
        people[role] = informant["id"]
        tokens[role] = await issue_link(client, world, rid, informant["id"])
    father = await client.post(
        f"/api/v1/rounds/{rid}/informants",
        json={"role": "father", "name": "Far Jens"},
        headers=world.headers(CW_A),
    )
    people["father"] = father.json()["id"]
    tokens["father"] = await issue_link(client, world, rid, people["father"])
    assert (await submit_link(client, tokens["school"], entries(SCHOOL))).status_code == 200
    caseworker = (await round_informants(client, world, rid))[0]["id"]
    own = [s for s, _ in OFFICIAL]
    assert (await submit_on_behalf(client, world, rid, caseworker, entries(own))).status_code == 200
    official = dict(zip(FACTORS, OFFICIAL, strict=True))
    assert (await set_official(client, world, rid, official)).status_code == 200
    assert (await fire(client, world, rid, "finish_consensus")).json()["state"] == "family_dialogue"
    assert (await submit_link(client, tokens["mother"], entries(MOTHER))).status_code == 200
    assert (await submit_link(client, tokens["child"], entries(CHILD))).status_code == 200
    assert results(db, people["mother"]) == []  # not before the round is completed
    done = await fire(client, world, rid, "finish_family_dialogue", reason="Samtale holdt.")
    assert done.json()["state"] == "completed", done.text
    return rid, people, tokens


async def test_the_family_is_sent_a_link_to_the_result_when_the_round_completes(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, db: Session
) -> None:
    rid, people, tokens = await _kl1_round(client, world, clock, db)
    (mother,) = results(db, people["mother"])
    (child,) = results(db, people["child"])
    assert results(db, people["school"]) == []  # a professional's link shows what they sent
    assert results(db, people["father"]) == []  # no address: his link stays as it was
    assert mother.channel is Channel.EMAIL and mother.recipient == "mother@example.dk"
    assert mother.status is DeliveryStatus.PENDING and mother.next_attempt_at <= clock.now()
    assert mother.subject == "Nu kan du se resultatet for Emma"
    assert "Kære Mor Lene" in mother.body_text and "dine egne svar" in mother.body_text
    assert "4" not in mother.body_text.split(outbox.LINK_PLACEHOLDER)[0]  # no score in it
    assert child.subject == "Se, hvad I blev enige om"
    assert "Hej Emma" in child.body_text and "Giv det ikke til andre" in child.body_text

    # The new link shows the result; the one it replaces says so; the father's still works.
    page = await client.get(f"/l/{token_in(mother)}")
    assert page.status_code == 200 and "Resultatet af runden" in page.text
    assert (await client.get(f"/l/{tokens['mother']}")).status_code == 410
    assert "Det blev vi enige om" in (await client.get(f"/l/{token_in(child)}")).text
    assert (await client.get(f"/l/{tokens['father']}")).status_code == 200

    # Later, when the link has run out, the caseworker sends a new one: a new message.
    clock.advance(timedelta(days=60))
    assert (await client.get(f"/l/{token_in(mother)}")).status_code == 410
    r = await client.post(
        f"/api/v1/rounds/{rid}/informants/{people['mother']}/link", headers=world.headers(CW_A)
    )
    assert r.status_code == 201, r.text
    first, again = results(db, people["mother"])
    assert token_in(again) == r.json()["token"] != token_in(first)
    assert again.next_attempt_at == clock.now()
    assert (await client.get(f"/l/{token_in(again)}")).status_code == 200


async def test_a_withdrawn_family_link_stays_withdrawn(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, db: Session
) -> None:
    await set_procedure(client, world, "kl3")
    rid = (await open_round(client, world, clock, await new_case(client, world)))["id"]
    father = await add_informant(client, world, rid, "father", "Far Jens")
    await issue_link(client, world, rid, father["id"])
    r = await client.post(
        f"/api/v1/rounds/{rid}/informants/{father['id']}/link/revoke",
        headers=world.headers(CW_A),
    )
    assert r.status_code == 200, r.text
    r = await client.put(
        f"/api/v1/rounds/{rid}/family-voices",
        json={
            "role": "father",
            "informant_id": father["id"],
            "reason": "declined",
            "note": "Far bad om at blive fjernet fra runden.",
        },
        headers=world.headers(CW_A),
    )
    assert r.status_code == 200, r.text
    mother = await add_informant(client, world, rid, "mother", "Mor Lene")
    caseworker = (await round_informants(client, world, rid))[0]["id"]
    own = [s for s, _ in OFFICIAL]
    for who, values in ((caseworker, own), (mother["id"], MOTHER)):
        assert (await submit_on_behalf(client, world, rid, who, entries(values))).status_code == 200
    official = dict(zip(FACTORS, OFFICIAL, strict=True))
    assert (await set_official(client, world, rid, official)).status_code == 200
    assert (await fire(client, world, rid, "finish_consensus")).json()["state"] == "completed"
    assert results(db, father["id"]) == []
    assert len(results(db, mother["id"])) == 1  # no link before: she gets one now


async def test_the_family_result_as_json(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, db: Session
) -> None:
    rid = (await open_round(client, world, clock, await new_case(client, world)))["id"]
    mother = await add_informant(client, world, rid, "mother", "Mor Lene")
    school = await add_informant(client, world, rid, "school", "Lærer Ane")
    early = await issue_link(client, world, rid, mother["id"])
    school_token = await issue_link(client, world, rid, school["id"])
    refused = await client.get(f"/api/v1/links/{early}/result")
    assert (refused.status_code, refused.json()["code"]) == (409, "result_not_ready")
    assert (await submit_link(client, school_token, entries(SCHOOL))).status_code == 200
    caseworker = (await round_informants(client, world, rid))[0]["id"]
    own = [s for s, _ in OFFICIAL]
    assert (await submit_on_behalf(client, world, rid, caseworker, entries(own))).status_code == 200
    official = dict(zip(FACTORS, OFFICIAL, strict=True))
    assert (await set_official(client, world, rid, official)).status_code == 200
    await fire(client, world, rid, "finish_consensus")
    assert (await submit_link(client, early, entries(MOTHER))).status_code == 200
    await fire(client, world, rid, "finish_family_dialogue", reason="Samtale holdt.")
    (message,) = results(db, mother["id"])

    r = await client.get(f"/api/v1/links/{token_in(message)}/result")
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    body = r.json()
    assert (body["role"], body["procedure"], body["met_professionals"]) == ("mother", "kl1", False)
    first = body["factors"][0]
    assert first["factor_key"] == FACTORS[0] and first["name_da"] == "Udvikling og adfærd"
    assert (first["official_score"], first["official_goal"]) == (3, 2)
    assert first["own"] == {"score": 2, "cannot_assess": False, "goal": None, "comment": ""}
    assert first["professionals"] is None
    assert all(f["professionals"] is None for f in body["factors"])
    assert all(s["spread"] == [] for s in body["progress"]["factors"])
    assert [r["role"] for f in body["progress"]["factors"] for r in f["roles"]] == ["mother"] * 8
    assert "Lærer Ane" not in r.text and "rationale" not in r.text and "set_by" not in r.text

    refused = await client.get(f"/api/v1/links/{school_token}/result")
    assert (refused.status_code, refused.json()["code"]) == (403, "result_for_family_only")


@pytest.mark.parametrize("child_came", [True, False])
async def test_kl3_family_sees_the_professionals_spread_as_json(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, db: Session, child_came: bool
) -> None:
    """Only a member of the family recorded at the meeting saw the spread there: the result
    follows the round's recorded attendance, not the procedure's default."""
    await set_procedure(client, world, "kl3")
    rid = (await open_round(client, world, clock, await new_case(client, world)))["id"]
    child = await add_informant(client, world, rid, "child", "Emma")
    tokens = {}
    for role, name in (("school", "Lærer Ane"), ("psychologist", "Psykolog Bo")):
        informant = await add_informant(client, world, rid, role, name)
        tokens[role] = await issue_link(client, world, rid, informant["id"])
    assert (await submit_link(client, tokens["school"], entries(SCHOOL))).status_code == 200
    r = await submit_link(client, tokens["psychologist"], entries(PSYCHOLOGIST))
    assert r.status_code == 200
    caseworker = (await round_informants(client, world, rid))[0]["id"]
    own = [s for s, _ in OFFICIAL]
    for who, values in ((caseworker, own), (child["id"], CHILD)):
        assert (await submit_on_behalf(client, world, rid, who, entries(values))).status_code == 200
    official = dict(zip(FACTORS, OFFICIAL, strict=True))
    assert (await set_official(client, world, rid, official)).status_code == 200
    expected = await client.get(
        f"/api/v1/rounds/{rid}/attendance/meeting", headers=world.headers(CW_A)
    )
    everyone = [i["informant_id"] for i in expected.json()["items"]]
    r = await client.put(
        f"/api/v1/rounds/{rid}/attendance",
        json={
            "gathering": "meeting",
            "present": [i for i in everyone if child_came or i != child["id"]],
            "absent": [] if child_came else [child["id"]],
        },
        headers=world.headers(CW_A),
    )
    assert r.status_code == 200, r.text
    done = await fire(client, world, rid, "finish_consensus", prepare=False)
    assert done.json()["state"] == "completed", done.text
    (message,) = results(db, child["id"])
    body = (await client.get(f"/api/v1/links/{token_in(message)}/result")).json()
    assert body["met_professionals"] is child_came
    if not child_came:
        assert all(f["professionals"] is None for f in body["factors"])
        assert all(s["spread"] == [] for s in body["progress"]["factors"])
        return
    first = body["factors"][0]
    # The child's own words, and the professionals' lowest and highest (caseworker 3,
    # psychologist 2, school 4): never who said what.
    assert first["name_da"] == "Hvordan har du det, og hvordan går det med at styre dig selv?"
    assert first["professionals"] == {"min": 2, "max": 4, "informants": 3}
    assert "Lærer Ane" not in str(body) and "Psykolog Bo" not in str(body)


async def test_finishing_on_the_round_page_sends_the_family_its_links_too(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, app: FastAPI, db: Session
) -> None:
    rid = (await open_round(client, world, clock, await new_case(client, world)))["id"]
    mother = await add_informant(client, world, rid, "mother", "Mor Lene")
    caseworker = (await round_informants(client, world, rid))[0]["id"]
    own = [s for s, _ in OFFICIAL]
    assert (await submit_on_behalf(client, world, rid, caseworker, entries(own))).status_code == 200
    # The caseworker scored alone: the step closes short, with the caseworker's reason.
    assert (await fire(client, world, rid, "close_collection", reason=ALONE)).status_code == 200
    official = dict(zip(FACTORS, OFFICIAL, strict=True))
    assert (await set_official(client, world, rid, official)).status_code == 200
    assert (await fire(client, world, rid, "finish_consensus")).status_code == 200
    assert (
        await submit_on_behalf(client, world, rid, mother["id"], entries(MOTHER))
    ).status_code == 200
    async with staff_browser(app, CW_A) as browser:
        page = await browser.get(f"/rounds/{rid}")
        r = await browser.post(
            f"/rounds/{rid}/events",
            data={
                "csrf": form_csrf(page.text),
                "event": "finish_family_dialogue",
                "confirmed": "1",
            },
        )
        assert r.status_code == 303, r.text
        (first,) = results(db, mother["id"])
        page = await browser.get(f"/rounds/{rid}")
        assert "Nyt link til resultatet" in page.text
        r = await browser.post(
            f"/rounds/{rid}/informants/{mother['id']}/link", data={"csrf": form_csrf(page.text)}
        )
        # Her link is in use: first the question, in words about the result.
        assert r.headers["location"] == f"/rounds/{rid}/informants/{mother['id']}/link"
        confirm = await browser.get(r.headers["location"])
        assert "Send Mor Lene et nyt link til resultatet?" in confirm.text
        assert "Vi sender linket til Mor Lene med det samme." in confirm.text
        r = await browser.post(
            f"/rounds/{rid}/informants/{mother['id']}/link",
            data={"csrf": form_csrf(confirm.text), "confirmed": "1"},
        )
        assert r.status_code == 303, r.text
    first, again = results(db, mother["id"])
    assert token_in(again) != token_in(first)
    assert (await client.get(f"/l/{token_in(first)}")).status_code == 410
    assert (await client.get(f"/l/{token_in(again)}")).status_code == 200
