"""Who acts: staff users of the municipality and integrator clients (case systems)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column
from sqlmodel import Field

from service.models.base import UTCDateTime, enum_type, utcnow
from service.models.tenancy import TenantOwned, tenant_index, tenant_key, tenant_reference


class StaffRole(StrEnum):
    CASEWORKER = "caseworker"  # sagsbehandler / socialrådgiver
    TEAM_LEADER = "team_leader"  # leder
    ADMINISTRATOR = "administrator"


class Scope(StrEnum):
    """What an integrator client (DUBU, KMD Nexus...) may do."""

    CASES_READ = "cases:read"
    CASES_WRITE = "cases:write"
    ROUNDS_READ = "rounds:read"
    ROUNDS_WRITE = "rounds:write"
    INSTRUMENTS_READ = "instruments:read"
    REPORTS_READ = "reports:read"  # management reports: aggregates, never a child
    WEBHOOKS = "webhooks:manage"  # subscribe to events, and see the deliveries


class StaffUser(TenantOwned, table=True):
    """A member of the municipality's staff, logging in with a password or through the
    municipality's identity provider."""

    __tablename__ = "staff_user"
    __table_args__ = (
        tenant_key(),
        tenant_reference("team_id", "team"),
        tenant_index("ix_staff_user_team_id", "team_id"),
        tenant_index("ix_staff_user_subject", "subject", unique=True),
    )

    # Global: the login finds the user, and so the municipality, by the name.
    username: str = Field(max_length=254, unique=True, description="Login name, usually the email")
    full_name: str = Field(max_length=120)
    email: str = Field(max_length=254)
    role: StaffRole = Field(sa_type=enum_type(StaffRole, 16))
    team_id: int | None = None
    password_hash: str = Field(max_length=255)
    is_active: bool = True
    is_demo: bool = Field(
        default=False, description="Development credentials; refused in production"
    )
    session_version: int = Field(
        default=0,
        description="Raised at logout, password change and deactivation: every session and "
        "access token made before it ends",
    )
    subject: str | None = Field(
        default=None,
        max_length=255,
        description="The person's `sub` at the municipality's identity provider, once they "
        "have signed in there",
    )
    meeting_projector: bool = Field(
        default=False,
        description="The person shows the meeting page in its projector mode (mødevisning)",
    )
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class IntegratorClient(TenantOwned, table=True):
    """A case system acting through the API with its own credentials, in one municipality."""

    __tablename__ = "integrator_client"
    __table_args__ = (tenant_key(),)

    # Global: the token endpoint finds the client, and so the municipality, by it.
    client_id: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=120)
    secret_hash: str = Field(max_length=255)
    scopes: str = Field(max_length=500, description="Space-separated scopes (RFC 6749 §3.3)")
    is_active: bool = True
    is_demo: bool = False
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )

    @property
    def scope_set(self) -> frozenset[Scope]:
        return frozenset(Scope(s) for s in self.scopes.split())
