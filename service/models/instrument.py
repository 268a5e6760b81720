"""Instruments (resultatdokumentationsskema): versioned forms of factors, a scale and guidance.

A published version never changes; a new version is a new row. Catalogue instruments have no
municipality; a municipality's own instruments carry its id.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
from sqlmodel import Field

from service.models.base import UTCDateTime, enum_type, utcnow
from service.models.tenancy import TenantOrShared
from service.workflow.scale import BestEnd, Scale


class InstrumentStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class Instrument(TenantOrShared, table=True):
    """One version of a scoring form."""

    __table_args__ = (
        Index(
            "uq_instrument_catalogue_key_version",
            "key",
            "version",
            unique=True,
            sqlite_where=text("municipality_id IS NULL"),
            postgresql_where=text("municipality_id IS NULL"),
        ),
        Index(
            "uq_instrument_municipality_key_version",
            "municipality_id",
            "key",
            "version",
            unique=True,
            sqlite_where=text("municipality_id IS NOT NULL"),
            postgresql_where=text("municipality_id IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64, index=True, description="Family key; versions share it")
    version: int = Field(ge=1)
    status: InstrumentStatus = Field(sa_type=enum_type(InstrumentStatus, 16))
    name_da: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    description_da: str = Field(default="", max_length=4000)
    description_en: str = Field(default="", max_length=4000)
    scale_min: int
    scale_max: int
    best_end: BestEnd = Field(sa_type=enum_type(BestEnd, 8))
    scale_labels: list[dict[str, object]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    free_text_per_factor: bool = Field(default=True, description="A comment box with every score")
    published_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )

    @property
    def scale(self) -> Scale:
        return Scale(self.scale_min, self.scale_max, self.best_end)

    @property
    def is_catalogue(self) -> bool:
        return self.municipality_id is None


class InstrumentFactor(TenantOrShared, table=True):
    """A factor (faktor / indikator) of one instrument version."""

    __tablename__ = "instrument_factor"
    __table_args__ = (UniqueConstraint("instrument_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    instrument_id: int = Field(foreign_key="instrument.id", index=True, ondelete="CASCADE")
    position: int
    key: str = Field(max_length=64)
    name_da: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    description_da: str = Field(default="", max_length=2000)
    description_en: str = Field(default="", max_length=2000)
    #: The factor in other readers' words, by audience (schemas.instruments.AudienceWords).
    audiences: dict[str, object] = Field(
        default_factory=dict,
        sa_column=Column(JSON, nullable=False, server_default=text("'{}'")),
    )


class FactorGuidance(TenantOrShared, table=True):
    """Guidance (vejledende bemærkninger) for one scale point of one factor."""

    __tablename__ = "factor_guidance"
    __table_args__ = (UniqueConstraint("factor_id", "value"),)

    id: int | None = Field(default=None, primary_key=True)
    factor_id: int = Field(foreign_key="instrument_factor.id", index=True, ondelete="CASCADE")
    value: int
    text_da: str = Field(max_length=2000)
    text_en: str = Field(max_length=2000)


class InstrumentMapping(TenantOrShared, table=True):
    """A declared mapping from one instrument family to another (e.g. Århus 0-4 to KL's 1-5, or
    "Børn og familie" to "Unge"): a round on `to_key` can then be measured against an earlier
    round on `from_key`. Points pair one to one from the best end; shared factors match by key;
    `factors` states the other links ({key, sources, combine}). Catalogue mappings have no
    municipality; a municipality's own mapping of the same pair takes precedence."""

    __tablename__ = "instrument_mapping"
    __table_args__ = (
        Index(
            "uq_instrument_mapping_catalogue_pair",
            "from_key",
            "to_key",
            unique=True,
            sqlite_where=text("municipality_id IS NULL"),
            postgresql_where=text("municipality_id IS NULL"),
        ),
        Index(
            "uq_instrument_mapping_municipality_pair",
            "municipality_id",
            "from_key",
            "to_key",
            unique=True,
            sqlite_where=text("municipality_id IS NOT NULL"),
            postgresql_where=text("municipality_id IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    from_key: str = Field(max_length=64, index=True)
    to_key: str = Field(max_length=64, index=True)
    name_da: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    factors: list[dict[str, object]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )

    @property
    def is_catalogue(self) -> bool:
        return self.municipality_id is None
