"""A participant who gets no link (KL 1 and 3's first-time provider, who only meets; KL 2's,
who is told the result) is sent, as it is added, a notice of who sees what and of its rights,
the same words an invitation carries, with no link; over a real SMTP conversation."""

from __future__ import annotations

import httpx
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import Engine

from service.clock import FrozenClock
from service.config import Settings
from service.notifications.dispatcher import Dispatcher, Policy, senders_for
from tests.factories import CW_A
from tests.notifications.conftest import Inbox, html_of, text_of
from tests.rounds_helpers import add_informant, new_case, open_round, set_procedure
from tests.world import World

SUBJECT = {"da": "Opfølgning på", "en": "Following up on"}
WHO_SEES = {
    ("meeting_only", "da"): ("Du scorer ikke på forhånd. Du deltager i mødet",),
    ("meeting_only", "en"): ("You do not score beforehand. You take part in the meeting",),
    ("informed", "da"): ("Du scorer ikke selv.", "får du besked om dem"),
}
RIGHTS = {
    "da": "Hver afgørelse fortæller, hvordan du kan klage over den til Ankestyrelsen.",
    "en": "to the National Social Appeals Board (Ankestyrelsen)",
}


def _dispatcher(settings: Settings, engine: Engine, clock: FrozenClock, port: int) -> Dispatcher:
    mail = settings.model_copy(
        update={"email_backend": "smtp", "smtp_port": port, "smtp_timeout_seconds": 3}
    )
    return Dispatcher(engine, clock, Policy.of(mail), senders_for(mail, engine, clock))


@pytest.mark.parametrize(
    ("procedure", "step", "language"),
    [("kl1", "meeting_only", "da"), ("kl3", "meeting_only", "en"), ("kl2", "informed", "da")],
)
async def test_a_participant_without_a_link_is_told_who_sees_what_and_its_rights(
    client: httpx.AsyncClient,
    world: World,
    clock: FrozenClock,
    settings: Settings,
    engine: Engine,
    smtp: tuple[Controller, Inbox],
    procedure: str,
    step: str,
    language: str,
) -> None:
    controller, inbox = smtp
    await set_procedure(client, world, procedure, collection_close="manual")
    rid = int((await open_round(client, world, clock, await new_case(client, world)))["id"])
    r = await client.post(
        f"/api/v1/rounds/{rid}/informants",
        json={
            "role": "provider",
            "name": "Plejemor Lis",
            "email": "lis@example.dk",
            "language": language,
        },
        headers=world.headers(CW_A),
    )
    assert r.status_code == 201, r.text
    assert r.json()["step"] == step
    # A school scores and gets its invitation with its link; no notice goes ahead of it.
    await add_informant(client, world, rid, "school", "Lærer Ane")
    await _dispatcher(settings, engine, clock, controller.port).run_once()

    assert [m["To"] for m in inbox.messages] == ["lis@example.dk"]
    (sent,) = inbox.messages
    body = " ".join(text_of(sent).split())
    # The who-sees and rights text an invitation carries, in the provider's language.
    assert sent["Subject"].startswith(SUBJECT[language])
    for sentence in (*WHO_SEES[step, language], RIGHTS[language]):
        assert sentence in body, sentence
    # No link, in either part.
    for part in (text_of(sent), html_of(sent)):
        assert "/l/" not in part and "https://" not in part
