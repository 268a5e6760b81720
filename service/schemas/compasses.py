"""Schemas for the two compasses side by side: the caseworker's and the provider's own scores
per factor over the rounds, the official score as a reference, and where the views part and
meet (Forandringskompasset)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from service.schemas.progress import ProgressScale
from service.workflow.compasses import Stance, Turn


class CompassRound(BaseModel):
    """A completed round of the series, oldest first."""

    round_id: int
    completed_at: datetime
    scale: ProgressScale = Field(description="The scale the round was scored on")


class CompassPoint(BaseModel):
    """One round of one factor; every score on the newest round's scale."""

    round_id: int
    caseworker_scores: list[int] = Field(
        description="Each caseworker informant's own independent score (usually one)"
    )
    provider_scores: list[int] = Field(
        description="Each provider's own independent score: every provider of the round"
    )
    caseworker: float | None = Field(
        description="The caseworker's view: their score, or the mean of several; None where "
        "no caseworker scored the factor (or could not assess it)"
    )
    provider: float | None = Field(
        description="The provider's view: their score, or the mean where the round had several "
        "providers (each is in `provider_scores`)"
    )
    official: int | None = Field(description="The official score: the reference line")
    gap: int | None = Field(
        description="The widest distance between a caseworker's and a provider's own score"
    )
    stance: Stance | None = Field(
        description="together: the same; close: within the divergence threshold; apart: "
        "beyond it; None where one of the views is missing"
    )
    turn: Turn | None = Field(
        description="part: apart now, not at the last round both scored; meet: the reverse"
    )


class CompassFactor(BaseModel):
    factor_key: str = Field(description="The factor's key in the newest round's form")
    position: int
    name_da: str
    name_en: str
    points: list[CompassPoint]


class CaseCompasses(BaseModel):
    """The caseworker's and the provider's compasses of a case, side by side. For staff."""

    case_id: int
    threshold: int = Field(
        description="The municipality's divergence threshold: apart where the gap exceeds it"
    )
    scale: ProgressScale | None = Field(description="The newest round's scale; None: no rounds")
    snapshot: bool = Field(description="Fewer than two completed rounds: no course to show yet")
    rounds: list[CompassRound]
    factors: list[CompassFactor]
