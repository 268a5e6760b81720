"""How far each informant role's scores lay from the official ones in a completed round, summed
once when the round completes and written again whenever an official score of it is amended
(`service.usecases.round_disagreement`), so that the disagreement report adds up a few rows
per round instead of comparing every score anew.

Two grains: per role, which the report reads when it covers every factor, and per role and
factor, which it reads when narrowed to one factor. Summing the per-factor rows of every
factor gives the per-role row; the per-role rows are kept apart because the per-factor ones
are hardly fewer than the scores themselves (an informant scores each factor once).

Only rows that compare at least one score are kept: the rounds behind a row are the rounds
whose children the report counts.
"""

from __future__ import annotations

from sqlalchemy import Index, PrimaryKeyConstraint
from sqlmodel import Field

from service.models.base import enum_type
from service.models.tenancy import TenantOwned
from service.workflow.roles import InformantRole


class _Sums(TenantOwned):
    # The primary key leads with the municipality: its own index would only repeat it.
    municipality_id: int = Field(foreign_key="municipality.id", ondelete="CASCADE")
    round_id: int = Field(foreign_key="scoring_round.id", ondelete="CASCADE")
    role: InformantRole = Field(sa_type=enum_type(InformantRole, 32))
    scores: int = Field(description="Submitted scores compared with the official score")
    distance: int = Field(description="Sum of |informant's score - official score|")
    towards_worse: int = Field(
        description="Sum of the scale points the informant's score lies towards the scale's "
        "worst end from the official one (negative: fewer problems)"
    )


class RoundDisagreement(_Sums, table=True):
    """One role's scores compared with the official ones in one completed round."""

    __tablename__ = "round_disagreement"
    __table_args__ = (PrimaryKeyConstraint("municipality_id", "round_id", "role"),)


class RoundFactorDisagreement(_Sums, table=True):
    """One role's scores of one factor compared with its official score in one round."""

    __tablename__ = "round_factor_disagreement"
    __table_args__ = (
        PrimaryKeyConstraint("municipality_id", "round_id", "role", "factor_id"),
        # The report narrowed to one factor reads its rows alone.
        Index("ix_round_factor_disagreement_factor", "municipality_id", "factor_id"),
    )

    factor_id: int = Field(foreign_key="instrument_factor.id")
