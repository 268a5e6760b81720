"""What a transition does besides changing the state: the times it records, the notes and
outcomes it keeps, the reminders it cancels, the family's invitations it releases."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from service.models.round import ScoringRound
from service.notifications import outbox
from service.usecases.cadence import next_due
from service.usecases.notes import store_notes
from service.usecases.outcomes import store_outcomes
from service.workflow.procedures import InformantStep
from service.workflow.states import RoundEvent, RoundState


def after_transition(
    session: Session, rnd: ScoringRound, event: RoundEvent, reason: str | None, now: datetime
) -> None:
    if event in (RoundEvent.CLOSE_COLLECTION, RoundEvent.CANCEL):
        outbox.cancel_reminders(session, round_id=rnd.id)
    if event is RoundEvent.CLOSE_COLLECTION:
        rnd.collection_closed_at = now
    elif event is RoundEvent.FINISH_CONSENSUS:
        store_notes(session, rnd, InformantStep.INDEPENDENT, now)
        if rnd.state == RoundState.FAMILY_DIALOGUE:
            outbox.release_family_invitations(session, rnd, now)
    elif event is RoundEvent.FINISH_FAMILY_DIALOGUE:
        store_notes(session, rnd, InformantStep.FAMILY, now)
        rnd.family_note = reason
    elif event is RoundEvent.INFORM_PROVIDER:
        rnd.provider_informed_at = now
    elif event is RoundEvent.CANCEL:
        rnd.cancelled_at, rnd.cancel_reason = now, reason
        outbox.cancel_held(session, rnd)
    if rnd.state is RoundState.COMPLETED:
        rnd.completed_at = now
        store_outcomes(session, rnd)
        rnd.next_due_on = next_due(session, rnd)
