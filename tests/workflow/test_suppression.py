"""Small-group suppression: nothing under the minimum group size is shown, and the reader's
attack recovers no hidden count: solving the shown totals and cells for a hidden one, with
every count a whole number, never negative, and at least 1 where hidden (zeros are shown).
Nor can the reader rule out that a count hidden for being small is as large as the smallest
group shown. The attack is an integer program (tests/suppression_attack.py), independent of
the service's own network check, and the two must agree on every bound."""

from __future__ import annotations

import itertools
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.workflow.suppression import Entry, Suppressed, Table, determined, ranges, suppress
from tests.suppression_attack import reader_bounds


def name(entry: Entry) -> str:
    kind, *at = entry
    if kind == "cell":
        return f"cell {at[0]},{at[1]}"
    return " ".join(str(p) for p in (kind, *at))


def attack(shown: Suppressed) -> dict[str, tuple[int, int | None]]:
    """What the reader can say of each hidden entry, knowing that zeros are shown."""
    table = shown.table
    return reader_bounds(
        [[shown.cell(r, c) for c in range(table.n_columns)] for r in range(table.n_rows)],
        [shown.row_total(r) for r in range(table.n_rows)],
        [shown.column_total(c) for c in range(table.n_columns)],
        shown.total,
        at_least={name(e): min(table.value(e), 1) for e in shown.hidden},
    )


def assert_safe(table: Table, k: int, also: frozenset[Entry] = frozenset()) -> Suppressed:
    shown = suppress(table, k, also)
    assert also <= shown.hidden
    for entry in table.entries():
        if 0 < table.value(entry) < k:
            assert entry in shown.hidden, f"{entry} = {table.value(entry)} is shown"
    bounds = attack(shown)
    given_away = [(n, lo) for n, (lo, hi) in bounds.items() if lo == hi and lo != 0]
    assert given_away == [], f"hidden counts worked out: {given_away}"
    for entry in shown.primary:
        high = bounds[name(entry)][1]
        assert high is None or high >= k, f"{name(entry)} is known to be at most {high} < {k}"
    # The service's own reckoning is the reader's, bound for bound.
    assert {name(e): b for e, b in ranges(table, shown.hidden).items()} == bounds
    return shown


# Small counts and zeros are where suppression has work to do; larger ones keep the groups
# that can partner them.
counts = st.one_of(
    st.just(0), st.integers(min_value=1, max_value=3), st.integers(min_value=0, max_value=40)
)


@st.composite
def tables(draw: st.DrawFn) -> Table:
    n_rows = draw(st.integers(min_value=1, max_value=6))
    n_columns = draw(st.integers(min_value=1, max_value=6))
    return Table.of([[draw(counts) for _ in range(n_columns)] for _ in range(n_rows)])


