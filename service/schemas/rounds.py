"""Schemas for scoring rounds, informants, links, submissions and the consensus."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, EmailStr, Field, StringConstraints, model_validator

from service.models.case import MeasureCategory, MeasureType
from service.models.round import AnswerChannel, Language, SubmissionStatus
from service.models.round_measure import RoundMeasureOrigin
from service.schemas.agreement import AgreementPublic
from service.schemas.common import (
    VISIBLE,
    Id,
    Key,
    Lax,
    Moment,
    Name,
    Page,
    RequestBody,
    Text2000,
    Text4000,
)
from service.schemas.decisions import DecisionPublic
from service.schemas.flags import FlagPublic
from service.schemas.instruments import InstrumentForm
from service.schemas.plan import PlanCommitment
from service.workflow.comparison import Crossing
from service.workflow.family_voices import NotHeardReason
from service.workflow.outcomes import NoOutcome, Outcome
from service.workflow.procedures import Consensus, Gathering, InformantStep, Procedure
from service.workflow.roles import InformantRole
from service.workflow.states import RoundEvent, RoundState, Variant

#: 8 to 20 characters, digits and spaces, an optional leading +; it begins and ends with a
#: digit, so that the stripped number the service keeps matches what the contract says.
Phone = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9][0-9 ]{6,18}[0-9]$")
]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
MeasureIds = Annotated[list[Id], Field(max_length=50)]


def _distinct(ids: list[int] | None) -> None:
    if ids is not None and len(set(ids)) != len(ids):
        raise ValueError("each measure at most once")


class RoundCreate(RequestBody):
    instrument_id: Id = Field(description="A published instrument version in use")
    due_at: Moment = Field(description="When the independent scores are due")
    meeting_at: Moment | None = Field(
        default=None, description="Consensus meeting (KL 1, 3) or family dialogue (KL 2)"
    )
    procedure: Annotated[Procedure, Lax] | None = Field(
        default=None, description="If given, must be the municipality's adopted procedure"
    )
    draft: bool = Field(default=False, description="Prepare the round without opening it")
    measure_ids: MeasureIds | None = Field(
        default=None,
        description="Open the round for these measures of the case; by default it evaluates "
        "every measure in force in its period (from the previous completed round to due_at)",
    )

    @model_validator(mode="after")
    def _check(self) -> RoundCreate:
        _distinct(self.measure_ids)
        if self.meeting_at is not None and self.meeting_at < self.due_at:
            raise ValueError("meeting_at cannot be before due_at: the scores come first")
        return self


class RoundMeasurePublic(BaseModel):
    """A measure (foranstaltning) the round evaluates."""

    measure_id: int
    type: MeasureType
    category: MeasureCategory | None = Field(description="Its kind in barnets lov")
    paragraph: str | None = Field(description="The provision of barnets lov, e.g. '§ 46'")
    provider_id: int | None = Field(description="The measure's provider when recorded")
    provider_name: str | None
    description: str
    start_date: date
    end_date: date | None
    origin: RoundMeasureOrigin = Field(
        description="opening (in force when opened), requested (named when opened), "
        "edited (added later) or migration (back-filled)"
    )


class RoundMeasuresWrite(RequestBody):
    """The measures the round evaluates, replacing the recorded ones (until completion)."""

    measure_ids: MeasureIds

    @model_validator(mode="after")
    def _check(self) -> RoundMeasuresWrite:
        _distinct(self.measure_ids)
        return self


class StepPublic(BaseModel):
    state: RoundState
    status: str = Field(description="done, current or upcoming")


class RoundPublic(BaseModel):
    id: int
    case_id: int
    instrument_id: int
    procedure: Procedure
    variant: Variant
    consensus: Consensus
    state: RoundState
    allowed_events: list[RoundEvent]
    reason_needed: list[RoundEvent] = Field(
        description="Allowed events that need the caseworker's reason as things stand (closing "
        "the independent step short, the family step without everyone, cancelling)"
    )
    steps: list[StepPublic]
    due_at: datetime
    meeting_at: datetime | None
    created_at: datetime
    collection_closed_at: datetime | None
    completed_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str | None
    collection_close_reason: str | None = Field(
        description="Why the independent step closed with fewer scores than the rule asks"
    )
    family_note: str | None
    provider_note: str | None = Field(description="Why the provider was not told the result")
    provider_informed_at: datetime | None
    previous_round_id: int | None
    next_due_on: date | None
    skipped_due_on: list[date] = Field(
        default_factory=list,
        description="Dates of the rhythm that passed while this round was late: no round then",
    )
    informants: int
    submitted: int
    measures: list[RoundMeasurePublic] = Field(description="The measures the round evaluates")
    number: int | None = Field(
        default=None,
        description="Which of the child's rounds this is, by the date it was opened: 1 the "
        "first, 2 the first follow-up and so on; cancelled rounds are not counted and have none",
    )


class RoundsPublic(Page[RoundPublic]):
    pass


class TransitionRequest(RequestBody):
    event: Annotated[RoundEvent, Lax]
    reason: Reason | None = Field(default=None, description="Why; required to cancel")


class TransitionPublic(BaseModel):
    event: str
    from_state: RoundState
    to_state: RoundState
    actor_id: str
    actor_label: str
    reason: str | None
    occurred_at: datetime


class LinkHistoryPublic(BaseModel):
    """One personal link issued in the round: who issued it, and how it ended."""

    informant_id: int
    informant_name: str
    informant_role: InformantRole
    event: str = Field(description="issued, or reissued (it replaced an earlier link)")
    issued_by: str = Field(description="staff:<id>, client:<id> or system")
    issued_by_label: str
    issued_at: datetime
    expires_at: datetime
    ended: str | None = Field(description="None while it works; replaced or revoked")
    ended_by: str | None
    ended_by_label: str | None
    ended_at: datetime | None


class RoundHistoryPublic(BaseModel):
    items: list[TransitionPublic]
    links: list[LinkHistoryPublic] = Field(
        description="Every personal link issued in the round, oldest first"
    )
    flags: list[FlagPublic] = Field(
        default_factory=list,
        description="The advisory flags the round raised, with their sign-off",
    )
    decisions: list[DecisionPublic] = Field(
        default_factory=list,
        description="What the round led to, every version, oldest first (amended ones carry "
        "superseded_at)",
    )


class InformantCreate(RequestBody):
    role: Annotated[InformantRole, Lax]
    name: Name
    email: EmailStr | None = None
    phone: Phone | None = None
    language: Annotated[Language, Lax] = Language.DA


class InformantPublic(BaseModel):
    id: int
    role: InformantRole
    step: InformantStep = Field(description="When this informant scores")
    name: str
    email: str | None
    phone: str | None
    language: Language
    link: str = Field(description="none, active, expired or revoked")
    link_expires_at: datetime | None
    first_opened_at: datetime | None
    submission: str = Field(description="none, draft or submitted")
    invitation: str = Field(
        description="The latest invitation: none, pending, sent, or failed (not delivered)"
    )
    submitted_at: datetime | None
    entered_on_behalf: bool
    received_via: AnswerChannel | None = Field(
        default=None,
        description="How answers entered on the informant's behalf were received, if said",
    )


class InformantsPublic(BaseModel):
    items: list[InformantPublic]


class LinkRequest(RequestBody):
    expires_at: Moment | None = Field(
        default=None, description="Default: the due date plus the municipality's grace period"
    )


class LinkIssued(BaseModel):
    informant_id: int
    url: str = Field(description="The personal link; shown once, never readable again")
    token: str
    expires_at: datetime


class ScoreEntry(RequestBody):
    """One factor of a submission. A draft may hold a goal before its score; submitting needs
    a score (or cannot_assess) on every factor and a goal no worse than its score."""

    factor_key: Key
    score: int | None = Field(default=None, ge=-10, le=20)
    cannot_assess: bool = False
    goal: int | None = Field(default=None, ge=-10, le=20, description="Proposed goal")
    comment: Text2000 = ""

    #: Stated in the document too: a factor that cannot be assessed has no score and no goal.
    schema_rules: ClassVar[dict[str, Any]] = {
        "if": {"properties": {"cannot_assess": {"const": True}}, "required": ["cannot_assess"]},
        "then": {"properties": {"score": {"type": "null"}, "goal": {"type": "null"}}},
    }

    @model_validator(mode="after")
    def _check(self) -> ScoreEntry:
        if self.cannot_assess and self.score is not None:
            raise ValueError("give a score or cannot_assess, not both")
        if self.cannot_assess and self.goal is not None:
            raise ValueError("a factor that cannot be assessed has no goal")
        return self


class ScoresWrite(RequestBody):
    scores: list[ScoreEntry] = Field(max_length=60)

    @model_validator(mode="after")
    def _unique(self) -> ScoresWrite:
        keys = [s.factor_key for s in self.scores]
        if len(set(keys)) != len(keys):
            raise ValueError("each factor at most once")
        return self


class OnBehalfWrite(ScoresWrite):
    submit: bool = Field(default=False, description="Submit (final) rather than save a draft")
    received_via: Annotated[AnswerChannel, Lax] | None = Field(
        default=None,
        description="How the caseworker received the answers: by phone, on paper or in person",
    )


class SubmissionPublic(BaseModel):
    status: SubmissionStatus
    saved_at: datetime | None = Field(default=None, description="When it was last saved")
    submitted_at: datetime | None
    entered_on_behalf: bool
    scores: list[ScoreEntry]


class InformantSelf(BaseModel):
    name: str
    role: InformantRole
    step: InformantStep


class InformantNotice(BaseModel):
    """What the informant is told, in Danish and English: who will see the answers and when
    (true for this procedure, variant, step and closing policy), and the informant's rights."""

    who_sees_da: str
    who_sees_en: str
    rights_da: str
    rights_en: str


