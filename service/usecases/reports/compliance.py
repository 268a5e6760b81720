"""Procedure compliance (procedurefølgning), per team and period: of the completed rounds of
the cases in scope, the share that

- followed the municipality's adopted procedure (`Municipality.procedure`);
- carried every voice the family's step owes (`service.workflow.family_voices`): each family
  informant submitted or has a recorded reason (`not_heard`), and the child is an informant
  or has a reason recorded as not one;
- were held on time: completed within the municipality's `on_time_days` of the due date;
- had their attendance recorded: at least one gathering's attendance, none left unrecorded;
- sent the family its result: a result message in the outbox that is sent or on its way
  (a failed or cancelled one does not count);

and the share that met all five. A row with fewer completed rounds than the municipality's
smallest group shows no figure at all. The rows are disjoint (one team in one period) and
there are no totals, so no hidden row can be worked out from the others. The counts are of
rounds, never per caseworker."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, exists, func, or_, text
from sqlalchemy import case as sql_case
from sqlalchemy import select as sql_select
from sqlmodel import Session, col

from service.auth.actor import Actor
from service.models.base import days_between
from service.models.case import Case
from service.models.municipality import Municipality, Team
from service.models.outbox import DeliveryStatus, MessageKind, OutboxMessage
from service.models.round import (
    Attendance,
    Informant,
    NotHeard,
    ScoringRound,
    Submission,
    SubmissionStatus,
)
from service.models.tenancy import joined_within
from service.schemas.compliance import ComplianceReport, ComplianceRow
from service.schemas.reports import ReportWindow
from service.usecases.reports.completed import completed_in
from service.usecases.reports.groups import GroupBy, PeriodLength, group_key, period_label
from service.usecases.reports.scope import ReportScope, Window, data_use, record_read, report_scope
from service.workflow.procedures import Procedure
from service.workflow.roles import FAMILY, InformantRole

#: The five criteria, in the report's order; then all of them at once.
CRITERIA = ("procedure_followed", "voices_heard", "on_time", "attendance_recorded", "result_sent")


@dataclass(frozen=True, slots=True)
class ComplianceFilter:
    period: PeriodLength = PeriodLength.HALF_YEAR
    start: date | None = None
    end: date | None = None


def _criteria(procedure: Procedure, on_time_days: int) -> list[Any]:
    """Each criterion as a condition on the round (`ScoringRound`), in `CRITERIA`'s order."""
    rid = col(ScoringRound.id)
    # Each subquery names the round's municipality too: the indexes it reads (by round, by
    # informant) are led by the municipality, and the join stays on one shard.
    unheard_member = exists().where(
        joined_within(Informant, ScoringRound, col(Informant.round_id) == rid),
        col(Informant.role).in_([r.value for r in FAMILY]),
        ~exists().where(
            joined_within(Submission, Informant, col(Submission.informant_id) == col(Informant.id)),
            col(Submission.status) == SubmissionStatus.SUBMITTED,
        ),
        ~exists().where(
            joined_within(NotHeard, Informant, col(NotHeard.informant_id) == col(Informant.id))
        ),
    )
    child_owed = or_(
        exists().where(
            joined_within(Informant, ScoringRound, col(Informant.round_id) == rid),
            col(Informant.role) == InformantRole.CHILD.value,
        ),
        exists().where(
            joined_within(NotHeard, ScoringRound, col(NotHeard.round_id) == rid),
            col(NotHeard.role) == InformantRole.CHILD.value,
            col(NotHeard.informant_id).is_(None),
        ),
    )
    attendance = and_(
        exists().where(joined_within(Attendance, ScoringRound, col(Attendance.round_id) == rid)),
        ~exists().where(
            joined_within(Attendance, ScoringRound, col(Attendance.round_id) == rid),
            col(Attendance.present).is_(None),
        ),
    )
    result = exists().where(
        joined_within(OutboxMessage, ScoringRound, col(OutboxMessage.round_id) == rid),
        col(OutboxMessage.kind) == MessageKind.RESULT,
        col(OutboxMessage.status).in_([DeliveryStatus.PENDING.value, DeliveryStatus.SENT.value]),
    )
    on_time = days_between(col(ScoringRound.due_at), col(ScoringRound.completed_at)) <= (
        on_time_days
    )
    return [
        col(ScoringRound.procedure) == procedure.value,
        and_(~unheard_member, child_owed),
        on_time,
        attendance,
        result,
    ]


def compliance_query(
    scope: ReportScope, flt: ComplianceFilter, procedure: Procedure, on_time_days: int
) -> Any:
    """(team id, team name, period key, rounds, one count per criterion, all met)."""
    period = group_key(GroupBy.PERIOD, flt.period).label("period")
    conditions = _criteria(procedure, on_time_days)

    def counted(condition: Any) -> Any:
        return func.sum(sql_case((condition, 1), else_=0))

    return (
        sql_select(
            col(Case.team_id),
            func.min(col(Team.name)),
            period,
            func.count(),
            *(counted(c) for c in conditions),
            counted(and_(*conditions)),
        )
        .select_from(ScoringRound)
        .join(Case, col(Case.id) == col(ScoringRound.case_id))
        .outerjoin(Team, col(Team.id) == col(Case.team_id))
        .where(*completed_in(scope, Window.of(flt.start, flt.end)))
        .group_by(col(Case.team_id), period)
        .order_by(col(Case.team_id), period)
    )


def compliance_rows(session: Session, query: Any) -> list[Any]:
    """The query's rows. PostgreSQL's planner prices its correlated subqueries high enough to
    compile the plan just in time, which takes seconds for a query that runs in a quarter of
    one: the compiler is off for this transaction's statements."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL jit = off"))
    return list(session.execute(query).all())


def compliance_report(session: Session, actor: Actor, flt: ComplianceFilter) -> ComplianceReport:
    scope = report_scope(session, actor)
    municipality = session.get(Municipality, actor.municipality_id)
    assert municipality is not None
    k = scope.min_group_size
    rows = []
    for team_id, team, period, rounds, *counts in compliance_rows(
        session, compliance_query(scope, flt, municipality.procedure, municipality.on_time_days)
    ):
        shown = int(rounds) >= k
        shares = [round(int(n or 0) / int(rounds), 3) if shown else None for n in counts]
        rows.append(
            ComplianceRow(
                team_id=team_id,
                team=str(team or ""),
                period=period_label(int(period), flt.period),
                rounds=int(rounds) if shown else None,
                **dict(zip((*CRITERIA, "all_met"), shares, strict=True)),
            )
        )
    record_read(session, actor, "compliance", {"period": flt.period.value, "scope": scope.label})
    return ComplianceReport(
        scope=scope.label,
        as_of=scope.as_of,
        period=flt.period,
        window=ReportWindow(start=flt.start, end=flt.end),
        min_group_size=k,
        procedure=municipality.procedure,
        on_time_days=municipality.on_time_days,
        rows=rows,
        data_use=data_use(scope, flt.start),
    )
