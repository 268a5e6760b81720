"""Independence without exceptions: while the independent step is open, nobody but the
informant sees an informant's scores, goals or comments, through no page, API answer,
message or webhook; entering on behalf never shows or changes what a link holder typed; a
staff browser cannot use a personal link; the round's history shows who issued each link."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, String, Text, inspect, select
from sqlmodel import Session
from sqlmodel import select as sqlmodel_select

from service.clock import FrozenClock
from service.models.round import Submission
from tests.factories import ADMIN_A, CW_A, LEADER_A, instrument_definition
from tests.rounds_helpers import (
    FACTORS,
    add_informant,
    entries,
    issue_link,
    new_case,
    open_round,
    set_procedure,
    submit_link,
    submit_on_behalf,
)
from tests.sessions_helpers import issue_session_link, new_measure
from tests.staff_browser import form_csrf, staff_browser
from tests.world import World

SCORES = [2, 3, 1, 1, 2, 0, 2, 0]

#: What an informant typed, as a page would show it: a score chosen on every factor.
TYPED_FOUR = re.compile(r'name="score-[a-z_]+" value="4"[^>]*\schecked')
TYPED_THREE = re.compile(r'name="score-[a-z_]+" value="3"[^>]*\schecked')


def _routes(app: FastAPI) -> Iterator[tuple[str, set[str]]]:
    """Every (path, methods) the app serves, routers included."""
    for route in app.routes:
        contexts = (
            list(route.effective_route_contexts())
            if hasattr(route, "effective_route_contexts")
            else [route]
        )
        for context in contexts:
            path, methods = getattr(context, "path", None), getattr(context, "methods", None)
            if path and methods:
                yield path, set(methods)


async def _revoke(client: httpx.AsyncClient, world: World, rid: int, iid: int) -> None:
    r = await client.post(
        f"/api/v1/rounds/{rid}/informants/{iid}/link/revoke", headers=world.headers(CW_A)
    )
    assert r.status_code == 200, r.text


async def test_entering_on_behalf_never_shows_or_changes_what_a_link_holder_typed(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, app: FastAPI, db: Session
) -> None:
    rnd = await open_round(client, world, clock, await new_case(client, world))
    rid = rnd["id"]
    school = await add_informant(client, world, rid, "school", "Lærer Ane")
    psych = await add_informant(client, world, rid, "psychologist", "Psykolog Bo")
    token = await issue_link(client, world, rid, school["id"])
    typed = entries([4] * 8)
    draft = await client.post(f"/api/v1/links/{token}/draft", json={"scores": typed})
    assert draft.status_code == 200, draft.text

    async with staff_browser(app, CW_A) as browser:
        page = await browser.get(f"/rounds/{rid}/informants/{school['id']}/scores")
        assert page.status_code == 409
        assert not TYPED_FOUR.search(page.text)
        # Not even once the link is withdrawn: what the school typed stays the school's.
        await _revoke(client, world, rid, school["id"])
        page = await browser.get(f"/rounds/{rid}/informants/{school['id']}/scores")
        assert page.status_code == 409 and not TYPED_FOUR.search(page.text)
        posted = await browser.post(
            f"/rounds/{rid}/informants/{school['id']}/scores",
            data={"csrf": form_csrf(page.text), "action": "submit", "score-skoleforhold": "4"},
        )
        assert posted.status_code == 409
    api = await submit_on_behalf(client, world, rid, school["id"], entries([4] * 8))
    assert (api.status_code, api.json()["code"]) == (409, "answered_through_link")
    stored = db.exec(
        sqlmodel_select(Submission).where(Submission.informant_id == school["id"])
    ).one()
    assert stored.entered_by_id is None and stored.status.value == "draft"

    # An informant with a working link answers through it; withdrawn, they can be helped.
    await issue_link(client, world, rid, psych["id"])
    api = await submit_on_behalf(client, world, rid, psych["id"], entries(SCORES), submit=False)
    assert (api.status_code, api.json()["code"]) == (409, "informant_has_link")
    await _revoke(client, world, rid, psych["id"])
    helped = entries([3] * 8)
    api = await submit_on_behalf(client, world, rid, psych["id"], helped, submit=False)
    assert api.status_code == 200, api.text
    assert api.json()["entered_on_behalf"] is True
    async with staff_browser(app, CW_A) as browser:
        own_entry = await browser.get(f"/rounds/{rid}/informants/{psych['id']}/scores")
        assert own_entry.status_code == 200 and TYPED_THREE.search(own_entry.text)
    # Nobody else sees an entry begun by one member of staff, nor a staff informant's own.
    async with staff_browser(app, LEADER_A) as leader:
        other = await leader.get(f"/rounds/{rid}/informants/{psych['id']}/scores")
        assert other.status_code == 409 and not TYPED_THREE.search(other.text)
        informants = (
            await client.get(f"/api/v1/rounds/{rid}/informants", headers=world.headers(CW_A))
        ).json()["items"]
        caseworker = next(i for i in informants if i["role"] == "caseworker")
        own = await leader.get(f"/rounds/{rid}/informants/{caseworker['id']}/scores")
        assert own.status_code == 403
    api = await submit_on_behalf(
        client, world, rid, caseworker["id"], entries(SCORES), who=LEADER_A
    )
    assert (api.status_code, api.json()["code"]) == (403, "own_scores_only")


async def test_a_staff_browser_or_credentials_cannot_use_a_personal_link(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, app: FastAPI
) -> None:
    rnd = await open_round(client, world, clock, await new_case(client, world))
    school = await add_informant(client, world, rnd["id"], "school", "Lærer Ane")
    token = await issue_link(client, world, rnd["id"], school["id"])
    typed = entries([4] * 8)
    assert (await client.post(f"/api/v1/links/{token}/draft", json={"scores": typed})).is_success
    async with staff_browser(app, CW_A) as browser:
        page = await browser.get(f"/l/{token}")
        assert page.status_code == 403
        assert "logget ind som medarbejder" in page.text and not TYPED_FOUR.search(page.text)
        csrf_of_the_informant = form_csrf((await client.get(f"/l/{token}")).text)
        posted = await browser.post(
            f"/l/{token}",
            data={"csrf": csrf_of_the_informant, "action": "submit", "score-skoleforhold": "4"},
        )
        assert posted.status_code == 403
        for method, path, body in (
            ("GET", f"/api/v1/links/{token}", None),
            ("POST", f"/api/v1/links/{token}/submission", {"scores": entries([4] * 8)}),
        ):
            through_session = await browser.request(method, path, json=body)
            assert through_session.status_code == 403, through_session.text
            assert through_session.json()["code"] == "staff_on_personal_link"
            assert '"score":4' not in through_session.text.replace(" ", "")
            with_token = await client.request(method, path, json=body, headers=world.headers(CW_A))
            assert with_token.status_code == 403
            assert with_token.json()["code"] == "staff_on_personal_link"
    # The informant's own browser still has it all, unchanged.
    form = (await client.get(f"/api/v1/links/{token}")).json()
    assert form["submission"]["status"] == "draft"
    assert [s["score"] for s in form["submission"]["scores"]] == [4] * 8


async def test_the_history_shows_who_issued_reissued_and_withdrew_each_link(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    rnd = await open_round(client, world, clock, await new_case(client, world))
    rid = rnd["id"]
    school = await add_informant(client, world, rid, "school", "Lærer Ane")
    await issue_link(client, world, rid, school["id"])
    clock.advance(timedelta(minutes=5))
    r = await client.post(
        f"/api/v1/rounds/{rid}/informants/{school['id']}/link", headers=world.headers(LEADER_A)
    )
    assert r.status_code == 201, r.text
    clock.advance(timedelta(minutes=5))
    await _revoke(client, world, rid, school["id"])
    r = await client.post(
        f"/api/v1/rounds/{rid}/informants/{school['id']}/link", headers=world.headers("client-a")
    )
    assert r.status_code == 201, r.text
    history = await client.get(f"/api/v1/rounds/{rid}/history", headers=world.headers(CW_A))
    assert history.status_code == 200, history.text
    links = history.json()["links"]
    leader, client_a = world.user(LEADER_A), world.clients["client-a"]
    cw = world.user(CW_A)
    assert [
        (link["event"], link["issued_by"], link["ended"], link["ended_by"]) for link in links
    ] == [
        ("issued", f"staff:{cw.id}", "replaced", f"staff:{leader.id}"),
        ("reissued", f"staff:{leader.id}", "revoked", f"staff:{cw.id}"),
        ("reissued", f"client:{client_a.id}", None, None),
    ]
    assert all(link["informant_id"] == school["id"] for link in links)
    assert links[0]["issued_by_label"] == cw.full_name


#: Comments only their informant may see while the step is open (who typed them).
THROUGH_LINKS = {
    "school": "HEMMELIG-SKOLE-7Q",
    "psychologist": "HEMMELIG-PSYKOLOG-3K",
    "mother": "HEMMELIG-MOR-9Z",
}
BY_THE_CASEWORKER = {"child": "HEMMELIG-BARN-4D", "caseworker": "HEMMELIG-SAGSBEHANDLER-8W"}


async def _with_comments(client: httpx.AsyncClient, world: World) -> int:
    """The Århus children-and-family factors on a form with a comment box per factor (the
    catalogue's original has none), where each informant can type something of their own."""
    definition = instrument_definition(key="boern-familie-kommentar", points=range(0, 5))
    template = definition["factors"][0]
    definition["factors"] = [{**template, "key": key} for key in FACTORS]
    definition["free_text_per_factor"] = True
    admin = world.headers(ADMIN_A)
    r = await client.post("/api/v1/instruments", json=definition, headers=admin)
    assert r.status_code == 201, r.text
    iid = int(r.json()["id"])
    r = await client.post(f"/api/v1/instruments/{iid}/publish", headers=admin)
    assert r.status_code == 200, r.text
    r = await client.patch(
        "/api/v1/municipality/policy",
        json={"instruments_in_use": ["aarhus-boern-familie", "boern-familie-kommentar"]},
        headers=admin,
    )
    assert r.status_code == 200, r.text
    return iid


async def _collecting_round(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> dict[str, Any]:
    """A KL 3 round in its independent step: everyone has typed something, and nobody's
    scores may yet be seen by anyone else."""
    await set_procedure(client, world, "kl3")
    case_id = await new_case(client, world)
    rnd = await open_round(
        client, world, clock, case_id, instrument_id=await _with_comments(client, world)
    )
    rid = rnd["id"]
    ids: dict[str, int] = {}
    tokens: dict[str, str] = {}
    for role in ("school", "psychologist", "mother", "father", "child"):
        informant = await add_informant(client, world, rid, role, f"{role.title()} Test")
        ids[role] = informant["id"]
        if role != "child":
            tokens[role] = await issue_link(client, world, rid, informant["id"])
    for role in ("school", "mother"):
        r = await submit_link(client, tokens[role], entries(SCORES, comment=THROUGH_LINKS[role]))
        assert r.status_code == 200, r.text
    r = await client.post(
        f"/api/v1/links/{tokens['psychologist']}/draft",
        json={"scores": entries(SCORES, comment=THROUGH_LINKS["psychologist"])},
    )
    assert r.status_code == 200, r.text
    informants = (
        await client.get(f"/api/v1/rounds/{rid}/informants", headers=world.headers(CW_A))
    ).json()["items"]
    ids["caseworker"] = next(i["id"] for i in informants if i["role"] == "caseworker")
    for role in ("child", "caseworker"):
        r = await submit_on_behalf(
            client,
            world,
            rid,
            ids[role],
            entries(SCORES, comment=BY_THE_CASEWORKER[role]),
            submit=False,
        )
        assert r.status_code == 200, r.text
    hook = await client.post(
        "/api/v1/webhooks",
        json={"url": "https://dubu.example.dk/hooks", "events": ["informant.submitted"]},
        headers=world.headers("client-a"),
    )
    assert hook.status_code == 201, hook.text
    current = (await client.get(f"/api/v1/rounds/{rid}", headers=world.headers(CW_A))).json()
    assert current["state"] == "collecting"
    mappings = await client.get("/api/v1/instrument-mappings", headers=world.headers(CW_A))
    measure = await new_measure(client, world, case_id, clock.now().date().isoformat())
    standing = await issue_session_link(client, world, case_id, measure)
    return {
        "mapping_id": mappings.json()["items"][0]["id"],
        "round_id": rid,
        "case_id": case_id,
        "instrument_id": rnd["instrument_id"],
        "staff_id": world.user(CW_A).id,
        "webhook_id": hook.json()["id"],
        "notification_id": 1,
        "gathering": ["meeting", "family_dialogue"],
        "informant_id": list(ids.values()),
        "token": [*tokens.values(), standing["token"]],
        "link_id": standing["id"],
        "slug": ["round-not-found"],  # a problem type's page (it shows no one's scores)
        # Calibration is on fictitious children: none of the round's scores can be there.
        "vignette_id": 1,
        "exercise_id": 1,
        # The municipality's own login address shows a sign-in form, never a round.
        "municipality_code": "751",
        # The child's plan is staff's and the family's, and holds no scores.
        "row_id": 1,
    }


def _addresses(path: str, values: dict[str, Any]) -> list[str]:
    """The path with every combination of known values for its parameters."""
    names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    unknown = [n for n in names if n not in values]
    if unknown:
        pytest.fail(f"the walk has no value for {unknown} in {path}: add one to _collecting_round")
    choices = [v if isinstance(v, list) else [v] for v in (values[n] for n in names)]
    addresses = []
    for combination in itertools.product(*choices):
        address = path
        for name, value in zip(names, combination, strict=True):
            address = address.replace("{" + name + "}", str(value))
        addresses.append(address)
    return addresses


def _hidden_from(who: str) -> set[str]:
    """What `who` may not see: what link holders typed, and what the caseworker typed
    (their own scores, and the child's entered with them) unless `who` is the caseworker."""
    hidden = set(THROUGH_LINKS.values())
    if who != CW_A:
        hidden |= set(BY_THE_CASEWORKER.values())
    return hidden


async def test_no_page_and_no_api_answer_shows_anyones_scores_during_collection(
    client: httpx.AsyncClient,
    world: World,
    clock: FrozenClock,
    app: FastAPI,
    engine: Engine,
) -> None:
    values = await _collecting_round(client, world, clock)
    routes = list(_routes(app))
    api_gets = [p for p, m in routes if "GET" in m and p.startswith("/api/v1/")]
    page_gets = [
        p
        for p, m in routes
        if "GET" in m and not p.startswith(("/api/", "/static", "/docs", "/healthz"))
    ]
    assert "/api/v1/rounds/{round_id}/consensus" in api_gets
    assert "/rounds/{round_id}/informants/{informant_id}/scores" in page_gets
    walked = 0
    for who in (CW_A, LEADER_A, ADMIN_A, "client-a"):
        hidden = _hidden_from(who)
        for path in api_gets:
            for address in _addresses(path, values):
                r = await client.get(address, headers=world.headers(who))
                walked += 1
                assert r.status_code < 500, (who, address, r.text)
                leaked = {s for s in hidden if s in r.text}
                assert not leaked, (who, address, leaked)
        if who == "client-a":
            continue  # an integrator has no pages
        async with staff_browser(app, who) as browser:
            for path in page_gets:
                for address in _addresses(path, values):
                    r = await browser.get(address)
                    walked += 1
                    assert r.status_code < 500, (who, address, r.text)
                    leaked = {s for s in hidden if s in r.text}
                    assert not leaked, (who, address, leaked)
    assert walked > 100
    # No message and no webhook carries them either, nor anything else kept beside them.
    every_secret = set(THROUGH_LINKS.values()) | set(BY_THE_CASEWORKER.values())
    with engine.connect() as conn:
        for table_name in inspect(engine).get_table_names():
            if table_name in ("submission_score", "alembic_version"):
                continue  # where the answers belong
            table = _table(engine, table_name)
            texts = [c for c in table.columns if isinstance(c.type, (String, Text))]
            for row in conn.execute(select(*texts)) if texts else []:
                for value in row:
                    assert not any(s in str(value) for s in every_secret), (table_name, value)
            json_columns = [c for c in table.columns if c.type.__class__.__name__ == "JSON"]
            for row in conn.execute(select(*json_columns)) if json_columns else []:
                assert not any(s in str(row) for s in every_secret), (table_name, row)


def _table(engine: Engine, name: str) -> Any:
    from sqlalchemy import MetaData, Table

    return Table(name, MetaData(), autoload_with=engine)
