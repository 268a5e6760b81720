"""Instruments: the shared catalogue and the municipality's own, versioned."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from service.api.deps import CurrentActor, PageDep, SessionDep
from service.api.unit_of_work import UnitOfWorkRoute
from service.errors import Conflict, Forbidden, NotFound, problem_responses
from service.models.instrument import InstrumentStatus
from service.schemas.common import Id
from service.schemas.instruments import InstrumentCreate, InstrumentPublic, InstrumentsPublic
from service.usecases.administration import instruments as usecase

router = APIRouter(tags=["instruments"], route_class=UnitOfWorkRoute)


@router.get(
    "/instruments",
    operation_id="list_instruments",
    summary="List instruments",
    response_model=InstrumentsPublic,
    responses=problem_responses(Forbidden),
)
def list_instruments(
    actor: CurrentActor,
    session: SessionDep,
    page: PageDep,
    in_use: Annotated[bool | None, Query(description="Only those in use (or not)")] = None,
    status: Annotated[InstrumentStatus | None, Query()] = None,
) -> InstrumentsPublic:
    """The shared catalogue and the municipality's own instruments, every version."""
    rows, total = usecase.list_instruments(session, actor, page, in_use=in_use, status=status)
    return InstrumentsPublic(items=rows, total=total, **page.model_dump())


@router.get(
    "/instruments/{instrument_id}",
    operation_id="get_instrument",
    summary="Get an instrument with its factors and guidance",
    response_model=InstrumentPublic,
    responses=problem_responses(Forbidden, NotFound),
)
def get_instrument(actor: CurrentActor, session: SessionDep, instrument_id: Id) -> InstrumentPublic:
    """One instrument version: scale, factors and the guidance for every scale point."""
    return usecase.public(session, usecase.get_instrument(session, actor, instrument_id))


@router.post(
    "/instruments",
    operation_id="create_instrument",
    summary="Create an own instrument (draft)",
    status_code=status.HTTP_201_CREATED,
    response_model=InstrumentPublic,
    responses=problem_responses(Forbidden, Conflict),
)
def create_instrument(
    actor: CurrentActor, session: SessionDep, body: InstrumentCreate
) -> InstrumentPublic:
    """Administrators define an instrument; it is a draft until published. An existing key
    gets the next version."""
    return usecase.public(session, usecase.create_draft(session, actor, body))


@router.put(
    "/instruments/{instrument_id}",
    operation_id="replace_instrument_draft",
    summary="Replace a draft instrument",
    response_model=InstrumentPublic,
    responses=problem_responses(Forbidden, NotFound, Conflict),
)
def replace_instrument_draft(
    actor: CurrentActor, session: SessionDep, instrument_id: Id, body: InstrumentCreate
) -> InstrumentPublic:
    """A draft can be changed freely; a published version never changes (409)."""
    return usecase.public(session, usecase.replace_draft(session, actor, instrument_id, body))


@router.post(
    "/instruments/{instrument_id}/publish",
    operation_id="publish_instrument",
    summary="Publish a draft instrument",
    response_model=InstrumentPublic,
    responses=problem_responses(Forbidden, NotFound, Conflict),
)
def publish_instrument(
    actor: CurrentActor, session: SessionDep, instrument_id: Id
) -> InstrumentPublic:
    """From now on the version is frozen and can be used in rounds."""
    return usecase.public(session, usecase.publish(session, actor, instrument_id))


@router.post(
    "/instruments/{instrument_id}/versions",
    operation_id="create_instrument_version",
    summary="Start a new version of an own instrument",
    status_code=status.HTTP_201_CREATED,
    response_model=InstrumentPublic,
    responses=problem_responses(Forbidden, NotFound, Conflict),
)
def create_instrument_version(
    actor: CurrentActor, session: SessionDep, instrument_id: Id
) -> InstrumentPublic:
    """A new draft version, copied from the given one."""
    return usecase.public(session, usecase.new_version(session, actor, instrument_id))
