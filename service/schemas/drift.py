"""Drift (a caseworker's own scoring over time): her official scores beside the informants'
median, per factor and period, for her alone; and the team's spread of those figures, without
names, for the leader."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from service.schemas.calibration import CalibrationDistance
from service.schemas.reports import AsOf, DataUse, ReportWindow
from service.workflow.breakdowns import PeriodLength


class DriftPoint(BaseModel):
    period: str = Field(max_length=16, description="The period's label, e.g. 2026-H2")
    rounds: int = Field(
        description="Rounds in which the factor had an official score and an informant's"
    )
    mean: float = Field(
        description="Mean points the official score lies towards the scale's worst end from the "
        "informants' median: negative, more hopeful than the informants; positive, more worried"
    )
    spread: float | None = Field(
        description="Standard deviation over the rounds; null for one round"
    )
    leaning: Literal["hopeful", "alike", "worried"]


class DriftFactor(BaseModel):
    factor: str = Field(max_length=64)
    name_da: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    points: list[DriftPoint]


class DriftReport(BaseModel):
    """The asking caseworker's own figures; nobody else's, and nobody else sees them."""

    staff_id: int
    period: PeriodLength
    window: ReportWindow
    factors: list[DriftFactor]
    calibration: list[CalibrationDistance] = Field(
        description="The person's own distance from the reference per factor in each closed "
        "calibration exercise she answered, oldest first"
    )


class DriftSpreadFactor(BaseModel):
    factor: str = Field(max_length=64)
    name_da: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    caseworkers: int | None = Field(
        description="Caseworkers with figures for the factor; null when fewer than min_group_size"
    )
    lower_quartile: float | None
    median: float | None
    upper_quartile: float | None


class DriftSpreadReport(BaseModel):
    """The spread of the caseworkers' mean drift per factor, without names or extremes, only
    where at least `min_group_size` caseworkers have figures."""

    scope: str = Field(max_length=16)
    as_of: AsOf
    window: ReportWindow
    min_group_size: int
    factors: list[DriftSpreadFactor]
    data_use: DataUse
