"""What a family member (mother, father, the child) reads on their own link once the round is
completed: the official result beside their own answers, and their own series beside the
official one. Never a professional's own score: the professionals' spread only where the
procedure had the family meet them (KL 3)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from service.schemas.progress import CaseProgress, ProgressScale
from service.workflow.outcomes import NoOutcome, Outcome
from service.workflow.procedures import Procedure
from service.workflow.roles import InformantRole


class OwnAnswer(BaseModel):
    """What the reader answered on the factor."""

    score: int | None
    cannot_assess: bool
    goal: int | None
    comment: str


class ProfessionalsSpread(BaseModel):
    """The lowest and highest of the professionals' own scores (KL 3 only)."""

    min: int
    max: int
    informants: int


class FamilyFactor(BaseModel):
    factor_key: str
    position: int
    name_da: str = Field(description="The factor in the reader's words (the child's question)")
    name_en: str
    official_score: int | None = Field(description="None when not assessed")
    official_goal: int | None
    not_assessed: bool
    outcome: Outcome | None = Field(description="Measured against the previous round's goal")
    no_outcome: NoOutcome | None
    previous_score: int | None
    previous_goal: int | None
    own: OwnAnswer | None = Field(description="The reader's own answer; None if not given")
    professionals: ProfessionalsSpread | None = Field(
        description="The professionals' spread, only where the family met them (KL 3)"
    )


class FamilyResultPublic(BaseModel):
    round_id: int
    child: str = Field(description="The child's display name")
    role: InformantRole = Field(description="The reader: mother, father or child")
    procedure: Procedure
    completed_at: datetime
    met_professionals: bool = Field(
        description="The reader was recorded as present at the meeting with the professionals "
        "(KL 3); the professionals' spread is shown only then"
    )
    scale: ProgressScale
    factors: list[FamilyFactor]
    progress: CaseProgress = Field(
        description="The official series and the reader's own; the spread only under KL 3"
    )
