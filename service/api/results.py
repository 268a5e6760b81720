"""What came of it: a child's progress over time, the round's report and exports."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from service.api.deps import ClockDep, CurrentActor, SessionDep
from service.api.unit_of_work import UnitOfWorkRoute
from service.errors import Conflict, Forbidden, NotFound, problem_responses
from service.reports import document
from service.reports.pdf import PdfUnavailable
from service.schemas.common import Id
from service.schemas.compasses import CaseCompasses
from service.schemas.progress import CaseProgress
from service.schemas.report import RoundReport
from service.usecases.child import compasses, exports, progress, report

router = APIRouter(tags=["results"], route_class=UnitOfWorkRoute)


@router.get(
    "/cases/{case_id}/progress",
    operation_id="get_case_progress",
    summary="A child's progress over time",
    response_model=CaseProgress,
    responses=problem_responses(Forbidden, NotFound),
)
def get_case_progress(actor: CurrentActor, session: SessionDep, case_id: Id) -> CaseProgress:
    """Per factor, in time order, the official status and goal of every completed round with
    its outcome; each informant role's own series; the professionals' spread per round."""
    return progress.case_progress(session, actor, case_id)


@router.get(
    "/cases/{case_id}/compasses",
    operation_id="get_case_compasses",
    summary="The caseworker's and the provider's views side by side",
    response_model=CaseCompasses,
    responses=problem_responses(Forbidden, NotFound),
)
def get_case_compasses(actor: CurrentActor, session: SessionDep, case_id: Id) -> CaseCompasses:
    """Per factor over the completed rounds, the caseworker's and the provider's own
    independent scores with the official score as a reference, and where the two views part
    (further apart than the divergence threshold) and meet again (Forandringskompasset)."""
    return compasses.case_compasses(session, actor, case_id)


class ReportFormat(StrEnum):
    JSON = "json"
    HTML = "html"
    PDF = "pdf"


class ReportLanguage(StrEnum):
    DA = "da"
    EN = "en"


_MEDIA = {
    "application/pdf": ReportFormat.PDF,
    "text/html": ReportFormat.HTML,
    "application/json": ReportFormat.JSON,
}


def _negotiate(accept: str) -> ReportFormat:
    """The first of the media types the caller accepts that a report comes in."""
    for part in accept.split(","):
        found = _MEDIA.get(part.split(";")[0].strip().lower())
        if found is not None:
            return found
    return ReportFormat.JSON


@router.get(
    "/rounds/{round_id}/report",
    operation_id="get_round_report",
    summary="A completed round's report for the case file",
    response_model=RoundReport,
    responses={
        200: {
            "content": {
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                "text/html": {"schema": {"type": "string"}},
            },
            "description": "JSON, HTML or PDF, by `format` or the Accept header",
        },
        **problem_responses(Forbidden, NotFound, Conflict, PdfUnavailable),
    },
)
def get_round_report(
    actor: CurrentActor,
    session: SessionDep,
    clock: ClockDep,
    request: Request,
    round_id: Id,
    format: Annotated[ReportFormat | None, Query(description="Else from Accept")] = None,
    lang: Annotated[ReportLanguage, Query(description="The document's language")] = (
        ReportLanguage.DA
    ),
) -> Response:
    """Child's display name, period, procedure and variant, who took part, the official score
    and goal per factor with its outcome, the disagreement notes, the measures and the series
    chart; 409 until the round is completed."""
    found = report.round_report(session, actor, round_id, clock.now())
    # The read is recorded; the database is not needed while the document is drawn.
    session.commit()
    chosen = format or _negotiate(request.headers.get("accept", ""))
    if chosen is ReportFormat.JSON:
        return JSONResponse(found.model_dump(mode="json"))
    if chosen is ReportFormat.HTML:
        return HTMLResponse(
            document.report_html(found, lang.value),
            headers={"Content-Security-Policy": document.REPORT_CSP},
        )
    return Response(
        document.report_pdf(found, lang.value),
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{document.filename(found, "pdf")}"'
        },
    )


FHIR_JSON = "application/fhir+json"


@router.get(
    "/instruments/{instrument_id}/fhir",
    tags=["exports"],
    operation_id="get_instrument_fhir",
    summary="An instrument as a FHIR R4 Questionnaire",
    responses={
        200: {"content": {FHIR_JSON: {"schema": {"type": "object"}}}, "description": "OK"},
        **problem_responses(Forbidden, NotFound),
    },
)
def get_instrument_fhir(actor: CurrentActor, session: SessionDep, instrument_id: Id) -> Response:
    """A group per factor: the score (the scale's points with their guidance, or 'cannot
    assess'), the proposed goal and a comment."""
    found = exports.instrument_questionnaire(session, actor, instrument_id)
    return JSONResponse(found, media_type=FHIR_JSON)


@router.get(
    "/rounds/{round_id}/fhir",
    tags=["exports"],
    operation_id="get_round_fhir",
    summary="A completed round as a FHIR R4 Bundle",
    responses={
        200: {"content": {FHIR_JSON: {"schema": {"type": "object"}}}, "description": "OK"},
        **problem_responses(Forbidden, NotFound, Conflict),
    },
)
def get_round_fhir(actor: CurrentActor, session: SessionDep, round_id: Id) -> Response:
    """Each informant's submission and the official result (with its outcomes) as
    QuestionnaireResponses, and a Provenance of who decided; 409 until completed."""
    return JSONResponse(exports.round_bundle(session, actor, round_id), media_type=FHIR_JSON)


@router.get(
    "/cases/{case_id}/progress.csv",
    tags=["exports"],
    operation_id="get_case_progress_csv",
    summary="A case's official series as CSV",
    responses={
        200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "OK"},
        **problem_responses(Forbidden, NotFound),
    },
)
def get_case_progress_csv(actor: CurrentActor, session: SessionDep, case_id: Id) -> Response:
    """One row per round and factor; a text cell that a spreadsheet would run as a formula
    (starting with =, +, -, @) is written with a leading apostrophe."""
    return Response(
        exports.series_csv(session, actor, case_id),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="konsensus-case-{case_id}.csv"'},
    )
