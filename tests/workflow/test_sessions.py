"""The short session forms' rules: every item once on the 0-10 line, one point per session
day, and a trend only from two measurements."""

from __future__ import annotations

from datetime import date

import pytest

from service.workflow.sessions import (
    SHIPPED,
    Answered,
    AnswerError,
    DefinitionError,
    FormDefinition,
    SessionForm,
    SessionTiming,
    Trend,
    check_answers,
    check_definition,
    on_shipped_line,
    series,
    summary,
    trend,
)

OUTCOME = {"myself": 4, "family": 6, "daily_life": 5, "overall": 5}


def test_answers_come_back_in_the_forms_order() -> None:
    shuffled = dict(reversed(OUTCOME.items()))
    assert list(check_answers(SessionForm.OUTCOME, shuffled)) == list(OUTCOME)


@pytest.mark.parametrize(
    ("answers", "item"),
    [
        ({**OUTCOME, "heard": 3}, "heard"),  # an alliance item on the outcome form
        ({k: v for k, v in OUTCOME.items() if k != "family"}, "family"),
        ({**OUTCOME, "overall": 11}, "overall"),
        ({**OUTCOME, "myself": -1}, "myself"),
        ({**OUTCOME, "myself": True}, "myself"),
    ],
)
def test_answers_that_do_not_fit_name_the_item(answers: dict[str, int], item: str) -> None:
    with pytest.raises(AnswerError) as refused:
        check_answers(SessionForm.OUTCOME, answers)
    assert refused.value.item == item


def test_one_point_per_day_with_both_forms_and_the_latest_answer() -> None:
    day1, day2 = date(2026, 11, 2), date(2026, 11, 9)
    used = [
        Answered(day2, SessionForm.OUTCOME, SessionTiming.BEFORE, {**OUTCOME, "overall": 9}),
        Answered(day1, SessionForm.OUTCOME, SessionTiming.BEFORE, OUTCOME),
        Answered(day1, SessionForm.ALLIANCE, SessionTiming.AFTER, dict.fromkeys("abcd", 8)),
        Answered(day2, SessionForm.OUTCOME, SessionTiming.AFTER, dict.fromkeys("abcd", 6)),
    ]
    points = series(used)
    assert [(p.on, p.outcome, p.alliance) for p in points] == [(day1, 5.0, 8.0), (day2, 6.0, None)]


def test_a_trend_needs_two_measurements_and_a_whole_point_of_change() -> None:
    assert trend([5.0]) is Trend.TOO_FEW
    assert trend([None, 5.0, None]) is Trend.TOO_FEW
    assert trend([4.0, 4.5, 4.9]) is Trend.STEADY
    assert trend([4.0, 3.0, 5.0]) is Trend.UP
    assert trend([7.0, 6.0]) is Trend.DOWN


def test_the_summary_counts_sessions_and_reads_each_form_apart() -> None:
    day = date(2026, 11, 2)
    used = [
        Answered(
            day.replace(day=d), SessionForm.OUTCOME, SessionTiming.BEFORE, {**OUTCOME, "overall": o}
        )
        for d, o in ((2, 1), (9, 5), (16, 9))
    ]
    result = summary(series(used))
    assert result.sessions == 3
    assert (result.outcome_first, result.outcome_last) == (4.0, 6.0)
    assert result.outcome_trend is Trend.UP
    assert result.alliance_last is None and result.alliance_trend is Trend.TOO_FEW


def test_a_loaded_form_is_answerable_and_its_scores_go_on_the_shipped_line() -> None:
    check_definition(FormDefinition(("a", "b"), 1, 5))
    for refused in (
        FormDefinition(("a", "a"), 0, 10),
        FormDefinition((), 0, 10),
        FormDefinition(tuple("abcdefghijk"), 0, 10),
        FormDefinition(("a",), 5, 5),
        FormDefinition(("a",), 0, 11),
    ):
        with pytest.raises(DefinitionError):
            check_definition(refused)
    pair = {**SHIPPED, SessionForm.OUTCOME: FormDefinition(("a", "b"), 1, 5)}
    assert check_answers(SessionForm.OUTCOME, {"b": 5, "a": 1}, pair) == {"a": 1, "b": 5}
    with pytest.raises(AnswerError):
        check_answers(SessionForm.OUTCOME, {"a": 0, "b": 5}, pair)
    assert (on_shipped_line(1, 1, 5), on_shipped_line(3, 1, 5), on_shipped_line(7, 0, 10)) == (
        0.0,
        5.0,
        7,
    )
