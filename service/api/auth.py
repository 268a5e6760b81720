"""The OAuth2 token endpoint (RFC 6749): password grant for staff, client credentials for
integrators."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated
from urllib.parse import unquote

from fastapi import APIRouter, Form, Request, Response
from pydantic import BaseModel

from service.api.deps import (
    ClockDep,
    CurrentActor,
    SessionDep,
    SettingsDep,
    client_address,
    token_config,
)
from service.api.unit_of_work import UnitOfWorkRoute
from service.auth.throttle import ThrottleUnavailable
from service.errors import problem_responses
from service.schemas.municipality import MePublic
from service.usecases.administration import auth, municipality

router = APIRouter(tags=["auth"], route_class=UnitOfWorkRoute)


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    scope: str


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        decoded = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise auth.OAuthError("invalid_client", "Malformed Basic credentials.", status=401) from exc
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise auth.OAuthError("invalid_client", "Malformed Basic credentials.", status=401)
    # RFC 6749 §2.3.1: both parts are form-urlencoded before Basic encoding.
    return unquote(client_id), unquote(secret)


@router.post(
    "/auth/token",
    operation_id="issue_token",
    summary="Issue an access token",
    response_model=TokenResponse,
    responses=problem_responses(auth.OAuthError, auth.LoginThrottled, ThrottleUnavailable),
)
def issue_token(
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    grant_type: Annotated[str, Form(max_length=64)],
    username: Annotated[str | None, Form(max_length=254)] = None,
    password: Annotated[str | None, Form(max_length=200)] = None,
    client_id: Annotated[str | None, Form(max_length=64)] = None,
    client_secret: Annotated[str | None, Form(max_length=200)] = None,
    scope: Annotated[str | None, Form(max_length=500)] = None,
) -> TokenResponse:
    """Password grant for staff; client-credentials grant (Basic or form) for integrators.

    Failed attempts are limited per account and per address: past a few, each further one
    doubles the wait before the next is checked (429 with `Retry-After`)."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    config = token_config(settings)
    if grant_type == "password":
        if not username or not password:
            raise auth.OAuthError(
                "invalid_request", "The password grant needs username and password."
            )
        issued = auth.throttled_login(
            session,
            request.app.state.login_throttle,
            username,
            client_address(request),
            clock.now(),
            lambda: auth.password_grant(
                session, config, clock.now(), username, password, production=settings.is_production
            ),
        )
    elif grant_type == "client_credentials":
        credentials = _basic_credentials(request) or (
            (client_id, client_secret) if client_id and client_secret else None
        )
        if credentials is None:
            raise auth.OAuthError(
                "invalid_client", "Client authentication is required.", status=401
            )
        issued = auth.throttled_login(
            session,
            request.app.state.login_throttle,
            "client:" + credentials[0],
            client_address(request),
            clock.now(),
            lambda: auth.client_credentials_grant(
                session,
                config,
                clock.now(),
                *credentials,
                scope,
                production=settings.is_production,
            ),
        )
    else:
        raise auth.OAuthError(
            "unsupported_grant_type", "Supported grants: password, client_credentials."
        )
    return TokenResponse(
        access_token=issued.access_token, expires_in=issued.expires_in, scope=issued.scope
    )


@router.get(
    "/me",
    operation_id="get_me",
    summary="Who the token speaks for",
    response_model=MePublic,
    responses=problem_responses(),
)
def get_me(actor: CurrentActor, session: SessionDep) -> MePublic:
    """The authenticated staff user or integrator client, and its municipality's policy."""
    mun = municipality.get_municipality(session, actor.municipality_id)
    return MePublic(
        kind=actor.kind.value,
        id=actor.id,
        name=actor.label,
        role=actor.role,
        team_id=actor.team_id,
        scopes=sorted(actor.scopes),
        municipality=municipality.public(session, mun),
    )
