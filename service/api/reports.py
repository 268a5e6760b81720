"""Management reports (ledelsesinformation): aggregates for team leaders and administrators,
a caseworker's own cases' figures, and integrator clients with `reports:read`."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response

from service.api.deps import CurrentActor, ReportsSessionDep
from service.api.downloads import csv_download
from service.api.unit_of_work import UnitOfWorkRoute
from service.errors import Forbidden, problem_responses
from service.exports.agreement_csv import agreement_csv
from service.exports.report_csv import disagreement_csv, own_view_csv, table_csv
from service.rendering.language import Translator
from service.rendering.report_words import disagreement_words, outcome_words, own_view_words
from service.schemas.agreement import AgreementReport
from service.schemas.common import Day, Key
from service.schemas.reports import (
    ChangeReport,
    CsvFormat,
    CsvLanguage,
    DisagreementReport,
    FactorPeriodsReport,
    OutcomesReport,
    OwnViewsReport,
)
from service.usecases.reports import agreement as agreement_report
from service.usecases.reports import change, disagreement, factor_periods, outcomes, own_views
from service.workflow.breakdowns import GroupBy, PeriodLength, Viewer

router = APIRouter(prefix="/reports", tags=["reports"], route_class=UnitOfWorkRoute)

Start = Annotated[Day | None, Query(description="Rounds completed on or after this day")]
End = Annotated[Day | None, Query(description="Rounds completed before this day")]
Format = Annotated[
    CsvFormat,
    Query(
        description="codes: codes as headers, commas, a suppressed figure an empty field; "
        "excel: for a spreadsheet, UTF-8 with a byte order mark, the pages' words as headers "
        "and '–' for a suppressed figure, in Danish with semicolons and decimal commas"
    ),
]
Lang = Annotated[CsvLanguage, Query(description="The language of format=excel")]


def _words(lang: CsvLanguage) -> Translator:
    return Translator(lang.value)


def _filter(
    group_by: GroupBy,
    period: PeriodLength,
    factor: str | None,
    start: date | None,
    end: date | None,
) -> outcomes.OutcomeFilter:
    return outcomes.OutcomeFilter(group_by, period, factor, start, end)


@router.get(
    "/outcomes",
    operation_id="report_outcomes",
    summary="Goal attainment by group",
    response_model=OutcomesReport,
    responses=problem_responses(Forbidden),
)
def report_outcomes(
    actor: CurrentActor,
    session: ReportsSessionDep,
    group_by: Annotated[GroupBy, Query()] = GroupBy.MEASURE_CATEGORY,
    period: Annotated[PeriodLength, Query(description="With group_by=period")] = (
        PeriodLength.HALF_YEAR
    ),
    factor: Annotated[Key | None, Query(description="One factor's key; all if absent")] = None,
    start: Start = None,
    end: End = None,
) -> OutcomesReport:
    """The six outcomes of the official scores by measure kind, provider, team, age band,
    procedure or period; counts under the municipality's `min_group_size`, and those that
    would reveal them, are null. Data quality beside it."""
    return outcomes.outcomes_report(session, actor, _filter(group_by, period, factor, start, end))


@router.get(
    "/outcomes.csv",
    operation_id="report_outcomes_csv",
    summary="Goal attainment by group, as CSV",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}, **problem_responses(Forbidden)},
)
def report_outcomes_csv(
    actor: CurrentActor,
    session: ReportsSessionDep,
    group_by: Annotated[GroupBy, Query()] = GroupBy.MEASURE_CATEGORY,
    period: Annotated[PeriodLength, Query()] = PeriodLength.HALF_YEAR,
    factor: Annotated[Key | None, Query()] = None,
    start: Start = None,
    end: End = None,
    format: Format = CsvFormat.CODES,
    lang: Lang = CsvLanguage.DA,
) -> Response:
    """The same table as CSV, suppressed alike; `format=excel` for a spreadsheet."""
    report = outcomes.outcomes_report(session, actor, _filter(group_by, period, factor, start, end))
    words = outcome_words(_words(lang), report) if format is CsvFormat.EXCEL else None
    return csv_download(table_csv(report.table, words=words), "outcomes.csv", report.as_of)


@router.get(
    "/outcomes-by-factor",
    operation_id="report_outcomes_by_factor",
    summary="Goal attainment over time, split by factor",
    response_model=FactorPeriodsReport,
    responses=problem_responses(Forbidden),
)
def report_outcomes_by_factor(
    actor: CurrentActor,
    session: ReportsSessionDep,
    period: Annotated[PeriodLength, Query(description="The length of the periods")] = (
        PeriodLength.HALF_YEAR
    ),
    start: Start = None,
    end: End = None,
) -> FactorPeriodsReport:
    """For every factor, the six outcomes per period: in one call the tables that
    `/reports/outcomes?group_by=period&factor=...` gives one factor at a time, suppressed
    alike."""
    return factor_periods.factor_periods_report(session, actor, period, start, end)


@router.get(
    "/change",
    operation_id="report_change",
    summary="Mean change of the official status per factor",
    response_model=ChangeReport,
    responses=problem_responses(Forbidden),
)
def report_change(
    actor: CurrentActor, session: ReportsSessionDep, start: Start = None, end: End = None
) -> ChangeReport:
    """Per factor, the mean change between a child's consecutive rounds (negative: fewer
    problems) and the number of children behind it; null where they are too few."""
    return change.change_report(session, actor, start, end)


Period = Annotated[PeriodLength, Query(description="The length of the periods compared")]
Factor = Annotated[Key | None, Query(description="One factor's key; all if absent")]


@router.get(
    "/disagreement",
    operation_id="report_disagreement",
    summary="Distance from the official score by informant role, over time",
    response_model=DisagreementReport,
    responses=problem_responses(Forbidden),
)
def report_disagreement(
    actor: CurrentActor,
    session: ReportsSessionDep,
    period: Period = PeriodLength.HALF_YEAR,
    factor: Factor = None,
    start: Start = None,
    end: End = None,
) -> DisagreementReport:
    """Per informant role and period, the scores compared with the official score of the
    same factor and round, and their mean distance from it (also towards the worst end:
    negative, the role sees fewer problems). Small groups are null, as in every report."""
    return disagreement.disagreement_report(
        session, actor, disagreement.DisagreementFilter(period, factor, start, end)
    )


@router.get(
    "/disagreement.csv",
    operation_id="report_disagreement_csv",
    summary="Distance from the official score by informant role, as CSV",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}, **problem_responses(Forbidden)},
)
def report_disagreement_csv(
    actor: CurrentActor,
    session: ReportsSessionDep,
    period: Period = PeriodLength.HALF_YEAR,
    factor: Factor = None,
    start: Start = None,
    end: End = None,
    format: Format = CsvFormat.CODES,
    lang: Lang = CsvLanguage.DA,
) -> Response:
    """The same figures as CSV, suppressed alike; `format=excel` for a spreadsheet."""
    report = disagreement.disagreement_report(
        session, actor, disagreement.DisagreementFilter(period, factor, start, end)
    )
    words = disagreement_words(_words(lang), report) if format is CsvFormat.EXCEL else None
    return csv_download(disagreement_csv(report, words), "disagreement.csv", report.as_of)


@router.get(
    "/own-views",
    operation_id="report_own_views",
    summary="The child's and the parents' own view beside the official score",
    response_model=OwnViewsReport,
    responses=problem_responses(Forbidden),
)
def report_own_views(
    actor: CurrentActor, session: ReportsSessionDep, start: Start = None, end: End = None
) -> OwnViewsReport:
    """Per factor, how often the child's own score, and apart from it the parents', saw
    fewer problems than the official score of the same round, the same, or more, and the
    mean distance. Never averaged into the official score. Small groups are null."""
    return own_views.own_views_report(session, actor, start, end)


@router.get(
    "/own-views.csv",
    operation_id="report_own_views_csv",
    summary="One own view beside the official score, as CSV",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}, **problem_responses(Forbidden)},
)
def report_own_views_csv(
    actor: CurrentActor,
    session: ReportsSessionDep,
    viewer: Annotated[Viewer, Query(description="The child's view or the parents'")] = (
        Viewer.CHILD
    ),
    start: Start = None,
    end: End = None,
    format: Format = CsvFormat.CODES,
    lang: Lang = CsvLanguage.DA,
) -> Response:
    """One view's table as CSV with each factor's mean, suppressed alike; `format=excel`
    for a spreadsheet."""
    report = own_views.own_views_report(session, actor, start, end)
    words = own_view_words(_words(lang), report, viewer) if format is CsvFormat.EXCEL else None
    return csv_download(
        own_view_csv(report, viewer, words), f"own-views-{viewer.value}.csv", report.as_of
    )


AgreementPeriod = Annotated[PeriodLength, Query(description="The length of the periods")]


@router.get(
    "/agreement",
    operation_id="report_agreement",
    summary="How alike the informants score: Krippendorff's alpha per factor and period",
    response_model=AgreementReport,
    responses=problem_responses(Forbidden),
)
def report_agreement(
    actor: CurrentActor,
    session: ReportsSessionDep,
    period: AgreementPeriod = PeriodLength.YEAR,
    start: Start = None,
    end: End = None,
) -> AgreementReport:
    """Per instrument family, factor and period, Krippendorff's alpha (ordinal) over the
    independent scores of completed rounds, with a 95% bootstrap interval. Advisory; every
    figure is null where fewer children than the minimum group size stand behind it."""
    return agreement_report.agreement_report(
        session, actor, agreement_report.AgreementFilter(period, start, end)
    )


@router.get(
    "/agreement.csv",
    operation_id="report_agreement_csv",
    summary="How alike the informants score, as CSV",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}, **problem_responses(Forbidden)},
)
def report_agreement_csv(
    actor: CurrentActor,
    session: ReportsSessionDep,
    period: AgreementPeriod = PeriodLength.YEAR,
    start: Start = None,
    end: End = None,
) -> Response:
    """The same figures as CSV, hidden alike (an empty field where the JSON has null)."""
    report = agreement_report.agreement_report(
        session, actor, agreement_report.AgreementFilter(period, start, end)
    )
    return csv_download(agreement_csv(report), "agreement.csv", report.as_of)
