"""From grouped counts to a table that may be shown: suppressed by the municipality's
smallest group, with complementary suppression (`service.workflow.suppression`)."""

from __future__ import annotations

from collections.abc import Sequence

from service.schemas.reports import ReportRow, ReportTable
from service.workflow.suppression import Entry, Table, suppress


def suppressed_table(
    keys: Sequence[str],
    labels: Sequence[str],
    columns: Sequence[str],
    counts: dict[tuple[str, str], tuple[int, int]],
    min_group_size: int,
) -> ReportTable:
    """`counts` maps (row key, column) to (count, distinct children). A cell with fewer
    children than the smallest group is hidden even if it counts more (one child counts
    once per factor and round); so is a row or column whose largest cell has too few, since
    its children are not counted apart."""
    grid = [[counts.get((k, c), (0, 0))[0] for c in columns] for k in keys]
    children = [[counts.get((k, c), (0, 0))[1] for c in columns] for k in keys]
    table = Table.of(grid) if keys else Table.of([[0] * len(columns)])
    k = min_group_size
    extra: set[Entry] = set()
    for r in range(len(keys)):
        for c in range(len(columns)):
            if grid[r][c] and children[r][c] < k:
                extra.add(("cell", r, c))
        if table.row_total(r) and max(children[r], default=0) < k:
            extra.add(("row", r))
    for c in range(len(columns)):
        if table.column_total(c) and max((row[c] for row in children), default=0) < k:
            extra.add(("column", c))
    if table.total and max((max(row, default=0) for row in children), default=0) < k:
        extra.add(("total",))
    shown = suppress(table, k, also=frozenset(extra))
    rows = [
        ReportRow(
            key=key,
            label=label,
            cells=[shown.cell(r, c) for c in range(len(columns))],
            total=shown.row_total(r),
        )
        for r, (key, label) in enumerate(zip(keys, labels, strict=True))
    ]
    return ReportTable(
        columns=list(columns),
        rows=rows,
        column_totals=[shown.column_total(c) for c in range(len(columns))],
        total=shown.total,
        suppressed=len(shown.hidden) if keys else 0,
        min_group_size=k,
    )
