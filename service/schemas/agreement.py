"""How alike the independent scores were: per factor at the meeting and in the result, and
across a municipality's completed rounds in the agreement report."""

from __future__ import annotations

from pydantic import BaseModel, Field

from service.workflow.agreement import AgreementLevel, FactorAgreement


class AgreementPublic(BaseModel):
    """One factor of one round: the independent scores' range and interquartile range, and
    r_wg (within-group agreement, 0 to 1) with its words. Advisory: it decides nothing."""

    scored: int = Field(description="Independent scores given ('cannot assess' left out)")
    range: int | None = Field(description="Highest minus lowest score")
    iqr: float | None = Field(description="Interquartile range of the scores")
    r_wg: float | None = Field(
        description="1 - variance / the variance of a uniform null over the scale's points, "
        "at least 0; None with fewer than three scores"
    )
    level: AgreementLevel = Field(description="high, some, low (agreement), or too_few")

    @classmethod
    def of(cls, found: FactorAgreement) -> AgreementPublic:
        return cls(
            scored=found.scored,
            range=found.range,
            iqr=None if found.iqr is None else round(found.iqr, 3),
            r_wg=None if found.r_wg is None else round(found.r_wg, 3),
            level=found.level,
        )
