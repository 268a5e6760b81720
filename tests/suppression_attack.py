"""The reader's subtraction attack on a shown table: what can be said of each hidden count,
given every shown count and total, the table's sums, and that counts are whole and never
negative. A hidden count whose least and most possible values agree has been given away."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

Shown = Sequence[Sequence[int | None]]


def exposed(
    cells: Shown,
    row_totals: Sequence[int | None],
    column_totals: Sequence[int | None],
    total: int | None,
) -> list[tuple[str, int]]:
    """The hidden entries (named) whose value the shown ones fix, with that value."""
    n_rows = len(cells)
    n_cols = len(column_totals)
    names: list[str] = []
    values: list[int | None] = []
    for r in range(n_rows):
        for c in range(n_cols):
            names.append(f"cell {r},{c}")
            values.append(cells[r][c])
    for r in range(n_rows):
        names.append(f"row {r}")
        values.append(row_totals[r])
    for c in range(n_cols):
        names.append(f"column {c}")
        values.append(column_totals[c])
    names.append("total")
    values.append(total)

    def cell(r: int, c: int) -> int:
        return r * n_cols + c

    row_at = n_rows * n_cols
    col_at = row_at + n_rows
    total_at = col_at + n_cols
    equations = []
    for r in range(n_rows):
        eq = np.zeros(len(names))
        eq[row_at + r] = -1
        for c in range(n_cols):
            eq[cell(r, c)] = 1
        equations.append(eq)
    for c in range(n_cols):
        eq = np.zeros(len(names))
        eq[col_at + c] = -1
        for r in range(n_rows):
            eq[cell(r, c)] = 1
        equations.append(eq)
    for first, count in ((row_at, n_rows), (col_at, n_cols)):
        eq = np.zeros(len(names))
        eq[total_at] = -1
        eq[first : first + count] = 1
        equations.append(eq)
    lower = np.zeros(len(names))
    upper = np.full(len(names), np.inf)
    for i, value in enumerate(values):
        if value is not None:
            lower[i] = upper[i] = value
    constraints = LinearConstraint(np.array(equations), 0, 0)
    integrality = np.ones(len(names))
    found = []
    for i, value in enumerate(values):
        if value is not None:
            continue
        bounds: list[int | None] = []
        for sign in (1, -1):
            objective = np.zeros(len(names))
            objective[i] = sign
            result = milp(
                objective,
                constraints=constraints,
                integrality=integrality,
                bounds=Bounds(lower, upper),
                options={"time_limit": 10},
            )
            if sign == -1 and result.status in (3, 4):  # unbounded above
                bounds.append(None)
                continue
            assert result.status == 0, result.message
            bounds.append(round(sign * result.fun))
        low, high = bounds
        if high is not None and low == high:
            assert low is not None
            found.append((names[i], low))
    return found
