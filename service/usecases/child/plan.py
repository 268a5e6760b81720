"""Use cases for the child's plan (barnets plan, Barnets Lov § 91; SØM in Kolding): its rows,
the factors of the case's form they serve with the official goals, and each row's status as
followed at a round (who does what, as the personal links show it: `plan_links`).

Who sees the plan: whoever sees the case. Who writes it: the case's caseworker, the team's
leader, or an integrator with `cases:write`; a status at a round, the round's authority. The
plan's first row makes the plan that the notification's 14 days wait for.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlmodel import Session, col, select

from service.auth.actor import Actor
from service.errors import Conflict, NotFound, Unprocessable
from service.models.instrument import InstrumentFactor
from service.models.plan import PlanRow, PlanRowStatus
from service.models.round import OfficialScore, ScoringRound
from service.schemas.plan import (
    CasePlanPublic,
    PlanFactorPublic,
    PlanRowCreate,
    PlanRowEnd,
    PlanRowPublic,
    PlanRowUpdate,
    PlanStatusPublic,
    PlanStatusWrite,
    RoundPlanPublic,
)
from service.usecases.administration.instruments import PublishedForm, published_form
from service.usecases.child import notifications
from service.usecases.child.cases import load_case
from service.usecases.data_rights import audit
from service.usecases.procedure.rounds import load_round, require_authority
from service.workflow import plan as rules
from service.workflow.states import RoundState


def _rule_broken(error: rules.PlanRule) -> Unprocessable:
    return Unprocessable(
        str(error),
        code="validation_failed",
        errors=[{"loc": ["body", error.field], "msg": str(error), "type": "plan_rule"}],
    )


def _form_round(session: Session, case_id: int) -> ScoringRound | None:
    """The case's newest round that was not cancelled: its form is the plan's."""
    return session.exec(
        select(ScoringRound)
        .where(ScoringRound.case_id == case_id, ScoringRound.state != RoundState.CANCELLED)
        .order_by(col(ScoringRound.created_at).desc(), col(ScoringRound.id).desc())
    ).first()


def _form(session: Session, case_id: int) -> tuple[ScoringRound, PublishedForm]:
    rnd = _form_round(session, case_id)
    if rnd is None:
        raise Conflict(
            "The plan's rows serve the factors of the case's form: open the first round first.",
            code="plan_needs_round",
        )
    return rnd, published_form(session, rnd.instrument_id)


def _rows(session: Session, case_id: int) -> list[PlanRow]:
    """In force first, then the ended ones; each in the order they were made."""
    rows = session.exec(
        select(PlanRow).where(PlanRow.case_id == case_id).order_by(col(PlanRow.id))
    ).all()
    return sorted(rows, key=lambda r: r.ended_at is not None)


def _statuses(session: Session, row_ids: list[int]) -> dict[int, list[PlanRowStatus]]:
    found: dict[int, list[PlanRowStatus]] = defaultdict(list)
    if row_ids:
        for status in session.exec(
            select(PlanRowStatus)
            .where(col(PlanRowStatus.row_id).in_(row_ids))
            .order_by(col(PlanRowStatus.round_id))
        ).all():
            found[status.row_id].append(status)
    return found


def _public(row: PlanRow, statuses: list[PlanRowStatus]) -> PlanRowPublic:
    return PlanRowPublic(
        id=row.id or 0,
        case_id=row.case_id,
        situation=row.situation,
        desired_solution=row.desired_solution,
        means=row.means,
        actor_role=row.actor_role,
        actor_name=row.actor_name,
        external_resources=row.external_resources,
        factor_keys=list(row.factor_keys),
        created_at=row.created_at,
        updated_at=row.updated_at,
        ended_at=row.ended_at,
        end_reason=row.end_reason,
        statuses=[
            PlanStatusPublic(round_id=s.round_id, status=s.status, note=s.note, set_at=s.set_at)
            for s in statuses
        ],
    )


def _goals(
    session: Session, case_id: int, only_round: int | None = None
) -> dict[str, tuple[int | None, int | None, int]]:
    """Per factor key: the official (score, goal, round) of the newest round that set one,
    or of `only_round`."""
    query = (
        select(OfficialScore, InstrumentFactor.key)
        .join(ScoringRound, col(ScoringRound.id) == col(OfficialScore.round_id))
        .join(InstrumentFactor, col(InstrumentFactor.id) == col(OfficialScore.factor_id))
        .where(ScoringRound.case_id == case_id, ScoringRound.state != RoundState.CANCELLED)
        .order_by(col(ScoringRound.created_at).desc(), col(ScoringRound.id).desc())
    )
    if only_round is not None:
        query = query.where(OfficialScore.round_id == only_round)
    goals: dict[str, tuple[int | None, int | None, int]] = {}
    for official, key in session.exec(query).all():
        goals.setdefault(key, (official.score, official.goal, official.round_id))
    return goals


def _factors(
    form: PublishedForm,
    rows: list[PlanRow],
    goals: dict[str, tuple[int | None, int | None, int]],
) -> list[PlanFactorPublic]:
    """Every factor of the form with its goal and which of `rows` serve it."""
    served = {
        found.factor_key: [r.id or 0 for r in found.rows]
        for found in rules.by_factor(
            [f.key for f in form.factors], [(r.factor_keys, r) for r in rows]
        )
    }
    factors = []
    for factor in form.factors:
        score, goal, round_id = goals.get(factor.key, (None, None, None))
        factors.append(
            PlanFactorPublic(
                factor_key=factor.key,
                name_da=factor.name_da,
                name_en=factor.name_en,
                score=score,
                goal=goal,
                goal_round_id=round_id,
                row_ids=served.get(factor.key, []),
            )
        )
    return factors


def case_plan(session: Session, actor: Actor, case_id: int) -> CasePlanPublic:
    """The plan: the form's factors with their official goals and the rows that serve them."""
    load_case(session, actor, case_id)
    rnd = _form_round(session, case_id)
    rows = _rows(session, case_id)
    statuses = _statuses(session, [r.id or 0 for r in rows])
    factors = (
        _factors(
            published_form(session, rnd.instrument_id),
            [r for r in rows if r.ended_at is None],
            _goals(session, case_id),
        )
        if rnd
        else []
    )
    audit.record(session, actor, "plan.read", "case", case_id, case_id=case_id)
    return CasePlanPublic(
        case_id=case_id,
        form_round_id=rnd.id if rnd else None,
        factors=factors,
        rows=[_public(r, statuses.get(r.id or 0, [])) for r in rows],
    )


