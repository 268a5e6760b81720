"""Standing links for session forms and sessions answered through them, for the tests."""

from __future__ import annotations

import secrets
from typing import Any

import httpx

from tests.factories import CW_A
from tests.world import World

OUTCOME_ITEMS = ("myself", "family", "daily_life", "overall")
ALLIANCE_ITEMS = ("heard", "wanted", "way", "overall")


async def new_measure(
    client: httpx.AsyncClient, world: World, case_id: int, start: str, **fields: Any
) -> int:
    r = await client.post(
        f"/api/v1/cases/{case_id}/measures",
        json={"type": "home_based_support", "start_date": start, **fields},
        headers=world.headers(CW_A),
    )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


async def issue_session_link(
    client: httpx.AsyncClient,
    world: World,
    case_id: int,
    measure_id: int,
    holder: str = "young_person",
    label: str = "Emma",
) -> dict[str, Any]:
    r = await client.post(
        f"/api/v1/cases/{case_id}/session-links",
        json={"measure_id": measure_id, "holder": holder, "label": label},
        headers=world.headers(CW_A),
    )
    assert r.status_code == 201, r.text
    issued: dict[str, Any] = r.json()
    return issued


def session_body(form: str, values: list[int], key: str | None = None) -> dict[str, Any]:
    items = OUTCOME_ITEMS if form == "outcome" else ALLIANCE_ITEMS
    return {
        "form": form,
        "answers": [{"item": i, "value": v} for i, v in zip(items, values, strict=True)],
        "submission_key": key or secrets.token_urlsafe(12),
    }


def _words(da: str, en: str) -> dict[str, str]:
    return {"da": da, "en": en}


def own_form(title: str, keys: list[str], lowest: int = 1, highest: int = 5) -> dict[str, Any]:
    """One form of a municipality's own pair, as an administrator loads it."""
    return {
        "title": _words(f"{title} (da)", f"{title} (en)"),
        "items": [{"key": k, "text": _words(f"Spørgsmål {k}", f"Question {k}")} for k in keys],
        "lowest": lowest,
        "highest": highest,
        "lowest_text": _words("Meget dårligt", "Very poor"),
        "highest_text": _words("Meget godt", "Very good"),
    }


#: A licensed pair on a 1-5 line, three items a form.
LICENSED = {
    "name": "Licenseret par",
    "outcome": own_form("Trivsel", ["self", "close", "social"]),
    "alliance": own_form("Samtalen", ["listened", "goals", "approach"]),
}
