"""The decisions figure as CSV: one line per outcome and kind of measure, the number of
children, a hidden figure an empty field (exactly as the JSON's null)."""

from __future__ import annotations

import csv
import io

from service.schemas.decisions import DecisionsReport

HEADER = ("outcome", "measure_type", "children")


def decisions_csv(report: DecisionsReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for c in report.cells:
        writer.writerow(
            [
                c.outcome.value,
                c.measure_type.value if c.measure_type else "none",
                "" if c.children is None else c.children,
            ]
        )
    return out.getvalue()
