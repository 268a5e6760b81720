"""Logging in and out (the signed session cookie)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from service.api.deps import SessionDep, SettingsDep
from service.api.unit_of_work import UnitOfWorkRoute
from service.errors import ServiceError
from service.usecases import auth
from service.web.staff.pages import Posted, csrf_failed, page

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)


@router.get("/login", response_class=HTMLResponse)
def loginpage(request: Request) -> Response:
    return page(request, "login.html", {"next": request.query_params.get("next", "/cases")})


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, session: SessionDep, settings: SettingsDep, data: Posted) -> Response:
    failed = csrf_failed(request, data)
    if failed:
        return failed
    try:
        user = auth.authenticate_staff(
            session,
            data.get("username", ""),
            data.get("password", ""),
            production=settings.is_production,
        )
    except ServiceError:
        return page(
            request,
            "login.html",
            {
                "failed": True,
                "username": data.get("username", ""),
                "next": data.get("next", "/cases"),
            },
            status=400,
        )
    request.session.clear()  # a fresh session (and CSRF token) at every login
    request.session.update(staff_id=user.id, municipality_id=user.municipality_id)
    target = data.get("next", "/cases")
    return RedirectResponse(
        target if target.startswith("/") and not target.startswith("//") else "/cases", 303
    )


@router.post("/logout")
def logout(request: Request, data: Posted) -> Response:
    if not csrf_failed(request, data):
        request.session.clear()
    return RedirectResponse("/login", 303)


@router.get("/")
def home() -> Response:
    return RedirectResponse("/cases", 303)
