"""The leader's pages: goal attainment by group as stacked bars with the table under them,
the mean change per factor, and the data quality beside them; the outcomes over time split
by factor; the disagreement by informant
role as lines over time; the child's and the parents' own view beside the official score as
bars per factor. Each table as CSV in the Excel shape, in the page's words."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from markupsafe import Markup
from starlette.responses import HTMLResponse, Response

from service.api.downloads import csv_download
from service.api.unit_of_work import UnitOfWorkRoute
from service.charts.bars import Bar, BarTexts, stacked_bars
from service.charts.series import Series, SeriesTexts, series_chart
from service.exports.agreement_csv import agreement_csv
from service.exports.report_csv import disagreement_csv, own_view_csv, table_csv
from service.rendering.language import Translator, request_language
from service.rendering.report_words import (
    disagreement_words,
    group_label,
    outcome_words,
    own_view_words,
)
from service.schemas.common import Key
from service.schemas.reports import DisagreementReport, FactorPeriods, OutcomesReport, OwnView
from service.usecases.reports import agreement as agreement_report
from service.usecases.reports import (
    cadence_quality,
    change,
    disagreement,
    factor_periods,
    outcomes,
    own_views,
)
from service.usecases.reports.own_views import RELATIONS
from service.web.staff.pages import PageActor, PageReportsSession, page
from service.workflow.breakdowns import GroupBy, PeriodLength, Viewer

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)

GroupQuery = Annotated[GroupBy, Query()]
PeriodQuery = Annotated[PeriodLength, Query()]
FactorQuery = Annotated[Key | None, Query()]
DayQuery = Annotated[date | None, Query()]


def chart(t: Translator, report: OutcomesReport) -> Markup:
    bars = [
        Bar(group_label(t, report.group_by, row.key, row.label), row.cells, row.total)
        for row in report.table.rows
    ]
    svg = stacked_bars(
        "outcomes",
        bars,
        BarTexts(
            title=t("reports.outcomes.chart", group=t(f"reports.group.{report.group_by.value}")),
            categories=[t(f"outcome.{c}") for c in report.table.columns],
            hidden=t("reports.suppressed_title"),
            percent=t.percent,
        ),
    )
    return Markup(svg)  # noqa: S704 - built by service.charts, every text escaped there


@router.get("/reports", response_class=HTMLResponse)
def reportspage(
    request: Request,
    actor: PageActor,
    session: PageReportsSession,
    group_by: GroupQuery = GroupBy.MEASURE_CATEGORY,
    period: PeriodQuery = PeriodLength.HALF_YEAR,
    factor: FactorQuery = None,
    start: DayQuery = None,
    end: DayQuery = None,
) -> Response:
    t = Translator(request_language(request))
    report = outcomes.outcomes_report(
        session, actor, outcomes.OutcomeFilter(group_by, period, factor, start, end)
    )
    changes = change.change_report(session, actor, start, end)
    return page(
        request,
        "reports.html",
        {
            "nav": "reports",
            "section": "outcomes",
            "report": report,
            "changes": changes,
            "cadence_quality": cadence_quality.cadence_quality(session, actor),
            "chart": chart(t, report),
            "labels": [group_label(t, group_by, r.key, r.label) for r in report.table.rows],
            "groups": list(GroupBy),
            "periods": list(PeriodLength),
            "query": request.url.query,
        },
    )


@router.get("/reports/outcomes.csv")
def reports_csv(
    request: Request,
    actor: PageActor,
    session: PageReportsSession,
    group_by: GroupQuery = GroupBy.MEASURE_CATEGORY,
    period: PeriodQuery = PeriodLength.HALF_YEAR,
    factor: FactorQuery = None,
    start: DayQuery = None,
    end: DayQuery = None,
) -> Response:
    report = outcomes.outcomes_report(
        session, actor, outcomes.OutcomeFilter(group_by, period, factor, start, end)
    )
    words = outcome_words(Translator(request_language(request)), report)
    return csv_download(
        table_csv(report.table, words=words), f"outcomes-{group_by.value}.csv", report.as_of
    )


def factor_chart(t: Translator, factor: FactorPeriods, name: str) -> Markup:
    bars = [Bar(row.label, row.cells, row.total) for row in factor.table.rows]
    svg = stacked_bars(
        f"factor-{factor.factor_key}",
        bars,
        BarTexts(
            title=t("reports.factors.chart", factor=name),
            categories=[t(f"outcome.{c}") for c in factor.table.columns],
            hidden=t("reports.suppressed_title"),
            percent=t.percent,
        ),
    )
    return Markup(svg)  # noqa: S704 - built by service.charts, every text escaped there


@router.get("/reports/factors", response_class=HTMLResponse)
def factorspage(
    request: Request,
    actor: PageActor,
    session: PageReportsSession,
    period: PeriodQuery = PeriodLength.HALF_YEAR,
    start: DayQuery = None,
    end: DayQuery = None,
) -> Response:
    t = Translator(request_language(request))
    report = factor_periods.factor_periods_report(session, actor, period, start, end)
    return page(
        request,
        "reports_factors.html",
        {
            "nav": "reports",
            "section": "factors",
            "report": report,
            "charts": [factor_chart(t, f, t.name(f)) for f in report.factors],
            "periods": list(PeriodLength),
        },
    )


def disagreement_chart(t: Translator, report: DisagreementReport) -> Markup:
    lines = [
        Series(t(f"role.{s.role.value}"), [p.mean_distance for p in s.points])
        for s in report.series
    ]
    svg = series_chart(
        "disagreement",
        report.table.columns,
        lines,
        SeriesTexts(
            title=t("reports.disagreement.chart"),
            axis=t("reports.disagreement.axis"),
            number=lambda value: t.number(value, 1),
        ),
    )
    return Markup(svg)  # noqa: S704 - built by service.charts, every text escaped there


@router.get("/reports/disagreement", response_class=HTMLResponse)
def disagreementpage(
    request: Request,
    actor: PageActor,
    session: PageReportsSession,
    period: PeriodQuery = PeriodLength.HALF_YEAR,
    factor: FactorQuery = None,
    start: DayQuery = None,
    end: DayQuery = None,
) -> Response:
    t = Translator(request_language(request))
    report = disagreement.disagreement_report(
        session, actor, disagreement.DisagreementFilter(period, factor, start, end)
    )
    factors = disagreement.factor_names(session)
    return page(
        request,
        "reports_disagreement.html",
        {
            "nav": "reports",
            "section": "disagreement",
            "report": report,
            "factors": factors,
            "chart": disagreement_chart(t, report),
            "periods": list(PeriodLength),
            "query": request.url.query,
        },
    )


@router.get("/reports/disagreement.csv")
def disagreement_csv_page(
    request: Request,
    actor: PageActor,
    session: PageReportsSession,
    period: PeriodQuery = PeriodLength.HALF_YEAR,
    factor: FactorQuery = None,
    start: DayQuery = None,
    end: DayQuery = None,
) -> Response:
    report = disagreement.disagreement_report(
        session, actor, disagreement.DisagreementFilter(period, factor, start, end)
    )
    words = disagreement_words(Translator(request_language(request)), report)
    return csv_download(
        disagreement_csv(report, words), f"disagreement-{period.value}.csv", report.as_of
    )


#: Fewer problems, the same, more problems than the official score: a neutral diverging
#: scale (no colour says better or worse), dark enough apart in black and white.
OWN_VIEW_PALETTE = ("#2166ac", "#d9d9d9", "#b35806")


def own_view_chart(t: Translator, view: OwnView, lang: str) -> Markup:
    names = {f.factor_key: (f.name_da if lang == "da" else f.name_en) for f in view.factors}
    bars = [Bar(names[row.key], row.cells, row.total) for row in view.table.rows]
    svg = stacked_bars(
        f"own-{view.viewer.value}",
        bars,
        BarTexts(
            title=t(f"reports.own.chart.{view.viewer.value}"),
            categories=[t(f"reports.own.{r.value}") for r in RELATIONS],
            hidden=t("reports.suppressed_title"),
            percent=t.percent,
        ),
        palette=OWN_VIEW_PALETTE,
        dark=frozenset({0, 2}),
    )
    return Markup(svg)  # noqa: S704 - built by service.charts, every text escaped there


@router.get("/reports/own-views", response_class=HTMLResponse)
def ownviewspage(
    request: Request,
    actor: PageActor,
    session: PageReportsSession,
    start: DayQuery = None,
    end: DayQuery = None,
) -> Response:
    lang = request_language(request)
    t = Translator(lang)
    report = own_views.own_views_report(session, actor, start, end)
    return page(
        request,
        "reports_own_views.html",
        {
            "nav": "reports",
            "section": "own_views",
            "report": report,
            "charts": [own_view_chart(t, view, lang) for view in report.views],
            "relations": [r.value for r in RELATIONS],
            "query": request.url.query,
        },
    )


@router.get("/reports/own-views.csv")
def own_views_csv_page(
    request: Request,
    actor: PageActor,
    session: PageReportsSession,
    viewer: Annotated[Viewer, Query()] = Viewer.CHILD,
    start: DayQuery = None,
    end: DayQuery = None,
) -> Response:
    report = own_views.own_views_report(session, actor, start, end)
    words = own_view_words(Translator(request_language(request)), report, viewer)
    return csv_download(
        own_view_csv(report, viewer, words), f"own-views-{viewer.value}.csv", report.as_of
    )


@router.get("/reports/agreement", response_class=HTMLResponse)
def agreementpage(
    request: Request,
    actor: PageActor,
    session: PageReportsSession,
    period: PeriodQuery = PeriodLength.YEAR,
    start: DayQuery = None,
    end: DayQuery = None,
) -> Response:
    report = agreement_report.agreement_report(
        session, actor, agreement_report.AgreementFilter(period, start, end)
    )
    return page(
        request,
        "reports_agreement.html",
        {
            "nav": "reports",
            "section": "agreement",
            "report": report,
            "periods": list(PeriodLength),
            "query": request.url.query,
        },
    )


@router.get("/reports/agreement.csv")
def agreement_csv_page(
    actor: PageActor,
    session: PageReportsSession,
    period: PeriodQuery = PeriodLength.YEAR,
    start: DayQuery = None,
    end: DayQuery = None,
) -> Response:
    report = agreement_report.agreement_report(
        session, actor, agreement_report.AgreementFilter(period, start, end)
    )
    return csv_download(agreement_csv(report), f"agreement-{period.value}.csv", report.as_of)
