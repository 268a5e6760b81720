"""Agreement between informants, checked against worked examples from the literature.

r_wg: James, Demaree & Wolf (1984), "Estimating within-group interrater reliability with and
without response bias", J. Appl. Psychol. 69(1): r_wg = 1 - s^2 / sigma^2_EU, with the uniform
null's variance sigma^2_EU = (A^2 - 1) / 12 for A points (2.0 on a 5-point scale, 4.0 on 7
points, 6.67 on 9); LeBreton & Senter (2008), "Answers to 20 questions about interrater
reliability and interrater agreement", Organ. Res. Methods 11(4): values below 0 are set to 0,
and their Table 3 reads .00-.30 as a lack of agreement, .31-.50 weak, .51-.70 moderate,
.71-.90 strong and .91-1.00 very strong agreement.

Krippendorff's alpha: K. Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability"
(Annenberg School for Communication, departmental paper 43), the example of 4 observers
coding 12 units on values 1-5 with missing data: alpha nominal = 0.743, ordinal = 0.815,
interval = 0.849, ratio = 0.797; and Krippendorff (2004), Content Analysis, 2nd ed., p. 241:
rely on variables with alpha >= .800, draw tentative conclusions from .667 to .800.
"""

from __future__ import annotations

import pytest

from service.workflow import agreement
from service.workflow.agreement import (
    MINIMUM_SCORES,
    AgreementLevel,
    CountedUnits,
    Level,
    ReliabilityLevel,
    agreement_level,
    alpha_estimate,
    alpha_estimates,
    factor_agreement,
    forget_estimates,
    interquartile_range,
    krippendorff_alpha,
    pack_counts,
    r_wg,
    reliability_level,
    score_range,
    uniform_null_variance,
    unpack_counts,
    value_counts,
    weighted_alphas,
)
from service.workflow.scale import BestEnd, Scale

ARHUS = Scale(0, 4, BestEnd.LOW)  # five points
KL = Scale(1, 5, BestEnd.LOW)  # five points

# Krippendorff (2011), p. 3: observers A-D (rows) x units 1-12 (columns); None is missing.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


def _units() -> list[list[int | None]]:
    """The same data a unit (a round's factor) at a time, as the service stores it."""
    return [list(unit) for unit in zip(*KRIPPENDORFF_2011, strict=True)]


def test_uniform_null_variance_is_james_demaree_wolf() -> None:
    assert uniform_null_variance(ARHUS) == pytest.approx(2.0)
    assert uniform_null_variance(Scale(1, 7, BestEnd.HIGH)) == pytest.approx(4.0)
    assert uniform_null_variance(Scale(1, 9, BestEnd.HIGH)) == pytest.approx(6.667, abs=1e-3)


def test_r_wg_hand_worked() -> None:
    # 4, 4, 5, 5, 3 on 1-5: mean 4.2, squared deviations .04 + .04 + .64 + .64 + 1.44 = 2.8,
    # s^2 = 2.8 / 4 = 0.7, r_wg = 1 - 0.7 / 2 = 0.65.
    assert r_wg([4, 4, 5, 5, 3], KL) == pytest.approx(0.65)
    # 2, 2, 2: no variance at all, complete agreement.
    assert r_wg([2, 2, 2], ARHUS) == pytest.approx(1.0)
    # 1, 2, 3 on 1-7: s^2 = 1, r_wg = 1 - 1 / 4 = 0.75.
    assert r_wg([1, 2, 3], Scale(1, 7, BestEnd.HIGH)) == pytest.approx(0.75)
    # 0, 0, 4, 4 on 0-4: s^2 = 16 / 3 = 5.33 > 2, more than the uniform null: set to 0.
    assert r_wg([0, 0, 4, 4], ARHUS) == 0.0


def test_r_wg_leaves_out_cannot_assess_and_needs_three_scores() -> None:
    assert MINIMUM_SCORES == 3
    assert r_wg([1, None, 1, None], ARHUS) is None
    assert r_wg([1, None, 1, 1], ARHUS) == pytest.approx(1.0)
    assert r_wg([], ARHUS) is None


def test_range_and_interquartile_range() -> None:
    # Quartiles by linear interpolation between order statistics (Hyndman & Fan's type 7):
    # 1, 2, 3, 4: Q1 = 1 + 0.75 * 1 = 1.75, Q3 = 3 + 0.25 * 1 = 3.25, IQR = 1.5.
    assert interquartile_range([4, 1, 3, 2]) == pytest.approx(1.5)
    # 0, 1, 1, 2, 4: Q1 = 1, Q3 = 2, IQR = 1.
    assert interquartile_range([0, 1, 1, 2, 4, None]) == pytest.approx(1.0)
    assert interquartile_range([3]) == 0.0
    assert interquartile_range([None]) is None
    assert score_range([0, None, 4, 2]) == 4
    assert score_range([None]) is None


