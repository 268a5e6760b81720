"""Exports for other systems: FHIR R4 resources validated by an independent implementation
(fhir.resources), and the CSV of a case's official series with formulas neutralised."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.provenance import Provenance
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from service.clock import FrozenClock
from tests.factories import ADMIN_A, CW2_A, CW_A, instrument_definition, instrument_id
from tests.rounds_helpers import complete_round, new_case, open_round, set_procedure
from tests.world import World

# R4B left Questionnaire, QuestionnaireResponse, Provenance and Bundle as R4 has them.
FIRST = [(3, 2), (2, 2), (4, 3), (1, 1), (0, 0), (2, 1), (3, 3), (None, None)]
SECOND = [(2, 1), (2, 2), (3, 2), (1, 1), (0, 0), (2, 2), (3, 3), (None, None)]
QR_STATUS = {"in-progress", "completed", "amended", "entered-in-error", "stopped"}


def _linked(questionnaire: dict[str, Any]) -> set[str]:
    ids = set()
    for group in questionnaire["item"]:
        ids.add(group["linkId"])
        ids |= {item["linkId"] for item in group["item"]}
    return ids


async def test_fhir_resources_validate(
    client: httpx.AsyncClient, world: World, clock: FrozenClock
) -> None:
    await set_procedure(client, world, "kl3")
    iid = await instrument_id(client, world, "aarhus-boern-familie")
    r = await client.get(f"/api/v1/instruments/{iid}/fhir", headers=world.headers(CW_A))
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/fhir+json")
    questionnaire = r.json()
    Questionnaire.model_validate(questionnaire)  # raises on a resource that is not valid R4
    assert questionnaire["status"] == "active" and len(questionnaire["item"]) == 8
    first = questionnaire["item"][0]
    assert first["linkId"] == "udvikling_adfaerd" and first["type"] == "group"
    options = first["item"][0]["answerOption"]
    assert [o["valueCoding"]["code"] for o in options] == ["0", "1", "2", "3", "4", "cannot-assess"]
    assert all(o["valueCoding"]["display"] for o in options)  # the guidance of each point
    known = _linked(questionnaire)

    case_id = await new_case(client, world)
    await complete_round(client, world, clock, case_id, FIRST)
    school = [3, 2, 4, 1, 1, 2, 3, None]
    rid = await complete_round(
        client, world, clock, case_id, SECOND, {"school": school, "child": [1] * 7 + [None]}
    )
    r = await client.get(f"/api/v1/rounds/{rid}/fhir", headers=world.headers(CW_A))
    assert r.status_code == 200, r.text
    bundle = r.json()
    Bundle.model_validate(bundle)
    assert bundle["type"] == "collection"
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for entry in bundle["entry"]:
        resource = entry["resource"]
        by_kind.setdefault(resource["resourceType"], []).append(resource)
        # One by one too, as a receiving system would read them.
        model = QuestionnaireResponse if resource["resourceType"] != "Provenance" else Provenance
        model.model_validate(resource)
    responses, [decision] = by_kind["QuestionnaireResponse"], by_kind["Provenance"]
    assert len(responses) == 4  # caseworker, school, child; and the official result
    for response in responses:
        assert response["status"] in QR_STATUS
        assert response["subject"]["display"] == "Emma"
        for group in response["item"]:
            assert group["linkId"] in known
            assert all(
                i["linkId"] in known or i["linkId"].endswith(".outcome") for i in group["item"]
            )
    official = next(x for x in responses if x["id"] == f"round-{rid}-official")
    answers = {i["linkId"]: i["answer"][0] for i in official["item"][0]["item"]}
    assert answers["udvikling_adfaerd.score"]["valueCoding"]["code"] == "2"
    assert answers["udvikling_adfaerd.goal"]["valueCoding"]["code"] == "1"
    assert answers["udvikling_adfaerd.outcome"]["valueCoding"]["code"] == "progression_goal_met"
    with pytest.raises(ValueError, match="status"):  # the validation can fail
        QuestionnaireResponse.model_validate({k: v for k, v in official.items() if k != "status"})
    official_url = next(e["fullUrl"] for e in bundle["entry"] if e["resource"] is official)
    assert decision["target"][0]["reference"] == official_url
    assert decision["agent"][0]["who"]["display"] == "cw.a"  # the caseworker decided
    assert len(decision["entity"]) == 3
    child = next(x for x in responses if x["author"]["display"].endswith("(child)"))
    assert child["item"][7]["item"][0]["answer"][0]["valueCoding"]["code"] == "cannot-assess"

    pending = await open_round(client, world, clock, case_id)
    refused = await client.get(f"/api/v1/rounds/{pending['id']}/fhir", headers=world.headers(CW_A))
    assert refused.status_code == 409
    other = await client.get(f"/api/v1/rounds/{rid}/fhir", headers=world.headers(CW2_A))
    assert other.status_code == 404


@pytest.mark.parametrize("danger", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)"])
async def test_csv_of_the_official_series_neutralises_formulas(
    client: httpx.AsyncClient, world: World, clock: FrozenClock, danger: str
) -> None:
    await set_procedure(client, world, "kl3")
    admin = world.headers(ADMIN_A)
    definition = instrument_definition(key="egen-csv", points=range(0, 5))
    definition["factors"][0]["name_da"] = danger
    r = await client.post("/api/v1/instruments", json=definition, headers=admin)
    assert r.status_code == 201, r.text
    iid = r.json()["id"]
    assert (
        await client.post(f"/api/v1/instruments/{iid}/publish", headers=admin)
    ).status_code == 200
    await client.patch(
        "/api/v1/municipality/policy", json={"instruments_in_use": ["egen-csv"]}, headers=admin
    )
    case_id = await new_case(client, world)
    from tests import rounds_helpers

    saved, rounds_helpers.FACTORS = rounds_helpers.FACTORS, ["trivsel", "skole", "venner"]
    try:
        for official in ([(3, 2), (2, 2), (1, 1)], [(2, 2), (2, 1), (0, 0)]):
            await complete_round(client, world, clock, case_id, official, instrument_id=iid)
    finally:
        rounds_helpers.FACTORS = saved
    r = await client.get(f"/api/v1/cases/{case_id}/progress.csv", headers=world.headers(CW_A))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 6
    names = {row["factor"] for row in rows}
    assert "'" + danger in names and danger not in names
    first = [row for row in rows if row["factor_key"] == "trivsel"]
    assert [(row["score"], row["goal"], row["outcome"]) for row in first] == [
        ("3", "2", ""),
        ("2", "2", "progression_goal_met"),
    ]
    for row in rows:
        assert not any(str(v).startswith(("=", "+", "-", "@")) for v in row.values())
