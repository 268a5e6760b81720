"""The decision a completed round leads to (afgørelse om indsatsen): what the meeting, or the
caseworker, decided about the measure in the light of the round's official scores: continue
it, adjust it, end it, or start another. Ankestyrelsen asks to see the basis for continuing
or changing a measure (`004`); the round, and through it its official scores, is that basis.
"""

from __future__ import annotations

from enum import StrEnum


class DecisionOutcome(StrEnum):
    CONTINUE = "continue"  # fortsætte indsatsen
    ADJUST = "adjust"  # justere indsatsen
    END = "end"  # afslutte indsatsen
    START_ANOTHER = "start_another"  # iværksætte en anden indsats


class DecidedBy(StrEnum):
    MEETING = "meeting"  # the consensus meeting (netværksmødet)
    CASEWORKER = "caseworker"  # the caseworker after the round
