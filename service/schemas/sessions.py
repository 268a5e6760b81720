"""Short session forms: standing links, the forms behind them, and the child's series."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from service.schemas.common import Id, Lax, Name, NotNull, Page, RequestBody
from service.workflow.sessions import (
    HIGHEST,
    LOWEST,
    LinkHolder,
    SessionForm,
    SessionTiming,
    Trend,
)

ItemKey = Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=r"^[a-z][a-z_]*$")]
#: Chosen by the form when it is shown, sent back with it: the same answer sent twice is one.
SubmissionKey = Annotated[
    str, StringConstraints(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
]


class SessionLinkCreate(RequestBody):
    measure_id: Id = Field(description="The measure whose sessions the link is for")
    holder: Annotated[LinkHolder, Lax] = Field(
        default=LinkHolder.YOUNG_PERSON,
        description="young_person answers through it; provider reads the series through it",
    )
    label: Name = Field(description="Who it is handed to, e.g. the young person's first name")


class SessionLinkPublic(BaseModel):
    id: int
    case_id: int
    measure_id: int
    holder: LinkHolder
    label: str
    issued_at: datetime
    issued_by_label: str
    revoked_at: datetime | None
    revoked_by_label: str | None
    active: bool = Field(description="Not revoked, and its measure has not ended")


class SessionLinkIssued(SessionLinkPublic):
    token: str = Field(description="Shown this once: only its keyed hash is kept")
    url: str = Field(description="The page the holder opens")


class SessionLinksPublic(Page[SessionLinkPublic]):
    pass


class AnswerItem(BaseModel):
    item: ItemKey
    value: int = Field(ge=LOWEST, le=HIGHEST)


class SessionAnswerWrite(RequestBody):
    form: Annotated[SessionForm, Lax]
    timing: Annotated[SessionTiming, Lax] | NotNull = Field(
        default=None, description="Before or after the session; by default the form's usual"
    )
    answers: list[AnswerItem] = Field(min_length=1, max_length=10)
    submission_key: SubmissionKey = Field(
        description="Any random text made when the form is shown; the same key sent again "
        "records nothing new and answers with what was recorded"
    )


class SessionAnswerPublic(BaseModel):
    id: int
    session_date: date
    form: SessionForm
    timing: SessionTiming
    answers: list[AnswerItem]
    score: float = Field(description="The mean of the form's items, 0-10, 10 best")
    recorded_at: datetime


class SessionPointPublic(BaseModel):
    session_date: date
    outcome: float | None
    alliance: float | None


class SessionSeriesPublic(BaseModel):
    """The child's series: every answer, and one point per session day."""

    case_id: int
    child: str
    points: list[SessionPointPublic]
    outcome_trend: Trend
    alliance_trend: Trend
    answers: list[SessionAnswerPublic]


class FormItemPublic(BaseModel):
    item: str
    text: str


class SessionFormPublic(BaseModel):
    form: SessionForm
    timing: SessionTiming = Field(description="When it is usually filled in")
    title: str
    items: list[FormItemPublic]
    lowest: int
    highest: int
    lowest_text: str
    highest_text: str


class SessionLinkFormPublic(BaseModel):
    """What the standing link shows its holder."""

    child: str
    holder: LinkHolder
    who_sees: str
    forms: list[SessionFormPublic]
