"""What informants are told reaches them: the link's form (API and page), the invitation and
the reminder say who will see the answers and when, for their procedure and step."""

from __future__ import annotations

import httpx
from sqlmodel import Session, col, select

from service.clock import FrozenClock
from service.models.outbox import MessageKind, OutboxMessage
from tests.factories import CW_A
from tests.rounds_helpers import add_informant, issue_link, new_case, open_round, set_procedure
from tests.world import World


async def _messages(db: Session, informant_id: int, kind: MessageKind) -> list[str]:
    return [
        m.body_text
        for m in db.exec(
            select(OutboxMessage)
            .where(OutboxMessage.informant_id == informant_id, OutboxMessage.kind == kind)
            .order_by(col(OutboxMessage.id))
        ).all()
    ]


async def test_kl1_family_is_told_the_caseworker_sees_their_answers_at_once(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, db: Session
) -> None:
    rnd = await open_round(client, world, clock, await new_case(client, world))
    mother = await add_informant(client, world, rnd["id"], "mother", "Mor Mette")
    token = await issue_link(client, world, rnd["id"], mother["id"])
    form = (await client.get(f"/api/v1/links/{token}")).json()
    notice = form["notice"]
    assert "ser dine svar med det samme" in notice["who_sees_da"]
    assert "alene" not in notice["who_sees_da"]
    assert notice["who_sees_en"].startswith(
        "You give your assessment and your goals in a conversation with the caseworker and "
        "the provider of the support"
    )
    assert "ikke en afgørelse om Emma" in notice["rights_da"]
    assert "cw.a@aarhus.example.dk" in notice["rights_en"]
    page = (await client.get(f"/l/{token}")).text
    assert notice["who_sees_da"] in page and notice["rights_da"] in page
    assert "Du svarer alene" not in page
    # Her step is a conversation after the meeting: the professionals' deadline is not hers.
    assert "Svar senest" not in page
    (invitation,) = await _messages(db, mother["id"], MessageKind.INVITATION)
    assert notice["who_sees_da"] in invitation and notice["rights_da"] in invitation
    assert "før alle har svaret" not in invitation


async def test_kl2_professional_is_told_there_is_no_meeting(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, db: Session
) -> None:
    await set_procedure(client, world, "kl2", collection_close="due_date")
    rnd = await open_round(client, world, clock, await new_case(client, world))
    r = await client.post(
        f"/api/v1/rounds/{rnd['id']}/informants",
        json={"role": "school", "name": "Lærer Ane", "email": "ane@example.dk", "language": "en"},
        headers=world.headers(CW_A),
    )
    school = r.json()
    await issue_link(client, world, rnd["id"], school["id"])
    (invitation,) = await _messages(db, school["id"], MessageKind.INVITATION)
    reminders = await _messages(db, school["id"], MessageKind.REMINDER)
    assert reminders, "the reminders are written with the invitation"
    for text in (invitation, *reminders):
        assert "The collection closes at the deadline, or earlier if the caseworker" in text
        assert "the others who answered do not see yours in the round." in text
        assert "right of access to the case file (partsaktindsigt)" in text
        assert "until everyone has answered" not in text

    # The first-time provider of KL 2 has no meeting to take part in: it is informed.
    provider = await add_informant(client, world, rnd["id"], "provider", "Plejefamilien Holm")
    assert provider["step"] == "informed"
    r = await client.post(
        f"/api/v1/rounds/{rnd['id']}/informants/{provider['id']}/link",
        headers=world.headers(CW_A),
    )
    assert (r.status_code, r.json()["code"], r.json()["step"]) == (
        409,
        "informant_does_not_score",
        "informed",
    )
    assert "meeting" not in r.json()["detail"]


async def test_the_child_is_told_in_its_own_words(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    await set_procedure(client, world, "kl3")
    rnd = await open_round(client, world, clock, await new_case(client, world))
    child = await add_informant(client, world, rnd["id"], "child", "Emma")
    token = await issue_link(client, world, rnd["id"], child["id"])
    page = (await client.get(f"/l/{token}")).text
    assert "Først svarer du alene." in page
    assert "Dine svar er ikke en beslutning om dig." in page
