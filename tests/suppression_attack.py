"""The reader's attack on a shown table: what can be said of each hidden count, given every
shown count and total, the table's sums, that counts are whole and never negative, and what
the reader knows of the hidden ones (at least 1 where zeros are shown). Solved as an integer
program (scipy's `milp`), independently of the service's own check: a hidden count whose
least and most possible values agree has been given away."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

Shown = Sequence[Sequence[int | None]]


def names(n_rows: int, n_columns: int) -> list[str]:
    """The entries of a table in the attack's order: cells by row, rows, columns, total."""
    found = [f"cell {r},{c}" for r in range(n_rows) for c in range(n_columns)]
    found += [f"row {r}" for r in range(n_rows)]
    found += [f"column {c}" for c in range(n_columns)]
    return [*found, "total"]


#: The reader's bounds by what the reader sees: many tables look alike once their small
#: counts are hidden (every table of a shape is attacked), and the answer depends on the view
#: alone, so each view is solved once.
_SOLVED: dict[tuple[object, ...], dict[str, tuple[int, int | None]]] = {}


def reader_bounds(
    cells: Shown,
    row_totals: Sequence[int | None],
    column_totals: Sequence[int | None],
    total: int | None,
    at_least: Mapping[str, int] | None = None,
) -> dict[str, tuple[int, int | None]]:
    """Each hidden entry (named) with the least and the most it can be (None: no bound).
    `at_least` gives a hidden entry's lower bound where the reader knows one."""
    view = (
        tuple(tuple(row) for row in cells),
        tuple(row_totals),
        tuple(column_totals),
        total,
        tuple(sorted((at_least or {}).items())),
    )
    if view not in _SOLVED:
        _SOLVED[view] = _solve(cells, row_totals, column_totals, total, at_least)
    return dict(_SOLVED[view])


def _solve(
    cells: Shown,
    row_totals: Sequence[int | None],
    column_totals: Sequence[int | None],
    total: int | None,
    at_least: Mapping[str, int] | None,
) -> dict[str, tuple[int, int | None]]:
    n_rows = len(cells)
    n_cols = len(column_totals)
    labels = names(n_rows, n_cols)
    values: list[int | None] = [v for row in cells for v in row]
    values += [*row_totals, *column_totals, total]

    def cell(r: int, c: int) -> int:
        return r * n_cols + c

    row_at = n_rows * n_cols
    col_at = row_at + n_rows
    total_at = col_at + n_cols
    equations = []
    for r in range(n_rows):
        eq = np.zeros(len(labels))
        eq[row_at + r] = -1
        for c in range(n_cols):
            eq[cell(r, c)] = 1
        equations.append(eq)
    for c in range(n_cols):
        eq = np.zeros(len(labels))
        eq[col_at + c] = -1
        for r in range(n_rows):
            eq[cell(r, c)] = 1
        equations.append(eq)
    for first, count in ((row_at, n_rows), (col_at, n_cols)):
        eq = np.zeros(len(labels))
        eq[total_at] = -1
        eq[first : first + count] = 1
        equations.append(eq)
    lower = np.array([float((at_least or {}).get(name, 0)) for name in labels])
    upper = np.full(len(labels), np.inf)
    for i, value in enumerate(values):
        if value is not None:
            lower[i] = upper[i] = value
    constraints = LinearConstraint(np.array(equations), 0, 0)
    integrality = np.ones(len(labels))
    found: dict[str, tuple[int, int | None]] = {}
    for i, value in enumerate(values):
        if value is not None:
            continue
        bounds: list[int | None] = []
        for sign in (1, -1):
            objective = np.zeros(len(labels))
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
        assert low is not None
        found[labels[i]] = (low, high)
    return found


def exposed(
    cells: Shown,
    row_totals: Sequence[int | None],
    column_totals: Sequence[int | None],
    total: int | None,
    at_least: Mapping[str, int] | None = None,
) -> list[tuple[str, int]]:
    """The hidden entries (named) whose value the shown ones fix, with that value. A hidden
    zero worked out as zero is left out: it says what a zero shown would say."""
    found = reader_bounds(cells, row_totals, column_totals, total, at_least)
    return [(name, low) for name, (low, high) in found.items() if low == high and low != 0]
