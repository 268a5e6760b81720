"""Staff sign in through their municipality's OpenID Connect provider: a real one (Node's
oidc-provider) on loopback, driven through its own login form, and the service over HTTP.

The provider runs once per module (and worker); each test gets its own database and app, so
its own cache of the provider's keys."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import Session, select

from service.clock import FrozenClock
from service.models.audit import AuditEvent
from service.models.identity_provider import IdentityProvider
from service.models.staff import StaffRole, StaffUser
from tests.identity_provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    OidcProvider,
    local_path,
    log_in_at_provider,
    logout_relay,
    query,
    running_provider,
    sign_out_at_provider,
)
from tests.staff_browser import form_csrf
from tests.world import CLIENT_SECRET as INTEGRATOR_SECRET
from tests.world import PASSWORD, World

DOMAIN = "aarhus.example.dk"
GROUPS = {
    "konsensus-caseworkers": ("caseworker", "Team Nord"),
    "konsensus-leaders": ("team_leader", "Team Syd"),
    "konsensus-admins": ("administrator", None),
}
ACCOUNTS: dict[str, dict[str, Any]] = {
    f"ny.sagsbehandler@{DOMAIN}": {"groups": ["konsensus-caseworkers", "alle"]},
    f"ny.leder@{DOMAIN}": {"groups": ["konsensus-leaders"]},
    f"ny.admin@{DOMAIN}": {"groups": ["konsensus-admins"]},
    f"cw.a@{DOMAIN}": {"groups": ["konsensus-caseworkers"]},
    f"udenfor@{DOMAIN}": {"groups": ["alle"]},
}


def _accounts(**changed: list[str]) -> dict[str, dict[str, Any]]:
    accounts = {
        login: {"email": login, "name": login.split("@")[0].title(), **claims}
        for login, claims in ACCOUNTS.items()
    }
    for login, groups in changed.items():
        accounts[login.replace("_", ".") + "@" + DOMAIN]["groups"] = groups
    return accounts


@pytest.fixture(scope="module")
def idp() -> Iterator[OidcProvider]:
    with running_provider() as provider:
        provider.register("http://testserver", "751")
        provider.control(accounts=_accounts())
        yield provider


def _settings(idp: OidcProvider, world: World, **changes: Any) -> dict[str, Any]:
    return {
        "issuer": idp.issuer,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "email_domains": [DOMAIN],
        "create_unknown": True,
        "groups": [
            {"group": group, "role": role, "team_id": world.teams[team] if team else None}
            for group, (role, team) in GROUPS.items()
        ],
        **changes,
    }


@pytest.fixture
async def configured(
    client: httpx.AsyncClient, world: World, idp: OidcProvider
) -> AsyncIterator[OidcProvider]:
    """Aarhus signs its staff in through the provider."""
    response = await client.put(
        "/api/v1/municipality/identity-provider",
        json=_settings(idp, world),
        headers=world.headers(f"admin.a@{DOMAIN}"),
    )
    assert response.status_code == 200, response.text
    yield idp
    idp.control(accounts=_accounts(), impostor=False)


def _browser(app: FastAPI) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=("192.0.2.30", 50002))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def _to_provider(browser: httpx.AsyncClient, email: str) -> str:
    """The login page's first step: the work email, and off to the provider."""
    csrf = form_csrf((await browser.get("/login")).text)
    response = await browser.post("/login", data={"csrf": csrf, "username": email})
    assert response.status_code == 303, response.text
    location: str = response.headers["location"]
    return location


async def _sign_in(browser: httpx.AsyncClient, login: str) -> httpx.Response:
    back = await log_in_at_provider(await _to_provider(browser, login), login)
    return await browser.get(local_path(back))


def _user(db: Session, username: str) -> StaffUser:
    db.rollback()  # a fresh look: what the service committed since
    user = db.exec(select(StaffUser).where(StaffUser.username == username)).one()
    return user


async def test_an_administrator_sets_the_provider_and_the_secret_stays_sealed(
    client: httpx.AsyncClient, world: World, idp: OidcProvider, db: Session
) -> None:
    admin = world.headers(f"admin.a@{DOMAIN}")
    url = "/api/v1/municipality/identity-provider"
    assert (await client.get(url, headers=admin)).json()["code"] == "identity_provider_not_set"
    response = await client.put(url, json=_settings(idp, world), headers=admin)
    assert response.status_code == 200, response.text
    shown = (await client.get(url, headers=admin)).json()
    assert CLIENT_SECRET not in str(shown)
    assert shown["login_url"] == "http://testserver/login/751"
    assert shown["redirect_uri"] == "http://testserver/login/oidc/callback"
    assert [g["group"] for g in shown["groups"]] == list(GROUPS)
    stored = db.exec(select(IdentityProvider)).one()
    assert stored.client_secret.startswith("s1.") and CLIENT_SECRET not in stored.client_secret
    # The secret left out is the secret kept.
    kept = {k: v for k, v in _settings(idp, world).items() if k != "client_secret"}
    assert (await client.put(url, json=kept, headers=admin)).status_code == 200
    caseworker = world.headers(f"cw.a@{DOMAIN}")
    assert (await client.put(url, json=kept, headers=caseworker)).status_code == 403
    # Kolding cannot claim Aarhus's domain.
    response = await client.put(
        url,
        json={**kept, "client_secret": "x", "groups": []},
        headers=world.headers("admin.b@kolding.example.dk"),
    )
    assert response.json()["code"] == "domain_taken"


