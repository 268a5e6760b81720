"""The two compasses of a case, side by side: the caseworker's and the provider's own scores per
factor over the rounds (Forandringskompasset), for staff; large on the meeting room's projector
when the person shows the meeting there."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response

from service.api.deps import SessionDep
from service.api.unit_of_work import UnitOfWorkRoute
from service.errors import ServiceError
from service.rendering.compasses import compasses_view
from service.rendering.language import Translator, request_language
from service.schemas.common import Id
from service.usecases.administration import preferences
from service.usecases.child import cases, compasses
from service.web.staff.pages import PageActor, page, problem

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)


@router.get("/cases/{case_id}/compasses", response_class=HTMLResponse)
def compasses_page(
    request: Request, case_id: Id, actor: PageActor, session: SessionDep
) -> Response:
    try:
        found = compasses.case_compasses(session, actor, case_id)
        case = cases.load_case(session, actor, case_id)
    except ServiceError as error:
        return problem(request, error)
    return page(
        request,
        "compasses.html",
        {
            "case": case,
            "view": compasses_view(found, Translator(request_language(request))),
            "projector": preferences.meeting_projector(session, actor),
        },
    )
