"""The progress view lives in `service/rendering/progress.py`, where the round's report reads
it too; these names stay here for the pages that import them from here."""

from __future__ import annotations

from service.rendering.progress import (
    NO_OUTCOME_WORDS,
    OUTCOME_WORDS,
    WORDS,
    ProgressView,
    progress_view,
)

__all__ = ["NO_OUTCOME_WORDS", "OUTCOME_WORDS", "WORDS", "ProgressView", "progress_view"]
