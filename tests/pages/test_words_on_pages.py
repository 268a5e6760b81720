"""Words as the reader meets them on a rendered page: nothing run together where the
template joins two phrases."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import httpx
from sqlmodel import Session

from service.clock import FrozenClock
from tests.factories import CW_A
from tests.pages.test_family_result import OFFICIAL, _kl1_round
from tests.rounds_helpers import (
    entries,
    fire,
    new_case,
    open_round,
    round_informants,
    staff_login,
    submit_on_behalf,
)
from tests.world import World

BETTER = [(2, 1), (2, 2), (3, 2), (1, 1), (0, 0), (1, 1), (3, 3), (1, 1)]


async def test_the_meeting_names_the_last_outcome_apart_from_the_last_goal(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, db: Session
) -> None:
    """A follow-up's meeting shows the last round's score, goal and outcome on one line:
    "Mål: 2 (Moderate problemer) · Progressionsmål opfyldt", each apart from the next."""
    case_id = await new_case(client, world)
    for decided in (OFFICIAL, BETTER):  # the second has outcomes against the first
        await _kl1_round(client, world, clock, case_id, decided, db)
        clock.advance(timedelta(days=180))
    rid = (await open_round(client, world, clock, case_id))["id"]
    caseworker = (await round_informants(client, world, rid))[0]["id"]
    r = await submit_on_behalf(client, world, rid, caseworker, entries([2] * 8))
    assert r.status_code == 200, r.text
    if (await client.get(f"/api/v1/rounds/{rid}", headers=world.headers(CW_A))).json()[
        "state"
    ] == "collecting":
        closed = await fire(client, world, rid, "close_collection", reason="Kun sagsbehandleren.")
        assert closed.status_code == 200, closed.text
    await staff_login(client)
    page = await client.get(f"/rounds/{rid}/meeting")
    assert page.status_code == 200, page.status_code
    lines = [
        " ".join(html.unescape(re.sub(r"<[^>]+>", "", p)).split())
        for p in re.findall(r'<p class="previous">(.*?)</p>', page.text, flags=re.S)
    ]
    with_outcome = [line for line in lines if "·" in line]
    assert with_outcome, lines
    for line in with_outcome:
        assert re.search(r"\S · \S", line), line


async def test_the_familys_result_says_how_the_assessment_was_reached_not_that_it_was_decided(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, db: Session
) -> None:
    """The page also says the assessment is not a decision: it names the official assessment,
    what the professionals' meeting agreed (KL 1) and who set it where they disagreed."""
    case_id = await new_case(client, world)
    links = await _kl1_round(client, world, clock, case_id, OFFICIAL, db)
    for language, official, told in (
        (
            "da",
            "Den officielle vurdering",
            "Fagfolkene drøftede svarene på et møde og nåede frem til en fælles vurdering af "
            "Emma. Hvor de var uenige, bestemte sagsbehandleren.",
        ),
        (
            "en",
            "The official assessment",
            "The professionals discussed the answers at a meeting and reached a shared "
            "assessment of Emma. Where they disagreed, the caseworker decided.",
        ),
    ):
        page = (await client.get(f"/l/{links['mother']}?lang={language}")).text
        text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
        assert "Besluttet" not in text and "Decided" not in text
        assert f'<th scope="col">{official}</th>' in page
        assert told in text, text[:2000]
