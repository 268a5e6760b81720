"""The procedure compliance report as CSV, codes as headers; a hidden figure is an empty
field, as in every report's `codes` shape."""

from __future__ import annotations

import csv
import io

from service.schemas.compliance import ComplianceReport

COLUMNS = (
    "procedure_followed",
    "voices_heard",
    "on_time",
    "attendance_recorded",
    "result_sent",
    "all_met",
)


def compliance_csv(report: ComplianceReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["team_id", "team", "period", "rounds", *COLUMNS])
    for row in report.rows:
        figures = [row.rounds, *(getattr(row, c) for c in COLUMNS)]
        writer.writerow(
            [row.team_id or "", row.team, row.period, *("" if f is None else f for f in figures)]
        )
    return out.getvalue()
