"""The data subjects' rights: access requests (GDPR art. 15) and legal holds on erasure."""

from __future__ import annotations

from typing import Any, ClassVar

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import Field, model_validator

from service.api.deps import ClockDep, CurrentActor, SessionDep
from service.api.unit_of_work import UnitOfWorkRoute
from service.errors import Forbidden, NotFound, Unprocessable, problem_responses
from service.reports import access_request as documents
from service.reports.pdf import PdfUnavailable
from service.schemas.cases import CasePublic, LegalHold
from service.schemas.common import Id, RequestBody
from service.usecases.data_rights import access_request, legal_hold

router = APIRouter(tags=["data rights"], route_class=UnitOfWorkRoute)


class InformantQuery(RequestBody):
    """Who asks: an informant, found by the email address or phone number they gave."""

    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=20)

    #: Stated in the document too: one of them, not empty.
    schema_rules: ClassVar[dict[str, Any]] = {
        "anyOf": [
            {"required": ["email"], "properties": {"email": {"type": "string", "minLength": 1}}},
            {"required": ["phone"], "properties": {"phone": {"type": "string", "minLength": 1}}},
        ]
    }

    @model_validator(mode="after")
    def _one_given(self) -> InformantQuery:
        if not (self.email or self.phone):
            raise ValueError("give an email address or a phone number")
        return self


@router.get(
    "/cases/{case_id}/access-request",
    operation_id="get_child_access_request",
    summary="Everything held about a child (access request)",
    responses=problem_responses(Forbidden, NotFound),
)
def get_child_access_request(
    case_id: Id, session: SessionDep, actor: CurrentActor
) -> dict[str, Any]:
    """The case, its measures, every round with every informant's scores, goals and comments,
    the official scores, notes and outcomes, and who read or changed it; administrators only."""
    return access_request.export_child(session, actor, case_id)


@router.get(
    "/cases/{case_id}/access-request.pdf",
    operation_id="get_child_access_request_pdf",
    summary="Everything held about a child, as a readable PDF",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}}, "description": "The PDF"},
        **problem_responses(Forbidden, NotFound, PdfUnavailable),
    },
)
def get_child_access_request_pdf(
    case_id: Id, session: SessionDep, actor: CurrentActor, clock: ClockDep
) -> Response:
    """The access request's record laid out for the person who asked; administrators only."""
    record = access_request.export_child(session, actor, case_id)
    # The export and its audit event are committed before the slow part, the layout, so that
    # no lock is held while the PDF is made.
    session.commit()
    return Response(
        documents.pdf(record, clock.now()),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="indsigt-{case_id}.pdf"'},
    )


@router.post(
    "/access-requests/informant",
    operation_id="get_informant_access_request",
    summary="Everything held about an informant (access request)",
    responses=problem_responses(Forbidden),
)
def get_informant_access_request(
    body: InformantQuery, session: SessionDep, actor: CurrentActor
) -> dict[str, Any]:
    """Each round the person was asked in, the contact details held, what they submitted and
    the messages sent to them; administrators only. A POST, so that the address stays out of
    URLs and logs."""
    return access_request.export_informant(session, actor, email=body.email, phone=body.phone)


@router.put(
    "/cases/{case_id}/legal-hold",
    operation_id="set_case_legal_hold",
    summary="Put a case under a legal hold, or lift it",
    responses=problem_responses(Forbidden, NotFound, Unprocessable),
)
def set_case_legal_hold(
    case_id: Id, body: LegalHold, session: SessionDep, actor: CurrentActor
) -> CasePublic:
    """A case under a legal hold is kept whatever retention says; administrators only."""
    case = legal_hold.set_legal_hold(session, actor, case_id, body)
    return CasePublic.model_validate(case, from_attributes=True)
