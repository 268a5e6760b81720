"""Scoring rounds: informants and their links, submissions, official scores, disagreement
notes, outcomes and the round's history."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field

from service.models.base import UTCDateTime, enum_type, utcnow
from service.models.tenancy import TenantOwned, tenant_index, tenant_key, tenant_reference
from service.workflow.comparison import Crossing
from service.workflow.family_voices import NotHeardReason
from service.workflow.outcomes import NoOutcome, Outcome
from service.workflow.procedures import Gathering, InformantStep, Procedure
from service.workflow.roles import InformantRole
from service.workflow.states import RoundState, Variant


def _ts(*, nullable: bool = True) -> Column[datetime]:
    return Column(UTCDateTime, nullable=nullable)


class ScoringRound(TenantOwned, table=True):
    """One scoring of a child's situation on one instrument version (scoringsrunde)."""

    __tablename__ = "scoring_round"
    __table_args__ = (
        tenant_key(),
        # A case's rounds, newest first (the due list, the case page): led by the
        # municipality, so that the tenancy criterion does not send SQLite to a scan of
        # every round of the municipality. It is the index of the case's reference too.
        tenant_index("ix_scoring_round_case_created", "case_id", "created_at"),
        tenant_reference("case_id", "child_case", ondelete="CASCADE"),
        tenant_reference("opened_by_id", "staff_user"),
        tenant_reference("previous_round_id", "scoring_round"),
        tenant_index("ix_scoring_round_previous_round_id", "previous_round_id"),
        tenant_index("ix_scoring_round_instrument_id", "instrument_id"),
        tenant_index("ix_scoring_round_state", "state"),
    )

    case_id: int
    instrument_id: int = Field(foreign_key="instrument.id")
    procedure: Procedure = Field(sa_type=enum_type(Procedure, 8))
    variant: Variant = Field(sa_type=enum_type(Variant, 16))
    state: RoundState = Field(sa_type=enum_type(RoundState, 32))
    due_at: datetime = Field(sa_column=_ts(nullable=False))
    meeting_at: datetime | None = Field(default=None, sa_column=_ts())
    opened_by_id: int | None = None
    previous_round_id: int | None = None
    previous_crossing: Crossing | None = Field(
        default=None,
        sa_type=enum_type(Crossing, 16),
        description="How the previous round's form compares: same, version or mapping",
    )
    # Not a foreign key: a mapping is never deleted, and SQLite could not drop the column again.
    previous_mapping_id: int | None = Field(
        default=None, description="The instrument mapping the comparison crossed"
    )
    collection_closed_at: datetime | None = Field(default=None, sa_column=_ts())
    completed_at: datetime | None = Field(default=None, sa_column=_ts())
    cancelled_at: datetime | None = Field(default=None, sa_column=_ts())
    cancel_reason: str | None = Field(default=None, max_length=2000)
    collection_close_reason: str | None = Field(
        default=None,
        max_length=2000,
        description="Why the independent step closed with fewer scores than the rule asks",
    )
    family_note: str | None = Field(default=None, max_length=2000)
    provider_note: str | None = Field(
        default=None, max_length=2000, description="Why the provider was not told the result"
    )
    provider_informed_at: datetime | None = Field(default=None, sa_column=_ts())
    next_due_on: date | None = None
    skipped_due_dates: list[str] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False, server_default="[]"),
        description="Dates of the rhythm that passed while this round was late (ISO dates)",
    )
    overdue_notified_at: datetime | None = Field(default=None, sa_column=_ts())
    revision: int = Field(default=0, description="Bumped by every change; keys cached views")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))


class RoundTransition(TenantOwned, table=True):
    """One step in a round's history: who moved it, when, why."""

    __tablename__ = "round_transition"
    __table_args__ = (
        tenant_key(),
        tenant_reference("round_id", "scoring_round", ondelete="CASCADE"),
        tenant_index("ix_round_transition_round_id", "round_id"),
    )

    round_id: int
    event: str = Field(max_length=32)
    from_state: RoundState = Field(sa_type=enum_type(RoundState, 32))
    to_state: RoundState = Field(sa_type=enum_type(RoundState, 32))
    actor_id: str = Field(max_length=64)
    actor_label: str = Field(max_length=200)
    reason: str | None = Field(default=None, max_length=2000)
    occurred_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))


class Language(StrEnum):
    DA = "da"
    EN = "en"


