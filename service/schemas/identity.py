"""Schemas for the municipality's identity provider (OpenID Connect) and its groups."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from service.models.staff import StaffRole
from service.schemas.common import UNBROKEN, Id, Lax, RequestBody

Issuer = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=500, pattern=r"^https?://[^\s]+$")
]
EmailDomain = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        to_lower=True,
        max_length=253,
        pattern=r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$",
    ),
]
ScopeName = Annotated[
    str, StringConstraints(min_length=1, max_length=100, pattern=r"^[\x21\x23-\x5b\x5d-\x7e]+$")
]
GroupName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255, pattern=UNBROKEN)
]


class IdentityGroupMapping(RequestBody):
    """A group at the provider, and the role and team its members have here."""

    group: GroupName = Field(
        description="The group as the ID token names it: a name, or an object id (Entra ID)"
    )
    role: Annotated[StaffRole, Lax]
    team_id: Id | None = Field(default=None, description="The team its members belong to")


class IdentityProviderUpdate(RequestBody):
    """The municipality's OpenID Connect provider, set as a whole."""

    issuer: Issuer = Field(description="The issuer URL; its discovery document is read from it")
    client_id: Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=UNBROKEN)]
    client_secret: Annotated[str, StringConstraints(min_length=1, max_length=500)] | None = Field(
        default=None,
        description="Kept sealed, never shown again; leave out to keep the one set before",
    )
    groups_claim: Annotated[
        str, StringConstraints(min_length=1, max_length=100, pattern=UNBROKEN)
    ] = Field(default="groups", description="The ID token's claim that lists the groups")
    email_domains: list[EmailDomain] = Field(
        min_length=1, max_length=20, description="Work email domains the provider serves"
    )
    extra_scopes: list[ScopeName] = Field(
        default_factory=list,
        max_length=10,
        description="Scopes to ask for besides openid, email and profile: AD FS puts its "
        "issuance rules' claims (the groups) into the ID token only for `allatclaims`",
    )
    create_unknown: bool = Field(
        default=False,
        description="A person in a mapped group but not yet known here is created at first "
        "sign-in (just-in-time); otherwise refused",
    )
    passwords_allowed: bool = Field(
        default=True,
        description="Staff may still log in with a password; false: the login form and the "
        "password grant refuse and point to the provider",
    )
    groups: list[IdentityGroupMapping] = Field(
        max_length=200,
        description="Groups mapped to a role and team; the first listed that a person is in wins",
    )


class IdentityProviderPublic(BaseModel):
    """The municipality's provider as set, with the addresses to register there."""

    issuer: str
    client_id: str
    groups_claim: str
    email_domains: list[str]
    extra_scopes: list[str]
    create_unknown: bool
    passwords_allowed: bool
    groups: list[IdentityGroupMapping]
    login_url: str = Field(description="The municipality's own login address")
    redirect_uri: str = Field(description="The redirect URI to register at the provider")
    backchannel_logout_uri: str = Field(
        description="The back-channel logout URI to register at the provider"
    )
    post_logout_redirect_uri: str = Field(description="Where the provider sends after signing out")
    updated_at: datetime
