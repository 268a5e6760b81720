"""Logging in and out (the signed session cookie): the work email first, which sends staff of
a municipality with its own identity provider there, and a password for the others."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from service.api.deps import ClockDep, SessionDep, SettingsDep, client_address
from service.api.unit_of_work import UnitOfWorkRoute
from service.auth.throttle import ThrottleUnavailable
from service.errors import ServiceError
from service.usecases.administration import auth, identity
from service.web.staff import sign_in
from service.web.staff.pages import Posted, csrf_failed, page, problem, start_session

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)


@router.get("/login", response_class=HTMLResponse)
def loginpage(request: Request) -> Response:
    return page(request, "login.html", {"next": request.query_params.get("next", "/cases")})


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request, session: SessionDep, settings: SettingsDep, clock: ClockDep, data: Posted
) -> Response:
    failed = csrf_failed(request, data)
    if failed:
        return failed
    username = data.get("username", "").strip()
    next_path = data.get("next", "/cases")
    if not data.get("password"):
        # The work email first: a municipality with its own provider signs its staff in there.
        code = identity.code_for_email(session, username) if "@" in username else None
        if code is not None:
            return sign_in.send_to_provider(request, session, settings, code, username, next_path)
        return page(
            request,
            "login.html",
            {"username": username, "next": next_path, "password_needed": True},
            status=400,
        )
    try:
        user = auth.throttled_login(
            session,
            request.app.state.login_throttle,
            username,
            client_address(request),
            clock.now(),
            lambda: auth.authenticate_staff(
                session, username, data.get("password", ""), production=settings.is_production
            ),
        )
    except ThrottleUnavailable as error:
        return problem(request, error)
    except auth.PasswordsSwitchedOff as error:
        return page(
            request,
            "login.html",
            {"provider_code": error.municipality_code, "username": username, "next": next_path},
            status=400,
        )
    except ServiceError as error:
        throttled = error.retry_after if isinstance(error, auth.LoginThrottled) else None
        response = page(
            request,
            "login.html",
            {
                "failed": True,
                "throttled": throttled,
                "username": username,
                "next": data.get("next", "/cases"),
            },
            status=error.status if throttled else 400,
        )
        if throttled:
            response.headers["Retry-After"] = str(throttled)
        return response
    start_session(request, user)
    target = data.get("next", "/cases")
    return RedirectResponse(
        target if target.startswith("/") and not target.startswith("//") else "/cases", 303
    )


@router.post("/logout")
def logout(request: Request, session: SessionDep, settings: SettingsDep, data: Posted) -> Response:
    """Ends every session of the person, on every device, and their access tokens; one
    begun at the municipality's provider ends there too, where the provider offers it."""
    target = "/login"
    if not csrf_failed(request, data):
        user_id = request.session.get("staff_id")
        if isinstance(user_id, int):
            auth.end_sessions(session, user_id)
        target = sign_in.provider_logout_url(request, session, settings) or target
        request.session.clear()
    return RedirectResponse(target, 303)


@router.get("/")
def home() -> Response:
    return RedirectResponse("/cases", 303)
