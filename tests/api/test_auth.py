"""The token endpoint and the refusal of every kind of bad token."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from jose import exceptions as jose_errors
from jose import jwt
from pydantic import SecretStr

from service.auth import tokens
from service.auth.keys import Keyring, Purpose
from tests.conftest import TEST_SECRET
from tests.world import CLIENT_SECRET, PASSWORD, World

CW = "cw.a@aarhus.example.dk"


async def _password_token(
    client: httpx.AsyncClient, username: str, password: str
) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": username, "password": password},
    )


async def test_password_grant_issues_a_working_token(client: httpx.AsyncClient) -> None:
    r = await _password_token(client, CW, PASSWORD)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 15 * 60
    assert r.headers["cache-control"] == "no-store"
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["role"] == "caseworker"
    assert me.json()["municipality"]["code"] == "751"


@pytest.mark.parametrize(
    ("username", "password"),
    [(CW, "wrong password!"), ("nobody@aarhus.example.dk", PASSWORD), (CW.upper(), "x" * 20)],
)
async def test_password_grant_refuses_bad_credentials(
    client: httpx.AsyncClient, username: str, password: str
) -> None:
    r = await _password_token(client, username, password)
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "invalid_grant"
    assert r.json()["error"] == "invalid_grant"


async def test_username_is_case_insensitive(client: httpx.AsyncClient) -> None:
    r = await _password_token(client, CW.upper(), PASSWORD)
    assert r.status_code == 200


async def test_client_credentials_in_form_and_basic(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/api/v1/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "client-a",
            "client_secret": CLIENT_SECRET,
        },
    )
    assert r.status_code == 200, r.text
    assert "cases:write" in r.json()["scope"].split()
    basic = base64.b64encode(f"client-a:{CLIENT_SECRET}".encode()).decode()
    r = await client.post(
        "/api/v1/auth/token",
        data={"grant_type": "client_credentials", "scope": "cases:read"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["scope"] == "cases:read"
    token = r.json()["access_token"]
    # The narrowed token cannot write.
    r = await client.post(
        "/api/v1/cases",
        json={"external_ref": "X-1", "display_name": "Y", "birth_year": 2015, "caseworker_id": 1},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 403
    assert r.json()["code"] == "forbidden"


async def test_client_credentials_refusals(client: httpx.AsyncClient) -> None:
    bad = await client.post(
        "/api/v1/auth/token",
        data={"grant_type": "client_credentials", "client_id": "client-a", "client_secret": "nope"},
    )
    assert bad.status_code == 401
    assert bad.json()["code"] == "invalid_client"
    over = await client.post(
        "/api/v1/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "client-a-ro",
            "client_secret": CLIENT_SECRET,
            "scope": "cases:write",
        },
    )
    assert over.status_code == 400
    assert over.json()["code"] == "invalid_scope"
    grant = await client.post("/api/v1/auth/token", data={"grant_type": "implicit"})
    assert grant.json()["code"] == "unsupported_grant_type"
    missing = await client.post("/api/v1/auth/token", data={})
    assert missing.status_code == 422
    assert missing.json()["code"] == "validation_failed"


def _b64(data: dict[str, object]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _claims(world: World, **overrides: object) -> dict[str, object]:
    user = world.user(CW)
    now = datetime.now(UTC)
    claims: dict[str, object] = {
        "sub": f"staff:{user.id}",
        "mun": user.municipality_id,
        "iss": "konsensus",
        "aud": "konsensus-api",
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=5)).timestamp()),
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


#: The access-token key derived from the test secret, and its id.
ACCESS_KEY = Keyring(TEST_SECRET).current(Purpose.ACCESS_TOKEN)


def _sign(
    claims: dict[str, object],
    algorithm: str = "HS256",
    key: bytes | str = ACCESS_KEY.material,
    kid: str | None = ACCESS_KEY.id,
) -> str:
    return str(jwt.encode(claims, key, algorithm=algorithm, headers={"kid": kid} if kid else None))


def _bad_tokens(world: World) -> dict[str, str]:
    now = datetime.now(UTC)
    good = _claims(world)
    return {
        "signed with the service secret itself": _sign(good, key=TEST_SECRET),
        "no kid": _sign(good, kid=None),
        "unknown kid": _sign(good, kid="k00000000"),
        "alg HS512 with the key": _sign(good, algorithm="HS512"),
        "alg none": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(good)}.",
        "alg HS512": _sign(good, algorithm="HS512", key=TEST_SECRET),
        "alg HS384": _sign(good, algorithm="HS384"),
        "wrong audience": _sign(_claims(world, aud="someone-else")),
        "no audience": _sign(_claims(world, aud=None)),
        "wrong issuer": _sign(_claims(world, iss="evil")),
        "expired": _sign(
            _claims(
                world,
                iat=int((now - timedelta(hours=1)).timestamp()),
                exp=int((now - timedelta(seconds=5)).timestamp()),
            )
        ),
        "no exp": _sign(_claims(world, exp=None)),
        "bad signature": _sign(good, key="another-secret-of-sufficient-length-000"),
        "tampered payload": ".".join(
            [
                _sign(good).split(".")[0],
                _b64({**good, "mun": 999}),
                _sign(good).split(".")[2],
            ]
        ),
        "garbage": "not.a.token",
    }


async def test_bad_tokens_are_refused_with_401(client: httpx.AsyncClient, world: World) -> None:
    # The control: the same claims, correctly signed, are accepted.
    good = _sign(_claims(world))
    ok = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {good}"})
    assert ok.status_code == 200
    for name, token in _bad_tokens(world).items():
        r = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401, name
        assert r.json()["code"] == "invalid_token", name
        assert r.headers["content-type"] == "application/problem+json"
        assert r.headers["www-authenticate"].startswith("Bearer")


async def test_missing_token_is_401(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/cases")
    assert r.status_code == 401
    assert r.json()["code"] == "missing_token"


def test_token_module_refuses_every_other_algorithm() -> None:
    config = tokens.TokenConfig("s" * 40, "iss", "aud", timedelta(minutes=1))
    now = datetime.now(UTC)
    good = tokens.issue(config, "staff:1", now, {})
    assert tokens.decode(config, good)["sub"] == "staff:1"
    for alg in ("HS384", "HS512"):
        forged = jwt.encode(
            {"sub": "staff:1", "iss": "iss", "aud": "aud", "iat": 1, "exp": 2**31},
            "s" * 40,
            algorithm=alg,
        )
        with pytest.raises(tokens.InvalidToken):
            tokens.decode(config, forged)


async def test_deactivated_user_loses_access_at_once(
    client: httpx.AsyncClient, world: World
) -> None:
    token_headers = world.headers(CW)
    assert (await client.get("/api/v1/me", headers=token_headers)).status_code == 200
    r = await client.patch(
        f"/api/v1/staff/{world.user(CW).id}",
        json={"is_active": False},
        headers=world.headers("admin.a@aarhus.example.dk"),
    )
    assert r.status_code == 200, r.text
    assert (await client.get("/api/v1/me", headers=token_headers)).status_code == 401
    assert (await _password_token(client, CW, PASSWORD)).status_code == 400


async def test_a_rotated_secret_keeps_its_tokens_until_dropped(
    app: FastAPI, client: httpx.AsyncClient, world: World
) -> None:
    """Keys per purpose from the secret (HKDF); the token's `kid` names the secret it was
    signed under, so a token from before a rotation works while the old secret is listed."""
    r = await _password_token(client, CW, PASSWORD)
    old_token = r.json()["access_token"]
    header = jwt.get_unverified_header(old_token)
    assert header["kid"] == ACCESS_KEY.id
    with pytest.raises(jose_errors.JWTError):
        jwt.decode(old_token, TEST_SECRET, algorithms=["HS256"], audience="konsensus-api")
    new_secret = "rotated-secret-that-is-long-enough-9876543210"
    settings = app.state.settings
    app.state.settings = settings.model_copy(
        update={"secret_key": SecretStr(new_secret), "previous_secret_keys": SecretStr(TEST_SECRET)}
    )
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {old_token}"})
    assert me.status_code == 200, me.text
    fresh = (await _password_token(client, CW, PASSWORD)).json()["access_token"]
    assert (
        jwt.get_unverified_header(fresh)["kid"]
        == Keyring(new_secret).current(Purpose.ACCESS_TOKEN).id
    )
    # The previous secret dropped: its tokens end; the new ones work.
    app.state.settings = settings.model_copy(update={"secret_key": SecretStr(new_secret)})
    gone = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {old_token}"})
    assert gone.status_code == 401
    ok = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {fresh}"})
    assert ok.status_code == 200