class Informant(TenantOwned, table=True):
    """Someone who knows the child and scores in the round, reached by a personal link."""

    __table_args__ = (
        tenant_key(),
        tenant_reference("round_id", "scoring_round", ondelete="CASCADE"),
        tenant_reference("staff_user_id", "staff_user"),
        tenant_index("ix_informant_round_id", "round_id"),
        # Global: a personal link is looked up before its municipality is known.
        Index("ix_informant_token_hash", "token_hash", unique=True),
    )

    round_id: int
    role: InformantRole = Field(sa_type=enum_type(InformantRole, 32))
    step: InformantStep = Field(sa_type=enum_type(InformantStep, 16))
    name: str = Field(max_length=120)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=20)
    language: Language = Field(default=Language.DA, sa_type=enum_type(Language, 2))
    staff_user_id: int | None = None
    token_hash: str | None = Field(default=None, max_length=64)
    token_issued_at: datetime | None = Field(default=None, sa_column=_ts())
    token_expires_at: datetime | None = Field(default=None, sa_column=_ts())
    token_revoked_at: datetime | None = Field(default=None, sa_column=_ts())
    first_opened_at: datetime | None = Field(default=None, sa_column=_ts())
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))


class Attendance(TenantOwned, table=True):
    """Who was there at a gathering of the procedure: the meeting of trin 2, the family
    dialogue of trin 3 (fremmøde). Three states: present, absent, or not recorded (NULL) until
    the caseworker says which; nobody is taken to have come without the caseworker's word."""

    __table_args__ = (
        tenant_key(),
        UniqueConstraint("municipality_id", "round_id", "informant_id", "gathering"),
        tenant_reference("round_id", "scoring_round", ondelete="CASCADE"),
        tenant_reference("informant_id", "informant", ondelete="CASCADE"),
        tenant_reference("recorded_by_id", "staff_user"),
        tenant_index("ix_attendance_informant_id", "informant_id"),
    )

    round_id: int
    informant_id: int
    gathering: Gathering = Field(sa_type=enum_type(Gathering, 16))
    present: bool | None = Field(default=None, description="None: not recorded")
    recorded_by_id: int | None = Field(default=None, description="None: not recorded by anyone")
    recorded_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))


class NotHeard(TenantOwned, table=True):
    """Why a member of the family did not score in the round, recorded by the caseworker per
    person (barnets/forældrenes stemme ikke givet): the family's step ends only when each of
    them has scored or has one of these. `informant_id` is None for a child who is not an
    informant of the round: the child is owed a voice all the same (Barnets Lov § 5)."""

    __tablename__ = "not_heard"
    __table_args__ = (
        tenant_key(),
        tenant_reference("round_id", "scoring_round", ondelete="CASCADE"),
        tenant_reference("informant_id", "informant", ondelete="CASCADE"),
        tenant_reference("recorded_by_id", "staff_user"),
        tenant_index("ix_not_heard_round_id", "round_id"),
        tenant_index("ix_not_heard_informant_id", "informant_id"),
    )

    round_id: int
    role: InformantRole = Field(sa_type=enum_type(InformantRole, 32))
    informant_id: int | None = None
    reason: NotHeardReason = Field(sa_type=enum_type(NotHeardReason, 32))
    note: str = Field(max_length=2000, description="What the caseworker did instead, and why")
    recorded_by_id: int | None = None
    recorded_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))


class SubmissionStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class AnswerChannel(StrEnum):
    """How the caseworker received the answers she entered on an informant's behalf
    (modtaget pr. telefon, på papir, ved et møde)."""

    PHONE = "phone"
    PAPER = "paper"
    IN_PERSON = "in_person"


class Submission(TenantOwned, table=True):
    """An informant's scores for the round: a draft until submitted, then final."""

    __table_args__ = (
        tenant_key(),
        UniqueConstraint("municipality_id", "informant_id"),
        tenant_reference("round_id", "scoring_round", ondelete="CASCADE"),
        tenant_reference("informant_id", "informant", ondelete="CASCADE"),
        tenant_reference("entered_by_id", "staff_user"),
        tenant_index("ix_submission_round_id", "round_id"),
    )

    round_id: int
    informant_id: int
    status: SubmissionStatus = Field(sa_type=enum_type(SubmissionStatus, 16))
    entered_by_id: int | None = Field(default=None, description="Staff who entered it on behalf")
    received_via: AnswerChannel | None = Field(
        default=None,
        sa_type=enum_type(AnswerChannel, 16),
        description="How answers entered on an informant's behalf were received",
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))
    submitted_at: datetime | None = Field(default=None, sa_column=_ts())


class SubmissionScore(TenantOwned, table=True):
    """One factor of a submission: a score or 'cannot assess', a comment, a proposed goal."""

    __tablename__ = "submission_score"
    __table_args__ = (
        tenant_key(),
        UniqueConstraint("municipality_id", "submission_id", "factor_id"),
        tenant_reference("submission_id", "submission", ondelete="CASCADE"),
    )

    submission_id: int
    factor_id: int = Field(foreign_key="instrument_factor.id")
    score: int | None = None
    cannot_assess: bool = False
    goal: int | None = None
    comment: str = Field(default="", max_length=2000)


