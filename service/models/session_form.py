"""Short session forms: the versions of the forms a municipality has loaded as its own, the
standing personal link a young person answers through before or after each session with the
provider (or that the provider reads the series by), and each use of it. Links and answers
belong to the child's case and go with it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field

from service.models.base import UTCDateTime, enum_type
from service.models.tenancy import TenantOwned, tenant_index, tenant_key, tenant_reference
from service.workflow.sessions import LinkHolder, SessionForm, SessionTiming


class SessionFormVersion(TenantOwned, table=True):
    """A pair of session forms a municipality loads as its own (e.g. a licensed instrument):
    both forms' items, words in Danish and English and lines. Never changed once loaded: links
    made with it, and their answers, keep it. At most one is current; none means the shipped
    forms."""

    __tablename__ = "session_form_version"
    __table_args__ = (
        tenant_key(),
        UniqueConstraint("municipality_id", "version"),
    )

    version: int = Field(description="1, 2, ... within the municipality")
    name: str = Field(max_length=120, description="What the municipality calls the pair")
    forms: dict[str, Any] = Field(
        sa_column=Column(JSON, nullable=False),
        description="Per form (outcome, alliance): title, items with words, the line and its ends",
    )
    current: bool = Field(default=False, description="Stamped on the links made from now on")
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    created_by: str = Field(max_length=64, description="staff:<id> or client:<id>")
    created_by_label: str = Field(max_length=200)


class SessionLink(TenantOwned, table=True):
    """A standing personal link (stående link) for one child and measure: valid while the
    measure runs, until revoked. Only its keyed hash is kept."""

    __tablename__ = "session_link"
    __table_args__ = (
        tenant_key(),
        tenant_reference("case_id", "child_case", ondelete="CASCADE"),
        tenant_reference("measure_id", "measure", ondelete="CASCADE"),
        tenant_reference("form_version_id", "session_form_version"),
        tenant_index("ix_session_link_case_id", "case_id"),
        tenant_index("ix_session_link_measure_id", "measure_id"),
        tenant_index("ix_session_link_form_version_id", "form_version_id"),
        # Global: a link is looked up before its municipality is known.
        Index("ix_session_link_token_hash", "token_hash", unique=True),
    )

    case_id: int
    measure_id: int
    holder: LinkHolder = Field(sa_type=enum_type(LinkHolder, 16))
    label: str = Field(max_length=120, description="Who holds it, as the caseworker wrote it")
    token_hash: str = Field(max_length=64)
    key_id: str = Field(max_length=16, description="Which key the hash was made under")
    issued_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    issued_by: str = Field(max_length=64, description="staff:<id> or client:<id>")
    issued_by_label: str = Field(max_length=200)
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    revoked_by: str | None = Field(default=None, max_length=64)
    revoked_by_label: str | None = Field(default=None, max_length=200)
    form_version_id: int | None = Field(
        default=None,
        description="The municipality's own forms current when the link was made; none: the "
        "shipped forms",
    )


class SessionAnswer(TenantOwned, table=True):
    """One use of a standing link: one form's answers for one session (samtale)."""

    __tablename__ = "session_answer"
    __table_args__ = (
        tenant_key(),
        tenant_reference("case_id", "child_case", ondelete="CASCADE"),
        tenant_reference("link_id", "session_link", ondelete="CASCADE"),
        tenant_index("ix_session_answer_case_id", "case_id", "session_date"),
        tenant_index("ix_session_answer_link_id", "link_id"),
        # A form sent twice (a double tap, a retry) is one answer.
        UniqueConstraint("municipality_id", "link_id", "submission_key"),
    )

    case_id: int
    link_id: int
    measure_id: int = Field(description="The measure the link was for")
    session_date: date = Field(description="The session's day, in Danish time")
    form: SessionForm = Field(sa_type=enum_type(SessionForm, 16))
    timing: SessionTiming = Field(sa_type=enum_type(SessionTiming, 16))
    answers: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    submission_key: str = Field(max_length=64)
    recorded_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
