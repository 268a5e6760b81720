"""The administrator edits the adopted cadence standard on its page: a rule changed, one added,
one removed; a refused value keeps everything typed and changes nothing stored; others may
read the standard but not edit it."""

from __future__ import annotations

import re
from typing import Any

import httpx

from service.schemas.cadence import IntervalBody
from service.web.staff.cadence_form import UNIT_MAX
from tests.factories import ADMIN_A, CW_A
from tests.pages.test_round_measures_page import login
from tests.world import World

STANDARD = "/api/v1/municipality/cadence-standard"


def _form(html: str) -> dict[str, str]:
    """The edit form's fields as the browser would post them untouched."""
    form = html.split('action="/cadence-standard/edit"')[1].split("</form>")[0]
    fields: dict[str, str] = {}
    for tag in re.findall(r"<input [^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name is None or ('type="checkbox"' in tag and " checked" not in tag):
            continue
        fields[name.group(1)] = value.group(1) if value else ""
    for name, body in re.findall(
        r'<select id="[^"]+" name="([^"]+)"[^>]*>(.*?)</select>', form, re.S
    ):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        fields[name] = chosen.group(1) if chosen else ""
    return fields


async def _adopted(client: httpx.AsyncClient, world: World) -> dict[str, Any]:
    r = await client.post(STANDARD, json={"based_on": "herning"}, headers=world.headers(ADMIN_A))
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    return data


def test_the_form_allows_what_the_api_allows() -> None:
    for unit, most in UNIT_MAX.items():
        IntervalBody.model_validate({unit: most})
        try:
            IntervalBody.model_validate({unit: most + 1})
        except ValueError:
            continue
        raise AssertionError(f"{unit}: the API takes more than the form says")


async def test_the_administrator_changes_adds_and_removes_rules(
    client: httpx.AsyncClient, world: World
) -> None:
    adopted = await _adopted(client, world)
    csrf = await login(client, ADMIN_A)
    shown = await client.get("/cadence-standard")
    assert 'href="/cadence-standard/edit"' in shown.text
    page = await client.get("/cadence-standard/edit")
    assert page.status_code == 200, page.text
    fields = _form(page.text)
    rows = int(fields["rows"])
    count = len(adopted["rules"])
    assert rows == count + 2  # the standard's rules and two blank rows
    foster = next(n for n in range(count) if fields[f"rule-{n}-type"] == "foster_care")
    fields.update(
        {
            "csrf": csrf,
            "name": "Herning, tilpasset",
            f"rule-{foster}-every": "8",
            f"rule-{foster}-every-unit": "weeks",
            "rule-0-remove": "1",
            f"rule-{count}-type": "contact_person",
            f"rule-{count}-first": "3",
            f"rule-{count}-first-unit": "months",
            f"rule-{count}-every": "3",
            f"rule-{count}-every-unit": "months",
        }
    )
    saved = await client.post("/cadence-standard/edit", data=fields)
    assert saved.status_code == 303, saved.text
    assert "Standarden er gemt" in (await client.get("/cadence-standard")).text
    now = (await client.get(STANDARD, headers=world.headers(ADMIN_A))).json()
    expected = [dict(r) for r in adopted["rules"]]
    expected[foster]["every"] = {"months": None, "weeks": 8}
    expected = [
        *expected[1:],
        {
            "category": None,
            "measure_type": "contact_person",
            "intensive": False,
            "first": {"months": 3, "weeks": None},
            "every": {"months": 3, "weeks": None},
            "after_first_year": None,
        },
    ]
    assert (now["name"], now["rules"]) == ("Herning, tilpasset", expected)


async def test_a_refused_value_keeps_what_was_typed_and_stores_nothing(
    client: httpx.AsyncClient, world: World
) -> None:
    adopted = await _adopted(client, world)
    csrf = await login(client, ADMIN_A)
    fields = _form((await client.get("/cadence-standard/edit")).text)
    count = len(adopted["rules"])
    fields.update(
        {
            "csrf": csrf,
            "name": "Ny standard",
            "rule-0-every": "0",
            # A new rule for the same measures as rule 2 (which stays as it is).
            f"rule-{count}-category": fields["rule-1-category"],
            f"rule-{count}-type": fields["rule-1-type"],
            f"rule-{count}-first": "5",
            f"rule-{count}-every": "5",
        }
    )
    if "rule-1-intensive" in fields:
        fields[f"rule-{count}-intensive"] = "1"
    refused = await client.post("/cadence-standard/edit", data=fields)
    assert refused.status_code == 422
    assert 'class="error-summary"' in refused.text
    assert 'href="#rule-0-every"' in refused.text
    kept = _form(refused.text)
    assert (kept["name"], kept["rule-0-every"], kept[f"rule-{count}-first"]) == (
        "Ny standard",
        "0",
        "5",
    )
    assert (await client.get(STANDARD, headers=world.headers(ADMIN_A))).json() == adopted

    # With the number mended, the repeated rule is what is refused, on its own row.
    kept.update({"csrf": csrf, "rule-0-every": "6"})
    repeated = await client.post("/cadence-standard/edit", data=kept)
    assert repeated.status_code == 422
    assert f'href="#rule-{count}-category"' in repeated.text
    assert "Den over følges altid" in repeated.text
    assert (await client.get(STANDARD, headers=world.headers(ADMIN_A))).json() == adopted


async def test_only_an_administrator_edits_the_standard(
    client: httpx.AsyncClient, world: World
) -> None:
    adopted = await _adopted(client, world)
    csrf = await login(client, CW_A)
    assert 'href="/cadence-standard/edit"' not in (await client.get("/cadence-standard")).text
    assert (await client.get("/cadence-standard/edit")).status_code == 403
    refused = await client.post(
        "/cadence-standard/edit", data={"csrf": csrf, "rows": "0", "name": "Min egen"}
    )
    assert refused.status_code == 403
    assert (await client.get(STANDARD, headers=world.headers(ADMIN_A))).json() == adopted
