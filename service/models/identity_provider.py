"""The municipality's identity provider (OpenID Connect), through which its staff sign in,
and the provider's groups mapped to a role and a team here."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field

from service.models.base import UTCDateTime, enum_type, utcnow
from service.models.staff import StaffRole
from service.models.tenancy import TenantOwned, tenant_index, tenant_key, tenant_reference


class IdentityProvider(TenantOwned, table=True):
    """One OpenID Connect provider per municipality (Entra ID, AD FS, ...): staff whose work
    email is in one of its domains sign in there, not with a password kept here."""

    __tablename__ = "identity_provider"
    __table_args__ = (tenant_key(), UniqueConstraint("municipality_id"))

    issuer: str = Field(max_length=500, description="The provider's issuer URL (discovery)")
    client_id: str = Field(max_length=255)
    client_secret: str = Field(max_length=1000, description="Sealed at rest (service.auth.seal)")
    groups_claim: str = Field(
        default="groups", max_length=100, description="The ID token's claim listing groups"
    )
    email_domains: str = Field(
        max_length=1000, description="Space-separated email domains the provider serves"
    )
    extra_scopes: str = Field(
        default="",
        max_length=500,
        sa_column_kwargs={"server_default": ""},
        description="Scopes asked for besides openid, email and profile (AD FS: allatclaims)",
    )
    create_unknown: bool = Field(
        default=False,
        description="A person not yet known here is created at first sign-in (just-in-time)",
    )
    passwords_allowed: bool = Field(
        default=True, description="Staff of the municipality may still log in with a password"
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )

    @property
    def domains(self) -> list[str]:
        return self.email_domains.split()


class IdentityGroup(TenantOwned, table=True):
    """A group at the provider, as its ID tokens name it (a name or an object id), and the
    role and team its members have here."""

    __tablename__ = "identity_group"
    __table_args__ = (
        tenant_key(),
        UniqueConstraint("municipality_id", "name"),
        tenant_reference("team_id", "team"),
        tenant_index("ix_identity_group_team_id", "team_id"),
    )

    name: str = Field(max_length=255)
    role: StaffRole = Field(sa_type=enum_type(StaffRole, 16))
    team_id: int | None = None


class ProviderLogout(TenantOwned, table=True):
    """A back-channel logout token the provider sent, by its `jti`, kept while the token
    could still be accepted: the same token sent again is refused (OpenID Connect
    Back-Channel Logout 2.6, replay)."""

    __tablename__ = "provider_logout"
    __table_args__ = (tenant_key(), tenant_index("ix_provider_logout_jti", "jti", unique=True))

    jti: str = Field(max_length=255)
    kept_until: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
