"""Comparing rounds across a mapping between instruments, without a database: points pair one
to one from the best end, so goal attainment reads the same on either scale."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import assume, given
from hypothesis import strategies as st

from service.workflow import comparison as c
from service.workflow.outcomes import attainment
from service.workflow.scale import BestEnd, Scale

AARHUS = Scale(0, 4, BestEnd.LOW)
KL = Scale(1, 5, BestEnd.LOW)
HIGH_BEST = Scale(1, 5, BestEnd.HIGH)
SPLIT = c.InstrumentMapping(
    1,
    "aarhus-boern-familie",
    "kl-boern-familie",
    tuple(
        c.FactorLink(key, ("familieforhold",))
        for key in ("relation_mor", "relation_far", "relation_soeskende")
    ),
)
JOIN = c.InstrumentMapping(
    2,
    "kl-boern-familie",
    "aarhus-boern-familie",
    (
        c.FactorLink(
            "familieforhold",
            ("relation_mor", "relation_far", "relation_soeskende"),
            c.Combine.WORST,
        ),
    ),
)
MAPPINGS = c.Mappings({(m.from_key, m.to_key): m for m in (SPLIT, JOIN)})
OLD = c.FormRef(10, "aarhus-boern-familie", 1, AARHUS, ("udvikling_adfaerd", "familieforhold"))
NEW = c.FormRef(
    20,
    "kl-boern-familie",
    1,
    KL,
    ("udvikling_adfaerd", "relation_mor", "relation_far", "relation_soeskende"),
)


def test_a_mapping_makes_forms_comparable_and_says_so() -> None:
    assert c.crossing(NEW, OLD) is None  # without the mapping, no comparison
    assert c.crossing(NEW, OLD, MAPPINGS) is c.Crossing.MAPPING
    basis = c.basis(NEW, OLD, MAPPINGS)
    assert basis is not None and basis.mapping is SPLIT
    assert basis.sources("relation_far") == ("familieforhold",)
    assert basis.sources("udvikling_adfaerd") == ("udvikling_adfaerd",)  # shared by key
    assert basis.dependents("familieforhold") == [
        "relation_mor",
        "relation_far",
        "relation_soeskende",
    ]
    at = datetime(2026, 1, 1, tzinfo=UTC)
    later = datetime(2026, 7, 1, tzinfo=UTC)
    found = c.compared_with(c.RoundRef(2, later, NEW), [c.RoundRef(1, at, OLD)], MAPPINGS)
    assert found is not None and found.round_id == 1


def test_scales_of_different_length_do_not_compare() -> None:
    longer = c.FormRef(30, "kl-boern-familie", 2, Scale(1, 7, BestEnd.LOW), NEW.factor_keys)
    assert c.crossing(longer, OLD, MAPPINGS) is None


def test_the_split_family_relations_each_start_from_familieforhold() -> None:
    basis = c.basis(NEW, OLD, MAPPINGS)
    assert basis is not None
    officials = {"familieforhold": (3, 2), "udvikling_adfaerd": (1, 1)}
    for key in ("relation_mor", "relation_far", "relation_soeskende"):
        assert basis.earlier_official(key, officials) == (4, 3)  # 0-4 to 1-5: one step up
    assert basis.earlier_official("udvikling_adfaerd", officials) == (2, 2)


def test_joining_them_takes_the_most_severe_with_its_goal() -> None:
    basis = c.basis(OLD, NEW, MAPPINGS)
    assert basis is not None
    officials = {"relation_mor": (2, 1), "relation_far": (4, 3), "relation_soeskende": (4, 4)}
    # The father and the siblings are both at 4; the goal kept is the less ambitious (4).
    assert basis.earlier_official("familieforhold", officials) == (3, 3)
    not_assessed = {"relation_mor": (None, None), "relation_far": (2, 2)}
    assert basis.earlier_official("familieforhold", not_assessed) == (1, 1)
    assert basis.earlier_official("familieforhold", {"relation_mor": (None, None)}) == (
        None,
        None,
    )


def test_only_a_factor_continued_one_to_one_is_measured_against_the_earlier_goal() -> None:
    """A relation split out of familieforhold, or familieforhold combined from the relations,
    had no goal set for it; a factor the forms share continues."""
    split = c.basis(NEW, OLD, MAPPINGS)
    assert split is not None
    assert split.lineage("udvikling_adfaerd") is c.Lineage.CONTINUED
    for key in ("relation_mor", "relation_far", "relation_soeskende"):
        assert split.lineage(key) is c.Lineage.SPLIT
    merged = c.basis(OLD, NEW, MAPPINGS)
    assert merged is not None
    assert merged.lineage("familieforhold") is c.Lineage.MERGED
    assert merged.lineage("udvikling_adfaerd") is c.Lineage.CONTINUED
    # Renamed one to one (skoleforhold to skole/beskæftigelse as the child grows): continued.
    grown = c.InstrumentMapping(
        3, "aarhus-boern-familie", "aarhus-unge", (c.FactorLink("skole", ("skoleforhold",)),)
    )
    young = c.FormRef(50, "aarhus-unge", 1, AARHUS, ("skole", "misbrug"))
    child = c.FormRef(10, "aarhus-boern-familie", 1, AARHUS, ("skoleforhold", "tilknytning"))
    renamed = c.basis(young, child, c.Mappings({(grown.from_key, grown.to_key): grown}))
    assert renamed is not None
    assert renamed.lineage("skole") is c.Lineage.CONTINUED
    assert renamed.lineage("misbrug") is c.Lineage.NEW


def test_a_point_translates_by_its_rank_from_the_best_end() -> None:
    assert [c.translate(v, AARHUS, KL) for v in (0, 3, 4, None)] == [1, 4, 5, None]
    assert [c.translate(v, KL, HIGH_BEST) for v in (1, 4, 5)] == [5, 2, 1]
    assert c.translate(2, KL, KL) == 2


_aarhus = st.integers(min_value=0, max_value=4)


@given(s0=_aarhus, g=_aarhus, s1=_aarhus, target=st.sampled_from([KL, HIGH_BEST]))
def test_goal_attainment_reads_the_same_on_either_scale(
    s0: int, g: int, s1: int, target: Scale
) -> None:
    assume(g <= s0)  # a goal no worse than the status
    new = c.FormRef(40, "kl-boern-familie", 1, target, ("udvikling_adfaerd",))
    basis = c.basis(new, OLD, MAPPINGS)
    assert basis is not None
    translated = [basis.translate(v) for v in (s0, g, s1)]
    assert [target.severity(v) for v in translated if v is not None] == [s0, g, s1]
    before = attainment(AARHUS, s0, g, s1)
    after = attainment(target, translated[0], translated[1], translated[2])
    assert (after.outcome, after.no_outcome) == (before.outcome, before.no_outcome)
