"""Dates, plurals and possessives in Danish and English, from Babel's locale data."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from service import wording
from service.notifications.messages import render
from service.rendering.language import Translator

# 15:00 UTC is 16.00 in Copenhagen in December.
DUE = datetime(2026, 12, 15, 15, 0, tzinfo=UTC)


def test_dates_in_full_in_both_languages() -> None:
    assert wording.when(DUE, "da") == "tirsdag den 15. december 2026 kl. 16.00"
    assert wording.when(DUE, "en") == "Tuesday, December 15, 2026 at 4:00\u202fPM"
    assert Translator("da").date(DUE, weekday=False) == "15. december 2026"


@pytest.mark.parametrize(
    ("name", "language", "possessive"),
    [
        ("Emma", "da", "Emmas"),
        ("Lukas", "da", "Lukas'"),
        ("Max", "da", "Max'"),
        ("Fritz", "da", "Fritz'"),
        ("Emma", "en", "Emma's"),
        ("James", "en", "James'"),
    ],
)
def test_possessives(name: str, language: str, possessive: str) -> None:
    assert wording.genitive(name, language) == possessive


def test_plurals_follow_the_locale() -> None:
    da, en = Translator("da"), Translator("en")
    assert da.plural("form.remaining", 1) == "1 område mangler."
    assert da.plural("form.remaining", 3) == "3 områder mangler."
    assert en.plural("form.remaining", 1) == "1 area to go."
    assert en.plural("form.remaining", 0) == "0 areas to go."
    assert da("form.title", child="Lukas") == "Vurdering af Lukas' trivsel"


def test_messages_name_the_child_and_the_date_in_full() -> None:
    rendered = render("invitation", "da", child="Lukas", due=DUE, name="Mads Holm", link="L")
    assert rendered.subject.startswith("Vurdering af Lukas' trivsel")
    assert "tirsdag den 15. december 2026 kl. 16.00" in rendered.text


@pytest.mark.parametrize(
    ("language", "value", "decimals", "signed", "written"),
    [
        ("da", 1234.5, 2, False, "1.234,50"),
        ("en", 1234.5, 2, False, "1,234.50"),
        ("da", 0.25, 2, True, "+0,25"),
        ("da", -0.25, 2, True, "-0,25"),
        ("da", 0.0, 2, True, "0,00"),
        ("en", 648, 0, False, "648"),
        ("da", 12345, 0, False, "12.345"),
    ],
)
def test_numbers_are_written_the_languages_way(
    language: str, value: float, decimals: int, signed: bool, written: str
) -> None:
    assert wording.number(value, language, decimals=decimals, signed=signed) == written
    assert Translator(language).number(value, decimals, signed=signed) == written


def test_percentages_are_written_the_languages_way() -> None:
    assert Translator("da").percent(0.423) == "42\u00a0%"
    assert Translator("en").percent(0.423) == "42%"


@pytest.mark.parametrize(
    ("label", "da", "en"),
    [
        ("2025-Q1", "1. kvartal 2025", "Q1 2025"),
        ("2024-H2", "2. halvår 2024", "H2 2024"),
        ("2026", "2026", "2026"),
        ("Team Nord", "Team Nord", "Team Nord"),  # not a period: as it is
    ],
)
def test_a_reports_period_is_named_in_words(label: str, da: str, en: str) -> None:
    """The API's period keys ("2025-Q1") are for programs; a page says them in words."""
    assert Translator("da").period(label) == da
    assert Translator("en").period(label) == en
