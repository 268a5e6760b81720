"""A child's progress over time (udvikling over tid): per factor, the official status and goal
of every completed round with its outcome, each informant role's own series beside it, and the
spread of the professionals' scores. A fixed number of statements, whatever the number of
rounds. Every value is given as scored and, beside it, on the newest round's scale, so that a
series across a mapping between scales (Århus 0-4 to KL's 1-5) reads on one scale."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from service.auth.actor import Actor
from service.models.case import Case
from service.models.instrument import Instrument
from service.models.round import (
    FactorOutcome,
    Informant,
    OfficialScore,
    ScoringRound,
    Submission,
    SubmissionScore,
    SubmissionStatus,
)
from service.schemas.progress import (
    CaseProgress,
    FactorProgress,
    OfficialPoint,
    ProgressRound,
    ProgressScale,
    RolePoint,
    RoleSeries,
    SpreadPoint,
)
from service.schemas.rounds import RoundMeasurePublic
from service.usecases.administration.instruments import PublishedForm, published_form
from service.usecases.administration.mappings import mappings_in_force
from service.usecases.child.cases import load_case
from service.usecases.child.outcomes import form_ref, instrument_ref
from service.usecases.data_rights import audit
from service.usecases.procedure import round_measures
from service.workflow import comparison
from service.workflow.roles import FAMILY, NETWORK, InformantRole
from service.workflow.scale import Scale
from service.workflow.states import RoundState

#: The order of the roles' own series: the family's first, then the professionals'.
ROLE_ORDER = (
    InformantRole.CHILD,
    InformantRole.MOTHER,
    InformantRole.FATHER,
    InformantRole.NETWORK,
    InformantRole.CASEWORKER,
    InformantRole.SCHOOL,
    InformantRole.DAYCARE,
    InformantRole.PROVIDER,
    InformantRole.PSYCHOLOGIST,
    InformantRole.OTHER_PROFESSIONAL,
)


def case_progress(session: Session, actor: Actor, case_id: int) -> CaseProgress:
    case = load_case(session, actor, case_id)
    audit.record(session, actor, "case.progress.read", "case", case_id, case_id=case_id)
    return progress(session, case)


@dataclass(frozen=True, slots=True)
class _Step:
    round: ScoringRound
    instrument: Instrument
    form: PublishedForm


def series_rounds(
    session: Session, case: Case, until: ScoringRound | None = None
) -> tuple[list[_Step], list[int]]:
    """The completed rounds of the series, oldest first, and those outside it.

    The series runs back from the newest completed round (or `until`) through the rounds each
    was measured against (`ScoringRound.previous_round_id`, set by `comparison.compared_with`).
    """
    rows = session.exec(
        select(ScoringRound, Instrument)
        .join(Instrument, col(Instrument.id) == col(ScoringRound.instrument_id))
        .where(ScoringRound.case_id == case.id, ScoringRound.state == RoundState.COMPLETED)
        .order_by(col(ScoringRound.completed_at), col(ScoringRound.id))
    ).all()
    by_id = {r.id: (r, i) for r, i in rows}
    chain: list[_Step] = []
    current = by_id.get(until.id) if until is not None else (rows[-1] if rows else None)
    while current is not None and len(chain) < len(rows):
        rnd, instrument = current
        chain.append(_Step(rnd, instrument, published_form(session, instrument.id or 0)))
        current = by_id.get(rnd.previous_round_id) if rnd.previous_round_id else None
    chain.reverse()
    inside = {s.round.id for s in chain}
    last = chain[-1].round.completed_at if chain else None
    outside = [
        r.id or 0
        for r, _ in rows
        if r.id not in inside and (last is None or (r.completed_at or last) <= last)
    ]
    return chain, outside


def progress(session: Session, case: Case, until: ScoringRound | None = None) -> CaseProgress:
    """The series of `case`, up to `until` (a completed round) or the newest."""
    chain, others = series_rounds(session, case, until)
    mappings = mappings_in_force(session)
    ids = [s.round.id or 0 for s in chain]
    officials = {
        (o.round_id, o.factor_id): o
        for o in session.exec(select(OfficialScore).where(col(OfficialScore.round_id).in_(ids)))
    }
    outcomes = {
        (o.round_id, o.factor_id): o
        for o in session.exec(select(FactorOutcome).where(col(FactorOutcome.round_id).in_(ids)))
    }
    # (round, factor) -> role -> the submitted scores; plain rows, there may be many.
    given: dict[tuple[int, int], dict[InformantRole, list[int | None]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for round_id, role, factor_id, score in session.execute(
        sa_select(
            col(Submission.round_id),
            col(Informant.role),
            col(SubmissionScore.factor_id),
            col(SubmissionScore.score),
        )
        .join(Submission, col(Submission.id) == col(SubmissionScore.submission_id))
        .join(Informant, col(Informant.id) == col(Submission.informant_id))
        .where(
            col(Submission.round_id).in_(ids),
            col(Submission.status) == SubmissionStatus.SUBMITTED,
        )
    ).all():
        given[(round_id, factor_id)][InformantRole(role)].append(score)
    measures = round_measures.measures_of(session, ids)
    rounds = [
        _round_public(chain, n, measures.get(s.round.id or 0, []), mappings)
        for n, s in enumerate(chain)
    ]
    factors = []
    if chain:
        anchor = chain[-1]
        newest = anchor.form.scale
        for factor in anchor.form.factors:
            keys = _keys_back(chain, factor.key, mappings)
            official: list[OfficialPoint] = []
            spread: list[SpreadPoint] = []
            by_role: dict[InformantRole, list[RolePoint]] = defaultdict(list)
            for step, key in zip(chain, keys, strict=True):
                info = step.form.factor(key) if key else None
                if info is None:
                    continue
                rid = step.round.id or 0
                o = officials.get((rid, info.id))
                outcome = outcomes.get((rid, info.id))

                def on_newest(value: int | None, scale: Scale = step.form.scale) -> int | None:
                    return comparison.translate(value, scale, newest)

                official.append(
                    OfficialPoint(
                        round_id=rid,
                        factor_key=info.key,
                        factor_name_da=info.name_da,
                        factor_name_en=info.name_en,
                        score=o.score if o else None,
                        goal=o.goal if o else None,
                        score_on_newest_scale=on_newest(o.score) if o else None,
                        goal_on_newest_scale=on_newest(o.goal) if o else None,
                        not_assessed=o is not None and o.score is None,
                        outcome=outcome.outcome if outcome else None,
                        no_outcome=outcome.no_outcome if outcome else None,
                    )
                )
                scored = given.get((rid, info.id), {})
                professional = [
                    s
                    for role, values in scored.items()
                    if role not in FAMILY | NETWORK  # the family's network is no professional
                    for s in values
                ]
                known = [s for s in professional if s is not None]
                if known:
                    spread.append(
                        SpreadPoint(
                            round_id=rid,
                            min=min(known),
                            max=max(known),
                            min_on_newest_scale=_on(on_newest(min(known))),
                            max_on_newest_scale=_on(on_newest(max(known))),
                            informants=len(known),
                        )
                    )
                for role, values in scored.items():
                    by_role[role].append(
                        RolePoint(
                            round_id=rid,
                            scores=[s for s in values if s is not None],
                            scores_on_newest_scale=[
                                _on(on_newest(s)) for s in values if s is not None
                            ],
                            cannot_assess=sum(1 for s in values if s is None),
                        )
                    )
            factors.append(
                FactorProgress(
                    factor_key=factor.key,
                    position=factor.position,
                    name_da=factor.name_da,
                    name_en=factor.name_en,
                    official=official,
                    spread=spread,
                    roles=[
                        RoleSeries(role=role, points=by_role[role])
                        for role in ROLE_ORDER
                        if role in by_role
                    ],
                )
            )
    return CaseProgress(
        case_id=case.id or 0,
        snapshot=len(chain) < 2,
        rounds=rounds,
        factors=factors,
        other_rounds=others,
    )


def _on(value: int | None) -> int:
    """A point that was given, translated: never None."""
    assert value is not None
    return value


def _keys_back(chain: list[_Step], key: str, mappings: comparison.Mappings) -> list[str | None]:
    """The factor's key in each round of the series, oldest first, from its key in the newest."""
    keys: list[str | None] = [key]
    for later, earlier in zip(reversed(chain), list(reversed(chain))[1:], strict=False):
        current = keys[-1]
        keys.append(
            comparison.earlier_factor_key(
                form_ref(later.form), form_ref(earlier.form), current, mappings
            )
            if current is not None
            else None
        )
    keys.reverse()
    return keys


def _round_public(
    chain: list[_Step],
    n: int,
    measures: list[RoundMeasurePublic],
    mappings: comparison.Mappings,
) -> ProgressRound:
    step = chain[n]
    rnd, instrument = step.round, step.instrument
    before = chain[n - 1] if n else None
    assert rnd.completed_at is not None
    return ProgressRound(
        round_id=rnd.id or 0,
        completed_at=rnd.completed_at,
        instrument_id=instrument.id or 0,
        instrument_key=instrument.key,
        instrument_version=instrument.version,
        instrument_name_da=instrument.name_da,
        instrument_name_en=instrument.name_en,
        scale=ProgressScale(
            min=instrument.scale_min, max=instrument.scale_max, best_end=instrument.best_end
        ),
        procedure=rnd.procedure,
        variant=rnd.variant,
        compared_with_round_id=before.round.id if before else None,
        crosses=comparison.crossing(
            instrument_ref(instrument), instrument_ref(before.instrument), mappings
        )
        if before
        else None,
        measures=measures,
    )
