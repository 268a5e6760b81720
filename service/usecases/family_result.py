"""What the family sees through its link once the round is completed (DOMAIN §8: the official
result and its own scores): the official score, goal and outcome per factor beside its own
answers, and its own series beside the official one. Never a professional's own score: the
professionals' spread is shown only where the procedure had the family meet them (KL 3)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from service.models.case import Case
from service.models.round import Informant, ScoringRound
from service.schemas.progress import CaseProgress
from service.schemas.rounds import RoundResult
from service.usecases import audit, progress
from service.usecases.link_access import informant_actor
from service.usecases.results import result
from service.workflow.procedures import Procedure
from service.workflow.roles import FAMILY, InformantRole
from service.workflow.states import RoundState


@dataclass(frozen=True, slots=True)
class FamilyResult:
    role: InformantRole
    result: RoundResult  # without the notes: those are other people's scores
    progress: CaseProgress  # the official series and the reader's own role only
    met_professionals: bool  # the procedure had the family meet the professionals (KL 3)


def family_result(
    session: Session, informant: Informant, client_address: str | None
) -> FamilyResult | None:
    """The result for a family member's link, or None (not family, or not completed)."""
    if informant.role not in FAMILY:
        return None
    rnd = session.get(ScoringRound, informant.round_id)
    if rnd is None or rnd.state is not RoundState.COMPLETED:
        return None
    case = session.get(Case, rnd.case_id)
    assert case is not None
    official = result(session, rnd)
    official = official.model_copy(
        update={
            "factors": [f.model_copy(update={"disagreements": []}) for f in official.factors],
            "amendments": [],
        }
    )
    met = rnd.procedure is Procedure.KL3
    series = progress.progress(session, case, until=rnd)
    series = series.model_copy(
        update={
            "factors": [
                f.model_copy(
                    update={
                        "roles": [r for r in f.roles if r.role is informant.role],
                        "spread": f.spread if met else [],
                    }
                )
                for f in series.factors
            ],
            "rounds": [r.model_copy(update={"measures": []}) for r in series.rounds],
        }
    )
    audit.record(
        session,
        informant_actor(informant, client_address),
        "link.result.read",
        "round",
        rnd.id or 0,
        case_id=case.id,
    )
    return FamilyResult(informant.role, official, series, met)