async def test_the_provider_is_asked_for_the_scopes_the_municipality_adds(
    app: FastAPI, client: httpx.AsyncClient, configured: OidcProvider, world: World
) -> None:
    """AD FS sends the groups in the ID token only when asked for `allatclaims`."""
    response = await client.put(
        "/api/v1/municipality/identity-provider",
        json=_settings(configured, world, extra_scopes=["allatclaims", "openid"]),
        headers=world.headers(f"admin.a@{DOMAIN}"),
    )
    assert response.json()["extra_scopes"] == ["allatclaims", "openid"]
    async with _browser(app) as browser:
        to_provider = await _to_provider(browser, f"cw.a@{DOMAIN}")
    assert query(to_provider)["scope"] == "openid email profile allatclaims"
    assert query(to_provider)["code_challenge_method"] == "S256"


async def test_each_role_signs_in_and_a_known_person_is_linked(
    app: FastAPI, configured: OidcProvider, db: Session, world: World
) -> None:
    for login, role, team in (
        (f"ny.sagsbehandler@{DOMAIN}", StaffRole.CASEWORKER, "Team Nord"),
        (f"ny.leder@{DOMAIN}", StaffRole.TEAM_LEADER, "Team Syd"),
        (f"ny.admin@{DOMAIN}", StaffRole.ADMINISTRATOR, None),
        (f"cw.a@{DOMAIN}", StaffRole.CASEWORKER, "Team Nord"),
    ):
        async with _browser(app) as browser:
            response = await _sign_in(browser, login)
            assert response.status_code == 303, response.text
            assert response.headers["location"] == "/cases"
            assert (await browser.get("/cases")).status_code == 200
        user = _user(db, login)
        assert (user.role, user.team_id) == (role, world.teams[team] if team else None)
        assert user.subject == login and user.is_active
    # The person known before keeps their account (and its history).
    assert _user(db, f"cw.a@{DOMAIN}").id == world.user(f"cw.a@{DOMAIN}").id


async def test_a_wrong_state_and_a_replayed_code_are_refused(
    app: FastAPI, configured: OidcProvider, db: Session
) -> None:
    login = f"ny.sagsbehandler@{DOMAIN}"
    async with _browser(app) as browser:
        back = await log_in_at_provider(await _to_provider(browser, login), login)
        forged = local_path(back).replace(query(back)["state"], "not-the-state")
        response = await browser.get(forged)
        assert response.status_code == 400
        assert "Log ind kunne ikke bekræftes" in response.text
        assert (await browser.get("/cases")).status_code == 303  # not signed in
    async with _browser(app) as browser:
        back = await log_in_at_provider(await _to_provider(browser, login), login)
        assert (await browser.get(local_path(back))).status_code == 303
        # The same answer again: the sign-in it belonged to is over.
        assert (await browser.get(local_path(back))).status_code == 400
        # The code again, under a sign-in begun anew: the provider refuses it.
        fresh = query(await _to_provider(browser, login))["state"]
        replayed = local_path(back).replace(query(back)["state"], fresh)
        response = await browser.get(replayed)
        assert response.status_code == 401, response.text


async def test_a_token_signed_by_another_key_is_refused(
    app: FastAPI, configured: OidcProvider
) -> None:
    configured.control(impostor=True)
    async with _browser(app) as browser:
        response = await _sign_in(browser, f"ny.admin@{DOMAIN}")
        assert response.status_code == 401
        assert (await browser.get("/cases")).status_code == 303


async def test_an_expired_id_token_is_refused(
    app: FastAPI, configured: OidcProvider, clock: FrozenClock
) -> None:
    login = f"ny.leder@{DOMAIN}"
    async with _browser(app) as browser:
        back = await log_in_at_provider(await _to_provider(browser, login), login)
        clock.advance(timedelta(hours=2))  # the ID token lives 10 minutes
        response = await browser.get(local_path(back))
        assert response.status_code == 401
        assert (await browser.get("/cases")).status_code == 303


