"""A parent who scores in the family step (KL 1 and 2) is invited when that step opens, not
weeks before it to a form that is not open yet; a cancelled round never sends it."""

from __future__ import annotations

import httpx
from sqlmodel import Session, select

from service.clock import FrozenClock
from service.models.outbox import DeliveryStatus, MessageKind, OutboxMessage
from tests.rounds_helpers import (
    add_informant,
    entries,
    fire,
    issue_link,
    new_case,
    open_round,
    round_informants,
    set_official,
    submit_link,
    submit_on_behalf,
)
from tests.world import World

DECIDED = dict.fromkeys(
    [
        "udvikling_adfaerd",
        "familieforhold",
        "skoleforhold",
        "sundhedsforhold",
        "fritid_venskaber",
        "selvhjulpenhed",
        "tilknytning",
        "kriminalitet",
    ],
    (1, 1),
)


def _invitations(db: Session, informant_id: int) -> list[OutboxMessage]:
    db.rollback()  # a fresh read, not the snapshot of an earlier one
    return list(
        db.exec(
            select(OutboxMessage).where(
                OutboxMessage.informant_id == informant_id,
                OutboxMessage.kind == MessageKind.INVITATION,
            )
        ).all()
    )


async def test_the_family_is_invited_when_its_step_opens(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, db: Session
) -> None:
    rnd = await open_round(client, world, clock, await new_case(client, world))
    rid = rnd["id"]
    school = await add_informant(client, world, rid, "school", "Ane Lund")
    mother = await add_informant(client, world, rid, "mother", "Sara Holm")
    school_token = await issue_link(client, world, rid, school["id"])
    await issue_link(client, world, rid, mother["id"])
    # Written now (it carries the link, which exists only now), but held: not due, and no
    # reminder runs ahead of the step.
    held = _invitations(db, mother["id"])
    assert held and all(m.next_attempt_at > clock.now().replace(year=9000) for m in held)
    reminders = db.exec(
        select(OutboxMessage).where(
            OutboxMessage.informant_id == mother["id"], OutboxMessage.kind == MessageKind.REMINDER
        )
    ).all()
    assert reminders == []
    assert all(m.next_attempt_at <= clock.now() for m in _invitations(db, school["id"]))

    assert (await submit_link(client, school_token, entries([1] * 8))).status_code == 200
    own = (await round_informants(client, world, rid))[0]
    r = await submit_on_behalf(client, world, rid, own["id"], entries([1] * 8))
    assert r.status_code == 200, r.text
    assert (await set_official(client, world, rid, DECIDED)).status_code == 200
    assert (await fire(client, world, rid, "finish_consensus")).status_code == 200
    released = _invitations(db, mother["id"])
    assert released and all(m.next_attempt_at <= clock.now() for m in released)
    assert all(m.status is DeliveryStatus.PENDING for m in released)


async def test_a_cancelled_round_never_sends_a_held_invitation(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, db: Session
) -> None:
    rnd = await open_round(client, world, clock, await new_case(client, world, ref="FAM-2"))
    father = await add_informant(client, world, rnd["id"], "father", "Mads Holm")
    await issue_link(client, world, rnd["id"], father["id"])
    r = await fire(client, world, rnd["id"], "cancel", reason="Familien er flyttet.")
    assert r.status_code == 200, r.text
    assert {m.status for m in _invitations(db, father["id"])} == {DeliveryStatus.CANCELLED}
