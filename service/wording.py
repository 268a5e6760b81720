"""Words that depend on the language: dates, times, plurals and the Danish genitive.

Dates, times and plural rules come from Babel's locale data (CLDR), never from hand-written
`strftime` patterns, so Danish reads "tirsdag den 15. december 2026" and English "Tuesday,
December 15, 2026". Pages and messages share these helpers.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_decimal, format_percent

from service.clock import LOCAL_TIME

#: How a date and a time are joined ("kl." in Danish): CLDR's "atTime" pattern, which the
#: locale data Babel ships does not carry.
_AT_TIME = {"da": "{date} kl. {time}", "en": "{date} at {time}"}


@lru_cache(maxsize=4)
def _locale(language: str) -> Locale:
    return Locale.parse(language)


def local(value: datetime) -> datetime:
    return value.astimezone(LOCAL_TIME)


def long_date(value: date | datetime, language: str, *, weekday: bool = True) -> str:
    """ "tirsdag den 15. december 2026" / "Tuesday, December 15, 2026" (or without the day)."""
    if isinstance(value, datetime):
        value = local(value).date()
    return format_date(value, "full" if weekday else "long", locale=_locale(language))


def short_date(value: date | datetime, language: str) -> str:
    """ "15. dec. 2026" / "Dec 15, 2026": for tables."""
    if isinstance(value, datetime):
        value = local(value).date()
    return format_date(value, "medium", locale=_locale(language))


def clock_time(value: datetime, language: str) -> str:
    """ "16.00" / "4:00 PM", in Danish time."""
    return format_time(local(value), "short", locale=_locale(language))


def when(value: datetime, language: str, *, weekday: bool = True) -> str:
    """ "tirsdag den 15. december 2026 kl. 16.00" / "Tuesday, December 15, 2026 at 4:00 PM"."""
    pattern = _AT_TIME.get(language, _AT_TIME["da"])
    return pattern.format(
        date=long_date(value, language, weekday=weekday), time=clock_time(value, language)
    )


def plural_form(language: str, count: int) -> str:
    """The CLDR plural category of `count` ("one", "other", ...) in the language."""
    form: str = _locale(language).plural_form(count)
    return form


def genitive(name: str, language: str) -> str:
    """The possessive of a name: Danish adds -s, or an apostrophe after s, x and z ("Lukas'");
    English adds 's, or an apostrophe after s ("James'")."""
    name = name.strip()
    if not name:
        return name
    if language == "en":
        return name + ("'" if name[-1].lower() == "s" else "'s")
    return name + ("'" if name[-1].lower() in "sxz" else "s")


def number(value: float, language: str, *, decimals: int = 0, signed: bool = False) -> str:
    """A count or a mean as the language writes it: "1.234,50" / "1,234.50"; `signed` puts a
    plus before a positive value (a change or a distance in a direction). Babel's minus is
    the typographic one, which reads as a dash's twin; a hyphen-minus keeps it a number."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    text = format_decimal(round(value, decimals), pattern, locale=_locale(language))
    text = text.replace("\u2212", "-")
    return f"+{text}" if signed and round(value, decimals) > 0 else text


def percent(share: float, language: str) -> str:
    """A share (0-1) as a whole percentage: "42 %" / "42%" (Danish puts a space before it)."""
    return format_percent(
        share, "#,##0\u00a0%" if language == "da" else "#,##0%", locale=_locale(language)
    )
