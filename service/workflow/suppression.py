"""Small-group suppression (diskretionering) of a table of counts, with complementary
suppression, so that no group small enough to recognise a child is shown, and no hidden count
can be worked out from what is shown.

A table is a grid of counts with its row totals, column totals and grand total, all shown
unless hidden. Leaders see aggregates; a child in a group of two must not be recognisable
(DOMAIN.md §7), and a hidden cell must not come back by subtracting the shown cells of its
row from the row's shown total.

1. Primary suppression: every count from 1 to `min_group_size - 1` is hidden, cells and
   totals alike; a row or column whose total is that small is hidden whole (the group is too
   small to show at all). Zeros are shown: they say nothing about a child.
2. Complementary suppression: every line of the table (a row with its total, a column with
   its total, the row totals with the grand total, the column totals with the grand total)
   that hides something hides at least two entries, the second chosen as the smallest
   non-zero shown entry of the line (least information lost), and never a zero, which could
   only be worked out as zero again.
3. A last check solves the table's sums as the reader could (exactly, with fractions), and
   looks for lines whose hidden parts must add up to nothing (so each is zero): while some
   hidden entry is fixed by the shown ones, another entry on its lines is hidden.

Nothing here knows about HTTP or SQL; reports call `suppress` on every table they show and
every export they write.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

#: An entry of the table: ("cell", row, column), ("row", row), ("column", column) or
#: ("total",).
Entry = tuple[object, ...]


@dataclass(frozen=True)
class Table:
    """Counts by row group and column group (e.g. measure category x outcome)."""

    cells: tuple[tuple[int, ...], ...]

    @classmethod
    def of(cls, cells: Sequence[Sequence[int]]) -> Table:
        rows = tuple(tuple(int(n) for n in row) for row in cells)
        if rows and len({len(r) for r in rows}) != 1:
            raise ValueError("every row needs the same number of columns")
        if any(n < 0 for r in rows for n in r):
            raise ValueError("counts are never negative")
        return cls(rows)

    @property
    def n_rows(self) -> int:
        return len(self.cells)

    @property
    def n_columns(self) -> int:
        return len(self.cells[0]) if self.cells else 0

    def row_total(self, r: int) -> int:
        return sum(self.cells[r])

    def column_total(self, c: int) -> int:
        return sum(row[c] for row in self.cells)

    @property
    def total(self) -> int:
        return sum(map(sum, self.cells))

    def value(self, entry: Entry) -> int:
        kind, *at = entry
        if kind == "cell":
            r, c = at
            assert isinstance(r, int) and isinstance(c, int)
            return self.cells[r][c]
        if kind in ("row", "column"):
            (n,) = at
            assert isinstance(n, int)
            return self.row_total(n) if kind == "row" else self.column_total(n)
        return self.total

    def entries(self) -> list[Entry]:
        found: list[Entry] = [
            ("cell", r, c) for r in range(self.n_rows) for c in range(self.n_columns)
        ]
        found += [("row", r) for r in range(self.n_rows)]
        found += [("column", c) for c in range(self.n_columns)]
        found.append(("total",))
        return found

    def lines(self) -> list[tuple[Entry, list[Entry]]]:
        """Each additive relation of the table: (its total, the entries that add up to it)."""
        found: list[tuple[Entry, list[Entry]]] = []
        for r in range(self.n_rows):
            found.append((("row", r), [("cell", r, c) for c in range(self.n_columns)]))
        for c in range(self.n_columns):
            found.append((("column", c), [("cell", r, c) for r in range(self.n_rows)]))
        found.append((("total",), [("row", r) for r in range(self.n_rows)]))
        found.append((("total",), [("column", c) for c in range(self.n_columns)]))
        return found


@dataclass(frozen=True)
class Suppressed:
    """A table as it may be shown: `hidden` entries are replaced by a mark."""

    table: Table
    min_group_size: int
    hidden: frozenset[Entry]
    forced: frozenset[Entry] = frozenset()

    def shown(self, entry: Entry) -> int | None:
        return None if entry in self.hidden else self.table.value(entry)

    def cell(self, r: int, c: int) -> int | None:
        return self.shown(("cell", r, c))

    def row_total(self, r: int) -> int | None:
        return self.shown(("row", r))

    def column_total(self, c: int) -> int | None:
        return self.shown(("column", c))

    @property
    def total(self) -> int | None:
        return self.shown(("total",))

    @property
    def primary(self) -> frozenset[Entry]:
        """The entries hidden for being small themselves (the rest hide them)."""
        return frozenset(
            e
            for e in self.hidden
            if e in self.forced or _small(self.table.value(e), self.min_group_size)
        )


def _small(value: int, k: int) -> bool:
    return 0 < value < k


def suppress(table: Table, min_group_size: int, also: frozenset[Entry] = frozenset()) -> Suppressed:
    """Hide what is too small to show, and enough besides that it cannot be worked out.

    `also` names entries to hide as too small for a reason the counts do not show (a count
    of ten factor outcomes may be two children)."""
    if min_group_size < 1:
        raise ValueError("min_group_size is at least 1")
    k = min_group_size
    hidden: set[Entry] = {e for e in table.entries() if _small(table.value(e), k)} | set(also)
    # A group too small to show is hidden whole.
    for r in range(table.n_rows):
        if ("row", r) in hidden:
            hidden.update(("cell", r, c) for c in range(table.n_columns))
    for c in range(table.n_columns):
        if ("column", c) in hidden:
            hidden.update(("cell", r, c) for r in range(table.n_rows))
    while True:
        grown = _complement(table, hidden)
        grown = grown or _unfix(table, hidden)
        if not grown:
            return Suppressed(table, k, frozenset(hidden), frozenset(also))


def _complement(table: Table, hidden: set[Entry]) -> bool:
    """Make every line with a hidden entry hide at least two (of its parts and its total)."""
    changed = False
    progress = True
    while progress:
        progress = False
        for total, parts in table.lines():
            line = [total, *parts]
            if sum(e in hidden for e in line) != 1:
                continue
            candidate = _smallest_shown(table, hidden, line)
            if candidate is None:
                continue  # only zeros left, which the sum cannot reveal (see _unfix)
            hidden.add(candidate)
            progress = changed = True
    return changed


def _smallest_shown(table: Table, hidden: set[Entry], line: list[Entry]) -> Entry | None:
    """The non-zero shown entry of `line` losing least, cells before totals."""
    options = [e for e in line if e not in hidden and table.value(e) > 0]
    if not options:
        return None
    return min(options, key=lambda e: (e[0] != "cell", table.value(e), e))


def _unfix(table: Table, hidden: set[Entry]) -> bool:
    """Hide one more entry where the reader could solve the sums for a hidden one."""
    fixed = determined(table, hidden)
    if not fixed:
        return False
    for total, parts in table.lines():
        line = [total, *parts]
        if not any(e in fixed for e in line):
            continue
        candidate = _smallest_shown(table, hidden, line)
        if candidate is None:
            candidate = next((e for e in line if e not in hidden), None)
        if candidate is not None:
            hidden.add(candidate)
            return True
    # Every line through the fixed entries is hidden already: hide the grand total.
    if ("total",) not in hidden:
        hidden.add(("total",))
        return True
    return False


def determined(table: Table, hidden: set[Entry] | frozenset[Entry]) -> set[Entry]:
    """The hidden entries a reader can work out exactly from the shown ones and the table's
    sums (a hidden entry is determined when it is a linear combination of the sums)."""
    unknowns = sorted(hidden, key=repr)
    if not unknowns:
        return set()
    index = {e: i for i, e in enumerate(unknowns)}
    equations: list[list[Fraction]] = []
    for total, parts in table.lines():
        row = [Fraction(0)] * len(unknowns)
        involved = False
        for entry, sign in [(total, -1), *((p, 1) for p in parts)]:
            if entry in index:
                row[index[entry]] += sign
                involved = True
        if involved:
            equations.append(row)
    basis = _row_echelon(equations)
    found = _zero_sums(table, hidden)
    for entry in unknowns:
        unit = [Fraction(0)] * len(unknowns)
        unit[index[entry]] = Fraction(1)
        if _in_span(basis, unit):
            found.add(entry)
    return found


def _zero_sums(table: Table, hidden: set[Entry] | frozenset[Entry]) -> set[Entry]:
    """Hidden parts of a line whose shown total equals its shown parts: counts are never
    negative, so each of them is zero, and the reader knows it."""
    found: set[Entry] = set()
    for total, parts in table.lines():
        unknown = [p for p in parts if p in hidden]
        if unknown and total not in hidden:
            rest = sum(table.value(p) for p in parts if p not in hidden)
            if table.value(total) == rest:
                found.update(unknown)
    return found


def _row_echelon(rows: list[list[Fraction]]) -> list[tuple[int, list[Fraction]]]:
    """Reduced rows as (pivot column, row)."""
    basis: list[tuple[int, list[Fraction]]] = []
    for row in rows:
        reduced = _reduce(basis, row)
        pivot = next((i for i, v in enumerate(reduced) if v != 0), None)
        if pivot is None:
            continue
        scale = reduced[pivot]
        reduced = [v / scale for v in reduced]
        basis = [
            (p, [a - b[pivot] * c for a, c in zip(b, reduced, strict=True)] if b[pivot] else b)
            for p, b in basis
        ]
        basis.append((pivot, reduced))
    return basis


def _reduce(basis: list[tuple[int, list[Fraction]]], row: list[Fraction]) -> list[Fraction]:
    out = list(row)
    for pivot, b in basis:
        if out[pivot] != 0:
            factor = out[pivot]
            out = [a - factor * c for a, c in zip(out, b, strict=True)]
    return out


def _in_span(basis: list[tuple[int, list[Fraction]]], vector: list[Fraction]) -> bool:
    return all(v == 0 for v in _reduce(basis, vector))
