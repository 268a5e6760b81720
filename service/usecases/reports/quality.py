"""Data quality beside every figure (VIVE, `001` l.4550-4570): do the children's rounds come
within the cadence, are the factors assessed, do the child and the family score, how many
informants score, do the scores come by the due date, how far apart are the rounds, and which
procedure they followed. Never counts per caseworker."""

from __future__ import annotations

from dateutil.relativedelta import relativedelta
from sqlalchemy import Float, cast, func, or_
from sqlalchemy import case as sql_case
from sqlalchemy import select as sql_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from service.models.base import days_between, utcnow
from service.models.case import Case, CaseStatus, Measure
from service.models.round import (
    Informant,
    OfficialScore,
    ScoringRound,
    Submission,
    SubmissionStatus,
)
from service.schemas.reports import DataQuality
from service.usecases.reports.completed import completed_in
from service.usecases.reports.scope import ReportScope, Window
from service.usecases.reports.tables import suppressed_table
from service.workflow.procedures import Procedure
from service.workflow.roles import FAMILY, InformantRole
from service.workflow.states import RoundState


def _share(part: int | None, whole: int | None) -> float | None:
    return round(part / whole, 3) if part is not None and whole else None


def data_quality(session: Session, scope: ReportScope, window: Window) -> DataQuality:
    where = completed_in(scope, window)
    previous = aliased(ScoringRound)
    rounds, on_time, gaps, gap_days = session.execute(
        sql_select(
            func.count(),
            func.sum(
                sql_case(
                    (col(ScoringRound.collection_closed_at) <= col(ScoringRound.due_at), 1),
                    else_=0,
                )
            ),
            func.count(col(previous.id)),
            func.sum(
                cast(
                    days_between(col(previous.completed_at), col(ScoringRound.completed_at)), Float
                )
            ),
        )
        .select_from(ScoringRound)
        .join(Case, col(Case.id) == col(ScoringRound.case_id))
        .outerjoin(previous, col(previous.id) == col(ScoringRound.previous_round_id))
        .where(*where)
    ).one()
    k = scope.min_group_size
    if rounds < k:
        return DataQuality(
            completed_rounds=None,
            coverage=coverage(session, scope),
            completeness=None,
            with_child_scores=None,
            with_family_scores=None,
            informants_per_round=None,
            on_time=None,
            days_between_rounds=None,
            procedures={},
        )
    scored, factors = session.execute(
        sql_select(func.count(col(OfficialScore.score)), func.count())
        .select_from(OfficialScore)
        .join(ScoringRound, col(ScoringRound.id) == col(OfficialScore.round_id))
        .join(Case, col(Case.id) == col(ScoringRound.case_id))
        .where(*where)
    ).one()
    family = [r.value for r in FAMILY]
    submitted, with_child, with_family, with_network = session.execute(
        sql_select(
            func.count(),
            func.count(
                func.distinct(
                    sql_case(
                        (col(Informant.role) == InformantRole.CHILD.value, col(Submission.round_id))
                    )
                )
            ),
            func.count(
                func.distinct(sql_case((col(Informant.role).in_(family), col(Submission.round_id))))
            ),
            # The family's private network (Ankestyrelsen has repeatedly found it missing).
            func.count(
                func.distinct(
                    sql_case(
                        (
                            col(Informant.role) == InformantRole.NETWORK.value,
                            col(Submission.round_id),
                        )
                    )
                )
            ),
        )
        .select_from(Submission)
        .join(Informant, col(Informant.id) == col(Submission.informant_id))
        .join(ScoringRound, col(ScoringRound.id) == col(Submission.round_id))
        .join(Case, col(Case.id) == col(ScoringRound.case_id))
        .where(col(Submission.status) == SubmissionStatus.SUBMITTED, *where)
    ).one()
    by_procedure = dict(
        session.execute(
            sql_select(col(ScoringRound.procedure), func.count())
            .select_from(ScoringRound)
            .join(Case, col(Case.id) == col(ScoringRound.case_id))
            .where(*where)
            .group_by(col(ScoringRound.procedure))
        ).all()
    )
    procedures = [p.value for p in Procedure]
    table = suppressed_table(
        ["all"],
        [""],
        procedures,
        {("all", p.value): (n, n) for p, n in ((Procedure(p), n) for p, n in by_procedure.items())},
        k,
    )
    return DataQuality(
        completed_rounds=rounds,
        coverage=coverage(session, scope),
        completeness=_share(scored, factors),
        with_child_scores=_share(with_child, rounds),
        with_family_scores=_share(with_family, rounds),
        with_network=_share(with_network, rounds),
        informants_per_round=round(submitted / rounds, 2),
        on_time=_share(on_time, rounds),
        days_between_rounds=round(float(gap_days) / gaps, 1)
        if gaps and gap_days is not None
        else None,
        procedures=dict(zip(procedures, table.rows[0].cells, strict=True)),
    )


def coverage(session: Session, scope: ReportScope) -> float | None:
    """Share of the measures in force today (of active children in scope) whose child had a
    round completed within the municipality's interval between rounds."""
    now = utcnow()
    today = now.date()
    since = now - relativedelta(months=scope.interval_months)
    recent = (
        sql_select(col(ScoringRound.id))
        .where(
            col(ScoringRound.case_id) == col(Case.id),
            col(ScoringRound.state) == RoundState.COMPLETED,
            col(ScoringRound.completed_at) >= since,
        )
        .correlate(Case)
        .exists()
    )
    total, covered = session.execute(
        sql_select(func.count(), func.sum(sql_case((recent, 1), else_=0)))
        .select_from(Measure)
        .join(Case, col(Case.id) == col(Measure.case_id))
        .where(
            scope.cases(),
            col(Case.status) == CaseStatus.ACTIVE,
            col(Measure.start_date) <= today,
            or_(col(Measure.end_date).is_(None), col(Measure.end_date) >= today),
        )
    ).one()
    if total < scope.min_group_size:
        return None
    return _share(int(covered or 0), total)
