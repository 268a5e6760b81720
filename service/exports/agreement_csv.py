"""The agreement report as CSV (the codes' shape: codes as headers, commas, decimal points, and
a hidden figure an empty field, exactly as the JSON's null): one line per instrument family,
factor and period."""

from __future__ import annotations

import csv
import io

from service.exports.report_csv import _text
from service.schemas.agreement import AgreementReport

HEADER = (
    "family",
    "points",
    "factor",
    "period",
    "children",
    "rounds",
    "alpha",
    "low",
    "high",
    "reliability",
)


def _field(value: float | int | None) -> str:
    return "" if value is None else str(value)


def agreement_csv(report: AgreementReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for c in report.cells:
        writer.writerow(
            [
                _text(c.family),
                c.points,
                _text(c.factor_key),
                c.period,
                *(_field(v) for v in (c.children, c.rounds, c.alpha, c.low, c.high)),
                c.reliability.value,
            ]
        )
    return out.getvalue()
