"""Schemas for the municipality, its scoring policy, teams, staff and integrator clients."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, EmailStr, Field, StringConstraints

from service.models.municipality import CollectionClose
from service.models.staff import Scope, StaffRole
from service.schemas.common import UNBROKEN, Day, Id, Key, Lax, Name, NotNull, Page, RequestBody
from service.workflow.procedures import Procedure

MunicipalityCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{3}$")]
Username = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_lower=True, min_length=3, max_length=254, pattern=UNBROKEN
    ),
]
Password = Annotated[str, StringConstraints(min_length=12, max_length=200)]


class PolicyPublic(BaseModel):
    """The municipality's adopted scoring policy."""

    procedure: Procedure = Field(description="KL's procedure 1, 2 or 3 (DOMAIN.md §5)")
    first_follow_up_months: int = Field(description="Months from intake to the first follow-up")
    interval_months: int = Field(description="Months between later rounds")
    interval_months_own: bool = Field(
        description="The municipality chose the interval; otherwise it is the procedure's "
        "(KL 1 and 3: 6 months, KL 2: 4) and follows a change of procedure"
    )
    min_group_size: int = Field(description="Smallest group shown in aggregates")
    instruments_in_use: list[str] = Field(description="Instrument keys in use")
    collection_close: CollectionClose = Field(
        description="When the independent step closes by itself; the caseworker can always close it"
    )
    divergence_threshold: int = Field(description="Informants diverge when max - min exceeds it")
    link_grace_days: int = Field(description="Days a personal link works after the due date")
    reminder_days: list[int] = Field(description="Days before the due date that reminders go out")
    auto_open_days: int | None = Field(
        description="Open the next round as a draft this many days before it is due (None: never)"
    )
    retention_years: int = Field(
        description="Years a closed case's data is kept after closing, then erased by the tick"
    )
    contact_retention_days: int = Field(
        description="Days informants' email and phone are kept after their round is over"
    )
    projector_shows_names: bool = Field(
        description="The meeting page's projector mode, seen by the family in the room, shows "
        "the informants' names; false: only their role"
    )
    data_use_statement: str = Field(
        description="Leadership's statement of how the management figures will be used: "
        "what for, at what level they are aggregated and published, and how often (KL)"
    )
    management_from: date | None = Field(
        description="The day from which the figures may be used for management; rounds "
        "completed before it are the implementation period (null: not decided)"
    )
    flag_stalled_rounds: int = Field(
        description="An advisory flag when a factor has shown no progress (no or negative "
        "progression) in this many completed rounds in a row"
    )
    flag_deterioration_points: int = Field(
        description="An advisory flag when a factor's official score is this many points "
        "worse than the status it is measured against"
    )
    flag_divergence_points: int = Field(
        description="An advisory flag when the informants' independent scores of a factor "
        "lie this many points apart"
    )
    flag_child_gap_points: int = Field(
        description="An advisory flag when the child's own score of a factor is this many "
        "points worse than the official one"
    )
    on_time_days: int = Field(
        description="Days after the due date a round may complete and still count as held on "
        "time in the procedure compliance report"
    )


#: The data-use statement: text a person wrote, kept as written (line breaks too).
Statement = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]


class PolicyUpdate(RequestBody):
    procedure: Annotated[Procedure, Lax] | NotNull = None
    first_follow_up_months: Annotated[int, Field(ge=1, le=24)] | NotNull = None
    interval_months: int | None = Field(
        default=None, ge=1, le=24, description="null returns it to the procedure's interval"
    )
    min_group_size: Annotated[int, Field(ge=3, le=100)] | NotNull = None
    instruments_in_use: list[Key] | None = Field(default=None, max_length=50)
    collection_close: Annotated[CollectionClose, Lax] | NotNull = None
    divergence_threshold: Annotated[int, Field(ge=0, le=10)] | NotNull = None
    link_grace_days: Annotated[int, Field(ge=0, le=90)] | NotNull = None
    reminder_days: list[Annotated[int, Field(ge=1, le=60)]] | None = Field(
        default=None, max_length=5
    )
    auto_open_days: int | None = Field(default=None, ge=0, le=90)
    retention_years: Annotated[int, Field(ge=1, le=100)] | NotNull = None
    contact_retention_days: Annotated[int, Field(ge=0, le=3650)] | NotNull = None
    projector_shows_names: bool | NotNull = None
    data_use_statement: Statement | NotNull = None
    management_from: Day | None = Field(default=None, description="null: no day decided yet")
    flag_stalled_rounds: Annotated[int, Field(ge=2, le=6)] | NotNull = None
    flag_deterioration_points: Annotated[int, Field(ge=1, le=10)] | NotNull = None
    flag_divergence_points: Annotated[int, Field(ge=1, le=10)] | NotNull = None
    flag_child_gap_points: Annotated[int, Field(ge=1, le=10)] | NotNull = None
    on_time_days: Annotated[int, Field(ge=0, le=180)] | NotNull = None


class MunicipalityPublic(BaseModel):
    id: int
    name: str
    code: str
    policy: PolicyPublic


class TeamCreate(RequestBody):
    name: Name


class TeamPublic(BaseModel):
    id: int
    name: str


class TeamsPublic(Page[TeamPublic]):
    pass


class StaffCreate(RequestBody):
    username: Username
    full_name: Name
    email: EmailStr
    role: Annotated[StaffRole, Lax]
    team_id: Id | None = None
    password: Password


class StaffUpdate(RequestBody):
    full_name: Name | NotNull = None
    email: EmailStr | NotNull = None
    role: Annotated[StaffRole, Lax] | NotNull = None
    team_id: Id | None = None
    is_active: bool | NotNull = None
    password: Password | NotNull = None


class StaffPublic(BaseModel):
    id: int
    username: str
    full_name: str
    email: str
    role: StaffRole
    team_id: int | None
    is_active: bool
    created_at: datetime


class StaffListPublic(Page[StaffPublic]):
    pass


class ClientCreate(RequestBody):
    name: Name
    scopes: list[Annotated[Scope, Lax]] = Field(min_length=1, max_length=20)


class ClientPublic(BaseModel):
    id: int
    client_id: str
    name: str
    scopes: list[Scope]
    is_active: bool
    created_at: datetime


class ClientCreated(ClientPublic):
    client_secret: str = Field(description="Shown once; store it now, it cannot be read again")


class ClientsPublic(Page[ClientPublic]):
    pass


class MePublic(BaseModel):
    kind: str
    id: int
    name: str
    role: StaffRole | None
    team_id: int | None
    scopes: list[Scope]
    municipality: MunicipalityPublic
