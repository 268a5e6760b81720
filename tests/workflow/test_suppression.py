"""Small-group suppression: nothing under the minimum group size is shown, and the reader's
subtraction attack (solving the shown totals and cells for a hidden one, with every count a
whole number of at least zero) recovers no hidden count."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.workflow.suppression import Entry, Suppressed, Table, determined, suppress
from tests.suppression_attack import exposed


def attack(shown: Suppressed) -> list[tuple[str, int]]:
    table = shown.table
    return exposed(
        [[shown.cell(r, c) for c in range(table.n_columns)] for r in range(table.n_rows)],
        [shown.row_total(r) for r in range(table.n_rows)],
        [shown.column_total(c) for c in range(table.n_columns)],
        shown.total,
    )


def assert_safe(table: Table, k: int, also: frozenset[Entry] = frozenset()) -> Suppressed:
    shown = suppress(table, k, also)
    assert also <= shown.hidden
    for entry in table.entries():
        if 0 < table.value(entry) < k:
            assert entry in shown.hidden, f"{entry} = {table.value(entry)} is shown"
    assert attack(shown) == []
    return shown


counts = st.integers(min_value=0, max_value=14)


@st.composite
def tables(draw: st.DrawFn) -> Table:
    n_rows = draw(st.integers(min_value=1, max_value=5))
    n_columns = draw(st.integers(min_value=1, max_value=6))
    return Table.of([[draw(counts) for _ in range(n_columns)] for _ in range(n_rows)])


@settings(max_examples=600, deadline=None)
@given(table=tables(), k=st.integers(min_value=2, max_value=6))
def test_no_hidden_count_can_be_worked_out(table: Table, k: int) -> None:
    assert_safe(table, k)


@settings(max_examples=300, deadline=None)
@given(table=tables(), k=st.integers(min_value=2, max_value=6), data=st.data())
def test_entries_hidden_for_other_reasons_stay_safe_too(
    table: Table, k: int, data: st.DataObject
) -> None:
    """A cell of ten outcomes may be two children: the caller hides it, and it stays hidden."""
    also = frozenset(data.draw(st.sets(st.sampled_from(table.entries()), max_size=3)))
    assert_safe(table, k, also)


@settings(max_examples=100, deadline=None)
@given(table=tables())
def test_a_minimum_of_one_hides_nothing(table: Table) -> None:
    assert suppress(table, 1).hidden == frozenset()


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


def test_nothing_negative_or_ragged() -> None:
    with pytest.raises(ValueError, match="negative"):
        Table.of([[1, -1]])
    with pytest.raises(ValueError, match="same number"):
        Table.of([[1, 2], [3]])