class LinkFormPublic(BaseModel):
    """What an informant sees through the personal link: never anyone else's scores."""

    municipality: str
    caseworker: str
    child: str = Field(description="The child's display name")
    informant: InformantSelf
    due_at: datetime
    accepting: bool = Field(description="Whether the form takes drafts and a submission now")
    status: str = Field(description="not_open_yet, open, submitted or closed")
    instrument: InstrumentForm
    submission: SubmissionPublic | None
    notice: InformantNotice
    plan: list[PlanCommitment] = Field(
        description="Who does what in the child's plan (barnets plan): the rows in force"
    )


class LinkSubmissionPublic(BaseModel):
    """The informant's own submission, as saved."""

    status: str = Field(description="open, submitted or closed")
    accepting: bool
    submission: SubmissionPublic | None


class InformantScorePublic(BaseModel):
    informant_id: int
    role: InformantRole
    name: str
    step: InformantStep
    score: int | None
    cannot_assess: bool
    goal: int | None
    comment: str
    entered_on_behalf: bool


class OfficialPublic(BaseModel):
    factor_key: str
    score: int | None
    goal: int | None
    rationale: str
    not_assessed: bool
    not_assessed_reason: str
    set_by_id: int
    set_as: str = Field(
        description="caseworker (the case's caseworker's final say), or substitute (the team "
        "leader, standing in for the caseworker)"
    )
    substitute_reason: str | None = Field(description="Why the team leader stood in")
    set_at: datetime


