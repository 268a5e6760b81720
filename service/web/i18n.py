"""The pages' words: the catalogues and the translator live in `service/rendering/language.py`
(the documents read them too) and Danish time in `service/clock.py`; these names stay here
for the pages that import them from here."""

from __future__ import annotations

from service.clock import LOCAL_TIME
from service.rendering.language import (
    COOKIE,
    DEFAULT_LANGUAGE,
    LANGUAGES,
    Translator,
    catalogue,
    request_language,
)

__all__ = [
    "COOKIE",
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "LOCAL_TIME",
    "Translator",
    "catalogue",
    "request_language",
]