class OfficialScore(TenantOwned, table=True):
    """The official score and goal of a factor, set by the caseworker (final say)."""

    __tablename__ = "official_score"
    __table_args__ = (
        tenant_key(),
        UniqueConstraint("municipality_id", "round_id", "factor_id"),
        tenant_reference("round_id", "scoring_round", ondelete="CASCADE"),
        tenant_reference("set_by_id", "staff_user"),
    )

    round_id: int
    factor_id: int = Field(foreign_key="instrument_factor.id")
    score: int | None = None
    goal: int | None = None
    rationale: str = Field(default="", max_length=4000)
    not_assessed_reason: str = Field(default="", max_length=2000)
    set_by_id: int
    substitute_reason: str | None = Field(
        default=None,
        max_length=2000,
        description="Set by the team leader as the caseworker's substitute, and why",
    )
    set_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))


class OfficialScoreAmendment(TenantOwned, table=True):
    """A correction of a completed round's official score; keeps the values it replaced."""

    __tablename__ = "official_score_amendment"
    __table_args__ = (
        tenant_key(),
        tenant_reference("round_id", "scoring_round", ondelete="CASCADE"),
        tenant_reference("official_score_id", "official_score"),
        tenant_reference("amended_by_id", "staff_user"),
        tenant_index("ix_official_score_amendment_round_id", "round_id"),
        tenant_index("ix_official_score_amendment_official_score_id", "official_score_id"),
    )

    round_id: int
    official_score_id: int
    factor_id: int = Field(foreign_key="instrument_factor.id")
    previous_score: int | None
    previous_goal: int | None
    previous_rationale: str = Field(max_length=4000)
    previous_not_assessed_reason: str = Field(max_length=2000)
    score: int | None
    goal: int | None
    rationale: str = Field(max_length=4000)
    not_assessed_reason: str = Field(default="", max_length=2000)
    reason: str = Field(max_length=2000)
    amended_by_id: int
    substitute_reason: str | None = Field(default=None, max_length=2000)
    amended_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))


class DisagreementNote(TenantOwned, table=True):
    """An informant's differing score or proposed goal, kept beside the official one (notat)."""

    __tablename__ = "disagreement_note"
    __table_args__ = (
        tenant_key(),
        tenant_reference("round_id", "scoring_round", ondelete="CASCADE"),
        tenant_reference("informant_id", "informant"),
        tenant_index("ix_disagreement_note_round_id", "round_id"),
        tenant_index("ix_disagreement_note_informant_id", "informant_id"),
    )

    round_id: int
    factor_id: int = Field(foreign_key="instrument_factor.id")
    informant_id: int
    informant_role: InformantRole = Field(sa_type=enum_type(InformantRole, 32))
    informant_name: str = Field(max_length=120)
    step: InformantStep = Field(sa_type=enum_type(InformantStep, 16))
    informant_score: int
    informant_goal: int | None
    informant_comment: str = Field(default="", max_length=2000)
    official_score: int | None
    official_goal: int | None
    score_differs: bool = Field(default=True, description="The informant's score differs")
    goal_differs: bool = Field(default=False, description="The proposed goal differs")
    note: str = Field(default="", max_length=4000, description="What was said about it")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))
    superseded_at: datetime | None = Field(default=None, sa_column=_ts())


class FactorOutcome(TenantOwned, table=True):
    """Goal attainment for one factor, against the previous completed round."""

    __tablename__ = "factor_outcome"
    __table_args__ = (
        tenant_key(),
        UniqueConstraint("municipality_id", "round_id", "factor_id"),
        tenant_reference("round_id", "scoring_round", ondelete="CASCADE"),
        # The outcome goes with the round it was measured against. That round can only go
        # with the rounds measured against it (scoring_round.previous_round_id holds it
        # until then), so this takes nothing its own round's cascade would not; without it,
        # PostgreSQL checks the reference of a case's first round as it reaches that row,
        # before the cascade of the follow-up round has taken the follow-up's outcomes, and
        # the erasure of the case fails.
        tenant_reference("previous_round_id", "scoring_round", ondelete="CASCADE"),
        tenant_index("ix_factor_outcome_previous_round_id", "previous_round_id"),
    )

    round_id: int
    factor_id: int = Field(foreign_key="instrument_factor.id")
    previous_round_id: int | None = None
    previous_factor_keys: list[str] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False),
        description="The previous round's factors it was measured against",
    )
    previous_score: int | None = None  # on this round's scale
    previous_goal: int | None = None
    score: int | None = None
    outcome: Outcome | None = Field(default=None, sa_type=enum_type(Outcome, 32))
    no_outcome: NoOutcome | None = Field(default=None, sa_type=enum_type(NoOutcome, 32))
