"""The municipality's written cadence standard: adopted from a shipped one, edited by an
administrator, read by everyone who plans follow-ups; and the dates it gives a case's next
follow-up (`schedule`)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from service.auth.actor import Actor
from service.errors import NotFound, Unprocessable
from service.models.cadence import CadenceRule, CadenceStandard
from service.models.case import Measure, MeasureCategory, MeasureType
from service.models.staff import Scope, StaffRole
from service.schemas.cadence import (
    CadenceRuleBody,
    CadenceRulePublic,
    CadenceStandardPublic,
    CadenceStandardUpdate,
    IntervalBody,
    IntervalPublic,
    ShippedKey,
)
from service.usecases.data_rights import audit
from service.workflow import cadence_standards as cs
from service.workflow.cadence import Interval


def _interval_public(interval: Interval | None) -> IntervalPublic | None:
    if interval is None:
        return None
    return IntervalPublic(months=interval.months or None, weeks=interval.weeks or None)


def _rule_public(rule: cs.Rule) -> CadenceRulePublic:
    first = _interval_public(rule.standard.first)
    every = _interval_public(rule.standard.every)
    assert first is not None and every is not None
    return CadenceRulePublic(
        category=MeasureCategory(rule.category) if rule.category else None,
        measure_type=MeasureType(rule.measure_type) if rule.measure_type else None,
        intensive=rule.intensive,
        first=first,
        every=every,
        after_first_year=_interval_public(rule.standard.after_first_year),
    )


def rule_of(row: CadenceRule) -> cs.Rule:
    later = (
        Interval(months=row.later_months, weeks=row.later_weeks)
        if row.later_months or row.later_weeks
        else None
    )
    return cs.Rule(
        cs.Standard(
            Interval(months=row.first_months, weeks=row.first_weeks),
            Interval(months=row.every_months, weeks=row.every_weeks),
            later,
        ),
        category=row.category.value if row.category else None,
        measure_type=row.measure_type.value if row.measure_type else None,
        intensive=row.intensive,
    )


def shipped_public() -> list[CadenceStandardPublic]:
    """The standards the service ships, to adopt."""
    return [
        CadenceStandardPublic(
            name=s.name,
            based_on=s.key,
            adopted_at=None,
            updated_at=None,
            rules=[_rule_public(r) for r in s.rules],
        )
        for s in cs.shipped()
    ]


def _require_reader(actor: Actor) -> None:
    if actor.is_client:
        actor.require_scope(Scope.CASES_READ)


def _current(session: Session, municipality_id: int) -> CadenceStandard | None:
    return session.exec(
        select(CadenceStandard).where(CadenceStandard.municipality_id == municipality_id)
    ).first()


def rules(session: Session, municipality_id: int) -> list[cs.Rule]:
    """The municipality's standard's rules, in order; none without a standard."""
    rows = session.exec(
        select(CadenceRule)
        .where(CadenceRule.municipality_id == municipality_id)
        .order_by(col(CadenceRule.position), col(CadenceRule.id))
    ).all()
    return [rule_of(r) for r in rows]


def public(session: Session, standard: CadenceStandard) -> CadenceStandardPublic:
    return CadenceStandardPublic(
        name=standard.name,
        based_on=standard.based_on,
        adopted_at=standard.adopted_at,
        updated_at=standard.updated_at,
        rules=[_rule_public(r) for r in rules(session, standard.municipality_id)],
    )


def get_standard(session: Session, actor: Actor) -> CadenceStandard:
    _require_reader(actor)
    standard = _current(session, actor.municipality_id)
    if standard is None:
        raise NotFound(
            "The municipality has adopted no cadence standard; the procedure's interval applies.",
            code="cadence_standard_not_adopted",
        )
    return standard


def _interval_columns(prefix: str, interval: Interval | None) -> dict[str, int]:
    return {
        f"{prefix}_months": interval.months if interval else 0,
        f"{prefix}_weeks": interval.weeks if interval else 0,
    }


def _replace_rules(session: Session, standard: CadenceStandard, new: list[cs.Rule]) -> None:
    session.execute(delete(CadenceRule).where(col(CadenceRule.standard_id) == standard.id))
    for position, rule in enumerate(new):
        session.add(
            CadenceRule(
                municipality_id=standard.municipality_id,
                standard_id=standard.id or 0,
                position=position,
                category=MeasureCategory(rule.category) if rule.category else None,
                measure_type=MeasureType(rule.measure_type) if rule.measure_type else None,
                intensive=rule.intensive,
                **_interval_columns("first", rule.standard.first),
                **_interval_columns("every", rule.standard.every),
                **_interval_columns("later", rule.standard.after_first_year),
            )
        )


def adopt(session: Session, actor: Actor, key: ShippedKey, now: datetime) -> CadenceStandard:
    """An administrator adopts a shipped standard: copied into the municipality (replacing
    its own), to edit as it likes."""
    actor.require_role(StaffRole.ADMINISTRATOR)
    [source] = [s for s in cs.shipped() if s.key == key.value]
    standard = _current(session, actor.municipality_id)
    if standard is None:
        standard = CadenceStandard(municipality_id=actor.municipality_id, name=source.name)
    standard.name, standard.based_on = source.name, source.key
    standard.adopted_at = standard.updated_at = now
    session.add(standard)
    session.flush()
    _replace_rules(session, standard, list(source.rules))
    audit.record(
        session,
        actor,
        "cadence_standard.adopt",
        "cadence_standard",
        standard.id or 0,
        detail={"based_on": source.key},
    )
    return standard


def _interval(body: IntervalBody | None) -> Interval | None:
    if body is None:
        return None
    return Interval(months=body.months or 0, weeks=body.weeks or 0)


def _rule(body: CadenceRuleBody) -> cs.Rule:
    first, every = _interval(body.first), _interval(body.every)
    assert first is not None and every is not None
    return cs.Rule(
        cs.Standard(first, every, _interval(body.after_first_year)),
        category=body.category.value if body.category else None,
        measure_type=body.measure_type.value if body.measure_type else None,
        intensive=body.intensive,
    )


def _refuse_repeats(new: list[cs.Rule]) -> None:
    repeated = cs.repeated_rules(new)
    if repeated:
        raise Unprocessable(
            "A rule names the same measures as an earlier one, which is always followed before it.",
            code="cadence_rule_repeated",
            errors=[
                {
                    "loc": ["body", "rules", position],
                    "msg": "Names the same measures as an earlier rule.",
                    "type": "cadence_rule_repeated",
                }
                for position in repeated
            ],
        )


def update(
    session: Session, actor: Actor, data: CadenceStandardUpdate, now: datetime
) -> CadenceStandard:
    """An administrator renames the standard or replaces its rules."""
    actor.require_role(StaffRole.ADMINISTRATOR)
    standard = get_standard(session, actor)
    if data.name is not None:
        standard.name = data.name
    if data.rules is not None:
        new = [_rule(r) for r in data.rules]
        _refuse_repeats(new)
        _replace_rules(session, standard, new)
    standard.updated_at = now
    session.add(standard)
    audit.record(
        session,
        actor,
        "cadence_standard.update",
        "cadence_standard",
        standard.id or 0,
        detail={"fields": sorted(data.model_dump(exclude_unset=True))},
    )
    return standard


def withdraw(session: Session, actor: Actor) -> None:
    """The municipality returns to the procedure's interval."""
    actor.require_role(StaffRole.ADMINISTRATOR)
    standard = get_standard(session, actor)
    session.execute(delete(CadenceRule).where(col(CadenceRule.standard_id) == standard.id))
    session.delete(standard)
    audit.record(session, actor, "cadence_standard.withdraw", "cadence_standard", standard.id or 0)


def standard_dates(
    session: Session,
    municipality_id: int,
    measures: list[Measure],
    planned: date,
    completed: date | None,
) -> list[date] | None:
    """Where the municipality has a standard and one of `measures` falls under it: the
    standard's dates after `planned` up to the next one after `completed` (the measure whose
    next date comes first decides). None where no standard applies."""
    found = rules(session, municipality_id)
    if not found:
        return None
    best: list[date] | None = None
    for measure in measures:
        rule = cs.rule_for(
            found,
            measure.category.value if measure.category else None,
            measure.type.value,
            measure.intensive,
        )
        if rule is None:
            continue
        dates = cs.dates_after(measure.start_date, rule.standard, planned, completed)
        if dates and (best is None or dates[-1] < best[-1]):
            best = dates
    return best
