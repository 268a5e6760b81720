"""The value counts of completed rounds (`service.models.round_agreement`): how many independent
informants gave each point of each factor's scale, written when a round completes and made for
every completed round of a municipality after a bulk load; then the same counts packed, a row
per round and factor, from the rows just written. Nothing changes them afterwards:
submissions are final once submitted and only taken while the round collects, an informant's
step never changes, and an instrument's scale is fixed once published.

Each write replaces the rows of the rounds it names, so the same statements serve the first
write and a rewrite.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import BigInteger, and_, bindparam, cast, delete, func, insert, select, true
from sqlalchemy import case as sql_case
from sqlalchemy.engine import Connection
from sqlmodel import Session, col
from sqlmodel import select as sql_select

from service.models.instrument import Instrument
from service.models.round import (
    Informant,
    ScoringRound,
    Submission,
    SubmissionScore,
    SubmissionStatus,
)
from service.models.round_agreement import RoundFactorAgreement, RoundFactorCounts
from service.models.tenancy import joined_within
from service.schemas.agreement import AgreementPublic
from service.workflow.agreement import BITS, NUMBERS, POINTS_PER_NUMBER, factor_agreement
from service.workflow.procedures import InformantStep
from service.workflow.scale import BestEnd, Scale
from service.workflow.states import RoundState

_SS = SubmissionScore.__table__  # type: ignore[attr-defined]
_S = Submission.__table__  # type: ignore[attr-defined]
_I = Informant.__table__  # type: ignore[attr-defined]
_R = ScoringRound.__table__  # type: ignore[attr-defined]
_INS = Instrument.__table__  # type: ignore[attr-defined]
_A = RoundFactorAgreement.__table__  # type: ignore[attr-defined]
_P = RoundFactorCounts.__table__  # type: ignore[attr-defined]

COLUMNS = ("municipality_id", "round_id", "factor_id", "severity", "scores")
PACKED_COLUMNS = ("municipality_id", "round_id", "factor_id", "scored", "packed", "packed_beyond")


def _packed(number: int) -> Any:
    """The sum that packs a unit's counts of the points `number * POINTS_PER_NUMBER` on into
    one number (`service.workflow.agreement.pack_counts`, in SQL); 64-bit on PostgreSQL."""
    severity = _A.c.severity - number * POINTS_PER_NUMBER
    inside = and_(severity >= 0, severity < POINTS_PER_NUMBER)
    shifted = cast(_A.c.scores, BigInteger).op("<<")(severity * BITS)
    return cast(func.sum(sql_case((inside, shifted), else_=0)), BigInteger)


def _packing(rounds: Any) -> Any:
    """The packed counts of the rounds chosen by `rounds(round id column)`, from their rows of
    counts per point."""
    return (
        select(
            _A.c.municipality_id,
            _A.c.round_id,
            _A.c.factor_id,
            func.sum(_A.c.scores),
            *(_packed(n) for n in range(NUMBERS)),
        )
        .where(_A.c.municipality_id == bindparam("municipality_id"), rounds(_A.c.round_id))
        .group_by(_A.c.municipality_id, _A.c.round_id, _A.c.factor_id)
    )


def _counts(rounds: Any, *, by_municipality: bool) -> Any:
    """Every independent informant's submitted score of the completed rounds chosen by
    `rounds(round id column)`, counted per round, factor and distance from the best end.
    `by_municipality` narrows every table to the municipality too (for all its rounds)."""
    severity = sql_case(
        (_INS.c.best_end == BestEnd.LOW.value, _SS.c.score - _INS.c.scale_min),
        else_=_INS.c.scale_max - _SS.c.score,
    )
    m: Any = bindparam("municipality_id")
    return (
        select(_R.c.municipality_id, _R.c.id, _SS.c.factor_id, severity, func.count())
        .select_from(
            _SS.join(_S, joined_within(_S, _SS, _S.c.id == _SS.c.submission_id))
            .join(_I, joined_within(_I, _S, _I.c.id == _S.c.informant_id))
            .join(_R, joined_within(_R, _S, _R.c.id == _S.c.round_id))
            .join(_INS, _INS.c.id == _R.c.instrument_id)  # a shared catalogue's or its own
        )
        .where(
            _R.c.municipality_id == m,
            *(
                (_SS.c.municipality_id == m, _S.c.municipality_id == m, _I.c.municipality_id == m)
                if by_municipality
                else ()
            ),
            _R.c.state == RoundState.COMPLETED.value,
            _S.c.status == SubmissionStatus.SUBMITTED.value,
            _I.c.step == InformantStep.INDEPENDENT.value,
            _SS.c.score.is_not(None),
            rounds(_R.c.id),
            rounds(_S.c.round_id),
        )
        .group_by(_R.c.municipality_id, _R.c.id, _SS.c.factor_id, severity)
    )


def _statements(rounds: Any, *, by_municipality: bool) -> tuple[Any, ...]:
    return (
        delete(_A).where(
            _A.c.municipality_id == bindparam("municipality_id"), rounds(_A.c.round_id)
        ),
        delete(_P).where(
            _P.c.municipality_id == bindparam("municipality_id"), rounds(_P.c.round_id)
        ),
        insert(_A).from_select(COLUMNS, _counts(rounds, by_municipality=by_municipality)),
        insert(_P).from_select(PACKED_COLUMNS, _packing(rounds)),
    )


#: The rounds named (`round_ids`, expanding) of one municipality.
_NAMED = _statements(
    lambda column: column.in_(bindparam("round_ids", expanding=True)), by_municipality=False
)
#: Every round of one municipality.
_EVERY = _statements(lambda column: true(), by_municipality=True)


def _run(
    connection: Connection | Session, statements: Sequence[Any], params: dict[str, Any]
) -> None:
    for statement in statements:
        connection.execute(statement, params)


def store_agreement(session: Session, rounds: Sequence[ScoringRound]) -> None:
    """Write the value counts of `rounds` anew (all of one municipality) from their scores as
    they stand in the session (flushed first). A round that is not completed keeps no rows."""
    if not rounds:
        return
    (municipality_id,) = {r.municipality_id for r in rounds}
    session.flush()
    _run(session, _NAMED, {"municipality_id": municipality_id, "round_ids": [r.id for r in rounds]})


def rebuild_agreement(connection: Connection | Session, municipality_id: int) -> None:
    """Write the value counts of every completed round of the municipality anew (after a bulk
    load, which writes rounds without the use cases)."""
    _run(connection, _EVERY, {"municipality_id": municipality_id})


def stored_agreement(
    session: Session, rnd: ScoringRound, scale: Scale
) -> dict[int, AgreementPublic]:
    """Per factor id, how alike a completed round's independent scores were, from its value
    counts (empty before the round completes)."""
    values: dict[int, list[int]] = {}
    by_severity = scale.points_from_best()
    for factor_id, severity, scores in session.exec(
        sql_select(
            col(RoundFactorAgreement.factor_id),
            col(RoundFactorAgreement.severity),
            col(RoundFactorAgreement.scores),
        ).where(col(RoundFactorAgreement.round_id) == rnd.id)
    ).all():
        values.setdefault(factor_id, []).extend([by_severity[severity]] * scores)
    return {fid: AgreementPublic.of(factor_agreement(v, scale)) for fid, v in values.items()}
