"""How far each official score of a completed round lies from the median of the informants'
own scores of its factor (drift, `service.workflow.drift`), written with the round's
disagreement summary (`service.usecases.consensus.round_drift`): when the round completes,
when an official score of it is amended, and for every round after a bulk load. The drift
figures add up these rows instead of ranking every score anew.

The informants are everyone who submitted a score of the factor but the caseworker's own
informant role: the official score is set against the others' view. A factor without an
official score or without another informant's score keeps no row. `caseworker_id` is the
person who set the official score (`OfficialScore.set_by_id`): the figures are hers.

Keyed (municipality_id, id) and referring to the round by (municipality_id, round_id), like
every table of a municipality; a row goes with its round (cascade) when a case is erased.
"""

from __future__ import annotations

from sqlmodel import Field

from service.models.tenancy import TenantOwned, tenant_index, tenant_key, tenant_reference


class RoundFactorDrift(TenantOwned, table=True):
    """One factor of one completed round: the official score beside the informants' median."""

    __tablename__ = "round_factor_drift"
    __table_args__ = (
        tenant_key(),
        tenant_reference("round_id", "scoring_round", ondelete="CASCADE"),
        tenant_reference("caseworker_id", "staff_user"),
        tenant_index("ix_round_factor_drift_round_factor", "round_id", "factor_id", unique=True),
        # A caseworker's own figures, and a team's, read by the person who set the scores.
        tenant_index("ix_round_factor_drift_caseworker", "caseworker_id"),
    )

    round_id: int
    factor_id: int = Field(foreign_key="instrument_factor.id")
    caseworker_id: int = Field(description="Who set the official score")
    informants: int = Field(description="The informants' scores the median is taken of")
    towards_worse: float = Field(
        description="Scale points the official score lies towards the scale's worst end from "
        "the informants' median (negative: the official score sees fewer problems)"
    )
