"""Message catalogues (Danish by default, English one click away)."""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request

from service.errors import ServiceError

LANGUAGES = ("da", "en")
DEFAULT_LANGUAGE = "da"
COOKIE = "konsensus_lang"
LOCAL_TIME = ZoneInfo("Europe/Copenhagen")


@lru_cache(maxsize=len(LANGUAGES))
def catalogue(language: str) -> dict[str, str]:
    text = (
        resources.files("service.web").joinpath("messages", f"{language}.json").read_text("utf-8")
    )
    messages: dict[str, str] = json.loads(text)
    return messages


class Translator:
    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGES else DEFAULT_LANGUAGE
        self._messages = catalogue(self.language)

    def __call__(self, key: str, **values: Any) -> str:
        text = self._messages.get(key) or catalogue(DEFAULT_LANGUAGE).get(key, key)
        return text.format(**values) if values else text

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

    def datetime(self, value: datetime | None) -> str:
        if value is None:
            return ""
        local = value.astimezone(LOCAL_TIME)
        return local.strftime("%d.%m.%Y %H:%M" if self.language == "da" else "%d %b %Y, %H:%M")

    def name(self, obj: Any, field: str = "name") -> str:
        """The Danish or English variant of a bilingual field (name_da / name_en)."""
        return str(getattr(obj, f"{field}_{self.language}", "") or getattr(obj, f"{field}_da", ""))


def request_language(request: Request, preferred: str | None = None) -> str:
    """?lang= first, then the cookie, then the informant's language, then Danish."""
    chosen = request.query_params.get("lang") or request.cookies.get(COOKIE) or preferred
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE
