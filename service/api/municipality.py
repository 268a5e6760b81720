"""The municipality's own set-up: policy, teams, staff and integrator clients."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from service.api.deps import CurrentActor, PageDep, SessionDep
from service.api.unit_of_work import UnitOfWorkRoute
from service.errors import Conflict, Forbidden, NotFound, problem_responses
from service.models.staff import IntegratorClient, StaffRole, StaffUser
from service.schemas.common import Id
from service.schemas.municipality import (
    ClientCreate,
    ClientCreated,
    ClientPublic,
    ClientsPublic,
    MunicipalityPublic,
    PolicyUpdate,
    StaffCreate,
    StaffListPublic,
    StaffPublic,
    StaffUpdate,
    TeamCreate,
    TeamPublic,
    TeamsPublic,
)
from service.usecases.administration import municipality as usecase

router = APIRouter(route_class=UnitOfWorkRoute)


def _staff(user: StaffUser) -> StaffPublic:
    return StaffPublic.model_validate(user, from_attributes=True)


def _client(client: IntegratorClient) -> ClientPublic:
    return ClientPublic.model_validate({**client.model_dump(), "scopes": sorted(client.scope_set)})


@router.get(
    "/municipality",
    tags=["municipality"],
    operation_id="get_municipality",
    summary="The caller's municipality and its scoring policy",
    response_model=MunicipalityPublic,
    responses=problem_responses(),
)
def get_municipality(actor: CurrentActor, session: SessionDep) -> MunicipalityPublic:
    """The municipality (kommune) and its adopted procedure, cadence and instruments."""
    return usecase.public(session, usecase.get_municipality(session, actor.municipality_id))


@router.patch(
    "/municipality/policy",
    tags=["municipality"],
    operation_id="update_policy",
    summary="Change the scoring policy",
    response_model=MunicipalityPublic,
    responses=problem_responses(Forbidden),
)
def update_policy(
    actor: CurrentActor, session: SessionDep, body: PolicyUpdate
) -> MunicipalityPublic:
    """Administrators set the KL procedure, cadence, group size and instruments in use."""
    mun = usecase.update_policy(session, actor, body)
    return usecase.public(session, mun)


@router.get(
    "/teams",
    tags=["municipality"],
    operation_id="list_teams",
    summary="List teams",
    response_model=TeamsPublic,
    responses=problem_responses(),
)
def list_teams(actor: CurrentActor, session: SessionDep, page: PageDep) -> TeamsPublic:
    """The municipality's teams."""
    rows, total = usecase.list_teams(session, actor, page)
    return TeamsPublic(
        items=[TeamPublic(id=t.id or 0, name=t.name) for t in rows],
        total=total,
        **page.model_dump(),
    )


@router.post(
    "/teams",
    tags=["municipality"],
    operation_id="create_team",
    summary="Create a team",
    status_code=status.HTTP_201_CREATED,
    response_model=TeamPublic,
    responses=problem_responses(Forbidden, Conflict),
)
def create_team(actor: CurrentActor, session: SessionDep, body: TeamCreate) -> TeamPublic:
    """Administrators create teams of caseworkers."""
    team = usecase.create_team(session, actor, body)
    return TeamPublic(id=team.id or 0, name=team.name)


@router.get(
    "/staff",
    tags=["staff"],
    operation_id="list_staff",
    summary="List staff users",
    response_model=StaffListPublic,
    responses=problem_responses(Forbidden),
)
def list_staff(
    actor: CurrentActor,
    session: SessionDep,
    page: PageDep,
    role: Annotated[StaffRole | None, Query()] = None,
) -> StaffListPublic:
    """The municipality's staff, optionally of one role."""
    rows, total = usecase.list_staff(session, actor, page, role)
    return StaffListPublic(items=[_staff(u) for u in rows], total=total, **page.model_dump())


@router.post(
    "/staff",
    tags=["staff"],
    operation_id="create_staff",
    summary="Create a staff user",
    status_code=status.HTTP_201_CREATED,
    response_model=StaffPublic,
    responses=problem_responses(Forbidden, Conflict),
)
def create_staff(actor: CurrentActor, session: SessionDep, body: StaffCreate) -> StaffPublic:
    """Administrators create caseworkers, team leaders and administrators."""
    return _staff(usecase.create_staff(session, actor, body, municipality_id=actor.municipality_id))


@router.get(
    "/staff/{staff_id}",
    tags=["staff"],
    operation_id="get_staff",
    summary="Get a staff user",
    response_model=StaffPublic,
    responses=problem_responses(NotFound),
)
def get_staff(actor: CurrentActor, session: SessionDep, staff_id: Id) -> StaffPublic:
    """One staff user of the municipality."""
    return _staff(usecase.get_staff(session, actor, staff_id))


@router.patch(
    "/staff/{staff_id}",
    tags=["staff"],
    operation_id="update_staff",
    summary="Change a staff user",
    response_model=StaffPublic,
    responses=problem_responses(Forbidden, NotFound),
)
def update_staff(
    actor: CurrentActor, session: SessionDep, staff_id: Id, body: StaffUpdate
) -> StaffPublic:
    """Administrators change roles, teams, passwords, or deactivate a user."""
    return _staff(usecase.update_staff(session, actor, staff_id, body))


@router.get(
    "/clients",
    tags=["integrator clients"],
    operation_id="list_clients",
    summary="List integrator clients",
    response_model=ClientsPublic,
    responses=problem_responses(Forbidden),
)
def list_clients(actor: CurrentActor, session: SessionDep, page: PageDep) -> ClientsPublic:
    """The case systems (DUBU, KMD Nexus...) registered for the municipality."""
    rows, total = usecase.list_clients(session, actor, page)
    return ClientsPublic(items=[_client(c) for c in rows], total=total, **page.model_dump())


@router.post(
    "/clients",
    tags=["integrator clients"],
    operation_id="create_client",
    summary="Register an integrator client",
    status_code=status.HTTP_201_CREATED,
    response_model=ClientCreated,
    responses=problem_responses(Forbidden),
)
def create_client(actor: CurrentActor, session: SessionDep, body: ClientCreate) -> ClientCreated:
    """Administrators register a case system; its secret is returned this once."""
    client, secret = usecase.create_client(
        session, actor, body, municipality_id=actor.municipality_id
    )
    return ClientCreated(**_client(client).model_dump(), client_secret=secret)


@router.post(
    "/clients/{client_pk}/deactivate",
    tags=["integrator clients"],
    operation_id="deactivate_client",
    summary="Deactivate an integrator client",
    response_model=ClientPublic,
    responses=problem_responses(Forbidden, NotFound),
)
def deactivate_client(actor: CurrentActor, session: SessionDep, client_pk: Id) -> ClientPublic:
    """Its tokens stop working at once."""
    return _client(usecase.deactivate_client(session, actor, client_pk))
