"""Use cases for cases (the child), their measures and the municipality's providers.

Who sees a case: its caseworker; the team leader of the case's team; the administrator;
an integrator client with the scope `cases:read`. Anyone else gets 404, as if it did not exist.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum

from sqlalchemy import ColumnElement, bindparam, false, func, true
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from service.auth.actor import Actor
from service.clock import LOCAL_TIME
from service.errors import Conflict, Forbidden, NotFound, Unprocessable
from service.models.base import utcnow
from service.models.case import (
    CATEGORIES,
    PARAGRAPHS,
    Case,
    CaseStatus,
    Measure,
    MeasureCategory,
    MeasureType,
    Provider,
)
from service.models.staff import Scope, StaffRole, StaffUser
from service.schemas.cases import (
    CaseCreate,
    CaseUpdate,
    CaseUpsert,
    MeasureCreate,
    MeasureUpdate,
    ProviderCreate,
)
from service.schemas.common import PageParams
from service.usecases.data_rights import audit


class CaseVisibility(Enum):
    """Which of the municipality's cases an actor sees."""

    ALL = "all"  # administrators, integrator clients with cases:read
    OWN = "own"  # a caseworker: the cases they are caseworker on
    TEAM = "team"  # a team leader: the cases of their team

    def clause(self, viewer: int | None) -> ColumnElement[bool]:
        """As a WHERE clause, for `viewer` (see `case_visibility`)."""
        if self is not CaseVisibility.ALL and viewer is None:
            return false()
        return self._compare(viewer)

    def parameterized(self) -> ColumnElement[bool]:
        """The same, for statements built once: the viewer is the bound parameter `viewer`
        (no row matches a missing one)."""
        return self._compare(bindparam("viewer"))

    def _compare(self, viewer: object) -> ColumnElement[bool]:
        if self is CaseVisibility.ALL:
            return true()
        column = Case.caseworker_id if self is CaseVisibility.OWN else Case.team_id
        return col(column) == viewer


def case_visibility(actor: Actor) -> tuple[CaseVisibility, int | None]:
    """Which cases `actor` may see, and as whom (their id, or their team's)."""
    if actor.is_client:
        actor.require_scope(Scope.CASES_READ)
        return CaseVisibility.ALL, None
    if actor.role is StaffRole.CASEWORKER:
        return CaseVisibility.OWN, actor.id
    if actor.role is StaffRole.TEAM_LEADER:
        return CaseVisibility.TEAM, actor.team_id
    return CaseVisibility.ALL, None


def visible_cases(actor: Actor) -> ColumnElement[bool]:
    """The cases `actor` may see, as a WHERE clause (the municipality is already scoped)."""
    visibility, viewer = case_visibility(actor)
    return visibility.clause(viewer)


def _require_case_writer(actor: Actor) -> None:
    if actor.is_client:
        actor.require_scope(Scope.CASES_WRITE)


def load_case(session: Session, actor: Actor, case_id: int, *, for_update: bool = False) -> Case:
    query = select(Case).where(Case.id == case_id, visible_cases(actor))
    if for_update:
        query = query.with_for_update()
    case = session.exec(query).first()
    if case is None:
        raise NotFound(f"Case {case_id} not found.", code="case_not_found")
    return case


def get_case(session: Session, actor: Actor, case_id: int) -> Case:
    case = load_case(session, actor, case_id)
    audit.record(session, actor, "case.read", "case", case_id, case_id=case_id)
    return case


def list_cases(
    session: Session,
    actor: Actor,
    page: PageParams,
    *,
    status: CaseStatus | None = None,
    caseworker_id: int | None = None,
    external_ref: str | None = None,
) -> tuple[list[Case], int]:
    query = select(Case).where(visible_cases(actor))
    if status is not None:
        query = query.where(Case.status == status)
    if caseworker_id is not None:
        query = query.where(Case.caseworker_id == caseworker_id)
    if external_ref is not None:
        query = query.where(Case.external_ref == external_ref)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = list(
        session.exec(
            query.order_by(col(Case.display_name), col(Case.id))
            .offset(page.offset)
            .limit(page.limit)
        ).all()
    )
    audit.record(
        session, actor, "case.list", "case", "*", detail={"case_ids": [c.id for c in rows]}
    )
    return rows, total


