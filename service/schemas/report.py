"""Schemas for a round's report: the result as a document for the case file."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from service.schemas.compasses import CaseCompasses
from service.schemas.decisions import DecisionsPublic
from service.schemas.flags import FlagPublic
from service.schemas.progress import CaseProgress, ProgressScale
from service.schemas.rounds import RoundMeasurePublic, RoundResult
from service.workflow.family_voices import NotHeardReason
from service.workflow.meetings import MeetingKind
from service.workflow.procedures import InformantStep, Procedure
from service.workflow.roles import InformantRole
from service.workflow.states import Variant


class ReportInstrument(BaseModel):
    id: int
    key: str
    version: int
    name_da: str
    name_en: str
    scale: ProgressScale


class ReportPeriod(BaseModel):
    opened_at: datetime
    due_at: datetime
    meeting_at: datetime | None
    completed_at: datetime
    measures_from: date = Field(description="The period whose measures the round evaluates")
    measures_to: date


class ReportParticipant(BaseModel):
    role: InformantRole
    name: str
    step: InformantStep
    part: str = Field(description="submitted, not_submitted, meeting_only or informed")
    entered_on_behalf: bool
    meeting: bool | None = Field(
        default=None, description="At the meeting (trin 2); None: not one of the meeting's"
    )
    family_dialogue: bool | None = Field(
        default=None, description="In the family dialogue (trin 3) for the caseworker's side"
    )
    not_scored_reason: str | None = Field(
        default=None, description="Why a child or parent did not score"
    )
    not_heard: NotHeardReason | None = Field(
        default=None, description="The kind of reason a child or parent did not score"
    )


class RoundReport(BaseModel):
    """A completed round's result for the case file (journal)."""

    round_id: int
    case_id: int
    municipality: str
    child: str = Field(description="The child's display name")
    case_ref: str
    caseworker: str
    instrument: ReportInstrument
    procedure: Procedure
    variant: Variant
    period: ReportPeriod
    participants: list[ReportParticipant]
    family_note: str | None
    measures: list[RoundMeasurePublic]
    result: RoundResult
    progress: CaseProgress = Field(description="The child's series up to this round")
    meeting_kind: MeetingKind | None = Field(
        default=None, description="How the meeting was held; None: the procedure has none"
    )
    compasses: CaseCompasses = Field(
        description="The caseworker's and the provider's own scores side by side up to this "
        "round, the official score as a reference (the same as /cases/{case_id}/compasses)"
    )
    flags: list[FlagPublic] = Field(
        default_factory=list,
        description="The advisory flags the round raised, and how the caseworker signed them off",
    )
    decisions: DecisionsPublic | None = Field(
        default=None, description="What the round led to for the measure, with earlier versions"
    )
    generated_at: datetime
