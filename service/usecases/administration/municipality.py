"""Use cases for the municipality's own set-up: policy, teams, staff and integrator clients."""

from __future__ import annotations

import secrets

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from service.auth.actor import Actor
from service.auth.passwords import hash_secret, new_client_secret
from service.errors import Conflict, NotFound, Unprocessable
from service.models.instrument import Instrument, InstrumentStatus
from service.models.municipality import (
    DEFAULT_INTERVAL_MONTHS,
    InstrumentSelection,
    Municipality,
    Team,
)
from service.models.staff import IntegratorClient, Scope, StaffRole, StaffUser
from service.models.tenancy import ALL_MUNICIPALITIES
from service.schemas.common import PageParams
from service.schemas.municipality import (
    ClientCreate,
    MunicipalityPublic,
    PolicyPublic,
    PolicyUpdate,
    StaffCreate,
    StaffUpdate,
    TeamCreate,
)
from service.usecases.data_rights import audit, idempotency
from service.workflow.procedures import Procedure


def get_municipality(session: Session, municipality_id: int) -> Municipality:
    municipality = session.get(Municipality, municipality_id)
    if municipality is None:
        raise NotFound("Municipality not found.")
    return municipality


def public(session: Session, municipality: Municipality) -> MunicipalityPublic:
    keys = sorted(session.exec(select(InstrumentSelection.instrument_key)).all())
    assert municipality.id is not None
    return MunicipalityPublic(
        id=municipality.id,
        name=municipality.name,
        code=municipality.code,
        policy=PolicyPublic(
            procedure=municipality.procedure,
            first_follow_up_months=municipality.first_follow_up_months,
            interval_months=municipality.interval_months,
            interval_months_own=municipality.interval_is_own,
            min_group_size=municipality.min_group_size,
            instruments_in_use=keys,
            collection_close=municipality.collection_close,
            divergence_threshold=municipality.divergence_threshold,
            link_grace_days=municipality.link_grace_days,
            reminder_days=[int(d) for d in municipality.reminder_days.split() if d.isdigit()],
            auto_open_days=municipality.auto_open_days,
            retention_years=municipality.retention_years,
            contact_retention_days=municipality.contact_retention_days,
            projector_shows_names=municipality.projector_shows_names,
            data_use_statement=municipality.data_use_statement,
            management_from=municipality.management_from,
            flag_stalled_rounds=municipality.flag_stalled_rounds,
            flag_deterioration_points=municipality.flag_deterioration_points,
            flag_divergence_points=municipality.flag_divergence_points,
            flag_child_gap_points=municipality.flag_child_gap_points,
            on_time_days=municipality.on_time_days,
        ),
    )


def set_instruments_in_use(session: Session, municipality_id: int, keys: list[str]) -> None:
    published = set(
        session.exec(
            select(Instrument.key).where(
                Instrument.status == InstrumentStatus.PUBLISHED,
                or_(
                    col(Instrument.municipality_id).is_(None),
                    col(Instrument.municipality_id) == municipality_id,
                ),
            )
        ).all()
    )
    unknown = sorted(set(keys) - published)
    if unknown:
        raise Unprocessable(
            "Only published instruments can be put in use; unknown or unpublished: "
            + ", ".join(unknown),
            code="instrument_not_published",
        )
    current = {
        s.instrument_key: s
        for s in session.exec(
            select(InstrumentSelection).where(
                InstrumentSelection.municipality_id == municipality_id
            )
        ).all()
    }
    for key in set(current) - set(keys):
        session.delete(current[key])
    for key in set(keys) - set(current):
        session.add(InstrumentSelection(municipality_id=municipality_id, instrument_key=key))