def _resolve_caseworker(session: Session, actor: Actor, caseworker_id: int | None) -> StaffUser:
    """The responsible caseworker; a caseworker may only assign cases to themself."""
    if caseworker_id is None:
        if actor.role is not StaffRole.CASEWORKER:
            raise Unprocessable(
                "Give caseworker_id: the responsible caseworker.", code="caseworker_required"
            )
        caseworker_id = actor.id
    if actor.role is StaffRole.CASEWORKER and caseworker_id != actor.id:
        raise Forbidden("A caseworker can only assign cases to themself; ask your team leader.")
    user = session.get(StaffUser, caseworker_id)
    if user is None:
        raise Unprocessable(f"Staff user {caseworker_id} not found.", code="caseworker_invalid")
    if not user.is_active or user.role is StaffRole.ADMINISTRATOR:
        # The person exists, but what they are now does not allow it.
        raise Conflict(
            f"Staff user {caseworker_id} is not an active caseworker or team leader.",
            code="caseworker_invalid",
        )
    if actor.role is StaffRole.TEAM_LEADER and user.team_id != actor.team_id:
        raise Forbidden("A team leader assigns cases within the team.")
    return user


def check_born(birth_date: date | None, birth_year: int | None, now: datetime) -> None:
    """A child is born by the service's today (in Danish time): a birth date or year ahead
    of it is refused as a field error, like the schema's own."""
    today = now.astimezone(LOCAL_TIME).date()
    errors = []
    if birth_date is not None and birth_date > today:
        errors.append(
            {
                "loc": ["body", "birth_date"],
                "msg": f"birth_date cannot be in the future (today is {today.isoformat()})",
                "type": "birth_in_future",
            }
        )
    if birth_year is not None and birth_year > today.year:
        errors.append(
            {
                "loc": ["body", "birth_year"],
                "msg": f"birth_year cannot be in the future (this is {today.year})",
                "type": "birth_in_future",
            }
        )
    if errors:
        raise Unprocessable(
            "; ".join(str(e["msg"]) for e in errors), code="validation_failed", errors=errors
        )


def _birth_year(birth_date: date | None, birth_year: int | None) -> int:
    if birth_date is not None:
        return birth_date.year
    assert birth_year is not None
    return birth_year


def create_case(session: Session, actor: Actor, data: CaseCreate, now: datetime) -> Case:
    _require_case_writer(actor)
    check_born(data.birth_date, data.birth_year, now)
    caseworker = _resolve_caseworker(session, actor, data.caseworker_id)
    if session.exec(select(Case.id).where(Case.external_ref == data.external_ref)).first():
        raise Conflict(
            f"A case with external reference {data.external_ref!r} exists; "
            "use PUT /cases/by-ref/{external_ref} to create or update idempotently.",
            code="case_exists",
        )
    case = Case(
        municipality_id=actor.municipality_id,
        external_ref=data.external_ref,
        display_name=data.display_name,
        birth_date=data.birth_date,
        birth_year=_birth_year(data.birth_date, data.birth_year),
        caseworker_id=caseworker.id or 0,
        team_id=caseworker.team_id,
        status=CaseStatus.ACTIVE,
    )
    session.add(case)
    session.flush()
    audit.record(session, actor, "case.create", "case", case.id or 0, case_id=case.id)
    return case


