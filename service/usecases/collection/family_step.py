"""The caseworker's side of the family's voices: read who is still missing, and record per
person why someone does not score (see `family_voices`)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from service.auth.actor import Actor
from service.schemas.rounds import FamilyVoicesPublic, NotHeardWrite
from service.usecases.collection import family_voices
from service.usecases.procedure.rounds import load_round, require_authority


def get_family_voices(session: Session, actor: Actor, round_id: int) -> FamilyVoicesPublic:
    rnd, _, _ = load_round(session, actor, round_id)
    return family_voices.voices(session, rnd)


def record_not_heard(
    session: Session, actor: Actor, round_id: int, body: NotHeardWrite, now: datetime
) -> FamilyVoicesPublic:
    """The case's caseworker (or a substitute with the caseworker's say) records why the
    child or a parent does not score."""
    rnd, case, _ = load_round(session, actor, round_id, lock=True)
    require_authority(actor, case)
    return family_voices.record(session, actor, rnd, body, now)
