"""Procedure compliance (procedurefølgning): per team and period, the share of completed
rounds that followed the adopted procedure, heard every voice it owes (or recorded why not),
were held on time, had their attendance recorded, and sent the family its result."""

from __future__ import annotations

from pydantic import BaseModel, Field

from service.schemas.reports import AsOf, DataUse, ReportWindow
from service.workflow.breakdowns import PeriodLength
from service.workflow.procedures import Procedure


class ComplianceRow(BaseModel):
    """One team in one period. Every share is null when fewer than `min_group_size` rounds
    are behind the row (the count too)."""

    team_id: int | None = Field(description="null: cases without a team")
    team: str = Field(max_length=120)
    period: str = Field(max_length=16)
    rounds: int | None = Field(description="Completed rounds; null under min_group_size")
    procedure_followed: float | None = Field(description="Share on the adopted procedure")
    voices_heard: float | None = Field(
        description="Share in which every member of the family scored or has a recorded reason"
    )
    on_time: float | None = Field(description="Share completed within on_time_days of the due date")
    attendance_recorded: float | None = Field(
        description="Share with every gathering's attendance recorded"
    )
    result_sent: float | None = Field(description="Share whose family result was sent")
    all_met: float | None = Field(description="Share that met all five")


class ComplianceReport(BaseModel):
    scope: str = Field(max_length=16)
    as_of: AsOf
    period: PeriodLength
    window: ReportWindow
    min_group_size: int
    procedure: Procedure = Field(description="The municipality's adopted procedure")
    on_time_days: int
    rows: list[ComplianceRow]
    data_use: DataUse
