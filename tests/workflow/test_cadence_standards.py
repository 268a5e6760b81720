"""Written cadence standards, without a database: Herning's placement standard (after 2
weeks, every 6 weeks in the first year, then every 3 months in foster care), the rule a
measure follows, and which way a planned date deviates."""

from __future__ import annotations

from datetime import date
from itertools import islice

from service.workflow import cadence_standards as cs
from service.workflow.cadence import Interval

HERNING_FOSTER_CARE = cs.Standard(
    first=Interval(weeks=2), every=Interval(weeks=6), after_first_year=Interval(months=3)
)
HERNING_INSTITUTION = cs.Standard(first=Interval(weeks=2), every=Interval(weeks=6))
START = date(2027, 1, 4)


def test_herning_foster_care_every_six_weeks_then_every_three_months() -> None:
    dates = list(islice(cs.calendar(START, HERNING_FOSTER_CARE), 12))
    assert dates == [
        date(2027, 1, 18),
        date(2027, 3, 1),
        date(2027, 4, 12),
        date(2027, 5, 24),
        date(2027, 7, 5),
        date(2027, 8, 16),
        date(2027, 9, 27),
        date(2027, 11, 8),
        date(2027, 12, 20),
        # The first year is over: every 3 months from the last follow-up in it.
        date(2028, 3, 20),
        date(2028, 6, 20),
        date(2028, 9, 20),
    ]


def test_an_institution_stays_at_six_weeks_after_the_first_year() -> None:
    dates = list(islice(cs.calendar(START, HERNING_INSTITUTION), 11))
    assert dates[9:] == [date(2028, 1, 31), date(2028, 3, 13)]


def test_a_late_round_skips_the_dates_that_passed_and_keeps_the_calendar() -> None:
    # Planned for 1 March, completed on 20 May: 12 April passed, 24 May is next.
    assert cs.dates_after(START, HERNING_FOSTER_CARE, date(2027, 3, 1), date(2027, 5, 20)) == [
        date(2027, 4, 12),
        date(2027, 5, 24),
    ]
    assert cs.next_due(START, HERNING_FOSTER_CARE, date(2027, 12, 20)) == date(2028, 3, 20)
    # Before the measure's first follow-up: that one.
    assert cs.next_due(START, HERNING_FOSTER_CARE, date(2026, 12, 1)) == date(2027, 1, 18)


def test_the_most_precise_fitting_rule_is_followed() -> None:
    general = cs.Rule(HERNING_INSTITUTION, category="placement_with_consent")
    foster = cs.Rule(
        HERNING_FOSTER_CARE, category="placement_with_consent", measure_type="foster_care"
    )
    monthly = cs.Standard(first=Interval(weeks=6), every=Interval(months=3))
    weekly = cs.Standard(first=Interval(weeks=6), every=Interval(weeks=6))
    preventive = cs.Rule(monthly, category="supportive")
    intensive = cs.Rule(weekly, category="supportive", intensive=True)
    rules = [general, foster, preventive, intensive]
    assert cs.rule_for(rules, "placement_with_consent", "foster_care", False) is foster
    assert cs.rule_for(rules, "placement_with_consent", "institution", False) is general
    assert cs.rule_for(rules, "supportive", "home_based_support", False) is preventive
    assert cs.rule_for(rules, "supportive", "home_based_support", True) is intensive
    assert cs.rule_for(rules, "early_preventive", "preventive", False) is None


def test_fewer_follow_ups_need_a_leaders_approval_more_do_not() -> None:
    due = date(2027, 5, 24)
    assert cs.deviation(due, date(2027, 8, 24)) is cs.DeviationKind.FEWER
    assert cs.needs_approval(cs.deviation(due, date(2027, 8, 24)))
    assert cs.deviation(due, date(2027, 5, 10)) is cs.DeviationKind.MORE
    assert not cs.needs_approval(cs.deviation(due, date(2027, 5, 10)))
    assert cs.deviation(due, due) is None


def test_the_three_municipalities_standards_are_shipped() -> None:
    shipped = {s.key: s for s in cs.shipped()}
    assert sorted(shipped) == ["haderslev", "herning", "hvidovre"]
    herning = shipped["herning"].rules
    foster = cs.rule_for(herning, "placement_without_consent", "foster_care", False)
    assert foster is not None and foster.standard == HERNING_FOSTER_CARE
    institution = cs.rule_for(herning, "placement_with_consent", "institution", False)
    assert institution is not None and institution.standard == HERNING_INSTITUTION
    hvidovre = shipped["hvidovre"].rules
    intensive = cs.rule_for(hvidovre, "supportive", "home_based_support", True)
    assert intensive is not None and intensive.standard.every == Interval(weeks=6)
    # No municipality set a cadence for § 11.3 courses (barnets lov § 30).
    assert all(
        cs.rule_for(s.rules, "early_preventive", "preventive", False) is None for s in cs.shipped()
    )


def test_days_between_follow_ups_against_the_standard() -> None:
    # Followed up on 1 March, then on 30 April: 60 days where the standard allowed 42.
    assert cs.gap_against(START, HERNING_FOSTER_CARE, date(2027, 3, 1), date(2027, 4, 30)) == (
        60,
        42,
    )
    # In the second year, three months are allowed.
    assert cs.gap_against(START, HERNING_FOSTER_CARE, date(2028, 3, 20), date(2028, 5, 1))[1] == 92


def test_a_rule_naming_the_same_measures_as_an_earlier_one_is_found() -> None:
    six_weeks = cs.Standard(Interval(weeks=6), Interval(weeks=6))
    rules = [
        cs.Rule(six_weeks, category="placement_with_consent", measure_type="foster_care"),
        cs.Rule(six_weeks, measure_type="foster_care"),
        cs.Rule(six_weeks, measure_type="foster_care", intensive=True),
        cs.Rule(
            cs.Standard(Interval(months=3), Interval(months=3)),
            category="placement_with_consent",
            measure_type="foster_care",
        ),
        cs.Rule(six_weeks, measure_type="foster_care"),
    ]
    assert cs.repeated_rules(rules) == [3, 4]
    assert cs.repeated_rules(rules[:3]) == []