def update_policy(session: Session, actor: Actor, update: PolicyUpdate) -> Municipality:
    actor.require_role(StaffRole.ADMINISTRATOR)
    municipality = get_municipality(session, actor.municipality_id)
    changes = update.model_dump(exclude_unset=True, exclude={"instruments_in_use"})
    if "reminder_days" in changes:
        days = changes.pop("reminder_days") or []
        if any(not 0 < d <= 60 for d in days):
            raise Unprocessable("Reminder days are between 1 and 60.", code="validation_failed")
        municipality.reminder_days = " ".join(str(d) for d in sorted(set(days), reverse=True))
    if "auto_open_days" in changes:
        municipality.auto_open_days = changes.pop("auto_open_days")
    if "management_from" in changes:
        municipality.management_from = changes.pop("management_from")
    # The interval follows the procedure (KL 2: every four months) unless the municipality
    # chose its own; null returns it to the procedure's.
    if "interval_months" in changes:
        chosen = changes.pop("interval_months")
        municipality.interval_is_own = chosen is not None
        if chosen is not None:
            municipality.interval_months = chosen
    for field, value in changes.items():
        if value is None:
            raise Unprocessable(f"{field} cannot be null.", code="validation_failed")
        setattr(municipality, field, value)
    if not municipality.interval_is_own:
        municipality.interval_months = DEFAULT_INTERVAL_MONTHS[municipality.procedure]
    if update.instruments_in_use is not None:
        set_instruments_in_use(session, actor.municipality_id, update.instruments_in_use)
    session.add(municipality)
    audit.record(
        session,
        actor,
        "municipality.policy.update",
        "municipality",
        actor.municipality_id,
        detail={k: str(v) for k, v in update.model_dump(exclude_unset=True).items()},
    )
    return municipality


def create_municipality(
    session: Session,
    *,
    name: str,
    code: str,
    procedure: Procedure,
    interval_months: int | None = None,
) -> Municipality:
    """Create a tenant (an operator's task, from the command line)."""
    if session.exec(select(Municipality).where(Municipality.code == code)).first():
        raise Conflict(f"A municipality with code {code} exists.")
    municipality = Municipality(
        name=name,
        code=code,
        procedure=procedure,
        interval_months=interval_months or DEFAULT_INTERVAL_MONTHS[procedure],
        interval_is_own=interval_months is not None,
    )
    session.add(municipality)
    session.flush()
    return municipality


# --- teams -----------------------------------------------------------------------------


def list_teams(session: Session, actor: Actor, page: PageParams) -> tuple[list[Team], int]:
    total = session.exec(select(func.count()).select_from(Team)).one()
    rows = session.exec(
        select(Team).order_by(col(Team.name)).offset(page.offset).limit(page.limit)
    ).all()
    return list(rows), total


def create_team(session: Session, actor: Actor, data: TeamCreate) -> Team:
    actor.require_role(StaffRole.ADMINISTRATOR)
    if session.exec(select(Team).where(Team.name == data.name)).first():
        raise Conflict(f"A team named {data.name!r} exists.", code="team_exists")
    team = Team(municipality_id=actor.municipality_id, name=data.name)
    session.add(team)
    session.flush()
    audit.record(session, actor, "team.create", "team", team.id or 0)
    return team


def _require_team(session: Session, team_id: int | None, role: StaffRole) -> None:
    if team_id is None:
        if role is not StaffRole.ADMINISTRATOR:
            raise Unprocessable(
                "Caseworkers and team leaders belong to a team.", code="team_required"
            )
        return
    if session.get(Team, team_id) is None:
        raise Unprocessable(f"Team {team_id} not found.", code="team_not_found")


# --- staff -----------------------------------------------------------------------------


def list_staff(
    session: Session, actor: Actor, page: PageParams, role: StaffRole | None = None
) -> tuple[list[StaffUser], int]:
    if actor.is_client:
        actor.require_scope(Scope.CASES_READ)
    query = select(StaffUser)
    if role is not None:
        query = query.where(StaffUser.role == role)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(StaffUser.full_name)).offset(page.offset).limit(page.limit)
    ).all()
    return list(rows), total


def get_staff(session: Session, actor: Actor, staff_id: int) -> StaffUser:
    user = session.get(StaffUser, staff_id)
    if user is None:
        raise NotFound(f"Staff user {staff_id} not found.")
    return user