class DisagreementPublic(BaseModel):
    id: int | None = Field(
        default=None, description="The stored note (None in the meeting's preview)"
    )
    informant_id: int
    informant_role: InformantRole
    informant_name: str
    step: InformantStep
    informant_score: int
    informant_goal: int | None
    informant_comment: str
    official_score: int | None
    official_goal: int | None
    score_differs: bool = Field(description="The informant's score differs from the official one")
    goal_differs: bool = Field(description="The informant proposed another goal than the official")
    note: str = Field(
        description="The informant's own reason for disagreeing, as the caseworker recorded it "
        "(empty until then); never the meeting's rationale"
    )


class NoteReasonWrite(RequestBody):
    """The informant's own reason for seeing it differently; empty clears it."""

    reason: Text4000


class FactorConsensus(BaseModel):
    factor_key: str
    position: int
    name_da: str
    name_en: str
    scores: list[InformantScorePublic]
    spread_min: int | None
    spread_max: int | None
    spread: int
    diverges: bool = Field(description="Advisory: max - min above the threshold")
    official: OfficialPublic | None
    disagreements: list[DisagreementPublic] = Field(
        description="The notes as they will be (or were) stored beside the official score"
    )
    agreement: AgreementPublic | None = Field(
        default=None, description="How alike the independent scores are (advisory)"
    )


