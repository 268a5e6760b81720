"""The caseworker's pages: log in, cases, a case, a round and its meeting.

A signed session cookie (HttpOnly; Secure outside development; SameSite=Lax) carries the
staff user; every form carries the session's CSRF token."""

from fastapi import APIRouter

from service.web.staff import (
    cadence,
    calibration,
    calibration_organise,
    cases,
    compasses,
    compliance,
    decisions_report,
    drift,
    family_voices,
    identity_provider,
    login,
    management,
    meeting,
    meeting_kind,
    note_reasons,
    notifications,
    on_behalf,
    plan,
    report,
    rounds,
    sessions,
    sign_in,
)
from service.web.staff.pages import LoginRequired

router = APIRouter(include_in_schema=False)
for _module in (
    sign_in,
    login,
    cases,
    compasses,
    notifications,
    plan,
    rounds,
    family_voices,
    note_reasons,
    meeting,
    meeting_kind,
    on_behalf,
    report,
    management,
    drift,
    compliance,
    decisions_report,
    calibration_organise,  # before calibration: /calibration/{id} would take its paths
    calibration,
    sessions,
    cadence,
    identity_provider,
):
    router.include_router(_module.router)

__all__ = ["LoginRequired", "router"]
