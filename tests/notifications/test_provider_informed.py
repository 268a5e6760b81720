"""KL 2, trin 4 ("leverandør orienteres om score og målfastsættelse"): the event sends the
provider the official scores and goals through the outbox, never an informant's, and the result
records that it went."""

from __future__ import annotations

import httpx
from aiosmtpd.controller import Controller
from sqlalchemy import Engine

from service.clock import FrozenClock
from service.config import Settings
from service.notifications.dispatcher import Dispatcher, Policy, senders_for
from tests.factories import CW_A
from tests.notifications.conftest import Inbox, text_of
from tests.rounds_helpers import (
    FACTORS,
    add_informant,
    entries,
    fire,
    new_case,
    open_round,
    round_informants,
    set_official,
    set_procedure,
    submit_on_behalf,
)
from tests.world import World

DECIDED = [(3, 2), (2, 1), (1, 1), (0, 0), (2, 2), (1, 0), (2, 1), (0, 0)]
OFFICIAL = dict(zip(FACTORS, DECIDED, strict=True))


def _dispatcher(settings: Settings, engine: Engine, clock: FrozenClock, port: int) -> Dispatcher:
    mail = settings.model_copy(
        update={"email_backend": "smtp", "smtp_port": port, "smtp_timeout_seconds": 3}
    )
    return Dispatcher(engine, clock, Policy.of(mail), senders_for(mail, engine, clock))


async def _at_trin_4(
    client: httpx.AsyncClient,
    world: World,
    clock: FrozenClock,
    *,
    provider: bool,
    language: str = "da",
) -> int:
    await set_procedure(client, world, "kl2")
    rid = int((await open_round(client, world, clock, await new_case(client, world)))["id"])
    caseworker = (await round_informants(client, world, rid))[0]["id"]
    school = (await add_informant(client, world, rid, "school", "Lærer Ane"))["id"]
    if provider:  # first time in KL 2: told the result, no score of its own
        r = await client.post(
            f"/api/v1/rounds/{rid}/informants",
            json={
                "role": "provider",
                "name": "Plejemor Lis",
                "email": "provider@example.dk",
                "language": language,
            },
            headers=world.headers(CW_A),
        )
        assert r.status_code == 201, r.text
        assert r.json()["step"] == "informed"
    mother = (await add_informant(client, world, rid, "mother", "Mor Mette"))["id"]
    for informant, values in ((school, [4, 4, 4, 4, 4, 4, 4, 4]), (caseworker, [3] * 8)):
        r = await submit_on_behalf(client, world, rid, informant, entries(values))
        assert r.status_code == 200, r.text
    assert (await set_official(client, world, rid, OFFICIAL)).status_code == 200
    assert (await fire(client, world, rid, "finish_consensus")).status_code == 200
    r = await submit_on_behalf(client, world, rid, mother, entries([4] * 8))
    assert r.status_code == 200, r.text
    done = await fire(client, world, rid, "finish_family_dialogue")
    assert done.json()["state"] == "provider_information", done.text
    return rid


async def test_the_provider_is_sent_the_official_result_and_the_round_records_it(
    client: httpx.AsyncClient,
    world: World,
    clock: FrozenClock,
    settings: Settings,
    engine: Engine,
    smtp: tuple[Controller, Inbox],
) -> None:
    controller, inbox = smtp
    rid = await _at_trin_4(client, world, clock, provider=True)
    r = await fire(client, world, rid, "inform_provider")
    assert r.json()["state"] == "completed", r.text
    result = (await client.get(f"/api/v1/rounds/{rid}/result", headers=world.headers(CW_A))).json()
    informed = result["provider_informed"]
    assert informed["informed_at"] is not None and informed["reason"] is None
    assert [(m["name"], m["channel"], m["status"]) for m in informed["messages"]] == [
        ("Plejemor Lis", "email", "pending")
    ]
    await _dispatcher(settings, engine, clock, controller.port).run_once()
    sent = [m for m in inbox.messages if m["Subject"].startswith("Resultatet af vurderingen")]
    assert [m["To"] for m in sent] == ["provider@example.dk"]
    body = text_of(sent[0])
    # Each factor with the words of its points, and which end of the scale is best.
    assert "På skalaen er 0 (Ingen problemer) det bedste, og 4 (Massive problemer)" in body
    assert (
        "Udvikling og adfærd: vurdering 3 (Alvorlige problemer), mål 2 (Moderate problemer)" in body
    )
    assert "Sundhedsforhold: vurdering 0 (Ingen problemer), mål 0 (Ingen problemer)" in body
    # The informants' own scores and words stay where they were given.
    assert "vurdering 4" not in body
    after = (await client.get(f"/api/v1/rounds/{rid}/result", headers=world.headers(CW_A))).json()
    went = after["provider_informed"]["messages"][0]
    assert went["status"] == "sent" and went["sent_at"] is not None


async def test_the_provider_reads_the_result_in_its_own_language(
    client: httpx.AsyncClient,
    world: World,
    clock: FrozenClock,
    settings: Settings,
    engine: Engine,
    smtp: tuple[Controller, Inbox],
) -> None:
    controller, inbox = smtp
    rid = await _at_trin_4(client, world, clock, provider=True, language="en")
    assert (await fire(client, world, rid, "inform_provider")).status_code == 200
    await _dispatcher(settings, engine, clock, controller.port).run_once()
    (sent,) = [m for m in inbox.messages if m["Subject"].startswith("The result of")]
    assert sent["Subject"].startswith("The result of the assessment")
    body = text_of(sent)
    assert "On the scale, 0 (No problems) is the best and 4 (Massive problems)" in body
    assert (
        "Development and behaviour: assessment 3 (Serious problems), goal 2 (Moderate problems)"
        in body
    )


async def test_without_a_provider_to_tell_the_result_says_nobody_was_told_and_why(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    rid = await _at_trin_4(client, world, clock, provider=False)
    why = "Leverandøren er ikke valgt endnu."
    r = await fire(client, world, rid, "inform_provider", reason=why)
    assert r.json()["state"] == "completed" and r.json()["provider_note"] == why
    result = (await client.get(f"/api/v1/rounds/{rid}/result", headers=world.headers(CW_A))).json()
    assert result["provider_informed"]["messages"] == []
    assert result["provider_informed"]["reason"] == why
