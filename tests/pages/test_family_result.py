"""The family sees the result on its own links once the round is completed: the official
result in plain words beside their own answers, their own series beside the official one, the
child's version in the child's words; never a professional's own score unless the procedure had
them meet (KL 3). A professional's link shows only what they submitted."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlmodel import Session

from service.clock import FrozenClock
from tests.api.test_family_result import results, token_in
from tests.factories import CW_A
from tests.rounds_helpers import (
    FACTORS,
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

OFFICIAL = [(3, 2), (2, 2), (3, 3), (1, 1), (0, 0), (2, 1), (3, 3), (1, 1)]
SCHOOL = [4, 4, 4, 4, 4, 4, 4, 4]  # a professional's scores: never on a family page under KL 1
MOTHER = [2, 2, 3, 1, 0, 1, 3, 1]
CHILD = [1, 1, 2, 0, 0, 1, 2, None]


async def _kl1_round(
    client: httpx.AsyncClient,
    world: World,
    clock: FrozenClock,
    case_id: int,
    official: list[tuple[int, int]],
    db: Session,
) -> dict[str, str]:
    """One KL 1 round to completion; returns the links by role."""
    rid = (await open_round(client, world, clock, case_id))["id"]
    tokens = {}
    for role, name in (("school", "Lærer Ane"), ("mother", "Mor Lene"), ("child", "Emma")):
        informant = await add_informant(client, world, rid, role, name)
        tokens[role] = await issue_link(client, world, rid, informant["id"])
    assert (await submit_link(client, tokens["school"], entries(SCHOOL))).status_code == 200
    caseworker = (await round_informants(client, world, rid))[0]["id"]
    own = [s for s, _ in official]
    r = await submit_on_behalf(client, world, rid, caseworker, entries(own))
    assert r.status_code == 200, r.text
    assert (
        await set_official(client, world, rid, dict(zip(FACTORS, official, strict=True)))
    ).status_code == 200
    assert (await fire(client, world, rid, "finish_consensus")).json()["state"] == "family_dialogue"
    assert (await submit_link(client, tokens["mother"], entries(MOTHER))).status_code == 200
    assert (await submit_link(client, tokens["child"], entries(CHILD))).status_code == 200
    done = await fire(client, world, rid, "finish_family_dialogue", reason="Samtale holdt.")
    assert done.json()["state"] == "completed", done.text
    # The family is sent a new link to the result (their old ones are replaced).
    people = {i["role"]: i["id"] for i in await round_informants(client, world, rid)}
    for role in ("mother", "child"):
        (message,) = results(db, people[role])
        tokens[role] = token_in(message)
    tokens["round"] = str(rid)
    return tokens


def _section(page: str) -> str:
    assert 'class="family-result"' in page
    return page.split('class="family-result"')[1]


async def test_family_links_show_the_result_beside_their_own_answers(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, db: Session
) -> None:
    case_id = await new_case(client, world)
    first = await _kl1_round(client, world, clock, case_id, OFFICIAL, db)
    mother = (await client.get(f"/l/{first['mother']}")).text
    result = _section(mother)
    assert "Resultatet af runden" in result and "Dit svar" in result
    table = result.split("</table>")[0]
    row = table.split("Udvikling og adfærd")[1].split("</tr>")[0]
    cells = [c.split(">", 1)[1].split("</td>")[0] for c in row.split("<td")[1:]]
    # Decided 3, goal 2; her own 2: each number with the scale's name of the point.
    assert (cells[0], cells[1], cells[3]) == (
        "3 (Alvorlige problemer)",
        "2 (Moderate problemer)",
        "2 (Moderate problemer)",
    )
    # The goal set now is for next time; how it went is measured against last time's.
    assert '<td data-label="Næste mål i barnets plan">2 (Moderate problemer)</td>' in row
    assert 'data-label="Hvordan det gik siden sidst"' in row
    assert "Lærer Ane" not in mother and '">4' not in table  # not the teacher's score
    assert "øjebliksbillede" in result or "line-chart" not in result  # one round: no series
    # The result comes first, not the invitation's deadline and who will see the answers.
    assert mother.index("Resultatet af runden") < mother.index("Dine svar")
    assert "Svar senest" not in mother and 'class="who-sees"' not in mother
    assert "Du kan klage" in mother.split("Resultatet af runden")[1]  # her rights stay
    child_page = (await client.get(f"/l/{first['child']}")).text
    child = _section(child_page)
    assert "Det blev vi enige om" in child and "Det sagde du" in child
    # The child's own page: what they agreed as its heading, each answer in its own words.
    assert '<h1 id="family-result-heading">Det blev vi enige om</h1>' in child_page
    assert "Tak, Emma!" not in child_page
    row = child.split("</table>")[0].split("Hvordan går det i skolen?")[1].split("</tr>")[0]
    assert '<td data-label="Det blev vi enige om">3 (Svært)</td>' in row
    assert '<td data-label="Det sagde du">2 (Både godt og svært)</td>' in row
    school = (await client.get(f"/l/{first['school']}")).text
    assert 'class="family-result"' not in school  # a professional sees only what they sent

    clock.advance(timedelta(days=180))
    second = await _kl1_round(
        client,
        world,
        clock,
        case_id,
        [(2, 1), (2, 2), (3, 2), (1, 1), (0, 0), (1, 1), (3, 3), (1, 1)],
        db,
    )
    series = _section((await client.get(f"/l/{second['mother']}?lang=en")).text)
    assert series.count('class="chart line-chart"') == 8 and "star-chart" in series
    assert "Your answers" in series  # their own line, in plain words
    assert "professionals&#39; answers" not in series.lower()  # no band: KL 1
    assert (
        "hatch" not in series.split("star-chart")[0]
        or "polygon points" not in series.split("Professionals")[0]
    )


async def test_a_new_result_link_for_the_family_only(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, db: Session
) -> None:
    case_id = await new_case(client, world)
    tokens = await _kl1_round(client, world, clock, case_id, OFFICIAL, db)
    clock.advance(timedelta(days=120))  # the links have run out
    assert (await client.get(f"/l/{tokens['mother']}")).status_code == 410
    rid = int(tokens["round"])
    people = {i["role"]: i["id"] for i in await round_informants(client, world, rid)}
    r = await client.post(
        f"/api/v1/rounds/{rid}/informants/{people['mother']}/link", headers=world.headers(CW_A)
    )
    assert r.status_code == 201, r.text
    page = await client.get(f"/l/{r.json()['token']}")
    assert page.status_code == 200 and "Resultatet af runden" in page.text
    refused = await client.post(
        f"/api/v1/rounds/{rid}/informants/{people['school']}/link", headers=world.headers(CW_A)
    )
    assert refused.status_code == 409 and refused.json()["code"] == "round_finished"