async def test_the_keys_are_fetched_again_when_the_provider_rotates_them(
    app: FastAPI, configured: OidcProvider
) -> None:
    login = f"ny.admin@{DOMAIN}"
    async with _browser(app) as browser:
        assert (await _sign_in(browser, login)).status_code == 303
    served = configured.control()["jwks_served"]
    configured.control(rotate=True)
    async with _browser(app) as browser:
        assert (await _sign_in(browser, login)).status_code == 303
    assert configured.control()["jwks_served"] == served + 1
    async with _browser(app) as browser:  # and cached again
        assert (await _sign_in(browser, login)).status_code == 303
    assert configured.control()["jwks_served"] == served + 1


async def test_a_person_removed_from_the_groups_loses_access_at_the_next_sign_in(
    app: FastAPI, configured: OidcProvider, db: Session
) -> None:
    login = f"ny.sagsbehandler@{DOMAIN}"
    async with _browser(app) as earlier, _browser(app) as later:
        assert (await _sign_in(earlier, login)).status_code == 303
        configured.control(accounts=_accounts(ny_sagsbehandler=["alle"]))
        response = await _sign_in(later, login)
        assert response.status_code == 403
        assert "ikke adgang til Konsensus" in response.text
        # The session begun before ends too, and the person is no longer active.
        assert (await earlier.get("/cases")).status_code == 303
    assert not _user(db, login).is_active


async def test_a_token_that_leaves_the_groups_out_is_refused_and_changes_nothing(
    app: FastAPI, configured: OidcProvider, db: Session
) -> None:
    """Entra ID's groups overage: a person in more than 200 groups gets, instead of the list,
    a pointer to where it can be read (a distributed claim). That says nothing of whether
    they are in a mapped group: the sign-in is refused with what to do, and the person keeps
    their access and their sessions."""
    login = f"ny.sagsbehandler@{DOMAIN}"
    overage = _accounts()
    del overage[login]["groups"]
    overage[login]["_claim_names"] = {"groups": "src1"}
    overage[login]["_claim_sources"] = {"src1": {"endpoint": "http://127.0.0.1:9/groups"}}
    async with _browser(app) as earlier, _browser(app) as later:
        assert (await _sign_in(earlier, login)).status_code == 303
        configured.control(accounts=overage)
        response = await _sign_in(later, login)
        assert response.status_code == 403, response.text
        assert "fordi du er med i for mange" in response.text
        assert (await earlier.get("/cases")).status_code == 200
    assert _user(db, login).is_active


async def test_unknown_people_are_refused_when_the_municipality_creates_no_one(
    app: FastAPI, client: httpx.AsyncClient, configured: OidcProvider, world: World, db: Session
) -> None:
    response = await client.put(
        "/api/v1/municipality/identity-provider",
        json=_settings(configured, world, create_unknown=False),
        headers=world.headers(f"admin.a@{DOMAIN}"),
    )
    assert response.status_code == 200
    async with _browser(app) as browser:
        assert (await _sign_in(browser, f"ny.leder@{DOMAIN}")).status_code == 403
        assert (await _sign_in(browser, f"udenfor@{DOMAIN}")).status_code == 403
    assert not db.exec(select(StaffUser).where(StaffUser.username == f"ny.leder@{DOMAIN}")).all()


async def test_passwords_switched_off_point_to_the_provider_and_clients_keep_theirs(
    app: FastAPI, client: httpx.AsyncClient, configured: OidcProvider, world: World
) -> None:
    response = await client.put(
        "/api/v1/municipality/identity-provider",
        json=_settings(configured, world, passwords_allowed=False),
        headers=world.headers(f"admin.a@{DOMAIN}"),
    )
    assert response.status_code == 200
    grant = {"grant_type": "password", "username": f"cw.a@{DOMAIN}", "password": PASSWORD}
    refused = await client.post("/api/v1/auth/token", data=grant)
    assert refused.status_code == 400
    assert refused.json()["error"] == "unauthorized_client"
    assert "/login/751" in refused.json()["error_description"]
    async with _browser(app) as browser:
        csrf = form_csrf((await browser.get("/login")).text)
        page = await browser.post(
            "/login", data={"csrf": csrf, "username": grant["username"], "password": PASSWORD}
        )
        assert page.status_code == 400 and 'href="/login/751"' in page.text
    # Kolding still has passwords, and integrators their client credentials.
    kolding = {**grant, "username": "cw.b@kolding.example.dk"}
    assert (await client.post("/api/v1/auth/token", data=kolding)).status_code == 200
    integrator = {
        "grant_type": "client_credentials",
        "client_id": "client-a",
        "client_secret": INTEGRATOR_SECRET,
    }
    assert (await client.post("/api/v1/auth/token", data=integrator)).status_code == 200


