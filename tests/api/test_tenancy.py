"""No query crosses municipalities: another municipality's objects do not exist for you."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from service.db import new_session
from service.models.case import Case, CaseStatus
from service.models.tenancy import CrossTenantWrite
from tests.factories import ADMIN_A, ADMIN_B, CW_A, CW_B, create_case, instrument_definition
from tests.world import World


async def test_staff_of_another_municipality_get_404(
    client: httpx.AsyncClient, world: World
) -> None:
    case = await create_case(client, world, CW_A)
    r = await client.post(
        "/api/v1/instruments", json=instrument_definition(), headers=world.headers(ADMIN_A)
    )
    assert r.status_code == 201, r.text
    own_instrument = r.json()["id"]
    measure = await client.post(
        f"/api/v1/cases/{case['id']}/measures",
        json={
            "type": "foster_care",
            "category": "placement_with_consent",
            "start_date": "2026-01-05",
        },
        headers=world.headers(CW_A),
    )
    assert measure.status_code == 201

    for who in (CW_B, ADMIN_B, "client-b"):
        headers = world.headers(who)
        for path in (
            f"/api/v1/cases/{case['id']}",
            f"/api/v1/cases/{case['id']}/measures",
            f"/api/v1/cases/{case['id']}/audit-events",
            f"/api/v1/instruments/{own_instrument}",
            f"/api/v1/staff/{world.user(CW_A).id}",
        ):
            r = await client.get(path, headers=headers)
            assert r.status_code == 404, (who, path, r.text)
            assert r.json()["code"] in {"not_found", "case_not_found"}
        r = await client.patch(
            f"/api/v1/cases/{case['id']}", json={"display_name": "Hacked"}, headers=headers
        )
        assert r.status_code in (403, 404), (who, r.text)
        listing = await client.get("/api/v1/cases", headers=headers)
        if listing.status_code == 200:
            assert all(c["id"] != case["id"] for c in listing.json()["items"])
        instruments = await client.get(
            "/api/v1/instruments", params={"limit": 200}, headers=headers
        )
        assert all(i["id"] != own_instrument for i in instruments.json()["items"])

    # The owner still sees it, unchanged.
    r = await client.get(f"/api/v1/cases/{case['id']}", headers=world.headers(CW_A))
    assert r.json()["display_name"] == "Emma"


async def test_same_external_ref_in_two_municipalities_is_two_cases(
    client: httpx.AsyncClient, world: World
) -> None:
    a = await create_case(client, world, CW_A, external_ref="SHARED-1")
    b = await create_case(client, world, CW_B, external_ref="SHARED-1")
    assert a["id"] != b["id"]


def test_a_bound_session_cannot_read_or_write_another_municipality(
    engine: Engine, world: World
) -> None:
    mun_a, mun_b = world.municipalities["751"], world.municipalities["621"]
    cw_a = world.user(CW_A)
    with new_session(engine, municipality_id=mun_a, write=True) as session:
        session.add(
            Case(
                municipality_id=mun_a,
                external_ref="R-1",
                display_name="Ida",
                birth_year=2016,
                caseworker_id=cw_a.id or 0,
                status=CaseStatus.ACTIVE,
            )
        )
        session.commit()
    with new_session(engine, municipality_id=mun_b) as session:
        # A query written without any municipality filter still sees nothing of A's.
        assert session.exec(select(Case)).all() == []
        assert session.exec(select(Case).where(Case.external_ref == "R-1")).first() is None
    with new_session(engine, municipality_id=mun_b, write=True) as session:
        session.add(
            Case(
                municipality_id=mun_a,
                external_ref="R-2",
                display_name="Bo",
                birth_year=2016,
                caseworker_id=cw_a.id or 0,
                status=CaseStatus.ACTIVE,
            )
        )
        with pytest.raises(CrossTenantWrite):
            session.flush()


def test_a_statement_built_once_is_scoped_anew_for_each_municipality(
    engine: Engine, world: World
) -> None:
    """Hot paths keep their statements in module constants; the scoping of one such
    statement for one municipality must never carry over to a session of another."""
    mun_a, mun_b = world.municipalities["751"], world.municipalities["621"]
    owners = {mun_a: world.user(CW_A), mun_b: world.user(CW_B)}
    with new_session(engine, write=True) as session:
        for mun, name in ((mun_a, "Ida"), (mun_b, "Bo")):
            session.add(
                Case(
                    municipality_id=mun,
                    external_ref=f"ONCE-{mun}",
                    display_name=name,
                    birth_year=2016,
                    caseworker_id=owners[mun].id or 0,
                    status=CaseStatus.ACTIVE,
                )
            )
        session.commit()
    built_once = select(Case.display_name).where(col(Case.external_ref).startswith("ONCE-"))
    for mun, name in ((mun_a, "Ida"), (mun_b, "Bo"), (mun_a, "Ida"), (mun_b, "Bo")):
        with new_session(engine, municipality_id=mun) as session:
            assert session.exec(built_once).all() == [name]
    with new_session(engine) as session:  # unbound: a system task sees both
        assert sorted(session.exec(built_once).all()) == ["Bo", "Ida"]
