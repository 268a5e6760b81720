"""Instrument mappings: how a round on one instrument is measured against an earlier round on
another (Århus 0-4 to KL's 1-5, "Børn og familie" to "Unge")."""

from __future__ import annotations

from fastapi import APIRouter, status

from service.api.deps import CurrentActor, PageDep, SessionDep
from service.api.unit_of_work import UnitOfWorkRoute
from service.errors import Conflict, Forbidden, NotFound, Unprocessable, problem_responses
from service.schemas.common import Id
from service.schemas.mappings import MappingCreate, MappingPublic, MappingsPublic
from service.usecases.administration import mappings as usecase

router = APIRouter(tags=["instruments"], route_class=UnitOfWorkRoute)


@router.get(
    "/instrument-mappings",
    operation_id="list_instrument_mappings",
    summary="List instrument mappings",
    response_model=MappingsPublic,
    responses=problem_responses(Forbidden),
)
def list_instrument_mappings(
    actor: CurrentActor, session: SessionDep, page: PageDep
) -> MappingsPublic:
    """The catalogue's mappings and the municipality's own (which take precedence)."""
    rows, total = usecase.list_mappings(session, actor, page)
    return MappingsPublic(items=rows, total=total, **page.model_dump())


@router.get(
    "/instrument-mappings/{mapping_id}",
    operation_id="get_instrument_mapping",
    summary="Get an instrument mapping",
    response_model=MappingPublic,
    responses=problem_responses(Forbidden, NotFound),
)
def get_instrument_mapping(
    actor: CurrentActor, session: SessionDep, mapping_id: Id
) -> MappingPublic:
    """One mapping: the stated factor links and the factors matched by key."""
    return usecase.get_mapping(session, actor, mapping_id)


@router.post(
    "/instrument-mappings",
    operation_id="create_instrument_mapping",
    summary="Declare an own instrument mapping",
    status_code=status.HTTP_201_CREATED,
    response_model=MappingPublic,
    responses=problem_responses(Forbidden, Conflict, Unprocessable),
)
def create_instrument_mapping(
    actor: CurrentActor, session: SessionDep, body: MappingCreate
) -> MappingPublic:
    """Administrators declare how rounds on `to_key` are measured against `from_key`."""
    return usecase.create_mapping(session, actor, body)
