"""Signing in through the municipality's identity provider (OpenID Connect): off to the
provider, back with a code, and the provider's word that the person signed out there."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from service.api.deps import ClockDep, SessionDep, SettingsDep
from service.api.unit_of_work import UnitOfWorkRoute
from service.auth.oidc import PendingSignIn, ProviderDirectory, SignInRejected
from service.errors import ServiceError
from service.usecases.administration import identity, provider_logout
from service.web.security import same
from service.web.staff.pages import Posted, page, start_session

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)

MunicipalityCode = Annotated[str, Path(pattern=r"^[0-9]{3}$")]
#: The session's key for a sign-in under way (state, nonce, PKCE verifier, where to go after).
PENDING = "oidc"
#: The session's key for the municipality whose provider signed the person in.
SIGNED_IN_AT = "idp"


def _directory(request: Request) -> ProviderDirectory:
    directory: ProviderDirectory = request.app.state.identity_providers
    return directory


def _safe_next(target: str | None) -> str:
    target = target or "/cases"
    return target if target.startswith("/") and not target.startswith("//") else "/cases"


def refused(request: Request, error: ServiceError) -> HTMLResponse:
    """A sign-in that did not succeed, as a page that says why and leads back to the login."""
    return page(request, "sign_in_problem.html", {"error": error}, status=error.status)


def send_to_provider(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    municipality_code: str,
    email: str | None,
    next_path: str | None,
) -> Response:
    """Off to the municipality's provider, with what its answer must match kept in the
    session (a fresh one: nothing of a session before survives a sign-in)."""
    try:
        url, pending = identity.start_sign_in(
            session,
            _directory(request),
            settings.keyring(),
            settings.public_base_url,
            municipality_code,
            email,
        )
    except ServiceError as error:
        return refused(request, error)
    request.session[PENDING] = {
        "state": pending.state,
        "nonce": pending.nonce,
        "verifier": pending.code_verifier,
        "code": municipality_code,
        "next": _safe_next(next_path),
    }
    return RedirectResponse(url, 303)


@router.get("/login/{municipality_code}")
def municipality_login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    municipality_code: MunicipalityCode,
) -> Response:
    """The municipality's own login address: straight to its provider."""
    return send_to_provider(
        request,
        session,
        settings,
        municipality_code,
        request.query_params.get("email"),
        request.query_params.get("next"),
    )


@router.get("/login/oidc/callback")
def callback(
    request: Request, session: SessionDep, settings: SettingsDep, clock: ClockDep
) -> Response:
    """The provider sends the person back here with a code; the sign-in is checked (state,
    code at the token endpoint with the PKCE verifier, ID token) and the session begins."""
    pending = request.session.pop(PENDING, None)
    params = request.query_params
    if not isinstance(pending, dict) or not same(str(pending.get("state")), params.get("state")):
        return refused(
            request,
            SignInRejected("The sign-in does not match one begun here; start again.", status=400),
        )
    if params.get("error") or not params.get("code"):
        return refused(
            request,
            SignInRejected(f"The identity provider did not sign you in ({params.get('error')})."),
        )
    try:
        user = identity.complete_sign_in(
            session,
            _directory(request),
            settings.keyring(),
            settings.public_base_url,
            str(pending["code"]),
            PendingSignIn(str(pending["state"]), str(pending["nonce"]), str(pending["verifier"])),
            params["code"],
            params.get("iss"),
            clock.now(),
        )
    except ServiceError as error:
        return refused(request, error)
    start_session(request, user)
    request.session[SIGNED_IN_AT] = str(pending["code"])
    return RedirectResponse(_safe_next(str(pending.get("next"))), 303)


@router.post("/login/oidc/{municipality_code}/backchannel-logout")
def backchannel_logout(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    municipality_code: MunicipalityCode,
    data: Posted,
) -> Response:
    """The provider says the person signed out there (OpenID Connect Back-Channel Logout):
    every session of theirs here ends at once."""
    headers = {"Cache-Control": "no-store"}
    try:
        provider_logout.provider_signed_out(
            session,
            _directory(request),
            settings.keyring(),
            settings.public_base_url,
            municipality_code,
            data.get("logout_token", ""),
            clock.now(),
        )
    except ServiceError as error:
        body = {"error": "invalid_request", "error_description": error.detail}
        return JSONResponse(body, status_code=400, headers=headers)
    return Response(status_code=200, headers=headers)


def provider_logout_url(request: Request, session: SessionDep, settings: SettingsDep) -> str | None:
    """Where the browser also signs out at the provider, when it signed in there."""
    code = request.session.get(SIGNED_IN_AT)
    if not isinstance(code, str):
        return None
    return provider_logout.provider_logout_url(
        session, _directory(request), settings.keyring(), settings.public_base_url, code
    )