def test_agreement_levels_follow_lebreton_and_senter() -> None:
    assert agreement_level(None) is AgreementLevel.TOO_FEW
    assert agreement_level(1.0) is AgreementLevel.HIGH
    assert agreement_level(0.71) is AgreementLevel.HIGH
    assert agreement_level(0.70) is AgreementLevel.SOME
    assert agreement_level(0.51) is AgreementLevel.SOME
    assert agreement_level(0.50) is AgreementLevel.LOW
    assert agreement_level(0.0) is AgreementLevel.LOW


def test_factor_agreement_gathers_it_all() -> None:
    found = factor_agreement([4, None, 4, 5, 5, 3], KL)
    assert (found.scored, found.minimum, found.maximum, found.range) == (5, 3, 5, 2)
    assert found.iqr == pytest.approx(1.0)
    assert found.r_wg == pytest.approx(0.65)
    assert found.level is AgreementLevel.SOME
    too_few = factor_agreement([1, 3, None], ARHUS)
    assert too_few.level is AgreementLevel.TOO_FEW and too_few.r_wg is None
    assert too_few.range == 2


def test_value_counts_count_each_point_per_unit() -> None:
    counts = value_counts(_units(), KL)
    assert counts[0] == [3, 0, 0, 0, 0]
    assert counts[5] == [1, 1, 1, 1, 0]
    assert counts[11] == [0, 0, 1, 0, 0]
    with pytest.raises(ValueError, match="not on the scale"):
        value_counts([[6]], KL)


@pytest.mark.parametrize(
    ("level", "expected"), [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849)]
)
def test_alpha_is_krippendorffs_worked_example(level: Level, expected: float) -> None:
    counts = value_counts(_units(), KL)
    assert krippendorff_alpha(counts, level=level) == pytest.approx(expected, abs=5e-4)


def test_alpha_estimate_is_seeded_and_brackets_the_figure() -> None:
    counts = value_counts(_units(), KL)
    first = alpha_estimate(counts, seed=7, draws=400)
    again = alpha_estimate(counts, seed=7, draws=400)
    assert first == again
    assert first.alpha == pytest.approx(0.815, abs=5e-4)
    assert first.low is not None and first.high is not None and first.alpha is not None
    assert first.low <= first.alpha <= first.high <= 1.0
    # 11 units have two or more values (unit 12 has one), 40 values pair up.
    assert (first.units, first.values) == (11, 40)
    assert alpha_estimate(counts, seed=8, draws=400).low != first.low


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval"])
def test_weighted_alphas_reckon_as_the_library_does(level: Level) -> None:
    """The interval is drawn by weighting units; a unit drawn once, or every unit twice, must
    give the library's own figure on the data as it is, or on the data doubled."""
    counts = value_counts(_units(), KL)
    once, twice = weighted_alphas(counts, [[1] * len(counts), [2] * len(counts)], level=level)
    assert once == pytest.approx(krippendorff_alpha(counts, level=level))
    assert twice == pytest.approx(krippendorff_alpha(counts + counts, level=level))
    left_out = [1] * 5 + [0] * 7
    assert weighted_alphas(counts, [left_out], level=level)[0] == pytest.approx(
        krippendorff_alpha(counts[:5], level=level)
    )


def test_alpha_undefined_without_pairable_values_or_variation() -> None:
    assert krippendorff_alpha([[1, 0, 0, 0, 0], [0, 1, 0, 0, 0]]) is None
    assert krippendorff_alpha([[2, 0, 0, 0, 0], [3, 0, 0, 0, 0]]) is None
    assert krippendorff_alpha([]) is None
    empty = alpha_estimate([], seed=1)
    assert (empty.alpha, empty.low, empty.high, empty.units) == (None, None, None, 0)


def test_reliability_levels_follow_krippendorff() -> None:
    assert reliability_level(None) is ReliabilityLevel.UNKNOWN
    assert reliability_level(0.8) is ReliabilityLevel.RELIABLE
    assert reliability_level(0.7) is ReliabilityLevel.TENTATIVE
    assert reliability_level(0.667) is ReliabilityLevel.TENTATIVE
    assert reliability_level(0.5) is ReliabilityLevel.UNRELIABLE