class ConsensusView(BaseModel):
    round_id: int
    state: RoundState
    divergence_threshold: int
    not_submitted: list[str] = Field(description="Informants whose scores are missing")
    factors: list[FactorConsensus] = Field(description="The most divergent first")


class OfficialScoreWrite(RequestBody):
    factor_key: Key
    score: int | None = Field(default=None, ge=-10, le=20, description="None: not assessed")
    goal: int | None = Field(default=None, ge=-10, le=20)
    rationale: Text4000 = ""
    not_assessed_reason: Text2000 = ""


def _substitute_reason() -> Any:
    return Field(
        default=None,
        description="The team leader sets the official score only as the caseworker's "
        "substitute, and says why here (required of a team leader, ignored from the caseworker)",
    )


class OfficialScoresWrite(RequestBody):
    scores: list[OfficialScoreWrite] = Field(min_length=1, max_length=60)
    substitute_reason: Reason | None = _substitute_reason()

    @model_validator(mode="after")
    def _unique(self) -> OfficialScoresWrite:
        keys = [s.factor_key for s in self.scores]
        if len(set(keys)) != len(keys):
            raise ValueError("each factor at most once")
        return self


class AmendmentCreate(OfficialScoreWrite):
    reason: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=2000, pattern=VISIBLE),
    ]
    substitute_reason: Reason | None = _substitute_reason()


class AmendmentPublic(BaseModel):
    factor_key: str
    previous_score: int | None
    previous_goal: int | None
    previous_rationale: str
    score: int | None
    goal: int | None
    rationale: str
    reason: str
    amended_by_id: int
    substitute_reason: str | None = Field(description="Amended by the team leader as substitute")
    amended_at: datetime


class OutcomePublic(BaseModel):
    factor_key: str
    previous_factor_keys: list[str] = Field(
        description="The previous round's factors it is measured against (by key, or through a "
        "mapping: e.g. familieforhold for relation_mor)"
    )
    previous_score: int | None = Field(description="On this round's scale")
    previous_goal: int | None
    previous_score_as_scored: int | None = Field(
        default=None,
        description="Where the previous round used another scale (across a mapping): the "
        "previous score as it was scored there; None where the scales are the same",
    )
    previous_goal_as_scored: int | None = None
    score: int | None
    outcome: Outcome | None
    no_outcome: NoOutcome | None = Field(description="Why there is no outcome")


class FactorResult(BaseModel):
    factor_key: str
    position: int
    name_da: str
    name_en: str
    official: OfficialPublic | None
    disagreements: list[DisagreementPublic]
    outcome: OutcomePublic | None
    agreement: AgreementPublic | None = Field(
        default=None,
        description="How alike the independent scores were (advisory); None before completion",
    )


class ComparisonPublic(BaseModel):
    """The round this one is measured against, and whether that crossed a mapping between
    instruments (where statuses and goals are translated point for point)."""

    previous_round_id: int
    crossing: Crossing = Field(description="same (form), version, or mapping")
    crossed_mapping: bool
    mapping_id: int | None


class ParticipantPublic(BaseModel):
    """Who took part in the round, and how: scored, was at the meeting or the family dialogue,
    or, for the child and the parents, why they did not score."""

    informant_id: int
    name: str
    role: InformantRole
    step: InformantStep
    scored: bool
    entered_on_behalf: bool
    meeting: bool | None = Field(
        description="Present at the meeting (trin 2); None: the procedure has no meeting for them"
    )
    family_dialogue: bool | None = Field(
        description="Present in the family dialogue (trin 3) for the caseworker's side; None: "
        "not part of it"
    )
    not_scored_reason: str | None = Field(
        description="The caseworker's reason why a family informant did not score"
    )
    not_heard: NotHeardReason | None = Field(
        default=None, description="Why the child or a parent did not score, as recorded"
    )


class NotHeardWrite(RequestBody):
    """Why the child or a parent does not score in the round: per person, with what the
    caseworker did instead. `informant_id` names a family informant of the round; leave it
    out for a child who is not one. `age_or_maturity` is for the child alone."""

    role: Annotated[InformantRole, Lax]
    informant_id: Id | None = None
    reason: Annotated[NotHeardReason, Lax]
    note: Annotated[Text2000, StringConstraints(min_length=1, strip_whitespace=True)] = Field(
        description="What was done instead (for the child: how its views were found out)"
    )


