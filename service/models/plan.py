"""The child's plan (barnets plan; SØM in Kolding): its rows, each serving one or more of the
form's factors, and each row's status as followed at a round (`service.workflow.plan`).

Keyed (municipality_id, id) and referring to the case, the round and the staff by
(municipality_id, x_id), like every table of a municipality; a row goes with its case, and a
status with its row or round (cascade), when a case is erased.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field

from service.models.base import UTCDateTime, enum_type, utcnow
from service.models.tenancy import TenantOwned, tenant_index, tenant_key, tenant_reference
from service.workflow.plan import RowStatus
from service.workflow.roles import InformantRole


class PlanRow(TenantOwned, table=True):
    """One row of the plan: situation, desired solution, means, actor, external resources."""

    __tablename__ = "plan_row"
    __table_args__ = (
        tenant_key(),
        tenant_reference("case_id", "child_case", ondelete="CASCADE"),
        tenant_reference("created_by_id", "staff_user"),
        tenant_reference("ended_by_id", "staff_user"),
        tenant_index("ix_plan_row_case_id", "case_id"),
    )

    case_id: int
    situation: str = Field(max_length=1000, description="Situation: what is the matter")
    desired_solution: str = Field(max_length=1000, description="Ønsket løsning")
    means: str = Field(max_length=1000, description="Midler: what it takes")
    actor_role: InformantRole | None = Field(
        default=None,
        sa_type=enum_type(InformantRole, 32),
        description="The participant's role; None: a named service (PPR, AKT, ...)",
    )
    actor_name: str = Field(max_length=200, description="Aktør: who does it")
    external_resources: str = Field(default="", max_length=1000, description="Eksterne midler")
    factor_keys: list[str] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False),
        description="The factors the row serves, by key in the case's form",
    )
    created_by_id: int | None = None
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    ended_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    ended_by_id: int | None = None
    end_reason: str = Field(default="", max_length=1000)


class PlanRowStatus(TenantOwned, table=True):
    """A row's status at a round, with the caseworker's note (internal: never on a link)."""

    __tablename__ = "plan_row_status"
    __table_args__ = (
        tenant_key(),
        tenant_reference("row_id", "plan_row", ondelete="CASCADE"),
        tenant_reference("round_id", "scoring_round", ondelete="CASCADE"),
        tenant_reference("set_by_id", "staff_user"),
        tenant_index("ix_plan_row_status_row_round", "row_id", "round_id", unique=True),
        tenant_index("ix_plan_row_status_round_id", "round_id"),
    )

    row_id: int
    round_id: int
    status: RowStatus = Field(sa_type=enum_type(RowStatus, 16))
    note: str = Field(default="", max_length=1000)
    set_by_id: int | None = None
    set_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
