"""The management reports' tables as CSV, in two shapes.

- **Codes** (the API's default, for integrators): the groups' and columns' codes as headers,
  commas, decimal points, and a suppressed figure an empty field, exactly as the JSON's null.
- **Excel** (the pages' downloads, and the API's `format=excel`): what a leader opens in a
  spreadsheet. UTF-8 with a byte order mark, so that Excel reads the Danish letters; in
  Danish semicolons and decimal commas, as Danish Excel expects; the page's words as headers
  and labels; a suppressed figure is the page's mark, never an empty field (an empty field
  reads as nothing there, or as zero), and the legend under the table says what it means.

Both come from the same suppressed table: what one hides, the other hides.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from service.schemas.reports import DisagreementReport, OwnViewsReport, ReportTable
from service.workflow.breakdowns import Viewer

#: The byte order mark that tells Excel the file is UTF-8.
BOM = "\ufeff"

#: A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str) -> str:
    """A name (a provider's, a team's) a spreadsheet shows as text, never runs."""
    return "'" + value if value.startswith(FORMULA_START) else value


@dataclass(frozen=True, slots=True)
class Words:
    """The page's words for a table in the Excel shape, in the reader's language."""

    language: str
    group: str  # the header of the labels' column
    rows: Sequence[str]  # each row's label, as the page shows it
    columns: Sequence[str]  # each column's header
    total: str
    hidden: str  # the mark of a suppressed figure
    legend: Sequence[str]  # lines under the table: what the mark means, and any note
    mean: str = ""  # the header of a last column of means, if any

    @property
    def delimiter(self) -> str:
        return ";" if self.language == "da" else ","

    def figure(self, value: int | float | None) -> str:
        if value is None:
            return self.hidden
        if isinstance(value, int):
            return str(value)
        # A number Excel reads as one: no thousands separator, no plus sign.
        written = f"{value:.2f}"
        return written.replace(".", ",") if self.language == "da" else written


def _start(words: Words | None) -> tuple[io.StringIO, Any]:
    out = io.StringIO()
    if words is None:
        return out, csv.writer(out)
    out.write(BOM)
    return out, csv.writer(out, delimiter=words.delimiter)


def _legend(writer: Any, words: Words) -> None:
    writer.writerow([])
    for line in words.legend:
        writer.writerow([line])


def table_csv(
    table: ReportTable,
    means: dict[str, float | None] | None = None,
    words: Words | None = None,
) -> str:
    """The table, a row per group and a last row of totals; `means` adds a last column of
    each row's mean (by row key). Without `words`, the codes' shape; with them, Excel's."""
    out, writer = _start(words)
    if words is None:
        writer.writerow(["group", "label", *table.columns, "total", *(["mean"] if means else [])])
        for row in table.rows:
            extra = _fields([means.get(row.key)]) if means is not None else []
            writer.writerow(
                [row.key, _text(row.label), *_fields(row.cells), *_fields([row.total]), *extra]
            )
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
    writer.writerow(
        [words.group, *words.columns, words.total, *([words.mean] if means is not None else [])]
    )
    for label, row in zip(words.rows, table.rows, strict=True):
        extra = [words.figure(means.get(row.key))] if means is not None else []
        writer.writerow(
            [_text(label), *map(words.figure, row.cells), words.figure(row.total), *extra]
        )
    writer.writerow(
        [
            words.total,
            *map(words.figure, table.column_totals),
            words.figure(table.total),
            *([""] if means is not None else []),
        ]
    )
    _legend(writer, words)
    return out.getvalue()


def _fields(values: Sequence[int | float | None]) -> list[str]:
    return ["" if v is None else str(v) for v in values]


@dataclass(frozen=True, slots=True)
class DisagreementWords:
    """The disagreement page's headers, beside the table's words (rows: the roles)."""

    table: Words
    role: str
    period: str
    scores: str
    mean_distance: str
    mean_towards_worse: str


def disagreement_csv(report: DisagreementReport, words: DisagreementWords | None = None) -> str:
    """One line per role and period: the scores compared and their mean distances, then the
    role's, the period's and the whole table's counts; suppressed alike."""
    out, writer = _start(words.table if words else None)
    if words is None:
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
    w = words.table
    writer.writerow(
        [words.role, words.period, words.scores, words.mean_distance, words.mean_towards_worse]
    )
    for label, series, row in zip(w.rows, report.series, report.table.rows, strict=True):
        for point in series.points:
            # A period without scores has no mean: an empty field, not the hidden mark.
            means = (
                ["", ""]
                if point.scores == 0
                else [w.figure(point.mean_distance), w.figure(point.mean_towards_worse)]
            )
            writer.writerow([label, point.period, w.figure(point.scores), *means])
        writer.writerow([label, w.total, w.figure(row.total), "", ""])
    for period, n in zip(report.table.columns, report.table.column_totals, strict=True):
        writer.writerow([w.total, period, w.figure(n), "", ""])
    writer.writerow([w.total, w.total, w.figure(report.table.total), "", ""])
    _legend(writer, w)
    return out.getvalue()


def own_view_csv(report: OwnViewsReport, viewer: Viewer, words: Words | None = None) -> str:
    """One viewer's table, with each factor's mean distance towards the worse end."""
    view = next(v for v in report.views if v.viewer is viewer)
    return table_csv(view.table, {f.factor_key: f.mean_towards_worse for f in view.factors}, words)
