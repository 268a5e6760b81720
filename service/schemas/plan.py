"""Schemas for the child's plan (barnets plan; SØM): its rows, the factors they serve with the
official goals, each row's status per round, and who does what as a link shows it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from service.schemas.common import VISIBLE, Key, Lax, LongName, RequestBody
from service.workflow.plan import MAX_FACTORS, RowStatus
from service.workflow.roles import InformantRole

#: A cell of the plan: one or a few sentences, never blank.
Cell = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000, pattern=VISIBLE)
]
#: A cell that may be left empty (nothing needed from outside).
OptionalCell = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]
FactorKeys = Annotated[list[Key], Field(min_length=1, max_length=MAX_FACTORS)]


class PlanRowCreate(RequestBody):
    """A row of the plan: what is the matter, what is wanted, what it takes, who does it, and
    what is needed from outside; serving one or more of the factors of the case's form."""

    situation: Cell = Field(description="Situation: briefly, from the notification and answers")
    desired_solution: Cell = Field(description="Ønsket løsning: what the row is to achieve")
    means: Cell = Field(description="Midler: what it takes to change the situation")
    actor_role: Annotated[InformantRole, Lax] | None = Field(
        default=None,
        description="The role of the participant who does it; null: a named service",
    )
    actor_name: LongName = Field(description="Aktør: who does it (a person, profession or service)")
    external_resources: OptionalCell = Field(
        default="", description="Eksterne midler: what is needed from outside, cost included"
    )
    factor_keys: FactorKeys = Field(description="The factors the row serves, by key")


class PlanRowUpdate(RequestBody):
    """A change to a row that is not ended; what is left out stays as it is."""

    situation: Cell | None = None
    desired_solution: Cell | None = None
    means: Cell | None = None
    actor_role: Annotated[InformantRole, Lax] | None = Field(
        default=None, description="null: a named service (give actor_name with it)"
    )
    actor_name: LongName | None = None
    external_resources: OptionalCell | None = None
    factor_keys: FactorKeys | None = None


class PlanRowEnd(RequestBody):
    """The row is ended (done with, or given up): it stays in the plan's history."""

    reason: OptionalCell = Field(default="", description="Why, in a sentence")


class PlanStatusWrite(RequestBody):
    status: Annotated[RowStatus, Lax] = Field(
        description="not_started, under_way, done or dropped, as followed at the round"
    )
    note: OptionalCell = Field(default="", description="The caseworker's note; staff only")


class PlanStatusPublic(BaseModel):
    round_id: int
    status: RowStatus
    note: str
    set_at: datetime


class PlanRowPublic(BaseModel):
    id: int
    case_id: int
    situation: str
    desired_solution: str
    means: str
    actor_role: InformantRole | None = Field(description="None: a named service")
    actor_name: str
    external_resources: str
    factor_keys: list[str]
    created_at: datetime
    updated_at: datetime
    ended_at: datetime | None
    end_reason: str
    statuses: list[PlanStatusPublic] = Field(description="Its status at each round, oldest first")


class PlanFactorPublic(BaseModel):
    """A factor of the case's form with its official goal, and the rows that serve it."""

    factor_key: str
    name_da: str
    name_en: str
    score: int | None = Field(description="The official score where the goal was set")
    goal: int | None = Field(description="The official goal: the plan's goal for the factor")
    goal_round_id: int | None = Field(description="The round that set it")
    row_ids: list[int] = Field(description="The rows that serve it, in the plan's order")


class CasePlanPublic(BaseModel):
    case_id: int
    form_round_id: int | None = Field(
        description="The newest round not cancelled: its form's factors are the plan's, and "
        "the rows' status is followed there; None before the first round"
    )
    factors: list[PlanFactorPublic]
    rows: list[PlanRowPublic] = Field(description="Rows in force first, then ended ones")


class RoundPlanPublic(BaseModel):
    """The plan as a round follows it: the round's own official goals, each row's status."""

    round_id: int
    case_id: int
    factors: list[PlanFactorPublic]
    rows: list[PlanRowPublic]


class PlanCommitment(BaseModel):
    """Who does what, as every participant sees it: no situation, status or note."""

    desired_solution: str
    means: str
    actor_role: InformantRole | None
    actor_name: str
