"""The advisory flags' rules, on a scale where low is best and one where high is best."""

from __future__ import annotations

from service.workflow.flags import FactorFacts, FlagKind, FlagPolicy, raised_flags
from service.workflow.outcomes import Outcome
from service.workflow.scale import BestEnd, Scale

LOW = Scale(1, 5, BestEnd.LOW)
HIGH = Scale(1, 10, BestEnd.HIGH)
POLICY = FlagPolicy()


def kinds(
    scale: Scale, *facts: FactorFacts, policy: FlagPolicy = POLICY
) -> dict[FlagKind, list[str]]:
    return {f.kind: [x.factor_key for x in f.factors] for f in raised_flags(scale, facts, policy)}


def test_a_quiet_round_raises_nothing() -> None:
    calm = FactorFacts(
        "skole", 3, previous=3, outcomes=[Outcome.PROGRESSION], independent=[2, 3, 4], child=3
    )
    assert raised_flags(LOW, [calm], POLICY) == []


def test_no_progress_needs_every_one_of_the_last_rounds() -> None:
    stalled = FactorFacts(
        "skole", 3, outcomes=[Outcome.NO_PROGRESSION, Outcome.NEGATIVE_PROGRESSION]
    )
    once = FactorFacts("venner", 3, outcomes=[Outcome.NO_PROGRESSION, Outcome.PROGRESSION])
    first = FactorFacts("familie", 3, outcomes=[Outcome.NO_PROGRESSION])
    broken = FactorFacts("fritid", 3, outcomes=[Outcome.NO_PROGRESSION, None])
    assert kinds(LOW, stalled, once, first, broken) == {FlagKind.NO_PROGRESS: ["skole"]}
    three = FlagPolicy(stalled_rounds=3)
    assert kinds(LOW, stalled, policy=three) == {}
    [flag] = raised_flags(LOW, [stalled], POLICY)
    assert flag.why() == {
        "threshold": 2,
        "factors": [
            {"factor_key": "skole", "outcomes": ["no_progression", "negative_progression"]}
        ],
    }


def test_a_sharp_deterioration_is_read_on_the_scales_direction() -> None:
    assert kinds(LOW, FactorFacts("skole", 4, previous=2)) == {
        FlagKind.SHARP_DETERIORATION: ["skole"]
    }
    assert kinds(LOW, FactorFacts("skole", 3, previous=2)) == {}
    assert kinds(LOW, FactorFacts("skole", 1, previous=4)) == {}  # better, not worse
    assert kinds(HIGH, FactorFacts("trivsel", 4, previous=6)) == {
        FlagKind.SHARP_DETERIORATION: ["trivsel"]
    }
    assert kinds(HIGH, FactorFacts("trivsel", 8, previous=6)) == {}
    assert kinds(LOW, FactorFacts("skole", None, previous=1)) == {}


def test_informants_diverge_by_the_spread_of_their_independent_scores() -> None:
    assert kinds(LOW, FactorFacts("skole", 3, independent=[1, 4, 2])) == {
        FlagKind.INFORMANTS_DIVERGE: ["skole"]
    }
    assert kinds(LOW, FactorFacts("skole", 3, independent=[1, 3, 2])) == {}
    assert kinds(LOW, FactorFacts("skole", 3, independent=[5])) == {}
    [flag] = raised_flags(LOW, [FactorFacts("skole", 3, independent=[1, 5])], POLICY)
    assert flag.why()["factors"] == [
        {"factor_key": "skole", "lowest": 1, "highest": 5, "points": 4}
    ]


def test_the_childs_own_score_much_worse_than_the_official_one() -> None:
    assert kinds(LOW, FactorFacts("skole", 2, child=4)) == {FlagKind.CHILD_SEES_WORSE: ["skole"]}
    assert kinds(LOW, FactorFacts("skole", 4, child=2)) == {}  # the child sees it better
    assert kinds(HIGH, FactorFacts("trivsel", 7, child=4)) == {
        FlagKind.CHILD_SEES_WORSE: ["trivsel"]
    }
    assert kinds(LOW, FactorFacts("skole", 2, child=4), policy=FlagPolicy(child_gap_points=3)) == {}


def test_one_flag_per_kind_lists_every_factor_behind_it() -> None:
    flags = raised_flags(
        LOW,
        [FactorFacts("skole", 5, previous=2, child=5), FactorFacts("venner", 4, previous=1)],
        POLICY,
    )
    assert [(f.kind, [x.factor_key for x in f.factors]) for f in flags] == [
        (FlagKind.SHARP_DETERIORATION, ["skole", "venner"])
    ]
