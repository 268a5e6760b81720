"""Cases (the child), their measures and audit trail, and the municipality's providers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from service.api.deps import ClockDep, CurrentActor, PageDep, SessionDep
from service.api.unit_of_work import UnitOfWorkRoute
from service.errors import Conflict, Forbidden, NotFound, problem_responses
from service.models.case import Case, CaseStatus, Measure, Provider
from service.schemas.cases import (
    AuditEventPublic,
    AuditEventsPublic,
    CaseCreate,
    CasePublic,
    CasesPublic,
    CaseUpdate,
    CaseUpsert,
    ExternalRef,
    MeasureCreate,
    MeasurePublic,
    MeasuresPublic,
    MeasureUpdate,
    ProviderCreate,
    ProviderPublic,
    ProvidersPublic,
)
from service.schemas.common import Id
from service.usecases.child import cases as usecase
from service.usecases.data_rights import audit

router = APIRouter(route_class=UnitOfWorkRoute)


def _case(case: Case) -> CasePublic:
    return CasePublic.model_validate(case, from_attributes=True)


def _measure(measure: Measure) -> MeasurePublic:
    return MeasurePublic.model_validate(measure, from_attributes=True)


def _provider(provider: Provider) -> ProviderPublic:
    return ProviderPublic.model_validate(provider, from_attributes=True)


@router.get(
    "/cases",
    tags=["cases"],
    operation_id="list_cases",
    summary="List cases",
    response_model=CasesPublic,
    responses=problem_responses(Forbidden),
)
def list_cases(
    actor: CurrentActor,
    session: SessionDep,
    page: PageDep,
    status: Annotated[CaseStatus | None, Query()] = None,
    caseworker_id: Annotated[Id | None, Query()] = None,
    external_ref: Annotated[str | None, Query(max_length=64)] = None,
) -> CasesPublic:
    """The cases the caller may see: a caseworker's own, a team leader's team's."""
    rows, total = usecase.list_cases(
        session, actor, page, status=status, caseworker_id=caseworker_id, external_ref=external_ref
    )
    return CasesPublic(items=[_case(c) for c in rows], total=total, **page.model_dump())


@router.post(
    "/cases",
    tags=["cases"],
    operation_id="create_case",
    summary="Create a case",
    status_code=status.HTTP_201_CREATED,
    response_model=CasePublic,
    responses=problem_responses(Forbidden, Conflict),
)
def create_case(
    actor: CurrentActor, session: SessionDep, clock: ClockDep, body: CaseCreate
) -> CasePublic:
    """A new child's case; 409 if the external reference is taken."""
    return _case(usecase.create_case(session, actor, body, clock.now()))


@router.put(
    "/cases/by-ref/{external_ref}",
    tags=["cases"],
    operation_id="upsert_case_by_ref",
    summary="Create or update a case by its external reference",
    response_model=CasePublic,
    responses={
        201: {"description": "Created", "model": CasePublic},
        **problem_responses(Forbidden, NotFound, Conflict),
    },
)
def upsert_case_by_ref(
    actor: CurrentActor,
    session: SessionDep,
    clock: ClockDep,
    response: Response,
    external_ref: Annotated[ExternalRef, Path()],
    body: CaseUpsert,
) -> CasePublic:
    """Idempotent for case systems: 201 when created, 200 when it existed."""
    case, created = usecase.upsert_case(session, actor, external_ref, body, clock.now())
    if created:
        response.status_code = status.HTTP_201_CREATED
    return _case(case)


@router.get(
    "/cases/{case_id}",
    tags=["cases"],
    operation_id="get_case",
    summary="Get a case",
    response_model=CasePublic,
    responses=problem_responses(Forbidden, NotFound),
)
def get_case(actor: CurrentActor, session: SessionDep, case_id: Id) -> CasePublic:
    """One case; the read is recorded in the audit trail."""
    return _case(usecase.get_case(session, actor, case_id))