def round_plan(session: Session, actor: Actor, round_id: int) -> RoundPlanPublic:
    """The plan as the round follows it: the round's own goals and the rows in force at it."""
    rnd, case, _ = load_round(session, actor, round_id)
    audit.record(session, actor, "plan.round.read", "round", round_id, case_id=case.id)
    return plan_at(session, rnd)


def plan_at(session: Session, rnd: ScoringRound) -> RoundPlanPublic:
    """The round's view of its case's plan, for its page (the caller has loaded the round)."""
    rows = [
        r for r in _rows(session, rnd.case_id) if r.ended_at is None or r.ended_at >= rnd.created_at
    ]
    statuses = _statuses(session, [r.id or 0 for r in rows])
    form = published_form(session, rnd.instrument_id)
    return RoundPlanPublic(
        round_id=rnd.id or 0,
        case_id=rnd.case_id,
        # The rows the round follows are those in force while it ran, ended since or not.
        factors=_factors(form, rows, _goals(session, rnd.case_id, rnd.id)),
        rows=[_public(r, statuses.get(r.id or 0, [])) for r in rows],
    )


def _load_row(session: Session, case_id: int, row_id: int) -> PlanRow:
    row = session.exec(
        select(PlanRow).where(PlanRow.id == row_id, PlanRow.case_id == case_id)
    ).first()
    if row is None:
        raise NotFound(f"Plan row {row_id} not found.", code="plan_row_not_found")
    return row


def _require_open(row: PlanRow) -> None:
    if row.ended_at is not None:
        raise Conflict(
            f"Plan row {row.id} is ended: it stays as it was.",
            code="plan_row_ended",
            row_id=row.id,
        )


