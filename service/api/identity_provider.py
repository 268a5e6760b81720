"""The municipality's identity provider (OpenID Connect) and its groups, for administrators."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from service.api.deps import CurrentActor, SessionDep, SettingsDep
from service.api.unit_of_work import UnitOfWorkRoute
from service.errors import Forbidden, Unprocessable, problem_responses
from service.schemas.identity import IdentityProviderPublic, IdentityProviderUpdate
from service.usecases.administration import identity

router = APIRouter(route_class=UnitOfWorkRoute, tags=["municipality"])


@router.get(
    "/municipality/identity-provider",
    operation_id="get_identity_provider",
    summary="The municipality's identity provider",
    response_model=IdentityProviderPublic,
    responses=problem_responses(Forbidden, identity.NoIdentityProvider),
)
def get_identity_provider(
    actor: CurrentActor, session: SessionDep, settings: SettingsDep
) -> IdentityProviderPublic:
    """The OpenID Connect provider staff sign in through, its groups mapped to roles and
    teams, and the addresses to register at the provider. The client secret is never shown."""
    provider = identity.get_provider(session, actor)
    return identity.public(session, provider, settings.public_base_url)


@router.put(
    "/municipality/identity-provider",
    operation_id="set_identity_provider",
    summary="Set the municipality's identity provider",
    response_model=IdentityProviderPublic,
    responses=problem_responses(Forbidden, Unprocessable),
)
def set_identity_provider(
    actor: CurrentActor, session: SessionDep, settings: SettingsDep, body: IdentityProviderUpdate
) -> IdentityProviderPublic:
    """Administrators set the provider as a whole: issuer, client, the claim that lists the
    groups, the email domains it serves, whether unknown people are created at their first
    sign-in, whether passwords still work, and the groups mapped to a role and a team (they
    replace the mappings before). The client secret is sealed at rest; leave it out to keep
    the one set before."""
    provider = identity.set_provider(session, actor, body, settings.keyring())
    return identity.public(session, provider, settings.public_base_url)


@router.delete(
    "/municipality/identity-provider",
    operation_id="remove_identity_provider",
    summary="Remove the municipality's identity provider",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problem_responses(Forbidden, identity.NoIdentityProvider),
)
def remove_identity_provider(actor: CurrentActor, session: SessionDep) -> None:
    """Staff log in with their passwords again (those who have one)."""
    identity.remove_provider(session, actor)
