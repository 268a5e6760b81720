"""What a transition does besides changing the state: the times it records, the notes and
outcomes it keeps, the reminders it cancels, the family's invitations it releases, and, once
the round is completed, the family's new links to the result."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from service.auth.actor import Actor
from service.auth.keys import Keyring
from service.auth.links import link_url
from service.auth.seal import seal
from service.clock import LOCAL_TIME
from service.models.case import Case
from service.models.round import Informant, ScoringRound
from service.notifications import outbox
from service.usecases.child.flags import raise_flags
from service.usecases.child.outcomes import store_outcomes
from service.usecases.collection.personal_links import FAMILY_LINK_EXTRA, new_link
from service.usecases.consensus.attendance import keep_defaults
from service.usecases.consensus.notes import store_notes
from service.usecases.consensus.round_agreement import store_agreement
from service.usecases.consensus.round_disagreement import store_disagreement
from service.usecases.data_rights import audit
from service.usecases.procedure.cadence import schedule
from service.usecases.procedure.round_data import (
    RoundData,
    load_round_data,
    provider_recipients,
)
from service.workflow.machine import RoundFacts
from service.workflow.procedures import Gathering, InformantStep
from service.workflow.roles import FAMILY
from service.workflow.states import RoundEvent, RoundState


def after_transition(
    session: Session,
    rnd: ScoringRound,
    event: RoundEvent,
    reason: str | None,
    facts: RoundFacts,
    now: datetime,
) -> None:
    """`facts`: what the guards saw as the event fired."""
    if event in (RoundEvent.CLOSE_COLLECTION, RoundEvent.CANCEL):
        outbox.cancel_reminders(session, round_id=rnd.id)
    if event is RoundEvent.CLOSE_COLLECTION:
        rnd.collection_closed_at = now
        if not facts.enough_voices:
            rnd.collection_close_reason = reason
    elif event is RoundEvent.FINISH_CONSENSUS:
        store_notes(session, rnd, InformantStep.INDEPENDENT, now)
        keep_defaults(session, rnd, Gathering.MEETING, now)
        if rnd.state == RoundState.FAMILY_DIALOGUE:
            outbox.release_family_invitations(session, rnd, now)
    elif event is RoundEvent.FINISH_FAMILY_DIALOGUE:
        store_notes(session, rnd, InformantStep.FAMILY, now)
        keep_defaults(session, rnd, Gathering.FAMILY_DIALOGUE, now)
        rnd.family_note = reason
    elif event is RoundEvent.INFORM_PROVIDER:
        rnd.provider_informed_at = now
        if not _inform_provider(session, rnd, now):
            rnd.provider_note = reason
    elif event is RoundEvent.CANCEL:
        rnd.cancelled_at, rnd.cancel_reason = now, reason
        outbox.cancel_held(session, rnd)
    if rnd.state is RoundState.COMPLETED:
        rnd.completed_at = now
        store_outcomes(session, rnd)
        store_disagreement(session, [rnd])
        store_agreement(session, [rnd])
        raise_flags(session, rnd, now)
        *passed, rnd.next_due_on = schedule(session, rnd, now.astimezone(LOCAL_TIME).date())
        rnd.skipped_due_dates = [d.isoformat() for d in passed]


def _inform_provider(session: Session, rnd: ScoringRound, now: datetime) -> bool:
    """KL 2, trin 4: the provider gets the official score and goal of every factor through
    the outbox (never an informant's), in the provider's language. False when there was no
    one to send it to."""
    recipients = provider_recipients(session, rnd)
    if not recipients:
        return False
    case = session.get(Case, rnd.case_id)
    assert case is not None
    data = load_round_data(session, rnd, set())
    told = []
    for r in recipients:
        informant = session.get(Informant, r.informant_id) if r.informant_id else None
        # A measure's provider who is not an informant has no language setting: Danish.
        language = informant.language.value if informant else "da"
        told.append(outbox.ProviderRecipient(r.name, r.email, r.informant_id, language))
    outbox.inform_provider(session, rnd, case, told, _provider_result(data), now)
    return True


def _provider_result(data: RoundData) -> outbox.ProviderResult:
    """The official result as the provider reads it: each factor by name, its score and
    goal each with the scale's words for the point, and which end of the scale is best."""
    spec = data.form.form.scale
    labels = {label.value: label for label in spec.labels}

    def point(value: int) -> dict[str, str]:
        label = labels.get(value)
        return {
            "da": f"{value} ({label.label_da})" if label else str(value),
            "en": f"{value} ({label.label_en})" if label else str(value),
        }

    lines = []
    for factor in data.factors:
        official = data.officials.get(factor.id or 0)
        name = {"da": factor.name_da, "en": factor.name_en or factor.name_da}
        if official is None or official.score is None:
            reason = official.not_assessed_reason if official else None
            lines.append(outbox.ProviderLine(name, None, None, reason or None))
        else:
            goal = point(official.goal) if official.goal is not None else None
            lines.append(outbox.ProviderLine(name, point(official.score), goal, None))
    return outbox.ProviderResult(
        best=point(data.scale.best), worst=point(data.scale.worst), lines=lines
    )


def send_result_links(
    session: Session,
    actor: Actor,
    rnd: ScoringRound,
    keyring: Keyring,
    base_url: str,
    now: datetime,
) -> int:
    """The round is completed: each family member who can be reached (mother, father, the
    child) gets a new link to the result, by email or SMS through the outbox; a link the
    caseworker withdrew stays withdrawn. Returns how many were sent."""
    case = session.get(Case, rnd.case_id)
    assert case is not None
    family = session.exec(
        select(Informant)
        .where(Informant.round_id == rnd.id, col(Informant.role).in_([r.value for r in FAMILY]))
        .order_by(col(Informant.id))
    ).all()
    sent = 0
    for informant in family:
        reachable = informant.email or informant.phone
        if not reachable or informant.token_revoked_at is not None:
            continue
        if informant.staff_user_id is not None:
            continue
        expires = now + FAMILY_LINK_EXTRA
        token = new_link(session, rnd, informant, expires, actor, keyring, now)
        sealed = seal(keyring, link_url(base_url, token), outbox.LINK_SEAL_CONTEXT)
        outbox.result_notice(session, rnd, case, informant, sealed, expires, now)
        audit.record(session, actor, "link.result", "informant", informant.id or 0, case_id=case.id)
        sent += 1
    return sent
