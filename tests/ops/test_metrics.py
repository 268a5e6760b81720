"""`/metrics` in the Prometheus text format: requests by route template and status, the
state of the work, deliveries, refusals; never a municipality, a person or a token."""

from __future__ import annotations

import re

import httpx
from prometheus_client.parser import text_string_to_metric_families

from service.clock import FrozenClock
from tests.factories import CW_A
from tests.rounds_helpers import new_case, open_round
from tests.world import World


def samples(body: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


async def test_metrics_count_requests_and_the_work(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    rnd = await open_round(client, world, clock, await new_case(client, world))
    informant = await client.post(
        f"/api/v1/rounds/{rnd['id']}/informants",
        json={"role": "school", "name": "Lærer Ane", "email": "ane@skole.example.dk"},
        headers=world.headers(CW_A),
    )
    link = await client.post(
        f"/api/v1/rounds/{rnd['id']}/informants/{informant.json()['id']}/link",
        headers=world.headers(CW_A),
    )
    assert link.status_code == 201  # an invitation waits in the outbox
    token = "t" * 43
    for _ in range(12):  # guessing links, past the limit
        await client.get(f"/l/{token}")
    r = await client.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    body = r.text
    found = samples(body)
    route = "/api/v1/cases/{case_id}/rounds"
    key = (
        "konsensus_http_requests_total",
        (("method", "POST"), ("route", route), ("status", "201")),
    )
    assert found[key] >= 1
    assert any(
        name == "konsensus_http_request_duration_seconds_count"
        and dict(labels).get("route") == route
        for name, labels in found
    )
    states = {
        dict(labels)["state"]: v
        for (name, labels), v in found.items()
        if name == "konsensus_rounds"
    }
    assert states[rnd["state"]] >= 1
    assert found[("konsensus_database_up", ())] == 1
    assert ("konsensus_outbox_messages", (("channel", "email"), ("status", "pending"))) in found
    assert ("konsensus_outbox_oldest_pending_age_seconds", (("channel", "email"),)) in found
    assert found[("konsensus_throttled_requests_total", (("kind", "link_guess"),))] >= 2
    # Nothing that names a municipality, a person, a case or a link.
    values = {value for _, labels in found for _, value in labels}
    names = {label for _, labels in found for label, _ in labels}
    assert not {"municipality", "municipality_id", "case", "user"} & names
    for forbidden in (token, "Aarhus", "751", "Emma", "ane@skole", "DUBU-R1"):
        assert not any(forbidden in value for value in values), forbidden
    assert not re.search(r'route="/l/t', body)


async def test_the_request_id_is_returned_and_a_bad_one_replaced(
    client: httpx.AsyncClient,
) -> None:
    r = await client.get("/livez", headers={"X-Request-ID": "abc-123"})
    assert r.headers["x-request-id"] == "abc-123"
    r = await client.get("/livez", headers={"X-Request-ID": "no spaces\tor tabs"})
    assert re.fullmatch(r"[0-9a-f]{32}", r.headers["x-request-id"])
