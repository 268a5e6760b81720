"""Schemas for a case's notifications (underretninger) with their deadlines, and for its
collaboration level and degree of concern."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from service.models.case_level import LevelKind
from service.schemas.common import Day, Id, Lax, Page, RequestBody
from service.workflow.notification import DeadlineKind, DeadlineState, NotificationSource

Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]


class NotificationCreate(RequestBody):
    """A notification received about the child; who made it in general terms, never a name."""

    received_on: Day = Field(description="The day the administration received it: time zero")
    source: Annotated[NotificationSource, Lax] = Field(description="Who made it, in general terms")
    note: Note = Field(default="", description="A short note; no names of private persons")


class NotificationUpdate(RequestBody):
    """Record that the plan was made or the outcome checkpoint held, or change the note."""

    plan_made_on: Day | None = Field(
        default=None, description="The plan, or the decision on what happens next, was made"
    )
    checkpoint_held_on: Day | None = Field(
        default=None, description="The outcome checkpoint (about two months) was held"
    )
    note: Note | None = Field(default=None, description="A new note; null leaves it")


class DeadlinePublic(BaseModel):
    """A deadline that runs from the notification, as it stands today."""

    kind: DeadlineKind = Field(description="plan: 14 days; checkpoint: about two months")
    due_on: date
    state: DeadlineState
    days_left: int = Field(description="Days until it is due; negative when overdue")
    met_on: date | None
    late: bool = Field(description="Met after the day it was due")


class NotificationPublic(BaseModel):
    id: int
    case_id: int
    received_on: date
    source: NotificationSource
    note: str
    plan_made_on: date | None
    checkpoint_held_on: date | None
    round_id: int | None = Field(description="The baseline round opened from it")
    created_at: datetime
    deadlines: list[DeadlinePublic]
    next_deadline: DeadlinePublic | None = Field(
        description="The deadline to act on first; none when both are met"
    )


class NotificationsPublic(Page[NotificationPublic]):
    pass


class BaselineRoundCreate(RequestBody):
    """The first multi-informant round, opened from the notification: its answers are due on
    the plan's day (or tomorrow, when that has passed)."""

    instrument_id: Id = Field(description="A published instrument version in use")
    draft: bool = Field(default=True, description="Prepare the round to add informants first")


class CaseLevelCreate(RequestBody):
    """A new collaboration level (1-3) or degree of concern (1-3) for the case."""

    kind: Annotated[LevelKind, Lax]
    value: int = Field(ge=1, le=3)
    note: Note = Field(default="", description="What in the situation set it")


class CaseLevelPublic(BaseModel):
    id: int
    case_id: int
    kind: LevelKind
    value: int
    note: str
    set_by_id: int | None
    set_at: datetime


class CaseLevelsPublic(BaseModel):
    """The current collaboration level and degree of concern, and every setting, newest first."""

    collaboration: CaseLevelPublic | None
    concern: CaseLevelPublic | None
    history: list[CaseLevelPublic]
