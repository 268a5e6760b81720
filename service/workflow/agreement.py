"""Whether the people who know a child score alike: within a round, per factor, and across a
municipality's completed rounds.

A score is worth something only where people score alike (KL's report, `002` l.101-103, asks
for an implementation period of shared discussion of concrete cases "for herigennem at arbejde
med enighed og fællesforståelse af scoringerne"). Everything here is advisory: a figure says
how alike the independent scores were, it changes nothing by itself and ranks nobody.

**Within a round** (one factor, the informants' independent scores, "cannot assess" left out):
the range, the interquartile range (quartiles by linear interpolation between the order
statistics, Hyndman & Fan's type 7), and r_wg, the within-group agreement of James, Demaree &
Wolf (1984): one minus the sample variance of the scores over the variance of a uniform null
over the scale's A points, (A^2 - 1) / 12; negative values are set to 0 (LeBreton & Senter
2008), and with fewer than three scores there are too few to say. The words follow LeBreton &
Senter's Table 3: above .70 strong agreement, above .50 moderate, otherwise weak or none.

**Across rounds**: Krippendorff's alpha (ordinal) over the independent scores of completed
rounds, each round's factor a unit, fed to the `krippendorff` package as value counts (one row
per unit, one column per scale point) so that only the counts need be stored. Its interval is
a seeded percentile bootstrap over units (a unit is a child's round: that is what is sampled),
drawn as how often each distinct row of counts comes up, so that a draw costs one product of
small matrices, not a pass over the data; past a few hundred units those counts come from the
normal law the multinomial tends to (see `EXACT_PICKS`).
Krippendorff (2004, p. 241) relies on alpha >= .800 and draws tentative conclusions from .667.

No HTTP, no SQL: the use cases feed these functions what they read.
"""

from __future__ import annotations

import functools
import hashlib
import math
import statistics
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

import krippendorff
import numpy as np
import numpy.typing as npt

from service.workflow.scale import Scale

#: Fewer independent scores than this, and r_wg says nothing ("too few").
MINIMUM_SCORES = 3

#: LeBreton & Senter (2008), Table 3: above .70 is strong agreement, above .50 moderate.
STRONG_AGREEMENT = 0.70
MODERATE_AGREEMENT = 0.50

#: Krippendorff (2004, p. 241): rely on alpha >= .800; tentative conclusions from .667.
RELIABLE_ALPHA = 0.800
TENTATIVE_ALPHA = 0.667

#: Bootstrap draws for alpha's interval, unless the caller asks for another number.
DEFAULT_DRAWS = 1000
DEFAULT_CONFIDENCE = 0.95

Level = Literal["nominal", "ordinal", "interval"]


class AgreementLevel(StrEnum):
    """How alike a round's independent scores on one factor are, in words."""

    HIGH = "high"  # stor enighed
    SOME = "some"  # nogen uenighed
    LOW = "low"  # stor uenighed
    TOO_FEW = "too_few"  # for få vurderinger


class ReliabilityLevel(StrEnum):
    """What Krippendorff's alpha lets a leader conclude from a municipality's scores."""

    RELIABLE = "reliable"
    TENTATIVE = "tentative"
    UNRELIABLE = "unreliable"
    UNKNOWN = "unknown"


def _scored(values: Iterable[int | None]) -> list[int]:
    return [v for v in values if v is not None]


def score_range(values: Iterable[int | None]) -> int | None:
    """Highest minus lowest score; None when nobody scored."""
    scored = _scored(values)
    return max(scored) - min(scored) if scored else None


def interquartile_range(values: Iterable[int | None]) -> float | None:
    """Q3 - Q1 by linear interpolation (type 7); 0 for one score, None for none."""
    scored = _scored(values)
    if not scored:
        return None
    if len(scored) == 1:
        return 0.0
    q1, _, q3 = statistics.quantiles(scored, n=4, method="inclusive")
    return q3 - q1


def uniform_null_variance(scale: Scale) -> float:
    """The variance of a uniform distribution over the scale's A points: (A^2 - 1) / 12."""
    points = len(scale.points)
    return (points * points - 1) / 12


def r_wg(values: Iterable[int | None], scale: Scale) -> float | None:
    """1 - s^2 / sigma^2_EU, at least 0; None with fewer than MINIMUM_SCORES scores."""
    scored = _scored(values)
    if len(scored) < MINIMUM_SCORES:
        return None
    return max(0.0, 1 - statistics.variance(scored) / uniform_null_variance(scale))


