"""The calibration pages on the demo data: the caseworker scores the open vignette on the
informants' form, alone, and reads the closed one's results with her own distance; the leader
sees how alike the group scored, over time, without a name."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import Engine

from service.demo import demo_logins, load_demo
from service.generator.calibration_demo import KEYS, OSKAR_REFERENCE


async def _login(client: httpx.AsyncClient, role: str) -> str:
    who = next(login for login in demo_logins() if login.role == role)
    page = await client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    r = await client.post(
        "/login", data={"csrf": csrf.group(1), "username": who.username, "password": who.password}
    )
    assert r.status_code == 303, r.text
    return csrf.group(1)


def _exercise_links(html: str) -> list[str]:
    return re.findall(r'href="(/calibration/\d+)"', html)


async def test_the_caseworker_scores_alone_and_then_sees_her_own_distance(
    client: httpx.AsyncClient, engine: Engine
) -> None:
    load_demo(engine)
    await _login(client, "caseworker")
    listing = await client.get("/calibration")
    assert listing.status_code == 200, listing.text
    assert 'href="/calibration"' in listing.text and "Du mangler at svare." in listing.text
    open_path, closed_path = _exercise_links(listing.text)

    form = await client.get(open_path)
    assert "Oskar er 3 år" in form.text
    assert 'name="score-tilknytning"' in form.text and 'name="goal-' not in form.text
    # Independent: neither the reference's rationale nor anyone's scores before closing.
    assert OSKAR_REFERENCE[2][1] not in form.text and "Sådan scorede gruppen" not in form.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert csrf
    data = {"csrf": csrf.group(1)} | {f"score-{k}": "2" for k in KEYS[:-1]}
    refused = await client.post(open_path, data=data)
    assert refused.status_code == 422 and 'id="error-summary"' in refused.text
    data["score-kriminalitet"] = "na"
    sent = await client.post(open_path, data=data)
    assert sent.status_code == 303
    after = await client.get(open_path)
    assert "Dit svar er sendt." in after.text and "Sådan scorede gruppen" not in after.text

    closed = await client.get(closed_path)
    assert "Mathilde er 10 år" in closed.text
    assert "Kun du kan se dine egne scorer" in closed.text
    assert "Du ligger 1 point fra referencen" in closed.text  # udvikling: 2 against 3
    assert "Krippendorffs alfa" in closed.text


async def test_the_leader_sees_the_groups_agreement_and_no_names(
    client: httpx.AsyncClient, engine: Engine
) -> None:
    load_demo(engine)
    await _login(client, "team_leader")
    listing = await client.get("/calibration")
    assert "Scorer vi mere ens over tid?" in listing.text
    assert re.search(r"<td>\d,\d\d</td>", listing.text)
    for path in _exercise_links(listing.text):
        page = await client.get(path)
        assert page.status_code == 200, page.text
        for name in ("Sara Sagsbehandler", "Peter Pedersen", "Maja Madsen"):
            assert name not in page.text
