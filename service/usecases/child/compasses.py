"""Two compasses side by side (Forandringskompasset): per factor over the case's rounds, the
caseworker's and the provider's own independent scores with the official score as a reference,
and where the two views part and meet. Read from the child's series, so that both follow the
same rounds and the same scale (`progress`); for staff, never for a family's or informant's
link."""

from __future__ import annotations

from sqlmodel import Session

from service.auth.actor import Actor
from service.models.case import Case
from service.models.municipality import Municipality
from service.schemas.compasses import CaseCompasses, CompassFactor, CompassPoint, CompassRound
from service.schemas.progress import CaseProgress
from service.usecases.child import progress
from service.usecases.child.cases import load_case
from service.usecases.data_rights import audit
from service.workflow.compasses import RoundViews, compare
from service.workflow.roles import InformantRole


def case_compasses(session: Session, actor: Actor, case_id: int) -> CaseCompasses:
    case = load_case(session, actor, case_id)
    audit.record(session, actor, "case.compasses.read", "case", case_id, case_id=case_id)
    return compasses(progress.progress(session, case), threshold(session, case))


def threshold(session: Session, case: Case) -> int:
    """The municipality's divergence threshold: the views are apart beyond it."""
    municipality = session.get(Municipality, case.municipality_id)
    assert municipality is not None
    return municipality.divergence_threshold


def compasses(series: CaseProgress, divergence: int) -> CaseCompasses:
    """The two views of each factor of `series`, the official score beside them."""
    factors = []
    for factor in series.factors:
        own = {
            role.role: {p.round_id: tuple(p.scores_on_newest_scale) for p in role.points}
            for role in factor.roles
        }
        caseworker = own.get(InformantRole.CASEWORKER, {})
        provider = own.get(InformantRole.PROVIDER, {})
        official = {p.round_id: p.score_on_newest_scale for p in factor.official}
        ids = [p.round_id for p in factor.official]
        views = [
            RoundViews(caseworker.get(rid, ()), provider.get(rid, ()), official.get(rid))
            for rid in ids
        ]
        factors.append(
            CompassFactor(
                factor_key=factor.factor_key,
                position=factor.position,
                name_da=factor.name_da,
                name_en=factor.name_en,
                points=[
                    CompassPoint(
                        round_id=rid,
                        caseworker_scores=list(v.caseworker),
                        provider_scores=list(v.provider),
                        caseworker=found.caseworker,
                        provider=found.provider,
                        official=v.official,
                        gap=found.gap,
                        stance=found.stance,
                        turn=found.turn,
                    )
                    for rid, v, found in zip(ids, views, compare(views, divergence), strict=True)
                ],
            )
        )
    return CaseCompasses(
        case_id=series.case_id,
        threshold=divergence,
        scale=series.rounds[-1].scale if series.rounds else None,
        snapshot=series.snapshot,
        rounds=[
            CompassRound(round_id=r.round_id, completed_at=r.completed_at, scale=r.scale)
            for r in series.rounds
        ],
        factors=factors,
    )