#: The test command's depth; KONSENSUS_SUPPRESSION_EXAMPLES=20000 explores further by hand.
STRONG = settings(
    max_examples=int(os.environ.get("KONSENSUS_SUPPRESSION_EXAMPLES", "450")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@pytest.mark.slow
@STRONG
@given(table=tables(), k=st.integers(min_value=2, max_value=6))
def test_no_hidden_count_can_be_worked_out(table: Table, k: int) -> None:
    assert_safe(table, k)


@pytest.mark.slow
@settings(max_examples=250, deadline=None)
@given(table=tables(), k=st.integers(min_value=2, max_value=6), data=st.data())
def test_entries_hidden_for_other_reasons_stay_safe_too(
    table: Table, k: int, data: st.DataObject
) -> None:
    """A cell of ten outcomes may be two children: the caller hides it, and it stays hidden."""
    nonzero = [e for e in table.entries() if table.value(e)]
    also = (
        frozenset(data.draw(st.sets(st.sampled_from(nonzero), max_size=3)))
        if nonzero
        else frozenset()
    )
    assert_safe(table, k, also)


@pytest.mark.parametrize(
    ("n_rows", "n_columns", "most", "k"), [(2, 2, 3, 2), (2, 2, 3, 3), (3, 2, 2, 2), (2, 3, 2, 3)]
)
def test_every_small_table_is_safe(n_rows: int, n_columns: int, most: int, k: int) -> None:
    """Every table of its shape with counts up to `most`, not a sample of them."""
    for flat in itertools.product(range(most + 1), repeat=n_rows * n_columns):
        rows = [flat[r * n_columns : (r + 1) * n_columns] for r in range(n_rows)]
        assert_safe(Table.of(rows), k)


@settings(max_examples=200, deadline=None)
@given(table=tables())
def test_a_minimum_of_one_hides_nothing(table: Table) -> None:
    assert suppress(table, 1).hidden == frozenset()


@settings(max_examples=200, deadline=None)
@given(table=tables(), k=st.integers(min_value=2, max_value=6))
def test_a_table_without_small_counts_is_shown_whole(table: Table, k: int) -> None:
    if any(0 < table.value(e) < k for e in table.entries()):
        return
    assert suppress(table, k).hidden == frozenset()


def test_hidden_counts_that_together_fill_what_the_totals_leave_are_not_given_away() -> None:
    """Column 0 holds 2; the rows hiding their totals add up to 2 with the grand total 4, so
    each of rows 0 and 4 holds exactly its cell, unless more is hidden: it is."""
    table = Table.of([[1, 0, 0], [0, 1, 1], [0, 0, 0], [0, 0, 0], [1, 0, 0]])
    assert_safe(table, 2)


def test_two_ones_in_a_row_are_not_given_away_by_its_total() -> None:
    """Hidden counts are at least one (zeros are shown): 1 and 1 under a total of 12 beside
    a 10 could be nothing else."""
    shown = assert_safe(Table.of([[10, 1, 1], [9, 8, 7]]), 2)
    assert len(shown.hidden) > 2


def test_a_count_hidden_as_small_may_still_be_large_to_the_reader() -> None:
    """1 and 2 hidden in a row of 13 with a 10 shown: the reader would know both are small."""
    shown = assert_safe(Table.of([[10, 1, 2], [9, 8, 7]]), 5)
    for cell in (("cell", 0, 1), ("cell", 0, 2)):
        high = ranges(shown.table, shown.hidden)[cell][1]
        assert high is None or high >= 5


def test_a_lone_small_cell_takes_a_partner_in_its_row_and_column() -> None:
    table = Table.of([[10, 2, 7], [8, 9, 12]])
    shown = assert_safe(table, 5)
    assert ("cell", 0, 1) in shown.primary
    # Its row and its column each hide a second entry, or the subtraction gives it away.
    assert sum(("cell", 0, c) in shown.hidden for c in range(3)) >= 2
    assert sum(("cell", r, 1) in shown.hidden for r in range(2)) >= 2
    assert shown.total == 48


def test_a_group_too_small_to_show_is_hidden_whole() -> None:
    table = Table.of([[20, 15, 9], [1, 2, 0], [12, 11, 30]])
    shown = assert_safe(table, 5)
    assert shown.row_total(1) is None and all(shown.cell(1, c) is None for c in range(3))


def test_the_plain_subtraction_is_caught_by_the_check() -> None:
    table = Table.of([[10, 2, 7]])
    assert determined(table, {("cell", 0, 1)}) == {("cell", 0, 1)}
    # With one row, a column's total is its cell: the totals must go too.
    assert determined(table, {("cell", 0, 1), ("cell", 0, 2)}) == {
        ("cell", 0, 1),
        ("cell", 0, 2),
    }
    pair: set[Entry] = {("cell", 0, 1), ("cell", 0, 2), ("column", 1), ("column", 2)}
    assert determined(table, pair) == set()
    assert ranges(table, pair)[("cell", 0, 1)] == (1, 8)


def test_nothing_negative_or_ragged() -> None:
    with pytest.raises(ValueError, match="negative"):
        Table.of([[1, -1]])
    with pytest.raises(ValueError, match="same number"):
        Table.of([[1, 2], [3]])
