"""Small-group suppression (diskretionering) of a table of counts, with complementary
suppression, so that no group small enough to recognise a child is shown, and no hidden count
can be worked out from what is shown.

A table is a grid of counts with its row totals, column totals and grand total, all shown
unless hidden. Leaders see aggregates; a child in a group of two must not be recognisable
(DOMAIN.md §7), and a hidden count must not come back from what the reader knows.

**The reader** knows every shown count, that each row adds up to its total, each column to
its total and the totals to the grand total, that counts are whole and never negative, and
that a hidden count is not zero (zeros are shown, so whatever is hidden and not zero is at
least one). Reasoning over all the sums at once, not one line at a time, such a reader pins
a hidden count down wherever the sums and those bounds leave it one possible value; and
where they leave a count that was hidden for being small only small values, the reader
learns that the group is small, which is what hiding it was for.

1. Primary suppression: every count from 1 to `min_group_size - 1` is hidden, cells and
   totals alike; a row or column whose total is that small is hidden whole (the group is too
   small to show at all).
2. Complementary suppression: every line (a row with its total, a column with its total, the
   row totals with the grand total, the column totals with the grand total) that hides
   something hides at least two entries, the second the smallest non-zero shown one.
3. The exact check. The table is a circulation in a network (source -> row -> column -> sink
   -> source: a cell is the flow from its row to its column, a total the flow into or out of
   its group), so what the reader cannot rule out is every circulation with the shown flows
   fixed and each hidden one at least its lower bound (1, or 0 for a hidden zero). A hidden
   entry can grow by `d` exactly when `d` more can flow around a cycle through it: the
   maximum flow from its head back to its tail in the residual network, without the entry
   itself, is at least `d`; it can shrink likewise the other way. (The network's matrix is
   totally unimodular, so whole counts add nothing the flow does not see.) Every hidden
   entry must be able to move, and every entry hidden for being small must be able to reach
   `min_group_size`. Where one cannot, the cheapest shown entry that makes it able to is
   hidden too (a cell before a total, a small count before a large one, a zero last);
   hiding more only lets every hidden entry move further, so one pass over the hidden
   entries ends safe.

Nothing here knows about HTTP or SQL; reports call `suppress` on every table they show and
every export they write.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

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
    _complement(table, hidden)
    primary = {e for e in hidden if e in also or _small(table.value(e), k)}
    # A hidden zero need not be kept from the reader: zeros are shown anyway.
    queue = sorted((e for e in hidden if table.value(e)), key=_order)
    done = 0
    while done < len(queue):
        entry = queue[done]
        need = _need(table, entry, k, primary)
        while not _Network(table, hidden).safe(entry, need):
            opened = _cheapest_cycle(table, hidden, entry, need)
            hidden.update(opened)
            queue.extend(e for e in opened if table.value(e))
        done += 1
    return Suppressed(table, k, frozenset(hidden), frozenset(also))


def determined(table: Table, hidden: set[Entry] | frozenset[Entry]) -> set[Entry]:
    """The hidden entries the reader can work out exactly from the shown ones (a hidden zero
    among them says no more than the zero shown would)."""
    network = _Network(table, set(hidden))
    return {e for e in hidden if not network.safe(e, 0)}


def ranges(
    table: Table, hidden: set[Entry] | frozenset[Entry]
) -> dict[Entry, tuple[int, int | None]]:
    """Each hidden entry's least and most possible value to the reader (None: no bound)."""
    network = _Network(table, set(hidden))
    found: dict[Entry, tuple[int, int | None]] = {}
    for e in hidden:
        value = table.value(e)
        up = network.growth(e, _UNBOUNDED)
        found[e] = (value - network.shrinkage(e, value), None if up >= _UNBOUNDED else value + up)
    return found


def _order(entry: Entry) -> tuple[int, ...]:
    kind, *at = entry
    rank = ("cell", "row", "column", "total").index(str(kind))
    return (rank, *(int(str(n)) for n in at))


def _complement(table: Table, hidden: set[Entry]) -> None:
    """Make every line with a hidden entry hide at least two (of its parts and its total),
    the second its smallest non-zero shown entry: a line hiding one gives it away at once."""
    progress = True
    while progress:
        progress = False
        for total, parts in table.lines():
            line = [total, *parts]
            if sum(e in hidden for e in line) != 1:
                continue
            options = [e for e in line if e not in hidden and table.value(e) > 0]
            if options:
                hidden.add(min(options, key=lambda e: (e[0] != "cell", table.value(e), _order(e))))
                progress = True


def _need(table: Table, entry: Entry, k: int, primary: set[Entry]) -> int:
    """How far the reader must be unable to rule out growth: up to the smallest group shown
    for an entry hidden as small; for any other, 0 (it need only be able to move)."""
    value = table.value(entry)
    return k - value if entry in primary and value < k else 0


def _weight(table: Table, entry: Entry) -> int:
    """What hiding a shown entry loses: its count (one more for being one more thing hidden);
    a zero costs more than any count, since the reader is told zeros."""
    value = table.value(entry)
    return value + 1 if value else table.total + 2