def agreement_level(value: float | None) -> AgreementLevel:
    if value is None:
        return AgreementLevel.TOO_FEW
    if value > STRONG_AGREEMENT:
        return AgreementLevel.HIGH
    if value > MODERATE_AGREEMENT:
        return AgreementLevel.SOME
    return AgreementLevel.LOW


@dataclass(frozen=True, slots=True)
class FactorAgreement:
    """A round's independent scores on one factor, as far as they agree."""

    scored: int
    minimum: int | None
    maximum: int | None
    range: int | None
    iqr: float | None
    r_wg: float | None
    level: AgreementLevel


def factor_agreement(values: Sequence[int | None], scale: Scale) -> FactorAgreement:
    scored = _scored(values)
    coefficient = r_wg(scored, scale)
    return FactorAgreement(
        scored=len(scored),
        minimum=min(scored, default=None),
        maximum=max(scored, default=None),
        range=score_range(scored),
        iqr=interquartile_range(scored),
        r_wg=coefficient,
        level=agreement_level(coefficient),
    )


def value_counts(units: Iterable[Sequence[int | None]], scale: Scale) -> list[list[int]]:
    """Per unit (a round's factor), how many informants gave each point of the scale."""
    points = list(scale.points)
    rows = []
    for unit in units:
        row = [0] * len(points)
        for value in _scored(unit):
            if not scale.contains(value):
                raise ValueError(f"{value} is not on the scale {scale.minimum}..{scale.maximum}")
            row[value - scale.minimum] += 1
        rows.append(row)
    return rows


#: A unit's counts are kept as numbers of BITS bits a point (up to 63 informants on one
#: point), POINTS_PER_NUMBER points to a 64-bit number, NUMBERS numbers: scales of up to 20
#: points (an instrument has at most 11).
BITS = 6
POINTS_PER_NUMBER = 10
NUMBERS = 2


