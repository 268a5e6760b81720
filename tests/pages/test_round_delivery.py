"""The round's page says, per family member sent the result, how that message went: waiting,
sent (when) or not delivered (and what to do), from the outbox, in both languages."""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import httpx
from fastapi import FastAPI
from playwright.sync_api import Browser, expect
from sqlalchemy import update
from sqlmodel import Session, col

from service.clock import FrozenClock
from service.models.outbox import DeliveryStatus, OutboxMessage
from tests.api.test_family_result import _kl1_round, results
from tests.factories import CW_A
from tests.pages import axe
from tests.pages.test_meeting import login
from tests.staff_browser import staff_browser
from tests.world import World


def _delivery(html: str) -> dict[str, str]:
    """The result-message section's rows: name -> what the delivery cell says, in words."""
    section = html.split('id="result-delivery"', 1)
    assert len(section) == 2, "the page has no section on the result message"
    rows = re.findall(
        r"<tr>\s*<th scope=\"row\">([^<]+)</th>\s*<td[^>]*>(.*?)</td>", section[1], re.S
    )
    return {name.strip(): " ".join(re.sub(r"<[^>]+>", " ", cell).split()) for name, cell in rows}


async def test_the_round_page_shows_how_the_result_message_went(
    client: httpx.AsyncClient, app: FastAPI, world: World, clock: FrozenClock, db: Session
) -> None:
    rid, people, _ = await _kl1_round(client, world, clock, db)
    async with staff_browser(app, CW_A) as browser:
        waiting = _delivery((await browser.get(f"/rounds/{rid}")).text)
        assert waiting == {
            "Mor Lene": "Venter på at blive sendt",
            "Emma": "Venter på at blive sendt",
        }

        (mother,) = results(db, people["mother"])
        (child,) = results(db, people["child"])
        sent_at = clock.now() + timedelta(minutes=3)
        _mark(db, mother, DeliveryStatus.SENT, sent_at=sent_at)
        _mark(db, child, DeliveryStatus.FAILED, error="550 mailbox unavailable")

        page = await browser.get(f"/rounds/{rid}")
        assert page.status_code == 200
        shown = _delivery(page.text)
        assert shown["Mor Lene"].startswith("Sendt ") and str(sent_at.year) in shown["Mor Lene"]
        assert shown["Emma"].startswith("Ikke leveret")
        assert "send så et nyt link til resultatet" in shown["Emma"]
        assert "550" not in page.text  # the relay's words are not the caseworker's to read
        assert "Far Jens" not in shown  # no address: sent nothing, so nothing to say

        english = _delivery((await browser.get(f"/rounds/{rid}?lang=en")).text)
        assert english["Mor Lene"].startswith("Sent ")
        assert english["Emma"].startswith("Not delivered")
        assert "send a new link to the result" in english["Emma"]

        # A new link sent later: the page tells of the newest message, waiting again.
        r = await client.post(
            f"/api/v1/rounds/{rid}/informants/{people['child']}/link",
            headers=world.headers(CW_A),
        )
        assert r.status_code == 201, r.text
        again = _delivery((await browser.get(f"/rounds/{rid}?lang=da")).text)
        assert again["Emma"] == "Venter på at blive sendt"
        assert again["Mor Lene"].startswith("Sendt ")


def _mark(
    db: Session,
    message: OutboxMessage,
    status: DeliveryStatus,
    *,
    sent_at: datetime | None = None,
    error: str | None = None,
) -> None:
    """What the dispatcher writes when a message has gone, or has finally failed.

    The read that found the message ends first: on SQLite a read that turns into a write is
    refused ("database is locked") when the live server has written in between."""
    message_id = message.id
    db.commit()
    db.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id)
        .values(status=status, sent_at=sent_at, last_error=error, attempts=1)
    )
    db.commit()


def test_the_result_messages_pass_axe(
    live_server: str, app: FastAPI, world: World, clock: FrozenClock, db: Session, browser: Browser
) -> None:
    async def completed() -> tuple[int, dict[str, int]]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            rid, people, _ = await _kl1_round(http, world, clock, db)
            return rid, people

    # The browser's own loop runs on this thread: the round is made on another.
    with ThreadPoolExecutor(1) as other:
        rid, people = other.submit(asyncio.run, completed()).result()
    (mother,) = results(db, people["mother"])
    _mark(db, mother, DeliveryStatus.FAILED, error="550 mailbox unavailable")
    page = browser.new_page(viewport=axe.DESKTOP)
    login(page, live_server, f"/rounds/{rid}")
    expect(page.locator("#result-delivery")).to_be_visible()
    row = page.locator("#result-delivery + .table-wrap tr", has_text="Mor Lene")
    expect(row).to_contain_text("Ikke leveret")
    axe.check(page, "round page, the result messages")
    page.close()
