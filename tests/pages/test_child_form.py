"""The child's form over HTTP: one question a screen, a goal question after each score, and
the scale's own numbers on the steps (KL's tables: the child scores and sets goals)."""

from __future__ import annotations

import re

import httpx

from service.clock import FrozenClock
from tests.rounds_helpers import (
    FACTORS,
    add_informant,
    issue_link,
    new_case,
    open_round,
    set_procedure,
)
from tests.world import World


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field in the form"
    return found.group(1)


async def _next(
    client: httpx.AsyncClient, token: str, q: int, fields: dict[str, str], action: str = "next"
) -> str:
    page = await client.get(f"/l/{token}", params={"q": q})
    r = await client.post(
        f"/l/{token}", data={"csrf": _csrf(page.text), "q": str(q), "action": action, **fields}
    )
    assert r.status_code == 303, r.text
    return str(r.headers["location"])


async def test_the_child_scores_and_sets_a_goal_one_screen_each(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    await set_procedure(client, world, "kl3")
    rnd = await open_round(client, world, clock, await new_case(client, world))
    child = await add_informant(client, world, rnd["id"], "child", "Emma")
    token = await issue_link(client, world, rnd["id"], child["id"])

    first = (await client.get(f"/l/{token}")).text
    assert "Område 1 af 8" in first
    # The steps are numbered as the scale and the meeting number them: 0-4, not 1-5.
    marks = re.findall(r'<span class="step-mark" aria-hidden="true">(\d+)</span>', first)
    assert marks == ["0", "1", "2", "3", "4"]

    key = FACTORS[0]
    assert (await _next(client, token, 1, {"factor": key, f"score-{key}": "2"})).endswith("q=2")
    goal = (await client.get(f"/l/{token}", params={"q": 2})).text
    assert "Område 1 af 8" in goal  # the goal belongs to its area
    # The goal is asked about the question the child answered, in its own words, with its
    # answer beside it; not in the professionals' name for the factor.
    legend = goal.split("<legend>")[1].split("</legend>")[0]
    assert "Hvordan har du det, og hvordan går det med at styre dig selv?" in legend
    assert "Hvordan vil du gerne have, at det er næste gang?" in legend
    assert "Udvikling og adfærd" not in goal
    assert "Du svarede: Både godt og svært." in goal
    # Only goals as good as now or better: 0, 1, 2 (2 is "as now").
    assert re.findall(rf'name="goal-{key}" value="(\d+)"', goal) == ["0", "1", "2"]
    assert "(som nu)" in goal
    assert (
        await _next(client, token, 2, {"factor": key, f"score-{key}": "2", f"goal-{key}": "1"})
    ).endswith("q=3")
    draft = (await client.get(f"/api/v1/links/{token}")).json()["submission"]["scores"]
    assert [(s["factor_key"], s["score"], s["goal"]) for s in draft] == [(key, 2, 1)]

    # "I don't know" has no goal screen: the next factor follows.
    q = 3
    for other in FACTORS[1:]:
        fields = {"factor": other, "ask": "score", f"score-{other}": "na"}
        q_next = await _next(client, token, q, fields)
        q += 1
        assert q_next.endswith(f"q={q}")
    send = (await client.get(f"/l/{token}", params={"q": q})).text
    assert "Nu har du svaret på det hele" in send
    await _next(client, token, q, {}, action="submit")
    submitted = (await client.get(f"/api/v1/links/{token}")).json()
    assert submitted["status"] == "submitted"
    first_factor = submitted["submission"]["scores"][0]
    assert (first_factor["score"], first_factor["goal"]) == (2, 1)


async def test_a_goal_worse_than_the_score_is_shown_on_the_goal_screen(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    await set_procedure(client, world, "kl3")
    rnd = await open_round(client, world, clock, await new_case(client, world))
    child = await add_informant(client, world, rnd["id"], "child", "Emma")
    token = await issue_link(client, world, rnd["id"], child["id"])
    key = FACTORS[0]
    await _next(client, token, 1, {"factor": key, f"score-{key}": "1"})
    await _next(client, token, 2, {"factor": key, f"score-{key}": "1", f"goal-{key}": "3"})
    for q, other in enumerate(FACTORS[1:], start=3):
        await _next(client, token, q, {"factor": other, f"score-{other}": "na"})
    page = await client.get(f"/l/{token}", params={"q": 10})
    r = await client.post(
        f"/l/{token}", data={"csrf": _csrf(page.text), "q": "10", "action": "submit"}
    )
    assert r.status_code == 422
    assert "næste gang?" in r.text and "Område 1 af 8" in r.text
    assert "Vælg et af svarene her." in r.text  # in the child's words


async def test_the_child_is_not_sent_on_without_an_answer_nor_sent_off_incomplete(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    await set_procedure(client, world, "kl3")
    rnd = await open_round(client, world, clock, await new_case(client, world))
    child = await add_informant(client, world, rnd["id"], "child", "Emma")
    token = await issue_link(client, world, rnd["id"], child["id"])
    key = FACTORS[0]
    page = await client.get(f"/l/{token}")
    # "Næste" with nothing chosen: the radio group is not posted at all.
    r = await client.post(
        f"/l/{token}",
        data={"csrf": _csrf(page.text), "q": "1", "action": "next", "factor": key, "ask": "score"},
    )
    assert r.status_code == 422
    assert "Du har ikke valgt et svar endnu" in r.text and "Område 1 af 8" in r.text
    assert (await client.get(f"/api/v1/links/{token}")).json()["submission"] is None
    # Going back is not answering: it is never refused.
    await _next(client, token, 1, {"factor": key, "ask": "score", f"score-{key}": "na"})
    back = await client.post(
        f"/l/{token}",
        data={"csrf": _csrf(page.text), "q": "2", "action": "back", "factor": FACTORS[1]},
    )
    assert back.status_code == 303, back.text

    # Sending with areas left: the last screen again, listing them in the child's words.
    r = await client.post(
        f"/l/{token}", data={"csrf": _csrf(page.text), "q": "9", "action": "submit"}
    )
    assert r.status_code == 422
    assert "Dine svar er ikke sendt endnu" in r.text
    assert "Du mangler at svare på 7 spørgsmål" in r.text
    assert "Hvordan går det i skolen?" in r.text
    assert "Vælg et punkt, eller marker" not in r.text  # not the adults' words
    left = (await client.get(f"/api/v1/links/{token}")).json()
    assert left["status"] != "submitted"
    assert [s["factor_key"] for s in left["submission"]["scores"]] == [key]
