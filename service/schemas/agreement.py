"""How alike the independent scores were: per factor at the meeting and in the result, and
across a municipality's completed rounds in the agreement report."""

from __future__ import annotations

from pydantic import BaseModel, Field

from service.schemas.reports import AsOf, DataUse, ReportWindow
from service.workflow.agreement import AgreementLevel, FactorAgreement, ReliabilityLevel
from service.workflow.breakdowns import PeriodLength


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


class AgreementCell(BaseModel):
    """Krippendorff's alpha (ordinal) over the independent scores of one factor, on one
    instrument family, in one period; every figure null where fewer children than the
    municipality's minimum group size stand behind it."""

    family: str = Field(description="The instrument family's key")
    family_name_da: str
    family_name_en: str
    points: int = Field(description="The scale's number of points")
    factor_key: str
    name_da: str
    name_en: str
    period: str
    suppressed: bool = Field(description="Too few children: no figure is shown")
    children: int | None = Field(description="Children whose rounds are counted; null: hidden")
    rounds: int | None = Field(description="Rounds with two or more scores; null: hidden")
    alpha: float | None = Field(description="Krippendorff's alpha, ordinal; null: hidden or none")
    low: float | None = Field(description="Lower end of the bootstrap interval")
    high: float | None = Field(description="Upper end of the bootstrap interval")
    reliability: ReliabilityLevel = Field(
        description="reliable (alpha >= .800), tentative (>= .667), unreliable, or unknown"
    )


class AgreementReport(BaseModel):
    """How alike a municipality's informants score, per instrument family, factor and period
    (advisory: it ranks nobody and decides nothing)."""

    scope: str
    as_of: AsOf
    period: PeriodLength
    window: ReportWindow
    min_group_size: int
    confidence: float = Field(description="The interval's confidence, e.g. 0.95")
    draws: int = Field(description="Bootstrap resamplings of the rounds behind each interval")
    cells: list[AgreementCell]
    data_use: DataUse
