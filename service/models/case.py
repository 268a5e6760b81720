"""The child's case (sag), its measures (foranstaltninger) and their providers."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field

from service.models.base import UTCDateTime, enum_type, utcnow
from service.models.tenancy import TenantOwned


class CaseStatus(StrEnum):
    ACTIVE = "active"
    CLOSED = "closed"


class MeasureType(StrEnum):
    """Kinds of measure (foranstaltning / indsats)."""

    PREVENTIVE = "preventive"  # forebyggende indsats, §11.3 (now Barnets Lov §30-32)
    HOME_BASED_SUPPORT = "home_based_support"  # §52 stk. 3 nr. 2, familiebehandling
    CONTACT_PERSON = "contact_person"  # støttekontaktperson
    FOSTER_CARE = "foster_care"  # anbringelse i plejefamilie
    NETWORK_FOSTER_CARE = "network_foster_care"  # netværksplejefamilie
    INSTITUTION = "institution"  # døgninstitution
    OPEN_RESIDENTIAL = "open_residential"  # eget værelse, kollegium, opholdssted
    OTHER = "other"


class ProviderKind(StrEnum):
    FOSTER_FAMILY = "foster_family"
    INSTITUTION = "institution"
    FAMILY_THERAPY = "family_therapy"
    CONTACT_PERSON = "contact_person"
    OTHER = "other"


class Case(TenantOwned, table=True):
    """A child's or young person's case (barnet / den unge). No CPR number is stored."""

    __tablename__ = "child_case"
    __table_args__ = (UniqueConstraint("municipality_id", "external_ref"),)

    id: int | None = Field(default=None, primary_key=True)
    external_ref: str = Field(max_length=64, description="The case id in DUBU, Nexus, ...")
    display_name: str = Field(max_length=80)
    birth_date: date | None = None
    birth_year: int
    caseworker_id: int = Field(foreign_key="staff_user.id", index=True)
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True)
    status: CaseStatus = Field(sa_type=enum_type(CaseStatus, 16))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class Provider(TenantOwned, table=True):
    """Who delivers a measure (leverandør / udfører): a foster family, an institution..."""

    __table_args__ = (UniqueConstraint("municipality_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    kind: ProviderKind = Field(sa_type=enum_type(ProviderKind, 32))
    email: str | None = Field(default=None, max_length=254)


class Measure(TenantOwned, table=True):
    """A measure (foranstaltning) given in a case, with its provider and period."""

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="child_case.id", index=True, ondelete="CASCADE")
    type: MeasureType = Field(sa_type=enum_type(MeasureType, 32))
    provider_id: int | None = Field(default=None, foreign_key="provider.id", index=True)
    description: str = Field(default="", max_length=1000)
    start_date: date
    end_date: date | None = None
