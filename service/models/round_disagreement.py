"""How far each informant role's scores lay from the official ones in a completed round, summed
once when the round completes and written again whenever an official score of it is amended
(`service.usecases.consensus.round_disagreement`), so that the disagreement report adds up a
few rows per round instead of comparing every score anew.

Two grains: per role, which the report reads when it covers every factor, and per role and
factor, which it reads when narrowed to one factor. Summing the per-factor rows of every
factor gives the per-role row; the per-role rows are kept apart because the per-factor ones
are hardly fewer than the scores themselves (an informant scores each factor once).

The per-factor rows also count the scores that lie towards fewer problems than the official
one, the same, and more, which the own-views report reads (the child's and the parents').

Only rows that compare at least one score are kept: the rounds behind a row are the rounds
whose children the report counts.

Like every table of a municipality they are keyed (municipality_id, id) and refer to their
round by (municipality_id, round_id), so that they sit with the round when the schema is
distributed by the municipality; a row's natural key, the round, role (and factor), is a
unique index led by the municipality. The id is the database's (the rows are only ever
written by INSERT ... SELECT).
"""

from __future__ import annotations

from sqlmodel import Field

from service.models.base import enum_type
from service.models.tenancy import TenantOwned, tenant_index, tenant_key, tenant_reference
from service.workflow.roles import InformantRole


class _Sums(TenantOwned):
    round_id: int
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
    __table_args__ = (
        tenant_key(),
        tenant_reference("round_id", "scoring_round", ondelete="CASCADE"),
        tenant_index("ix_round_disagreement_round_role", "round_id", "role", unique=True),
    )


class RoundFactorDisagreement(_Sums, table=True):
    """One role's scores of one factor compared with its official score in one round, and how
    many of them saw fewer problems, the same, or more."""

    __tablename__ = "round_factor_disagreement"
    __table_args__ = (
        tenant_key(),
        tenant_reference("round_id", "scoring_round", ondelete="CASCADE"),
        tenant_index(
            "ix_round_factor_disagreement_round_role_factor",
            "round_id",
            "role",
            "factor_id",
            unique=True,
        ),
        # The report narrowed to one factor reads its rows alone; the own views, the rows of
        # the child or of the parents alone.
        tenant_index("ix_round_factor_disagreement_factor", "factor_id"),
        tenant_index("ix_round_factor_disagreement_role", "role"),
    )

    factor_id: int = Field(foreign_key="instrument_factor.id")
    # A default of 0 in the database, so that the columns could be added to filled tables.
    fewer_problems: int = Field(
        sa_column_kwargs={"server_default": "0"},
        description="Scores towards the best end from the official one (towards_worse < 0)",
    )
    same: int = Field(
        sa_column_kwargs={"server_default": "0"},
        description="Scores equal to the official one",
    )
    more_problems: int = Field(
        sa_column_kwargs={"server_default": "0"},
        description="Scores towards the worst end from the official one (towards_worse > 0)",
    )