def pack_counts(counts: Sequence[int]) -> tuple[int, ...]:
    """A unit's counts per point (from the best end) as NUMBERS numbers."""
    if len(counts) > POINTS_PER_NUMBER * NUMBERS:
        raise ValueError(f"at most {POINTS_PER_NUMBER * NUMBERS} points")
    if any(not 0 <= n < 1 << BITS for n in counts):
        raise ValueError(f"a point's count is 0 to {(1 << BITS) - 1}")
    packed = [0] * NUMBERS
    for severity, n in enumerate(counts):
        packed[severity // POINTS_PER_NUMBER] |= n << (BITS * (severity % POINTS_PER_NUMBER))
    return tuple(packed)


def unpack_counts(packed: Sequence[int], points: int) -> tuple[int, ...]:
    """The counts of a unit's `points` points from its numbers (`pack_counts`)."""
    mask = (1 << BITS) - 1
    return tuple(
        (int(packed[s // POINTS_PER_NUMBER]) >> (BITS * (s % POINTS_PER_NUMBER))) & mask
        for s in range(points)
    )


def _pairable(counts: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """The units with two or more values: the only ones alpha hears from."""
    array = np.asarray(counts, dtype=np.float64)
    if array.ndim != 2 or array.shape[0] == 0:
        return np.zeros((0, 0))
    pairable: npt.NDArray[np.float64] = array[array.sum(axis=1) >= 2]
    return pairable


def _defined(pairable: npt.NDArray[np.float64]) -> bool:
    """Alpha needs pairable values and more than one value among them."""
    return pairable.shape[0] > 0 and int((pairable.sum(axis=0) > 0).sum()) > 1


def krippendorff_alpha(counts: npt.ArrayLike, level: Level = "ordinal") -> float | None:
    """Krippendorff's alpha from value counts (units x scale points), by the kept library;
    None where it is undefined (no pairable values, or all of them alike)."""
    pairable = _pairable(counts)
    if not _defined(pairable):
        return None
    found = float(krippendorff.alpha(value_counts=pairable, level_of_measurement=level))
    return None if math.isnan(found) else found


def _unit_coincidences(pairable: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Each unit's share of the coincidence matrix: (n_uc n_uk - [c = k] n_uc) / (m_u - 1)."""
    outer = pairable[:, :, None] * pairable[:, None, :]
    diagonal = pairable[:, :, None] * np.eye(pairable.shape[1])[None, :, :]
    shares: npt.NDArray[np.float64] = (outer - diagonal) / (pairable.sum(axis=1) - 1)[:, None, None]
    return shares


def weighted_alphas(
    counts: npt.ArrayLike, weights: npt.ArrayLike, level: Level = "ordinal"
) -> list[float | None]:
    """Alpha of the data with each unit counted `weight` times, once per row of weights
    (draws x units): what a bootstrap draw over units amounts to."""
    array = np.asarray(counts, dtype=np.float64)
    draws = np.asarray(weights, dtype=np.float64)
    if draws.ndim != 2:
        raise ValueError("weights are draws x units")
    if array.ndim != 2 or array.shape[0] == 0 or draws.size == 0:
        return [None] * len(draws)
    if draws.shape[1] != array.shape[0]:
        raise ValueError("one weight per unit in every draw")
    keep = array.sum(axis=1) >= 2
    pairable, draws = array[keep], draws[:, keep]
    if pairable.shape[0] == 0:
        return [None] * len(draws)
    points = pairable.shape[1]
    coincidences = (draws @ _unit_coincidences(pairable).reshape(len(pairable), -1)).reshape(
        len(draws), points, points
    )
    return _alphas(coincidences, level)


@functools.cache
def _pair_sums(points: int) -> tuple[npt.NDArray[np.float64], ...]:
    """Matrices that turn a flattened coincidence matrix (V x V) into its marginals n_c and its
    pairs c < k (their two halves averaged), and the marginals into n_c, n_k and the ordinal
    metric's root n_c / 2 + (the n_g between) + n_k / 2 of each pair: sums over the scale's
    points as products of small matrices, which numpy does for every draw at once."""
    c, k = np.triu_indices(points, 1)
    pairs = len(c)
    marginal = np.zeros((points * points, points))
    for row in range(points):
        marginal[row * points : (row + 1) * points, row] = 1
    paired = np.zeros((points * points, pairs))
    paired[c * points + k, np.arange(pairs)] = 0.5
    paired[k * points + c, np.arange(pairs)] = 0.5
    first, second, ordinal = (np.zeros((points, pairs)) for _ in range(3))
    first[c, np.arange(pairs)] = 1
    second[k, np.arange(pairs)] = 1
    for pair, (low, high) in enumerate(zip(c, k, strict=True)):
        ordinal[low + 1 : high, pair] = 1
        ordinal[low, pair] = ordinal[high, pair] = 0.5
    interval = ((c - k) ** 2).astype(np.float64)[None, :]
    return marginal, paired, first, second, ordinal, interval


def _alpha_array(coincidences: npt.NDArray[np.float64], level: Level) -> npt.NDArray[np.float64]:
    """Alpha of each coincidence matrix (draws x V x V): 1 - (n - 1) D_o / D_e, with
    Krippendorff (2011)'s metrics delta^2_ck; NaN where it is undefined (no expected
    disagreement). The matrices and metrics are symmetric with nothing on the diagonal, so
    both sums are taken over the pairs c < k only: half the sums, the same ratio."""
    draws, points, _ = coincidences.shape
    marginal, paired, first, second, ordinal, interval = _pair_sums(points)
    flat = coincidences.reshape(draws, points * points)
    marginals = flat @ marginal
    total = marginals.sum(axis=1)
    delta: npt.NDArray[np.float64]
    if level == "nominal":
        delta = np.ones((1, paired.shape[1]))
    elif level == "interval":
        delta = interval
    elif level == "ordinal":
        delta = (marginals @ ordinal) ** 2
    else:
        raise ValueError(f"no metric for {level!r}")
    observed = ((flat @ paired) * delta).sum(axis=1)
    expected = ((marginals @ first) * (marginals @ second) * delta).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        alphas = 1 - (total - 1) * observed / expected
    found: npt.NDArray[np.float64] = np.where(expected > 0, alphas, np.nan)
    return found


def _alphas(coincidences: npt.NDArray[np.float64], level: Level) -> list[float | None]:
    """Alpha of each coincidence matrix (draws x V x V), None where it is undefined."""
    return [None if math.isnan(a) else float(a) for a in _alpha_array(coincidences, level)]


#: Up to this many picks (draws x units) a draw picks units one by one; beyond it, a draw's
#: coincidence matrix, a sum of as many independent units, is taken from the normal law that
#: sum tends to (central limit theorem), with the mean and covariance of one unit's share
#: worked out exactly from the data: it costs per cell of the matrix, not per unit.
EXACT_PICKS = 250_000


def _patterns(
    rows: npt.NDArray[np.float64], weights: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """The distinct rows of counts and how many units have each, `weights` units having each
    of `rows` (rows may repeat). A row is read as a number in base (largest count + 1), so
    that one sort of numbers orders them: sorting rows is slower. The order is the one the
    resampling's draws are made in, so it is part of what keeps an interval the same."""
    whole = rows.astype(np.int64)
    base = int(whole.max()) + 1
    if base ** whole.shape[1] >= 2**62:
        found, inverse = np.unique(rows, axis=0, return_inverse=True)
    else:
        numbers = whole @ (base ** np.arange(whole.shape[1], dtype=np.int64))
        _, first, inverse = np.unique(numbers, return_index=True, return_inverse=True)
        found = rows[first]
    frequency = np.bincount(inverse.ravel(), weights=weights, minlength=len(found))
    return found, frequency.astype(np.int64)


def _resample(
    generator: np.random.Generator,
    frequency: npt.NDArray[np.int64],
    draws: int,
) -> npt.NDArray[np.float64]:
    """How often each pattern comes up in each of `draws` resamplings of the units with
    replacement (draws x patterns)."""
    units = int(frequency.sum())
    patterns = len(frequency)
    if units * draws <= EXACT_PICKS:
        of_unit = np.repeat(np.arange(patterns), frequency)
        picks = of_unit[generator.integers(0, units, size=(draws, units))]
        picks += (np.arange(draws) * patterns)[:, None]
        counted = np.bincount(picks.ravel(), minlength=draws * patterns)
        return counted.reshape(draws, patterns).astype(np.float64)
    raise ValueError("too many picks: draw the coincidences instead (_normal_coincidences)")


def _normal_coincidences(
    generator: np.random.Generator,
    patterns: npt.NDArray[np.float64],
    frequency: npt.NDArray[np.int64],
    draws: int,
) -> npt.NDArray[np.float64]:
    """`draws` coincidence matrices of N units resampled with replacement, from the normal law
    their sum tends to: mean N m and covariance N S, where m and S are the mean and covariance
    of one unit's share over the data (the same law as the multinomial counts' own normal
    limit, drawn in V x V dimensions instead of one per pattern)."""
    units = int(frequency.sum())
    points = patterns.shape[1]
    shares = _unit_coincidences(patterns).reshape(len(patterns), -1)
    weight = frequency / units
    mean = weight @ shares
    centred = shares - mean
    covariance = centred.T @ (centred * weight[:, None])
    values, vectors = np.linalg.eigh(covariance)
    root = vectors * np.sqrt(np.clip(values, 0, None))[None, :]
    z = generator.standard_normal((draws, len(values)))
    drawn = units * mean[None, :] + math.sqrt(units) * (z @ root.T)
    return np.asarray(drawn, dtype=np.float64).reshape(draws, points, points)


@dataclass(frozen=True, slots=True)
class AlphaEstimate:
    """Alpha with its bootstrap interval, and how much stands behind it."""

    alpha: float | None
    low: float | None
    high: float | None
    units: int  # units with two or more values
    values: int  # values in those units
    draws: int
    reliability: ReliabilityLevel
    #: A digest of exactly what it was worked out from (counts, seed, settings): an estimate
    #: kept elsewhere under it can be given back (`remember_estimates`).
    key: bytes = b""


def reliability_level(value: float | None) -> ReliabilityLevel:
    if value is None:
        return ReliabilityLevel.UNKNOWN
    if value >= RELIABLE_ALPHA:
        return ReliabilityLevel.RELIABLE
    if value >= TENTATIVE_ALPHA:
        return ReliabilityLevel.TENTATIVE
    return ReliabilityLevel.UNRELIABLE


@dataclass(frozen=True, slots=True)
class CountedUnits:
    """One figure's units (a round's factor each) as rows of value counts (units x scale
    points) and how many units have each row, and the seed of its interval."""

    rows: npt.ArrayLike
    weights: npt.ArrayLike
    seed: int


def alpha_estimate(
    counts: npt.ArrayLike,
    *,
    seed: int,
    draws: int = DEFAULT_DRAWS,
    confidence: float = DEFAULT_CONFIDENCE,
    level: Level = "ordinal",
) -> AlphaEstimate:
    """Alpha by the library and a percentile interval from `draws` resamplings of the units
    with replacement, seeded so that the same data give the same interval every time."""
    array = np.asarray(counts, dtype=np.float64)
    weights = np.ones(array.shape[0] if array.ndim == 2 else 0, dtype=np.int64)
    return alpha_estimates(
        [CountedUnits(array, weights, seed)], draws=draws, confidence=confidence, level=level
    )[0]


#: Estimates already worked out, by a digest of exactly what each was worked out from: a
#: figure's bootstrap is the same every time for the same counts and seed, so a figure whose
#: units did not change (most of a municipality's, when one round completes) is read back.
#: A generated municipality's views by every period length, its own and its six teams', hold
#: some 7,500 cells; an estimate is a few hundred bytes.
KEPT_ESTIMATES = 32768
_kept: OrderedDict[bytes, AlphaEstimate] = OrderedDict()
_kept_lock = threading.Lock()


def forget_estimates() -> None:
    """Work every estimate out again (a benchmark's first read)."""
    with _kept_lock:
        _kept.clear()


def remember_estimates(estimates: Iterable[AlphaEstimate]) -> None:
    """Estimates worked out before, kept elsewhere with their keys (a report's stored
    figures): a figure with the same counts, seed and settings reads them back instead of
    drawing its interval again, in a process that has not worked them out itself."""
    for estimate in estimates:
        if estimate.key:
            _keep(estimate.key, estimate)


def _digest(
    patterns: npt.NDArray[np.float64],
    frequency: npt.NDArray[np.int64],
    seed: int,
    draws: int,
    confidence: float,
    level: Level,
) -> bytes:
    digest = hashlib.blake2b(digest_size=20)
    digest.update(repr((patterns.shape, seed, draws, confidence, level)).encode())
    digest.update(np.ascontiguousarray(patterns, dtype=np.float64).tobytes())
    digest.update(np.ascontiguousarray(frequency, dtype=np.int64).tobytes())
    return digest.digest()


def alpha_estimates(
    figures: Sequence[CountedUnits],
    *,
    draws: int = DEFAULT_DRAWS,
    confidence: float = DEFAULT_CONFIDENCE,
    level: Level = "ordinal",
) -> list[AlphaEstimate]:
    """`alpha_estimate` of each of `figures`, the units given as distinct rows with how many
    units have each. Each figure draws its own seeded resamplings; the alphas of every draw
    of every figure on scales of one size are then reckoned together, in one pass of array
    arithmetic, instead of a pass per figure. A figure already worked out from the same
    counts, seed and settings is read back (`KEPT_ESTIMATES`)."""
    found: list[AlphaEstimate | None] = [None] * len(figures)
    #: per number of points: (figure's index, its draws' coincidence matrices, alpha, units,
    #: values, digest)
    drawn: dict[int, list[tuple[int, npt.NDArray[np.float64], float, int, int, bytes]]] = {}
    for index, figure in enumerate(figures):
        rows = np.asarray(figure.rows, dtype=np.float64)
        weights = np.asarray(figure.weights, dtype=np.int64)
        if rows.ndim != 2 or rows.shape[0] == 0:
            rows, weights = np.zeros((0, 0)), np.zeros(0, dtype=np.int64)
        keep = (rows.sum(axis=1) >= 2) & (weights > 0)
        rows, weights = rows[keep], weights[keep]
        units = int(weights.sum())
        values = int(rows.sum(axis=1) @ weights) if units else 0
        # Units with the same counts weigh alike: the distinct rows, in one order whatever
        # order they came in, and how many units have each.
        patterns, frequency = _patterns(rows, weights) if units else (rows, weights)
        key = _digest(patterns, frequency, figure.seed, draws, confidence, level)
        with _kept_lock:
            kept = _kept.get(key)
        if kept is not None:
            found[index] = kept
            continue
        alpha = (
            krippendorff_alpha(np.repeat(rows, weights, axis=0), level=level)
            if _defined(rows)
            else None
        )
        if alpha is None:
            found[index] = _keep(
                key,
                AlphaEstimate(None, None, None, units, values, 0, ReliabilityLevel.UNKNOWN, key),
            )
            continue
        generator = np.random.default_rng(figure.seed)
        points = patterns.shape[1]
        if units * draws <= EXACT_PICKS:
            picked = _resample(generator, frequency, draws)
            shares = _unit_coincidences(patterns).reshape(len(patterns), -1)
            coincidences = (picked @ shares).reshape(draws, points, points)
        else:
            coincidences = _normal_coincidences(generator, patterns, frequency, draws)
        drawn.setdefault(points, []).append((index, coincidences, alpha, units, values, key))
    tail = (1 - confidence) / 2 * 100
    for group in drawn.values():
        alphas = _alpha_array(np.concatenate([c for _, c, *_ in group]), level)
        for n, (index, _, alpha, units, values, key) in enumerate(group):
            mine = alphas[n * draws : (n + 1) * draws]
            mine = mine[~np.isnan(mine)]
            low = high = None
            if mine.size:
                low, high = (float(q) for q in np.percentile(mine, [tail, 100 - tail]))
            found[index] = _keep(
                key,
                AlphaEstimate(
                    alpha, low, high, units, values, draws, reliability_level(alpha), key
                ),
            )
    return [f for f in found if f is not None]


def _keep(key: bytes, estimate: AlphaEstimate) -> AlphaEstimate:
    with _kept_lock:
        _kept[key] = estimate
        _kept.move_to_end(key)
        while len(_kept) > KEPT_ESTIMATES:
            _kept.popitem(last=False)
    return estimate