def upsert_case(
    session: Session, actor: Actor, external_ref: str, data: CaseUpsert, now: datetime
) -> tuple[Case, bool]:
    """Create the case with this external reference, or bring it up to date; True if created."""
    _require_case_writer(actor)
    check_born(data.birth_date, data.birth_year, now)
    caseworker = _resolve_caseworker(session, actor, data.caseworker_id)
    fields: dict[str, object] = {
        "display_name": data.display_name,
        "birth_date": data.birth_date,
        "birth_year": _birth_year(data.birth_date, data.birth_year),
        "caseworker_id": caseworker.id,
        "team_id": caseworker.team_id,
        "status": data.status,
    }
    existing = session.exec(
        select(Case).where(Case.external_ref == external_ref).with_for_update()
    ).first()
    if existing is None:
        case = Case.model_validate(
            {"municipality_id": actor.municipality_id, "external_ref": external_ref, **fields}
        )
        try:
            with session.begin_nested():
                session.add(case)
        except IntegrityError:
            # A concurrent request created it first: update that one instead.
            existing = session.exec(select(Case).where(Case.external_ref == external_ref)).one()
        else:
            audit.record(session, actor, "case.create", "case", case.id or 0, case_id=case.id)
            return case, True
    if (
        existing.id is None
        or session.exec(select(Case.id).where(Case.id == existing.id, visible_cases(actor))).first()
        is None
    ):
        raise NotFound(f"Case {external_ref!r} not found.", code="case_not_found")
    changed = {k: v for k, v in fields.items() if getattr(existing, k) != v}
    if changed:
        before = existing.status
        for key, value in changed.items():
            setattr(existing, key, value)
        _note_closing(existing, before)
        existing.updated_at = utcnow()
        session.add(existing)
        audit.record(
            session,
            actor,
            "case.update",
            "case",
            existing.id,
            case_id=existing.id,
            detail={"fields": sorted(changed)},
        )
    return existing, False


def _note_closing(case: Case, before: CaseStatus) -> None:
    """Retention counts from when a case closed; reopening it stops the count."""
    if case.status is not before:
        case.closed_at = utcnow() if case.status is CaseStatus.CLOSED else None


def update_case(
    session: Session, actor: Actor, case_id: int, data: CaseUpdate, now: datetime
) -> Case:
    _require_case_writer(actor)
    check_born(data.birth_date, data.birth_year, now)
    case = load_case(session, actor, case_id, for_update=True)
    changes = data.model_dump(exclude_unset=True)
    for field in ("display_name", "status", "caseworker_id"):
        if field in changes and changes[field] is None:
            raise Unprocessable(f"{field} cannot be null.", code="validation_failed")
    if "caseworker_id" in changes and changes["caseworker_id"] != case.caseworker_id:
        caseworker = _resolve_caseworker(session, actor, changes["caseworker_id"])
        changes["team_id"] = caseworker.team_id
    if "birth_year" in changes and changes["birth_year"] is None:
        del changes["birth_year"]  # the year is always known: null leaves it as it is
    if "birth_date" in changes and changes["birth_date"] is not None:
        changes["birth_year"] = changes["birth_date"].year
    before = case.status
    for key, value in changes.items():
        setattr(case, key, value)
    _note_closing(case, before)
    case.updated_at = utcnow()
    session.add(case)
    audit.record(
        session,
        actor,
        "case.update",
        "case",
        case_id,
        case_id=case_id,
        detail={"fields": sorted(changes)},
    )
    return case


# --- providers --------------------------------------------------------------------------


def list_providers(session: Session, actor: Actor, page: PageParams) -> tuple[list[Provider], int]:
    if actor.is_client:
        actor.require_scope(Scope.CASES_READ)
    total = session.exec(select(func.count()).select_from(Provider)).one()
    rows = session.exec(
        select(Provider).order_by(col(Provider.name)).offset(page.offset).limit(page.limit)
    ).all()
    return list(rows), total


def create_provider(session: Session, actor: Actor, data: ProviderCreate) -> Provider:
    _require_case_writer(actor)
    if session.exec(select(Provider.id).where(Provider.name == data.name)).first():
        raise Conflict(f"A provider named {data.name!r} exists.", code="provider_exists")
    provider = Provider(
        municipality_id=actor.municipality_id,
        name=data.name,
        kind=data.kind,
        email=str(data.email) if data.email else None,
    )
    session.add(provider)
    session.flush()
    audit.record(session, actor, "provider.create", "provider", provider.id or 0)
    return provider


