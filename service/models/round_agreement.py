"""How many of a completed round's independent informants gave each point of the scale, per
factor: the value counts Krippendorff's alpha is computed from (`service.workflow.agreement`),
written once when the round completes (`service.usecases.consensus.round_agreement`), so that
the agreement report reads a few rows per round instead of every score.

A point is kept as its severity, its distance from the scale's best end (0 is best), so that
rounds on instruments whose scales pair one to one from the best end (a mapping's) count alike,
whichever way each scale runs. "Cannot assess" and the family's scores (trin 3, given after the
meeting has seen the others) are not counted: agreement is measured on what people scored
before they heard each other.

The same counts are kept a second time, one row per round and factor (`RoundFactorCounts`),
packed into two numbers (`service.workflow.agreement.pack_counts`): the municipality's agreement
report groups units by their counts, and reads them so without summing the rows of each point
at every request (at a municipality's size that summing was most of the report's time).

Keyed (municipality_id, id) and referring to its round by (municipality_id, round_id) like every
table of a municipality; the round, factor (and severity) are a unique index led by the
municipality. The rows go with their round (cascade) when a case is erased.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Text
from sqlmodel import Field

from service.models.base import UTCDateTime
from service.models.tenancy import TenantOwned, tenant_index, tenant_key, tenant_reference


class RoundFactorAgreement(TenantOwned, table=True):
    """One point of one factor's scale in one completed round, and how many independent
    informants gave it."""

    __tablename__ = "round_factor_agreement"
    __table_args__ = (
        tenant_key(),
        tenant_reference("round_id", "scoring_round", ondelete="CASCADE"),
        tenant_index(
            "ix_round_factor_agreement_round_factor_severity",
            "round_id",
            "factor_id",
            "severity",
            unique=True,
        ),
    )

    round_id: int
    factor_id: int = Field(foreign_key="instrument_factor.id")
    severity: int = Field(description="The point's distance from the scale's best end (0: best)")
    scores: int = Field(description="Independent informants who gave this point")


class RoundFactorCounts(TenantOwned, table=True):
    """One factor of one completed round: how many independent informants gave each point,
    packed (`service.workflow.agreement.pack_counts`), and how many scored it."""

    __tablename__ = "round_factor_counts"
    __table_args__ = (
        tenant_key(),
        tenant_reference("round_id", "scoring_round", ondelete="CASCADE"),
        tenant_index("ix_round_factor_counts_round_factor", "round_id", "factor_id", unique=True),
    )

    round_id: int
    factor_id: int = Field(foreign_key="instrument_factor.id")
    scored: int = Field(description="Independent informants who scored the factor")
    packed: int = Field(
        sa_type=BigInteger, description="Counts of the points 0-9 from the best end, 6 bits each"
    )
    packed_beyond: int = Field(
        sa_type=BigInteger, description="Counts of the points 10-19 from the best end, 6 bits each"
    )


class AgreementFigures(TenantOwned, table=True):
    """One view of the agreement report (the municipality's or a team's, by period length),
    worked out ahead after rounds complete (tal udregnet på forhånd), so that a
    leader's read finds them: the cells' figures as JSON, and the fingerprint of the units and
    cases they came from (`service.usecases.reports.agreement`). A read whose fingerprint
    differs works the figures out itself; nothing here is ever shown for other data."""

    __tablename__ = "agreement_figures"
    __table_args__ = (
        tenant_key(),
        tenant_index("ix_agreement_figures_view", "view", unique=True),
    )

    view: str = Field(max_length=64, description="e.g. municipality/year or team:12/year")
    fingerprint: str = Field(max_length=200)
    worked_out_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    cells: str = Field(sa_type=Text, description="The cells' figures, JSON, without names")
