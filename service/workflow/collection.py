"""Closing the independent step (trin 1): when it closes by itself, by the municipality's
policy. The caseworker can always close it by hand."""

from __future__ import annotations

from enum import StrEnum


class CollectionClose(StrEnum):
    """When the independent step closes by itself (the caseworker can always close it)."""

    MANUAL = "manual"  # only the caseworker closes it
    ALL_SUBMITTED = "all_submitted"  # when every independent informant has submitted
    DUE_DATE = "due_date"  # at the due date
    ALL_SUBMITTED_OR_DUE_DATE = "all_submitted_or_due_date"