def _check_provider(session: Session, provider_id: int | None) -> None:
    if provider_id is not None and session.get(Provider, provider_id) is None:
        raise Unprocessable(f"Provider {provider_id} not found.", code="provider_not_found")


# --- measures ---------------------------------------------------------------------------


def list_measures(
    session: Session, actor: Actor, case_id: int, page: PageParams
) -> tuple[list[Measure], int]:
    load_case(session, actor, case_id)
    where = col(Measure.case_id) == case_id
    total = session.exec(select(func.count()).select_from(Measure).where(where)).one()
    rows = list(
        session.exec(
            select(Measure)
            .where(where)
            .order_by(col(Measure.start_date), col(Measure.id))
            .offset(page.offset)
            .limit(page.limit)
        ).all()
    )
    audit.record(session, actor, "measure.list", "case", case_id, case_id=case_id)
    return rows, total


def measure_category(kind: MeasureType, given: MeasureCategory | None) -> MeasureCategory:
    """The measure's kind in barnets lov: as given, if the kind of measure can be given under
    it, or the kind's own where it has only one sensible one."""
    allowed, default = CATEGORIES[kind]
    if given is None and default is None:
        raise Unprocessable(
            f"Say under which provision of barnets lov the {kind.value} measure is given "
            "(category): " + ", ".join(f"{c.value} ({PARAGRAPHS[c]})" for c in sorted(allowed)),
            code="category_required",
            allowed=sorted(c.value for c in allowed),
        )
    category = given or default
    assert category is not None
    if category not in allowed:
        raise Unprocessable(
            f"A {kind.value} measure is not given under {PARAGRAPHS[category]}.",
            code="category_not_for_type",
            allowed=sorted(c.value for c in allowed),
        )
    return category


def create_measure(session: Session, actor: Actor, case_id: int, data: MeasureCreate) -> Measure:
    _require_case_writer(actor)
    load_case(session, actor, case_id)
    _check_provider(session, data.provider_id)
    category = measure_category(data.type, data.category)
    measure = Measure(
        municipality_id=actor.municipality_id,
        case_id=case_id,
        **data.model_dump(exclude={"category"}),
        category=category,
    )
    session.add(measure)
    session.flush()
    audit.record(session, actor, "measure.create", "measure", measure.id or 0, case_id=case_id)
    return measure


def update_measure(
    session: Session, actor: Actor, case_id: int, measure_id: int, data: MeasureUpdate
) -> Measure:
    _require_case_writer(actor)
    load_case(session, actor, case_id)
    measure = session.exec(
        select(Measure).where(Measure.id == measure_id, Measure.case_id == case_id)
    ).first()
    if measure is None:
        raise NotFound(f"Measure {measure_id} not found.", code="measure_not_found")
    changes = data.model_dump(exclude_unset=True)
    if "provider_id" in changes:
        _check_provider(session, changes["provider_id"])
    # What is refused here conflicts with what the measure already is (its start, its type).
    if changes.get("end_date") is not None and changes["end_date"] < measure.start_date:
        raise Conflict(
            "end_date cannot be before the measure's start_date.", code="end_before_start"
        )
    if "category" in changes:
        try:
            changes["category"] = measure_category(measure.type, changes["category"])
        except Unprocessable as refused:
            raise Conflict(refused.detail, code=refused.code, **refused.extra) from refused
    # One rhythm: months or weeks; setting one clears the other.
    if changes.get("follow_up_months") is not None:
        changes["follow_up_weeks"] = None
    elif changes.get("follow_up_weeks") is not None:
        changes["follow_up_months"] = None
    for key, value in changes.items():
        setattr(measure, key, "" if key == "description" and value is None else value)
    session.add(measure)
    audit.record(session, actor, "measure.update", "measure", measure_id, case_id=case_id)
    return measure
