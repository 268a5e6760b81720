"""Logging in and out (the signed session cookie)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from service.api.deps import ClockDep, SessionDep, SettingsDep, client_address
from service.api.unit_of_work import UnitOfWorkRoute
from service.auth.throttle import ThrottleUnavailable
from service.errors import ServiceError
from service.usecases.administration import auth
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
    username = data.get("username", "")
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
def logout(request: Request, session: SessionDep, data: Posted) -> Response:
    """Ends every session of the person, on every device, and their access tokens."""
    if not csrf_failed(request, data):
        user_id = request.session.get("staff_id")
        if isinstance(user_id, int):
            auth.end_sessions(session, user_id)
        request.session.clear()
    return RedirectResponse("/login", 303)


@router.get("/")
def home() -> Response:
    return RedirectResponse("/cases", 303)
