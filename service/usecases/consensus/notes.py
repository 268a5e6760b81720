"""Disagreement notes (notater): every informant score or proposed goal that differs from the
official one is kept beside it, never overwritten.

A note is the informant's: their score, goal and own comment. The official rationale is the
meeting's reason for the decision and stays with the official score; copied into each note it
read as if the mother had said "Drøftet på mødet.". A note's `note` is kept for the
informant's own reason for disagreeing, and is empty until one is recorded."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlmodel import Session, col, select

from service.db import insert_rows
from service.models.round import DisagreementNote, OfficialScore, ScoringRound
from service.schemas.rounds import DisagreementPublic
from service.usecases.administration.instruments import FactorInfo
from service.usecases.procedure.round_data import RoundData, decision_of, load_round_data
from service.workflow import consensus as rules
from service.workflow.procedures import InformantStep


def note_public(note: DisagreementNote) -> DisagreementPublic:
    return DisagreementPublic.model_validate(note, from_attributes=True)


def preview_notes(
    data: RoundData, factor: FactorInfo, official: OfficialScore
) -> list[DisagreementPublic]:
    return [
        DisagreementPublic(
            informant_id=d.informant.informant_id,
            informant_role=d.informant.role,
            informant_name=d.informant.name,
            step=data.informants[d.informant.informant_id].step,
            informant_score=d.informant.score or 0,
            informant_goal=d.informant.goal,
            informant_comment=d.informant.comment,
            official_score=d.official_score,
            official_goal=d.official_goal,
            score_differs=d.score_differs,
            goal_differs=d.goal_differs,
            note="",
        )
        for d in rules.disagreements(data.scores.get(factor.id or 0, []), decision_of(official))
    ]


def stored_notes(session: Session, rnd: ScoringRound) -> dict[int, list[DisagreementNote]]:
    notes: dict[int, list[DisagreementNote]] = defaultdict(list)
    for note in session.exec(
        select(DisagreementNote)
        .where(DisagreementNote.round_id == rnd.id, col(DisagreementNote.superseded_at).is_(None))
        .order_by(col(DisagreementNote.id))
    ).all():
        notes[note.factor_id].append(note)
    return notes


def store_notes(
    session: Session,
    rnd: ScoringRound,
    step: InformantStep,
    now: datetime,
    factor_ids: set[int] | None = None,
) -> None:
    """Keep every differing score or goal of `step` beside the official one (one insert)."""
    data = load_round_data(session, rnd, {step})
    notes = []
    for factor in data.factors:
        fid = factor.id or 0
        official = data.officials.get(fid)
        if official is None or (factor_ids is not None and fid not in factor_ids):
            continue
        for d in rules.disagreements(data.scores.get(fid, []), decision_of(official)):
            notes.append(
                DisagreementNote(
                    municipality_id=rnd.municipality_id,
                    round_id=rnd.id or 0,
                    factor_id=fid,
                    informant_id=d.informant.informant_id,
                    informant_role=d.informant.role,
                    informant_name=d.informant.name,
                    step=step,
                    informant_score=d.informant.score or 0,
                    informant_goal=d.informant.goal,
                    informant_comment=d.informant.comment,
                    official_score=d.official_score,
                    official_goal=d.official_goal,
                    score_differs=d.score_differs,
                    goal_differs=d.goal_differs,
                    note="",
                    created_at=now,
                )
            )
    insert_rows(session, notes)
