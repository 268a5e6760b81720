"""What every staff page shares: the logged-in actor, the posted form, CSRF, rendering and
refusals as pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlmodel import Session
from starlette.responses import HTMLResponse

from service.api.deps import SessionDep, client_address, reports_session
from service.auth.actor import Actor
from service.clock import LOCAL_TIME, Clock
from service.config import Settings
from service.errors import ServiceError, Unauthorized, Unprocessable
from service.models import tenancy
from service.models.staff import StaffRole, StaffUser
from service.rendering.language import Translator, request_language
from service.schemas.common import PageParams
from service.usecases.administration import auth
from service.web.security import same, session_csrf
from service.web.templating import render
from service.workflow.states import RoundEvent

ALL = PageParams(limit=200, offset=0)


class LoginRequired(Exception):
    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


#: The last-seen time in the session is written again at most this often (each write sends
#: the cookie anew).
_SEEN_EVERY = 60


def start_session(request: Request, user: StaffUser) -> None:
    """A fresh session (and CSRF token) at every login, of the person's session version."""
    now = int(_clock(request).now().timestamp())
    request.session.clear()
    request.session.update(
        staff_id=user.id,
        municipality_id=user.municipality_id,
        sv=user.session_version,
        at=now,
        seen=now,
    )


def _clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


def _session_alive(request: Request) -> bool:
    """Within its absolute lifetime and not idle for longer than allowed; marks it seen."""
    settings: Settings = request.app.state.settings
    at, seen = request.session.get("at"), request.session.get("seen")
    if not isinstance(at, int) or not isinstance(seen, int):
        return False
    now = int(_clock(request).now().timestamp())
    if now >= at + settings.staff_session_hours * 3600:
        return False
    if now >= seen + settings.staff_session_idle_minutes * 60:
        return False
    if now - seen >= _SEEN_EVERY:
        request.session["seen"] = now
    return True


def page_actor(request: Request, session: SessionDep) -> Actor:
    """The logged-in staff user, while the session lives; otherwise off to the login page.

    A session ends at logout, when the person's password is changed or the account
    deactivated (their session version moves on), after `staff_session_hours` at most, and
    after `staff_session_idle_minutes` without a page opened."""
    user_id, municipality_id, version = (
        request.session.get("staff_id"),
        request.session.get("municipality_id"),
        request.session.get("sv"),
    )
    if (
        not isinstance(user_id, int)
        or not isinstance(municipality_id, int)
        or not isinstance(version, int)
    ):
        request.session.clear()
        raise LoginRequired(request.url.path)
    if not _session_alive(request):
        request.session.clear()
        raise LoginRequired(request.url.path)
    try:
        actor = auth.staff_actor(
            session, user_id, municipality_id, client_address(request), session_version=version
        )
    except Unauthorized:
        request.session.clear()
        raise LoginRequired(request.url.path) from None
    tenancy.bind_session(session, municipality_id)
    request.state.staff_role = actor.role  # the navigation names a leader's cases so
    return actor


PageActor = Annotated[Actor, Depends(page_actor)]


async def page_reports_session(
    request: Request, session: SessionDep, actor: PageActor
) -> AsyncIterator[Session]:
    """The leaders' report pages read their figures here (`reports_session`)."""
    async with reports_session(request, session, actor.municipality_id) as found:
        yield found


PageReportsSession = Annotated[Session, Depends(page_reports_session, scope="function")]


async def _posted(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


Posted = Annotated[dict[str, str], Depends(_posted)]


def page(
    request: Request, template: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    role = getattr(request.state, "staff_role", None)
    return render(
        request,
        template,
        {
            "csrf": session_csrf(request.session),
            "leader": role is StaffRole.TEAM_LEADER,
            "administrator": role is StaffRole.ADMINISTRATOR,
            **context,
        },
        status=status,
    )


def csrf_failed(request: Request, data: dict[str, str]) -> HTMLResponse | None:
    if same(session_csrf(request.session), data.get("csrf")):
        return None
    return render(
        request, "message.html", {"title": "error.title", "text": "csrf.failed"}, status=403
    )


def problem(request: Request, error: ServiceError | ValueError) -> HTMLResponse:
    """A refusal as a page; a form value that did not validate counts as one too."""
    if isinstance(error, ValueError):
        error = Unprocessable(str(error).splitlines()[0], code="validation_failed")
    return page(
        request,
        "problem.html",
        {"error": error, "back": request.headers.get("referer")},
        status=error.status,
    )


def local_datetime(value: str) -> datetime | None:
    """A date or datetime-local field, in Danish time."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if len(value) <= 10:
        parsed = parsed.replace(hour=16)
    return parsed.replace(tzinfo=LOCAL_TIME).astimezone(UTC)


def page_t(request: Request) -> Translator:
    """The page's translator, for texts composed in a router."""
    return Translator(request_language(request))


#: Steps that end something: each asks for confirmation first. Opening a round does not.
UNCONFIRMED = frozenset({RoundEvent.OPEN})


def finishing_events(allowed: list[RoundEvent]) -> list[RoundEvent]:
    """The events the meeting page offers (cancelling is done from the round's page)."""
    return [e for e in allowed if e is not RoundEvent.CANCEL and e not in UNCONFIRMED]


def refusal_items(t: Translator, error: ServiceError) -> list[tuple[str | None, str]]:
    """A refusal for the error summary: its text, and what the step still needs."""
    items: list[tuple[str | None, str]] = [(None, t.problem(error))]
    items += [(None, t(f"unmet.{g}")) for g in error.extra.get("unmet") or []]
    return items