@router.patch(
    "/cases/{case_id}",
    tags=["cases"],
    operation_id="update_case",
    summary="Change a case",
    response_model=CasePublic,
    responses=problem_responses(Forbidden, NotFound, Conflict),
)
def update_case(
    actor: CurrentActor, session: SessionDep, clock: ClockDep, case_id: Id, body: CaseUpdate
) -> CasePublic:
    """Change the display name, birth, responsible caseworker or status."""
    return _case(usecase.update_case(session, actor, case_id, body, clock.now()))


@router.get(
    "/cases/{case_id}/measures",
    tags=["cases"],
    operation_id="list_measures",
    summary="List a case's measures",
    response_model=MeasuresPublic,
    responses=problem_responses(Forbidden, NotFound),
)
def list_measures(
    actor: CurrentActor, session: SessionDep, case_id: Id, page: PageDep
) -> MeasuresPublic:
    """The measures (foranstaltninger) given in the case."""
    rows, total = usecase.list_measures(session, actor, case_id, page)
    return MeasuresPublic(items=[_measure(m) for m in rows], total=total, **page.model_dump())


@router.post(
    "/cases/{case_id}/measures",
    tags=["cases"],
    operation_id="create_measure",
    summary="Add a measure to a case",
    status_code=status.HTTP_201_CREATED,
    response_model=MeasurePublic,
    responses=problem_responses(Forbidden, NotFound),
)
def create_measure(
    actor: CurrentActor, session: SessionDep, case_id: Id, body: MeasureCreate
) -> MeasurePublic:
    """A measure with its type, provider and period."""
    return _measure(usecase.create_measure(session, actor, case_id, body))


@router.patch(
    "/cases/{case_id}/measures/{measure_id}",
    tags=["cases"],
    operation_id="update_measure",
    summary="Change a measure",
    response_model=MeasurePublic,
    responses=problem_responses(Forbidden, NotFound, Conflict),
)
def update_measure(
    actor: CurrentActor, session: SessionDep, case_id: Id, measure_id: Id, body: MeasureUpdate
) -> MeasurePublic:
    """Change the provider or description, or end the measure."""
    return _measure(usecase.update_measure(session, actor, case_id, measure_id, body))


@router.get(
    "/cases/{case_id}/audit-events",
    tags=["cases"],
    operation_id="list_case_audit_events",
    summary="List a case's audit trail",
    response_model=AuditEventsPublic,
    responses=problem_responses(Forbidden, NotFound),
)
def list_case_audit_events(
    actor: CurrentActor, session: SessionDep, case_id: Id, page: PageDep
) -> AuditEventsPublic:
    """Every read and write of the case's data; for team leaders and administrators."""
    usecase.load_case(session, actor, case_id)
    rows, total = audit.list_for_case(session, actor, case_id, page)
    audit.record(session, actor, "audit.read", "case", case_id, case_id=case_id)
    return AuditEventsPublic(
        items=[AuditEventPublic.model_validate(e, from_attributes=True) for e in rows],
        total=total,
        **page.model_dump(),
    )


@router.get(
    "/providers",
    tags=["providers"],
    operation_id="list_providers",
    summary="List providers",
    response_model=ProvidersPublic,
    responses=problem_responses(Forbidden),
)
def list_providers(actor: CurrentActor, session: SessionDep, page: PageDep) -> ProvidersPublic:
    """Who delivers measures: foster families, institutions, family therapists."""
    rows, total = usecase.list_providers(session, actor, page)
    return ProvidersPublic(items=[_provider(p) for p in rows], total=total, **page.model_dump())


@router.post(
    "/providers",
    tags=["providers"],
    operation_id="create_provider",
    summary="Register a provider",
    status_code=status.HTTP_201_CREATED,
    response_model=ProviderPublic,
    responses=problem_responses(Forbidden, Conflict),
)
def create_provider(
    actor: CurrentActor, session: SessionDep, body: ProviderCreate
) -> ProviderPublic:
    """A provider (leverandør) of measures."""
    return _provider(usecase.create_provider(session, actor, body))