def add_row(
    session: Session, actor: Actor, case_id: int, body: PlanRowCreate, now: datetime
) -> PlanRowPublic:
    case = load_case(session, actor, case_id, for_update=True)
    notifications.require_writer(actor, case)
    _, form = _form(session, case_id)
    try:
        keys = rules.check_factors(body.factor_keys, [f.key for f in form.factors])
    except rules.PlanRule as error:
        raise _rule_broken(error) from None
    first = session.exec(select(PlanRow.id).where(PlanRow.case_id == case_id)).first() is None
    row = PlanRow(
        municipality_id=case.municipality_id,
        case_id=case_id,
        situation=body.situation,
        desired_solution=body.desired_solution,
        means=body.means,
        actor_role=body.actor_role,
        actor_name=body.actor_name,
        external_resources=body.external_resources,
        factor_keys=keys,
        created_by_id=actor.id if actor.is_staff else None,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    if first:
        notifications.mark_plan_made(session, case_id, now)
    audit.record(
        session,
        actor,
        "plan.row.create",
        "plan_row",
        row.id or 0,
        case_id=case_id,
        detail={"factor_keys": keys},
    )
    return _public(row, [])


def update_row(
    session: Session, actor: Actor, case_id: int, row_id: int, body: PlanRowUpdate, now: datetime
) -> PlanRowPublic:
    case = load_case(session, actor, case_id, for_update=True)
    notifications.require_writer(actor, case)
    row = _load_row(session, case_id, row_id)
    _require_open(row)
    changes = body.model_dump(exclude_unset=True)
    for field in ("situation", "desired_solution", "means", "actor_name", "external_resources"):
        if changes.get(field, "") is None:
            del changes[field]  # null leaves it as it is
    if changes.get("factor_keys", "") is None:
        del changes["factor_keys"]
    if "factor_keys" in changes:
        _, form = _form(session, case_id)
        try:
            changes["factor_keys"] = rules.check_factors(
                changes["factor_keys"], [f.key for f in form.factors]
            )
        except rules.PlanRule as error:
            raise _rule_broken(error) from None
    for key, value in changes.items():
        setattr(row, key, value)
    row.updated_at = now
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "plan.row.update",
        "plan_row",
        row_id,
        case_id=case_id,
        detail={"fields": sorted(changes)},
    )
    return _public(row, _statuses(session, [row_id]).get(row_id, []))


def end_row(
    session: Session, actor: Actor, case_id: int, row_id: int, body: PlanRowEnd, now: datetime
) -> PlanRowPublic:
    """The row is done with or given up: it leaves the plan in force, and keeps its history."""
    case = load_case(session, actor, case_id, for_update=True)
    notifications.require_writer(actor, case)
    row = _load_row(session, case_id, row_id)
    _require_open(row)
    row.ended_at = now
    row.ended_by_id = actor.id if actor.is_staff else None
    row.end_reason = body.reason
    row.updated_at = now
    session.add(row)
    session.flush()
    audit.record(session, actor, "plan.row.end", "plan_row", row_id, case_id=case_id)
    return _public(row, _statuses(session, [row_id]).get(row_id, []))


def set_status(
    session: Session,
    actor: Actor,
    round_id: int,
    row_id: int,
    body: PlanStatusWrite,
    now: datetime,
) -> PlanRowPublic:
    """The row's status as followed at the round, with the caseworker's note."""
    rnd, case, _ = load_round(session, actor, round_id, lock=True)
    require_authority(actor, case)
    row = _load_row(session, case.id or 0, row_id)
    try:
        rules.can_follow(
            row_ended_at=row.ended_at, round_state=rnd.state, round_created_at=rnd.created_at
        )
    except rules.PlanRule as error:
        raise Conflict(str(error), code="plan_row_not_followed", field=error.field) from None
    status = session.exec(
        select(PlanRowStatus).where(
            PlanRowStatus.row_id == row_id, PlanRowStatus.round_id == round_id
        )
    ).first()
    if status is None:
        status = PlanRowStatus(
            municipality_id=case.municipality_id,
            row_id=row_id,
            round_id=round_id,
            status=body.status,
        )
    status.status = body.status
    status.note = body.note
    status.set_by_id = actor.id if actor.is_staff else None
    status.set_at = now
    session.add(status)
    session.flush()
    audit.record(
        session,
        actor,
        "plan.row.status",
        "plan_row",
        row_id,
        case_id=case.id,
        detail={"round_id": round_id, "status": body.status.value},
    )
    return _public(row, _statuses(session, [row_id]).get(row_id, []))
