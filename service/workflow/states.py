"""The states of a scoring round: the single source of truth for the database column, the
API schema and the state machines."""

from __future__ import annotations

from enum import StrEnum


class RoundState(StrEnum):
    DRAFT = "draft"  # prepared, not yet open for scores
    COLLECTING = "collecting"  # trin 1: informants score independently
    CONSENSUS = "consensus"  # trin 2: meeting (KL 1, 3) or the caseworker's synthesis (KL 2)
    FAMILY_DIALOGUE = "family_dialogue"  # trin 3 (KL 1, 2): child and parents, with the caseworker
    PROVIDER_INFORMATION = "provider_information"  # trin 4 (KL 2): the provider is informed
    COMPLETED = "completed"
    CANCELLED = "cancelled"


FINAL_STATES = frozenset({RoundState.COMPLETED, RoundState.CANCELLED})


class RoundEvent(StrEnum):
    OPEN = "open"
    CLOSE_COLLECTION = "close_collection"
    FINISH_CONSENSUS = "finish_consensus"
    FINISH_FAMILY_DIALOGUE = "finish_family_dialogue"
    INFORM_PROVIDER = "inform_provider"
    CANCEL = "cancel"


class Variant(StrEnum):
    FIRST_TIME = "first_time"  # første gang, ved ny sag
    FOLLOW_UP = "follow_up"  # efterfølgende gange