async def test_signing_out_ends_the_session_here_and_at_the_provider(
    app: FastAPI, configured: OidcProvider
) -> None:
    async with _browser(app) as browser:
        assert (await _sign_in(browser, f"ny.admin@{DOMAIN}")).status_code == 303
        csrf = form_csrf((await browser.get("/cases")).text)
        response = await browser.post("/logout", data={"csrf": csrf})
        assert response.status_code == 303
        ending = response.headers["location"]
        assert ending.startswith(f"{configured.issuer}/session/end?")
        assert query(ending)["client_id"] == CLIENT_ID
        assert query(ending)["post_logout_redirect_uri"] == "http://testserver/login"
        assert (await browser.get("/cases")).status_code == 303


async def test_a_provider_that_does_not_answer_gives_a_readable_page(
    app: FastAPI, client: httpx.AsyncClient, configured: OidcProvider, world: World
) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        nobody = f"http://127.0.0.1:{closed.getsockname()[1]}"
    response = await client.put(
        "/api/v1/municipality/identity-provider",
        json=_settings(configured, world, issuer=nobody),
        headers=world.headers(f"admin.a@{DOMAIN}"),
    )
    assert response.status_code == 200
    async with _browser(app) as browser:
        csrf = form_csrf((await browser.get("/login")).text)
        page = await browser.post("/login", data={"csrf": csrf, "username": f"cw.a@{DOMAIN}"})
        assert page.status_code == 502
        assert "identitetsudbyder svarer ikke" in page.text
        assert 'href="/login"' in page.text


async def _set_and_sign_in(
    browser: httpx.AsyncClient,
    at_provider: httpx.AsyncClient,
    world: World,
    idp: OidcProvider,
    login: str,
) -> None:
    """On the live service: the administrator sets the provider, and `login` signs in."""
    response = await browser.put(
        "/api/v1/municipality/identity-provider",
        json=_settings(idp, world),
        headers=world.headers(f"admin.a@{DOMAIN}"),
    )
    assert response.status_code == 200, response.text
    back = await log_in_at_provider(await _to_provider(browser, login), login, at_provider)
    assert (await browser.get(local_path(back))).status_code == 303


async def test_signing_out_at_the_provider_ends_the_session_here_at_once(
    live_server: str, world: World, idp: OidcProvider
) -> None:
    """Back-channel logout: the provider calls the service (here served on loopback) the
    moment the person signs out there."""
    idp.register(live_server, "751")
    login = f"ny.leder@{DOMAIN}"
    try:
        async with (
            httpx.AsyncClient(base_url=live_server, timeout=10) as browser,
            httpx.AsyncClient(timeout=10) as at_provider,
        ):
            await _set_and_sign_in(browser, at_provider, world, idp, login)
            assert (await browser.get("/cases")).status_code == 200
            await sign_out_at_provider(idp, at_provider)
            assert (await browser.get("/cases")).status_code == 303
    finally:
        idp.register("http://testserver", "751")


async def test_a_logout_token_is_accepted_once(
    live_server: str, world: World, idp: OidcProvider, db: Session
) -> None:
    """The same back-channel logout token sent again (a replay) is refused, and the session
    begun since stands; the first one ended the sessions of the time."""
    login = f"ny.leder@{DOMAIN}"
    target = f"{live_server}/login/oidc/751/backchannel-logout"
    try:
        with logout_relay(target) as (relay, received):
            idp.register(live_server, "751", backchannel_logout_uri=relay)
            async with (
                httpx.AsyncClient(base_url=live_server, timeout=10) as browser,
                httpx.AsyncClient(timeout=10) as at_provider,
            ):
                await _set_and_sign_in(browser, at_provider, world, idp, login)
                await sign_out_at_provider(idp, at_provider)
                assert len(received) == 1
                assert (await browser.get("/cases")).status_code == 303  # ended

                back = await log_in_at_provider(
                    await _to_provider(browser, login), login, at_provider
                )
                assert (await browser.get(local_path(back))).status_code == 303
                again = await browser.post(
                    target,
                    content=received[0],
                    headers={"Content-Type": "application/x-www-form-urlencoded"},
                )
                assert again.status_code == 400, again.text
                assert "sent before" in again.json()["error_description"]
                assert (await browser.get("/cases")).status_code == 200  # stands
    finally:
        idp.register("http://testserver", "751")
    db.rollback()
    user = _user(db, login)
    ended = db.exec(
        select(AuditEvent).where(
            AuditEvent.action == "staff.sign_out_by_provider", AuditEvent.object_id == str(user.id)
        )
    ).all()
    assert len(ended) == 1