def _cheapest_cycle(table: Table, hidden: set[Entry], entry: Entry, need: int) -> list[Entry]:
    """The shown entries to hide so that `entry` can grow by one more than it can now: the
    cheapest path from its head back to its tail through what is left of the residual
    network once the most it can grow by now is taken (free), and shown entries (their
    weight; backwards only where they could shrink)."""
    network = _Network(table, hidden)
    tail, head = network.arc(entry)
    _, residual = network.flow(head, tail, (tail, head), max(need, 1))
    edges: dict[int, list[tuple[int, int, Entry | None]]] = {}
    for (u, v), room in residual.items():
        if room > 0:
            edges.setdefault(u, []).append((v, 0, None))
    for other in table.entries():
        if other in hidden or other == entry:
            continue
        u, v = network.arc(other)
        weight = _weight(table, other)
        edges.setdefault(u, []).append((v, weight, other))
        if table.value(other) > 1:
            edges.setdefault(v, []).append((u, weight, other))
    best: dict[int, int] = {head: 0}
    came: dict[int, tuple[int, Entry | None]] = {}
    todo: list[tuple[int, int]] = [(0, head)]
    while todo:
        cost, u = heapq.heappop(todo)
        if u == tail:
            break
        if cost > best.get(u, cost):
            continue
        for v, weight, opens in edges.get(u, ()):
            if cost + weight < best.get(v, _UNBOUNDED):
                best[v] = cost + weight
                came[v] = (u, opens)
                heapq.heappush(todo, (cost + weight, v))
    opened: list[Entry] = []
    node = tail
    while node != head:
        node, opens = came[node]
        if opens is not None:
            opened.append(opens)
    assert opened, "a free path would have been taken by the flow"
    return opened


#: More than any table holds: a hidden entry can grow without bound.
_UNBOUNDED = 1 << 62

_SOURCE, _SINK = 0, 1

Arc = tuple[int, int]


class _Network:
    """The residual network of the table around its true counts: a hidden entry can carry
    more without bound, and less down to its lower bound; a shown one is fixed."""

    def __init__(self, table: Table, hidden: set[Entry]) -> None:
        self.table = table
        self.capacity: dict[Arc, int] = {}
        for entry in hidden:
            tail, head = self.arc(entry)
            value = table.value(entry)
            self.capacity[(tail, head)] = _UNBOUNDED
            if value > 1:  # down to 1: a hidden count that is not zero is at least one
                self.capacity[(head, tail)] = value - 1

    def arc(self, entry: Entry) -> Arc:
        kind, *at = entry
        rows = self.table.n_rows
        if kind == "cell":
            return 2 + int(str(at[0])), 2 + rows + int(str(at[1]))
        if kind == "row":
            return _SOURCE, 2 + int(str(at[0]))
        if kind == "column":
            return 2 + rows + int(str(at[0])), _SINK
        return _SINK, _SOURCE

    def safe(self, entry: Entry, need: int) -> bool:
        """Whether the reader cannot pin `entry` down, nor (need > 0) rule out that it is
        `need` larger."""
        if need > 0:
            return self.growth(entry, need) >= need
        return self.growth(entry, 1) >= 1 or self.shrinkage(entry, 1) >= 1

    def growth(self, entry: Entry, enough: int) -> int:
        """How much more `entry` can carry (at most `enough`)."""
        tail, head = self.arc(entry)
        return self.flow(head, tail, (tail, head), enough)[0]

    def shrinkage(self, entry: Entry, enough: int) -> int:
        """How much less `entry` can carry (at most `enough`)."""
        tail, head = self.arc(entry)
        room = min(self.capacity.get((head, tail), 0), enough)
        return self.flow(tail, head, (tail, head), room)[0]

    def flow(self, start: int, end: int, without: Arc, enough: int) -> tuple[int, dict[Arc, int]]:
        """The maximum flow from `start` to `end` (at most `enough`) around the arc `without`
        (Edmonds-Karp), and the residual network it leaves."""
        skip = {without, (without[1], without[0])}
        residual = {a: c for a, c in self.capacity.items() if a not in skip}
        neighbours: dict[int, set[int]] = {}
        for u, v in residual:
            neighbours.setdefault(u, set()).add(v)
            neighbours.setdefault(v, set()).add(u)
        total = 0
        while total < enough:
            path = _path(residual, neighbours, start, end)
            if path is None:
                break
            step = min(enough - total, *(residual[a] for a in path))
            for u, v in path:
                residual[(u, v)] -= step
                residual[(v, u)] = residual.get((v, u), 0) + step
            total += step
        return total, residual


def _path(
    residual: dict[Arc, int], neighbours: dict[int, set[int]], start: int, end: int
) -> list[Arc] | None:
    """The shortest path with room left, as its arcs."""
    came: dict[int, int] = {start: start}
    todo = deque([start])
    while todo:
        u = todo.popleft()
        if u == end:
            arcs: list[Arc] = []
            while u != start:
                arcs.append((came[u], u))
                u = came[u]
            return arcs[::-1]
        for v in neighbours.get(u, ()):
            if v not in came and residual.get((u, v), 0) > 0:
                came[v] = u
                todo.append(v)
    return None
