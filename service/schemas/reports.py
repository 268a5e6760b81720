"""Management reports: tables of counts in which small groups are suppressed (null), figures
with the number of children behind them, and the data quality beside them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field

from service.workflow.breakdowns import GroupBy, PeriodLength, Viewer
from service.workflow.roles import InformantRole


class CsvFormat(StrEnum):
    """The shape of a report's CSV: `codes` for programs (codes as headers, commas, a
    suppressed figure an empty field), `excel` for a spreadsheet (UTF-8 with a byte order
    mark, the page's words as headers, in Danish semicolons and decimal commas, a
    suppressed figure the pages' mark)."""

    CODES = "codes"
    EXCEL = "excel"


class CsvLanguage(StrEnum):
    """The language of the `excel` shape's words and numbers."""

    DA = "da"
    EN = "en"


class StaffFigure(StrEnum):
    """A figure a leader can see that is about staff: their groups, never one person."""

    OUTCOMES_BY_TEAM = "outcomes_by_team"  # the caseworkers' teams
    OUTCOMES_BY_PROVIDER = "outcomes_by_provider"  # the providers and their staff
    DISTANCE_BY_ROLE = "distance_by_role"  # each professional group's scores beside the official
    DATA_QUALITY = "data_quality"  # rounds on time, informants per round, days between rounds
    DRIFT_SPREAD = "drift_spread"  # the team's spread of drift; each caseworker sees her own alone
    CALIBRATION_AGREEMENT = "calibration_agreement"  # how alike staff score a vignette, no names


class DataUse(BaseModel):
    """Leadership's statement of how the figures will be used (KL, `002` l.1080-1092), shown
    with every report, and whether the report counts rounds from the implementation period."""

    statement: str = Field(description="What for, at what level, how often; empty if none")
    management_from: date | None = Field(
        description="The day from which figures may be used for management; null: not decided"
    )
    implementation: bool = Field(
        description="The report's window reaches back before management_from: its figures may "
        "count rounds of the implementation period"
    )
    implementation_periods: list[str] = Field(
        description="The report's periods (as labelled in its table) that begin before "
        "management_from"
    )
    staff_figures: list[StaffFigure] = Field(
        description="Every figure about staff that a leader can see in the reports"
    )


class ReportRow(BaseModel):
    key: str = Field(description="The group's stable key (an id, a code, a period)")
    label: str = Field(description="The group's name")
    cells: list[int | None] = Field(description="One count per column; null: suppressed")
    total: int | None = Field(description="The row's total; null: suppressed")


class ReportTable(BaseModel):
    """Counts by group; a count under the municipality's smallest group, and whatever would
    let it be worked out by subtraction, is null."""

    columns: list[str]
    rows: list[ReportRow]
    column_totals: list[int | None]
    total: int | None
    suppressed: int = Field(description="How many counts are suppressed")
    min_group_size: int


#: When a report's figures are from ("Tal pr.").
AsOf = Annotated[
    datetime,
    Field(
        description="The figures hold every change committed up to this moment: the time of "
        "the read, or where the reports read a replica of the database, of the last change "
        "the replica had applied"
    ),
]


class ReportWindow(BaseModel):
    start: date | None = Field(description="Rounds completed on or after this day")
    end: date | None = Field(description="... and before this day")


class DataQuality(BaseModel):
    """How far the figures can be trusted (VIVE: leaders distrust figures when not every
    caseworker scores, or scores alike). Shares are 0-1; null where nothing is counted."""

    completed_rounds: int | None = Field(description="Completed rounds counted; null if few")
    coverage: float | None = Field(
        description="Share of active measures whose child had a round within the cadence"
    )
    completeness: float | None = Field(
        description="Share of factors assessed rather than marked not assessed"
    )
    with_child_scores: float | None = Field(description="Share of rounds with the child's own")
    with_family_scores: float | None = Field(
        description="Share of rounds with the child's or a parent's own scores"
    )
    with_network: float | None = Field(
        default=None,
        description="Share of rounds in which the family's private network (grandparents, "
        "neighbours, a coach) scored",
    )
    informants_per_round: float | None = Field(description="Informants who scored, per round")
    on_time: float | None = Field(
        description="Share of rounds whose scores were in by the due date"
    )
    days_between_rounds: float | None = Field(
        description="Mean days from one completed round of a child to the next"
    )
    procedures: dict[str, int | None] = Field(
        description="Completed rounds by the procedure they followed (null: suppressed)"
    )


class OutcomesReport(BaseModel):
    """The six outcomes (goal attainment) by group."""

    scope: str = Field(description="own, team or municipality")
    as_of: AsOf
    group_by: GroupBy
    period: PeriodLength
    factor: str | None
    window: ReportWindow
    table: ReportTable
    groups_overlap: bool = Field(
        description="Whether a round can count under several groups (by measure kind or "
        "provider: a round counts once under each measure it evaluates, and not at all "
        "without one), so that the total differs from other breakdowns' totals"
    )
    data_use: DataUse
    quality: DataQuality


class FactorPeriods(BaseModel):
    factor_key: str
    name_da: str
    name_en: str
    table: ReportTable = Field(
        description="The six outcomes (columns) per period (rows), as the outcomes report "
        "gives them with group_by=period and this factor"
    )


class FactorPeriodsReport(BaseModel):
    """Goal attainment over time, split by factor: one table per factor, the same periods."""

    scope: str = Field(description="own, team or municipality")
    as_of: AsOf
    period: PeriodLength
    window: ReportWindow
    min_group_size: int
    factors: list[FactorPeriods]
    data_use: DataUse
    quality: DataQuality


class FactorChange(BaseModel):
    factor_key: str
    name_da: str
    name_en: str
    mean_change: float | None = Field(
        description="Mean change of the official status between consecutive rounds, in scale "
        "points towards the worst end (negative: fewer problems); null if too few children"
    )
    children: int | None = Field(description="Children behind it; null if too few")
    changes: int | None = Field(description="Pairs of consecutive rounds behind it")


class ChangeReport(BaseModel):
    scope: str
    as_of: AsOf
    window: ReportWindow
    min_group_size: int
    factors: list[FactorChange]
    quality: DataQuality


class DisagreementPoint(BaseModel):
    period: str
    scores: int | None = Field(description="Scores compared; null: suppressed")
    mean_distance: float | None = Field(
        description="Mean distance from the official score, in scale points; null: suppressed"
    )
    mean_towards_worse: float | None = Field(
        description="Mean distance towards the scale's worst end (negative: the role sees "
        "fewer problems than the official score); null: suppressed"
    )


class DisagreementSeries(BaseModel):
    role: InformantRole
    points: list[DisagreementPoint]


class DisagreementReport(BaseModel):
    """Per informant role and period, how far its scores lie from the official score."""

    scope: str
    as_of: AsOf
    period: PeriodLength
    factor: str | None
    window: ReportWindow
    min_group_size: int
    table: ReportTable = Field(description="Scores compared, by role (rows) and period")
    series: list[DisagreementSeries] = Field(description="One line per role, as in the table")
    data_use: DataUse
    quality: DataQuality


class OwnViewFactor(BaseModel):
    factor_key: str
    name_da: str
    name_en: str
    scores: int | None = Field(description="Own scores compared; null: suppressed")
    mean_towards_worse: float | None = Field(
        description="Mean of the own score's distance from the official one towards the "
        "scale's worst end (negative: sees fewer problems); null: suppressed"
    )


class OwnView(BaseModel):
    viewer: Viewer
    table: ReportTable = Field(
        description="Own scores by factor: fewer problems, the same, more than the official"
    )
    factors: list[OwnViewFactor]


class OwnViewsReport(BaseModel):
    """The child's and the parents' own scores beside the official one, never averaged in."""

    scope: str
    as_of: AsOf
    window: ReportWindow
    min_group_size: int
    views: list[OwnView]
    data_use: DataUse
    quality: DataQuality
