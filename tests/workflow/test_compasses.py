"""Two compasses side by side: the caseworker's and the provider's own scores per factor over
the rounds, where they part (further apart than the divergence threshold) and where they meet
again; several providers each counted, none hidden behind their middle."""

from __future__ import annotations

from service.workflow.compasses import RoundViews, Stance, Turn, compare, own_view


def test_they_part_beyond_the_threshold_and_meet_again() -> None:
    rounds = [
        RoundViews(caseworker=(3,), provider=(3,), official=3),
        RoundViews(caseworker=(3,), provider=(1,), official=2),  # 2 apart: parted
        RoundViews(caseworker=(2,), provider=(1,), official=2),  # 1 apart: met again
        RoundViews(caseworker=(1,), provider=(1,), official=1),
    ]
    found = compare(rounds, threshold=1)
    assert [p.gap for p in found] == [0, 2, 1, 0]
    assert [p.stance for p in found] == [
        Stance.TOGETHER,
        Stance.APART,
        Stance.CLOSE,
        Stance.TOGETHER,
    ]
    assert [p.turn for p in found] == [None, Turn.PART, Turn.MEET, None]
    # The municipality's threshold decides what is apart: at 2, two points are still close.
    assert [p.stance for p in compare(rounds, threshold=2)][1] is Stance.CLOSE
    assert all(p.turn is None for p in compare(rounds, threshold=2))


def test_a_round_without_one_of_the_views_breaks_nothing_and_turns_nothing() -> None:
    rounds = [
        RoundViews(caseworker=(4,), provider=(1,), official=3),
        RoundViews(caseworker=(3,), provider=(), official=3),  # no provider scored it
        RoundViews(caseworker=(), provider=(2,), official=None),
        RoundViews(caseworker=(2,), provider=(2,), official=2),
    ]
    found = compare(rounds, threshold=1)
    assert [p.stance for p in found] == [Stance.APART, None, None, Stance.TOGETHER]
    assert [p.gap for p in found] == [3, None, None, 0]
    # Measured against the last round where both looked: they met.
    assert [p.turn for p in found] == [None, None, None, Turn.MEET]


def test_several_providers_each_count_and_the_line_runs_through_their_middle() -> None:
    # Two providers at 1 and 3 around a caseworker at 2: the mean would agree with the
    # caseworker, but each is a point away; at 0 and 4 each is two away: apart.
    close = compare([RoundViews(caseworker=(2,), provider=(1, 3), official=2)], threshold=1)[0]
    assert close.provider == 2.0 and close.gap == 1 and close.stance is Stance.CLOSE
    apart = compare([RoundViews(caseworker=(2,), provider=(0, 4), official=2)], threshold=1)[0]
    assert apart.provider == 2.0 and apart.gap == 2 and apart.stance is Stance.APART
    assert own_view((1, 2)) == 1.5 and own_view(()) is None