class FamilyVoicePublic(BaseModel):
    """A voice the family's step owes: the child and each parent in the round."""

    role: InformantRole
    informant_id: int | None = Field(description="None: the child is not an informant")
    name: str | None
    scored: bool
    reason: NotHeardReason | None
    note: str | None
    recorded_at: datetime | None


class FamilyVoicesPublic(BaseModel):
    """Whose voice is still missing before the family's step can end."""

    items: list[FamilyVoicePublic]
    missing: int = Field(description="Neither scored nor with a recorded reason")


class CollectionPublic(BaseModel):
    """How the independent step closed: the rule asks for at least two independent scores,
    the caseworker's among them; with fewer, the caseworker confirmed it with a reason."""

    closed_at: datetime | None
    independent_scores: int
    caseworker_scored: bool
    short: bool = Field(description="Closed with fewer scores than the rule asks")
    reason: str | None


class ProviderMessagePublic(BaseModel):
    name: str
    channel: str
    status: str = Field(description="pending, sent or failed")
    sent_at: datetime | None


class ProviderInformedPublic(BaseModel):
    """Trin 4 of KL 2: the provider is told the official scores and goals."""

    informed_at: datetime | None
    messages: list[ProviderMessagePublic]
    reason: str | None = Field(description="Why the provider was not told, if not")


class RoundResult(BaseModel):
    round_id: int
    state: RoundState
    procedure: Procedure
    variant: Variant
    collection: CollectionPublic | None = Field(
        description="How the independent step closed (None before it did)"
    )
    participants: list[ParticipantPublic]
    family_voices: list[FamilyVoicePublic] = Field(
        default_factory=list,
        description="The child and each parent in the round: whether each scored, or why not",
    )
    gatherings: list[Gathering] = Field(
        description="The procedure's gatherings whose attendance is recorded"
    )
    provider_informed: ProviderInformedPublic | None = Field(
        description="KL 2's trin 4; None in the other procedures"
    )
    previous_round_id: int | None
    comparison: ComparisonPublic | None = Field(
        description="How the outcomes were measured; None without a previous round"
    )
    next_due_on: date | None = Field(
        description="When the next round is due: the first date of the rhythm after completion"
    )
    skipped_due_on: list[date] = Field(
        default_factory=list,
        description="Dates of the rhythm that passed while this round was late: no round then",
    )
    factors: list[FactorResult]
    amendments: list[AmendmentPublic]
    network_involved: int = Field(
        default=0,
        description="How many of the family's private network (grandparents, neighbours, a "
        "coach) scored or were at a gathering; 0: the network was not involved",
    )


class AttendanceWrite(RequestBody):
    """Who came to a gathering. Without `absent`: the informants in `present` came and every
    other one expected there did not. With `absent`: those in `present` came, those in
    `absent` did not, and everyone else expected there is (again) not recorded. Read
    strictly: ids are JSON numbers."""

    gathering: Annotated[Gathering, Lax]
    present: list[Id] = Field(max_length=200)
    absent: list[Id] | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _apart(self) -> AttendanceWrite:
        both = sorted(set(self.present) & set(self.absent or ()))
        if both:
            raise ValueError(f"informants both present and absent: {both}")
        return self


AttendanceState = Literal["present", "absent", "not_recorded"]


class AttendancePublic(BaseModel):
    informant_id: int
    name: str
    role: InformantRole
    present: bool = Field(description="Recorded as present; False: absent or not recorded")
    recorded: bool = Field(description="Recorded by the caseworker as present or absent")
    state: AttendanceState


class AttendancesPublic(BaseModel):
    gathering: Gathering
    items: list[AttendancePublic]


class DueCase(BaseModel):
    """A case whose next round is due, soon due or overdue."""

    case_id: int
    display_name: str
    external_ref: str
    birth_year: int = Field(description="The child's year of birth")
    caseworker_id: int
    team_id: int | None
    due_on: date
    status: str = Field(description="overdue, due (today), soon (within 14 days) or later")
    round_id: int | None = Field(description="The round in progress, if any")
    round_state: RoundState | None


class DueCases(Page[DueCase]):
    """A page of due cases, overdue first."""
