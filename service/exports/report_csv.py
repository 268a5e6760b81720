"""The management reports' tables as CSV: what a leader opens in a spreadsheet. A suppressed
count is an empty field, exactly as the API and the pages leave it out."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from service.schemas.reports import DisagreementReport, OwnViewsReport, ReportTable
from service.workflow.breakdowns import Viewer


def table_csv(table: ReportTable, means: dict[str, float | None] | None = None) -> str:
    """The table as CSV, a suppressed count an empty field; `means` adds a last column of
    each row's mean (by row key)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["group", "label", *table.columns, "total", *(["mean"] if means else [])])
    for row in table.rows:
        extra = _fields([means.get(row.key)]) if means is not None else []
        writer.writerow([row.key, row.label, *_fields(row.cells), *_fields([row.total]), *extra])
    writer.writerow(
        [
            "total",
            "",
            *_fields(table.column_totals),
            *_fields([table.total]),
            *([""] if means else []),
        ]
    )
    return out.getvalue()


def _fields(values: Sequence[int | float | None]) -> list[str]:
    return ["" if v is None else str(v) for v in values]


def disagreement_csv(report: DisagreementReport) -> str:
    """One line per role and period: the scores compared and their mean distances, then the
    role's, the period's and the whole table's counts; suppressed alike (empty fields)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["role", "period", "scores", "mean_distance", "mean_towards_worse"])
    for series, row in zip(report.series, report.table.rows, strict=True):
        for point in series.points:
            writer.writerow(
                [
                    series.role.value,
                    point.period,
                    *_fields([point.scores, point.mean_distance, point.mean_towards_worse]),
                ]
            )
        writer.writerow([series.role.value, "total", *_fields([row.total]), "", ""])
    for period, n in zip(report.table.columns, report.table.column_totals, strict=True):
        writer.writerow(["total", period, *_fields([n]), "", ""])
    writer.writerow(["total", "total", *_fields([report.table.total]), "", ""])
    return out.getvalue()


def own_view_csv(report: OwnViewsReport, viewer: Viewer) -> str:
    """One viewer's table, with each factor's mean distance towards the worse end."""
    view = next(v for v in report.views if v.viewer is viewer)
    return table_csv(view.table, {f.factor_key: f.mean_towards_worse for f in view.factors})
