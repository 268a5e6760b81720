"""Short session forms: standing links, the forms behind them, and the child's series."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, model_validator

from service.schemas.common import VISIBLE, Id, Lax, Name, NotNull, Page, RequestBody
from service.workflow.sessions import (
    HIGHEST,
    LOWEST,
    MOST_ITEMS,
    DefinitionError,
    FormDefinition,
    LinkHolder,
    SessionForm,
    SessionTiming,
    Trend,
    check_definition,
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
    form_version_id: int | None = Field(
        description="The municipality's own forms the link was made with; none: the shipped"
    )


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
    score: float = Field(description="The mean of the form's items on its own line, top best")
    lowest: int = Field(description="The bottom of the line answered on")
    highest: int = Field(description="The top of the line answered on")
    recorded_at: datetime


class SessionPointPublic(BaseModel):
    """Each form's score on the shipped 0-10 line (10 best), whatever line it was answered
    on: a 1-5 form's 3 is 5.0."""

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
    intro: str = Field(description="How to answer, in a sentence or two")
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


#: A form's words as the young person reads them: a question, a title, an end of the line.
FormText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=VISIBLE)
]


class FormWords(RequestBody):
    """The same words in Danish and in English (the pages' two languages)."""

    da: FormText
    en: FormText


class LoadedItem(RequestBody):
    key: ItemKey = Field(description="The item's name in answers; once per form")
    text: FormWords = Field(description="The question or statement the young person answers")


class LoadedForm(RequestBody):
    """One form of a municipality's own pair."""

    title: FormWords
    items: list[LoadedItem] = Field(min_length=1, max_length=MOST_ITEMS)
    lowest: int = Field(ge=LOWEST, le=HIGHEST, description="The line's bottom, e.g. 0 or 1")
    highest: int = Field(ge=LOWEST, le=HIGHEST, description="The line's top (best), above lowest")
    lowest_text: FormWords = Field(description="What the bottom of the line means")
    highest_text: FormWords = Field(description="What the top of the line means")

    @model_validator(mode="after")
    def _answerable(self) -> LoadedForm:
        try:
            check_definition(self.definition())
        except DefinitionError as refused:
            raise ValueError(str(refused)) from refused
        return self

    def definition(self) -> FormDefinition:
        return FormDefinition(tuple(i.key for i in self.items), self.lowest, self.highest)


class SessionFormsLoad(RequestBody):
    """A pair of session forms the municipality loads as its own, e.g. a licensed instrument:
    it becomes current, and links made from now on use it."""

    name: Name = Field(description="What the municipality calls the pair")
    outcome: LoadedForm = Field(description="The outcome form: how things are going")
    alliance: LoadedForm = Field(description="The alliance form: how the session went")


class FormWordsPublic(BaseModel):
    da: str
    en: str


class LoadedItemPublic(BaseModel):
    key: str
    text: FormWordsPublic


class LoadedFormPublic(BaseModel):
    title: FormWordsPublic
    items: list[LoadedItemPublic]
    lowest: int
    highest: int
    lowest_text: FormWordsPublic
    highest_text: FormWordsPublic


class SessionFormVersionPublic(BaseModel):
    id: int
    version: int
    name: str
    outcome: LoadedFormPublic
    alliance: LoadedFormPublic
    current: bool = Field(description="Links made now use this version")
    created_at: datetime
    created_by_label: str


class SessionFormVersionsPublic(BaseModel):
    """The municipality's own versions, newest first, and which is current (none: the
    service's shipped forms)."""

    items: list[SessionFormVersionPublic]
    current_version_id: int | None