def create_staff(
    session: Session,
    actor: Actor | None,
    data: StaffCreate,
    *,
    municipality_id: int,
    is_demo: bool = False,
) -> StaffUser:
    """Create a staff user (by an administrator, or from the command line when `actor` is None)."""
    if actor is not None:
        actor.require_role(StaffRole.ADMINISTRATOR)
    _require_team(session, data.team_id, data.role)
    taken = session.exec(
        select(StaffUser.id)
        .where(StaffUser.username == data.username)
        .execution_options(**ALL_MUNICIPALITIES)
    ).first()
    if taken is not None:
        raise Conflict(f"The username {data.username!r} is taken.", code="username_taken")
    user = StaffUser(
        municipality_id=municipality_id,
        username=data.username,
        full_name=data.full_name,
        email=str(data.email),
        role=data.role,
        team_id=data.team_id,
        password_hash=hash_secret(data.password),
        is_demo=is_demo,
    )
    session.add(user)
    session.flush()
    if actor is not None:
        audit.record(session, actor, "staff.create", "staff_user", user.id or 0)
    return user


def update_staff(session: Session, actor: Actor, staff_id: int, data: StaffUpdate) -> StaffUser:
    actor.require_role(StaffRole.ADMINISTRATOR)
    user = get_staff(session, actor, staff_id)
    changes = data.model_dump(exclude_unset=True)
    password = changes.pop("password", None)
    for field, value in changes.items():
        if value is None and field != "team_id":
            raise Unprocessable(f"{field} cannot be null.", code="validation_failed")
    # Checked before anything changes: a flush of the user with a team that does not exist
    # here (another municipality's, or none at all) must never reach the database.
    _require_team(session, changes.get("team_id", user.team_id), changes.get("role", user.role))
    if password is not None:
        user.password_hash = hash_secret(password)
        user.session_version += 1  # every session of the person ends
    if changes.get("is_active") is False:
        user.session_version += 1
    for field, value in changes.items():
        setattr(user, field, str(value) if field == "email" else value)
    session.add(user)
    audit.record(
        session, actor, "staff.update", "staff_user", staff_id, detail={"fields": sorted(changes)}
    )
    return user


# --- integrator clients ----------------------------------------------------------------


def list_clients(
    session: Session, actor: Actor, page: PageParams
) -> tuple[list[IntegratorClient], int]:
    actor.require_role(StaffRole.ADMINISTRATOR)
    total = session.exec(select(func.count()).select_from(IntegratorClient)).one()
    rows = session.exec(
        select(IntegratorClient)
        .order_by(col(IntegratorClient.name))
        .offset(page.offset)
        .limit(page.limit)
    ).all()
    return list(rows), total


def create_client(
    session: Session,
    actor: Actor | None,
    data: ClientCreate,
    *,
    municipality_id: int,
    client_id: str | None = None,
    client_secret: str | None = None,
    is_demo: bool = False,
) -> tuple[IntegratorClient, str]:
    """Register an integrator client; returns it with its secret, which is shown only once."""
    if actor is not None:
        actor.require_role(StaffRole.ADMINISTRATOR)
    secret = client_secret or new_client_secret()
    client = IntegratorClient(
        municipality_id=municipality_id,
        client_id=client_id or f"kc_{secrets.token_hex(12)}",
        name=data.name,
        secret_hash=hash_secret(secret),
        scopes=" ".join(sorted(s.value for s in data.scopes)),
        is_demo=is_demo,
    )
    session.add(client)
    session.flush()
    if actor is not None:
        audit.record(session, actor, "client.create", "integrator_client", client.id or 0)
    return client, secret


def deactivate_client(session: Session, actor: Actor, client_pk: int) -> IntegratorClient:
    actor.require_role(StaffRole.ADMINISTRATOR)
    client = session.get(IntegratorClient, client_pk)
    if client is None:
        raise NotFound(f"Client {client_pk} not found.")
    client.is_active = False
    session.add(client)
    idempotency.forget(session, idempotency.client(client_pk))  # its secret, as created
    idempotency.forget_caller(session, idempotency.client_caller(client_pk))  # its answers
    audit.record(session, actor, "client.deactivate", "integrator_client", client_pk)
    return client
