"""The child's case (sag), its measures (foranstaltninger) and their providers."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field

from service.models.base import UTCDateTime, enum_type, utcnow
from service.models.tenancy import TenantOwned, tenant_index, tenant_key, tenant_reference


class CaseStatus(StrEnum):
    ACTIVE = "active"
    CLOSED = "closed"


class MeasureType(StrEnum):
    """Kinds of measure (foranstaltning / indsats)."""

    PREVENTIVE = "preventive"  # tidligt forebyggende indsats, barnets lov § 30
    HOME_BASED_SUPPORT = "home_based_support"  # støtte i hjemmet, familiebehandling, § 32
    CONTACT_PERSON = "contact_person"  # fast kontaktperson, § 32, stk. 1, nr. 3
    FOSTER_CARE = "foster_care"  # plejefamilie
    NETWORK_FOSTER_CARE = "network_foster_care"  # netværksplejefamilie
    INSTITUTION = "institution"  # børne- og ungehjem (døgninstitution)
    OPEN_RESIDENTIAL = "open_residential"  # eget værelse, kollegium, opholdssted
    OTHER = "other"


class MeasureCategory(StrEnum):
    """A measure's legal kind in barnets lov (LBK nr. 282 af 17/03/2025), which replaced
    Serviceloven's child provisions in 2024. Reports group by it."""

    EARLY_PREVENTIVE = "early_preventive"  # § 30: tidligt forebyggende indsatser (kap. 1)
    SUPPORTIVE = "supportive"  # § 32, stk. 1: støttende indsatser med samtykke (kap. 2)
    SUPPORTIVE_WITHOUT_CONSENT = "supportive_without_consent"  # §§ 37-41 (kap. 3)
    PLACEMENT_WITH_CONSENT = "placement_with_consent"  # § 46: anbringelse med samtykke
    PLACEMENT_WITHOUT_CONSENT = "placement_without_consent"  # § 47: anbringelse uden samtykke


#: The provision of barnets lov each category stands for.
PARAGRAPHS: dict[MeasureCategory, str] = {
    MeasureCategory.EARLY_PREVENTIVE: "§ 30",
    MeasureCategory.SUPPORTIVE: "§ 32, stk. 1",
    MeasureCategory.SUPPORTIVE_WITHOUT_CONSENT: "§§ 37-41",
    MeasureCategory.PLACEMENT_WITH_CONSENT: "§ 46",
    MeasureCategory.PLACEMENT_WITHOUT_CONSENT: "§ 47",
}

_SUPPORT = frozenset({MeasureCategory.SUPPORTIVE, MeasureCategory.SUPPORTIVE_WITHOUT_CONSENT})
_PLACEMENT = frozenset(
    {MeasureCategory.PLACEMENT_WITH_CONSENT, MeasureCategory.PLACEMENT_WITHOUT_CONSENT}
)
#: Per kind of measure: the categories it can be given under, and the one it has unless the
#: caller says otherwise (None: the caller must say, e.g. whether a placement has consent, or
#: whether a stay in a foster family is a § 32 støtteophold).
CATEGORIES: dict[MeasureType, tuple[frozenset[MeasureCategory], MeasureCategory | None]] = {
    MeasureType.PREVENTIVE: (
        frozenset({MeasureCategory.EARLY_PREVENTIVE}),
        MeasureCategory.EARLY_PREVENTIVE,
    ),
    MeasureType.HOME_BASED_SUPPORT: (_SUPPORT, MeasureCategory.SUPPORTIVE),
    MeasureType.CONTACT_PERSON: (_SUPPORT, MeasureCategory.SUPPORTIVE),
    MeasureType.FOSTER_CARE: (_SUPPORT | _PLACEMENT, None),
    MeasureType.NETWORK_FOSTER_CARE: (_SUPPORT | _PLACEMENT, None),
    MeasureType.INSTITUTION: (_SUPPORT | _PLACEMENT, None),
    MeasureType.OPEN_RESIDENTIAL: (_PLACEMENT, None),
    MeasureType.OTHER: (frozenset(MeasureCategory), None),
}


class ProviderKind(StrEnum):
    FOSTER_FAMILY = "foster_family"
    INSTITUTION = "institution"
    FAMILY_THERAPY = "family_therapy"
    CONTACT_PERSON = "contact_person"
    OTHER = "other"


class Case(TenantOwned, table=True):
    """A child's or young person's case (barnet / den unge). No CPR number is stored."""

    __tablename__ = "child_case"
    __table_args__ = (
        tenant_key(),
        UniqueConstraint("municipality_id", "external_ref"),
        tenant_reference("caseworker_id", "staff_user"),
        tenant_reference("team_id", "team"),
        tenant_index("ix_child_case_caseworker_id", "caseworker_id"),
        tenant_index("ix_child_case_team_id", "team_id"),
    )

    external_ref: str = Field(max_length=64, description="The case id in DUBU, Nexus, ...")
    display_name: str = Field(max_length=80)
    birth_date: date | None = None
    birth_year: int
    caseworker_id: int
    team_id: int | None = None
    status: CaseStatus = Field(sa_type=enum_type(CaseStatus, 16))
    closed_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime), description="Retention counts from here"
    )
    legal_hold: bool = Field(default=False, description="Kept whatever retention says")
    legal_hold_reason: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class Provider(TenantOwned, table=True):
    """Who delivers a measure (leverandør / udfører): a foster family, an institution..."""

    __table_args__ = (tenant_key(), UniqueConstraint("municipality_id", "name"))

    name: str = Field(max_length=200)
    kind: ProviderKind = Field(sa_type=enum_type(ProviderKind, 32))
    email: str | None = Field(default=None, max_length=254)


class Measure(TenantOwned, table=True):
    """A measure (foranstaltning) given in a case, with its provider and period."""

    __table_args__ = (
        tenant_key(),
        tenant_reference("case_id", "child_case", ondelete="CASCADE"),
        tenant_reference("provider_id", "provider"),
        tenant_index("ix_measure_case_id", "case_id"),
        tenant_index("ix_measure_provider_id", "provider_id"),
        tenant_index("ix_measure_category", "category"),
    )

    case_id: int
    type: MeasureType = Field(sa_type=enum_type(MeasureType, 32))
    category: MeasureCategory | None = Field(
        default=None,
        sa_type=enum_type(MeasureCategory, 32),
        description="Its kind in barnets lov; None only for measures recorded before it was asked",
    )
    provider_id: int | None = None
    description: str = Field(default="", max_length=1000)
    start_date: date
    end_date: date | None = None
    follow_up_months: int | None = Field(
        default=None, description="The measure's own rhythm of rounds, in months"
    )
    follow_up_weeks: int | None = Field(
        default=None, description="The measure's own rhythm of rounds, in weeks"
    )
    intensive: bool = Field(
        default=False, description="An intensive measure, with its own cadence standard"
    )

    @property
    def paragraph(self) -> str | None:
        """The provision of barnets lov the measure is given under."""
        return PARAGRAPHS[self.category] if self.category else None
