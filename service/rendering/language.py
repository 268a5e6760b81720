"""Message catalogues (Danish by default, English one click away) and the translator that
reads them, for a page as for a document."""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import lru_cache
from importlib import resources
from typing import Any

from starlette.requests import Request

from service import wording
from service.errors import ServiceError

#: A period as the reports name it: "2025-Q1", "2024-H2".
_PERIOD = re.compile(r"(\d{4})-([QH])([1-4])")

LANGUAGES = ("da", "en")
DEFAULT_LANGUAGE = "da"
COOKIE = "konsensus_lang"


@lru_cache(maxsize=len(LANGUAGES))
def catalogue(language: str) -> dict[str, str]:
    # Read through the top package, not `service.web`: a document must not import the pages.
    text = (
        resources.files("service")
        .joinpath("web", "messages", f"{language}.json")
        .read_text("utf-8")
    )
    messages: dict[str, str] = json.loads(text)
    return messages


class Translator:
    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGES else DEFAULT_LANGUAGE
        self._messages = catalogue(self.language)

    def __call__(self, key: str, **values: Any) -> str:
        text = self._messages.get(key) or catalogue(DEFAULT_LANGUAGE).get(key, key)
        if "child" in values:  # "{child_s}": the possessive, "Lukas'" and "Emmas"
            values["child_s"] = wording.genitive(str(values["child"]), self.language)
        return text.format(**values) if values else text

    def plural(self, key: str, count: int, **values: Any) -> str:
        """`key.one`, `key.other`...: the form Babel's plural rules choose for `count`."""
        form = wording.plural_form(self.language, count)
        chosen = f"{key}.{form}" if self.has(f"{key}.{form}") else f"{key}.other"
        return self(chosen, count=count, **values)

    def has(self, key: str) -> bool:
        return key in self._messages

    def problem(self, error: ServiceError) -> str:
        """A refusal in the reader's language, by its stable code (every code has a text:
        a test keeps it so); the English detail only for a code without one."""
        key = f"problem.{error.code}"
        return self(key) if self.has(key) else (error.detail or error.title)

    @property
    def other(self) -> str:
        return "en" if self.language == "da" else "da"

    def datetime(self, value: dt.datetime | None, *, weekday: bool = True) -> str:
        """In full: "tirsdag den 15. december 2026 kl. 16.00" (or without the day)."""
        return "" if value is None else wording.when(value, self.language, weekday=weekday)

    def date(self, value: dt.date | dt.datetime | None, *, weekday: bool = True) -> str:
        """In full: "tirsdag den 15. december 2026"."""
        return "" if value is None else wording.long_date(value, self.language, weekday=weekday)

    def short_date(self, value: dt.date | dt.datetime | None) -> str:
        """For tables: "15. dec. 2026"."""
        return "" if value is None else wording.short_date(value, self.language)

    def time(self, value: dt.datetime | None) -> str:
        return "" if value is None else wording.clock_time(value, self.language)

    def number(self, value: float | None, decimals: int = 0, *, signed: bool = False) -> str:
        """A figure as the language writes it: "1.234", "+0,25" / "1,234", "+0.25"."""
        if value is None:
            return ""
        return wording.number(value, self.language, decimals=decimals, signed=signed)

    def period(self, label: str) -> str:
        """A report's period in words: "2025-Q1" as "1. kvartal 2025" / "Q1 2025", "2024-H2"
        as "2. halvår 2024" / "H2 2024"; a year, or anything else, as it is."""
        found = _PERIOD.fullmatch(label)
        if not found:
            return label
        year, kind, part = found.groups()
        return self(f"period.{'quarter' if kind == 'Q' else 'half'}", n=int(part), year=year)

    def percent(self, share: float | None) -> str:
        """A share (0-1) as a whole percentage: "42 %" / "42%"."""
        return "" if share is None else wording.percent(share, self.language)

    def label(self, scale: Any, value: int | None) -> str:
        """The scale's short name of a point ("Lette problemer"), or the number alone."""
        for lab in getattr(scale, "labels", []):
            if lab.value == value:
                return str(lab.label_en if self.language == "en" else lab.label_da)
        return "" if value is None else str(value)

    def guidance(self, point: Any) -> str:
        return str(point.text_en if self.language == "en" else point.text_da)

    def name(self, obj: Any, field: str = "name") -> str:
        """The Danish or English variant of a bilingual field (name_da / name_en)."""
        return str(getattr(obj, f"{field}_{self.language}", "") or getattr(obj, f"{field}_da", ""))


def request_language(request: Request, preferred: str | None = None) -> str:
    """?lang= first, then the cookie, then the informant's language, then Danish."""
    chosen = request.query_params.get("lang") or request.cookies.get(COOKIE) or preferred
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE
