"""The administrator's page for the municipality's identity provider and its groups."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.responses import HTMLResponse, RedirectResponse, Response

from service.api.deps import SessionDep, SettingsDep
from service.api.unit_of_work import UnitOfWorkRoute
from service.errors import ServiceError
from service.models.staff import StaffRole
from service.schemas.identity import IdentityProviderUpdate
from service.usecases.administration import identity, municipality
from service.web.staff.pages import ALL, PageActor, Posted, csrf_failed, page, problem

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)

#: Empty rows offered for new groups below those mapped.
NEW_ROWS = 2


def _form(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    settings: SettingsDep,
    errors: list[str] | None = None,
) -> HTMLResponse:
    try:
        provider = identity.public(
            session, identity.get_provider(session, actor), settings.public_base_url
        )
    except identity.NoIdentityProvider:
        provider = None
    teams, _ = municipality.list_teams(session, actor, ALL)
    mapped = provider.groups if provider else []
    return page(
        request,
        "identity_provider.html",
        {
            "provider": provider,
            "nav": "identity",
            "rows": [*mapped, *[None] * NEW_ROWS],
            "roles": list(StaffRole),
            "teams": teams,
            "errors": errors or [],
        },
        status=400 if errors else 200,
    )


@router.get("/identity-provider", response_class=HTMLResponse)
def identity_provider_page(
    request: Request, actor: PageActor, session: SessionDep, settings: SettingsDep
) -> Response:
    try:
        actor.require_role(StaffRole.ADMINISTRATOR)
    except ServiceError as error:
        return problem(request, error)
    return _form(request, actor, session, settings)


@router.post("/identity-provider")
def set_identity_provider(
    request: Request, actor: PageActor, session: SessionDep, settings: SettingsDep, data: Posted
) -> Response:
    failed = csrf_failed(request, data)
    if failed:
        return failed
    rows = sorted(
        {key.split("_", 1)[1] for key in data if key.startswith("group_")}, key=lambda n: int(n)
    )
    try:
        body = IdentityProviderUpdate.model_validate(
            {
                "issuer": data.get("issuer", ""),
                "client_id": data.get("client_id", ""),
                "client_secret": data.get("client_secret") or None,
                "groups_claim": data.get("groups_claim") or "groups",
                "email_domains": data.get("email_domains", "").replace(",", " ").split(),
                "extra_scopes": data.get("extra_scopes", "").split(),
                "create_unknown": data.get("create_unknown") == "on",
                "passwords_allowed": data.get("passwords_allowed") == "on",
                "groups": [
                    {
                        "group": data[f"group_{n}"],
                        "role": data.get(f"role_{n}", ""),
                        "team_id": int(data[f"team_{n}"]) if data.get(f"team_{n}") else None,
                    }
                    for n in rows
                    if data.get(f"group_{n}", "").strip()
                ],
            }
        )
        identity.set_provider(session, actor, body, settings.keyring())
    except ValidationError as invalid:
        fields = sorted({".".join(str(p) for p in e["loc"]) for e in invalid.errors()})
        return _form(request, actor, session, settings, fields)
    except (ServiceError, ValueError) as error:
        return problem(request, error)
    return RedirectResponse("/identity-provider", 303)