def test_a_large_cells_interval_from_the_normal_law_matches_picking_units(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past EXACT_PICKS a draw's coincidences come from their normal limit: with 2,000 units
    its interval is the one picking units one by one gives, to within a hundredth."""
    import random

    from service.workflow import agreement

    rng = random.Random(5)
    units: list[list[int | None]] = []
    for _ in range(2000):
        truth = rng.randrange(5)
        units.append(
            [min(4, max(0, truth + rng.choice((-1, 0, 0, 1)))) for _ in range(rng.randrange(2, 6))]
        )
    counts = value_counts(units, ARHUS)
    normal = alpha_estimate(counts, seed=3)
    monkeypatch.setattr(agreement, "EXACT_PICKS", 10**9)
    exact = alpha_estimate(counts, seed=3)
    assert normal.alpha == exact.alpha
    assert normal.low is not None and exact.low is not None
    assert normal.high is not None and exact.high is not None
    assert normal.low == pytest.approx(exact.low, abs=0.01)
    assert normal.high == pytest.approx(exact.high, abs=0.01)
    assert normal.low < normal.alpha < normal.high  # type: ignore[operator]


def test_counts_pack_into_two_numbers_for_scales_of_up_to_twenty_points() -> None:
    """Eleven points (the most an instrument has) need the second number."""
    eleven = [3, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2]
    packed = pack_counts(eleven)
    assert packed == (3 + (1 << 12), 2)
    assert unpack_counts(packed, 11) == tuple(eleven)
    assert unpack_counts(pack_counts([63] * 20), 20) == (63,) * 20
    with pytest.raises(ValueError, match="0 to 63"):
        pack_counts([64, 0, 0])
    with pytest.raises(ValueError, match="at most 20"):
        pack_counts([0] * 21)


def test_figures_reckoned_together_are_each_as_reckoned_alone() -> None:
    """The report reckons every cell's draws in one pass, from distinct rows with how many
    units have each: the same figure and interval as the cell's own units one by one."""
    import random

    rng = random.Random(11)
    eleven = Scale(0, 10, BestEnd.LOW)
    cells: list[tuple[list[list[int]], int]] = []
    for size, scale in ((12, KL), (40, eleven), (300, ARHUS), (7, KL)):
        units: list[list[int | None]] = []
        for _ in range(size):
            truth = rng.choice(list(scale.points))
            units.append(
                [
                    min(scale.maximum, max(scale.minimum, truth + rng.choice((-1, 0, 0, 1))))
                    for _ in range(rng.randrange(1, 5))
                ]
            )
        cells.append((value_counts(units, scale), size))
    figures = []
    for n, (counts, _) in enumerate(cells):
        distinct = sorted({tuple(row) for row in counts}, reverse=True)
        weights = [counts.count(list(row)) for row in distinct]
        figures.append(CountedUnits(distinct, weights, seed=n))
    together = alpha_estimates(figures, draws=300)
    forget_estimates()  # each worked out again, not read back
    for n, (counts, _) in enumerate(cells):
        alone = alpha_estimate(counts, seed=n, draws=300)
        assert together[n].alpha == pytest.approx(alone.alpha, abs=1e-12)
        assert together[n].low == pytest.approx(alone.low, abs=1e-12)
        assert together[n].high == pytest.approx(alone.high, abs=1e-12)
        assert (together[n].units, together[n].values) == (alone.units, alone.values)
    assert together[1].low is not None and together[1].high is not None
    assert together[1].low < together[1].high


def test_an_estimate_worked_out_once_is_read_back_for_the_same_counts_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A figure's interval is the same for the same counts and seed, in whatever order its rows
    come: it is worked out once. Other counts or another seed are worked out anew."""
    forget_estimates()
    rows = [[2, 1, 0, 0, 0], [0, 3, 0, 0, 0], [0, 1, 2, 0, 0], [1, 1, 1, 0, 0]]
    first = alpha_estimates([CountedUnits(rows, [3, 2, 4, 1], seed=5)], draws=200)[0]
    assert first.alpha is not None and first.low is not None

    def worked_out(*_: object, **__: object) -> None:
        raise AssertionError("worked out again")

    monkeypatch.setattr(agreement, "_alpha_array", worked_out)
    monkeypatch.setattr(agreement, "krippendorff_alpha", worked_out)
    backwards = CountedUnits(rows[::-1], [1, 4, 2, 3], seed=5)
    assert alpha_estimates([backwards], draws=200)[0] == first
    for changed in (
        CountedUnits(rows, [3, 2, 4, 2], seed=5),
        CountedUnits(rows, [3, 2, 4, 1], seed=6),
    ):
        with pytest.raises(AssertionError, match="worked out again"):
            alpha_estimates([changed], draws=200)
    with pytest.raises(AssertionError, match="worked out again"):
        alpha_estimates([CountedUnits(rows, [3, 2, 4, 1], seed=5)], draws=300)
