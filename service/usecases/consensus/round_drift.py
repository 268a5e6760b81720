"""The drift summary of completed rounds (`service.models.round_drift`): each official score
beside the median of the other informants' scores of its factor, written wherever the
disagreement summary is (`service.usecases.consensus.round_disagreement` calls it), so that it
stays as true as that one: when a round completes, when an official score of it is amended,
and for every completed round of a municipality after a bulk load.

The median is taken in SQL with window functions (both engines have them): the scores of a
round's factor numbered in order, and the middle one, or the mean of the middle two.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, bindparam, delete, func, insert, select, true
from sqlalchemy import case as sql_case

from service.models.instrument import Instrument
from service.models.round import (
    Informant,
    OfficialScore,
    ScoringRound,
    Submission,
    SubmissionScore,
    SubmissionStatus,
)
from service.models.round_drift import RoundFactorDrift
from service.models.tenancy import joined_within
from service.workflow.roles import InformantRole
from service.workflow.scale import BestEnd
from service.workflow.states import RoundState

_SS = SubmissionScore.__table__  # type: ignore[attr-defined]
_S = Submission.__table__  # type: ignore[attr-defined]
_I = Informant.__table__  # type: ignore[attr-defined]
_R = ScoringRound.__table__  # type: ignore[attr-defined]
_INS = Instrument.__table__  # type: ignore[attr-defined]
_O = OfficialScore.__table__  # type: ignore[attr-defined]
_D = RoundFactorDrift.__table__  # type: ignore[attr-defined]

COLUMNS = (
    "municipality_id",
    "round_id",
    "factor_id",
    "caseworker_id",
    "informants",
    "towards_worse",
)


def _medians(rounds: Any) -> Any:
    """(municipality, round, factor, median, informants) of the informants' submitted scores,
    the caseworker's own left out, in the completed rounds chosen by `rounds(column)`."""
    m: Any = bindparam("municipality_id")
    part = (_S.c.round_id, _SS.c.factor_id)
    ranked = (
        select(
            _S.c.municipality_id,
            _S.c.round_id,
            _SS.c.factor_id,
            _SS.c.score,
            func.row_number().over(partition_by=part, order_by=_SS.c.score).label("n"),
            func.count().over(partition_by=part).label("total"),
        )
        .select_from(
            _SS.join(_S, joined_within(_S, _SS, _S.c.id == _SS.c.submission_id)).join(
                _I, joined_within(_I, _S, _I.c.id == _S.c.informant_id)
            )
        )
        .where(
            _S.c.municipality_id == m,
            _S.c.status == SubmissionStatus.SUBMITTED.value,
            _I.c.role != InformantRole.CASEWORKER.value,
            _SS.c.score.is_not(None),
            rounds(_S.c.round_id),
        )
        .subquery("ranked")
    )
    middle = ranked.c.n.in_([(ranked.c.total + 1) // 2, (ranked.c.total + 2) // 2])
    return (
        select(
            ranked.c.municipality_id,
            ranked.c.round_id,
            ranked.c.factor_id,
            (func.sum(ranked.c.score) * 1.0 / func.count()).label("median"),
            func.max(ranked.c.total).label("informants"),
        )
        .where(middle)
        .group_by(ranked.c.municipality_id, ranked.c.round_id, ranked.c.factor_id)
        .subquery("medians")
    )


def _rows(rounds: Any) -> Any:
    med = _medians(rounds)
    offset = sql_case(
        (_INS.c.best_end == BestEnd.LOW.value, _O.c.score - med.c.median),
        else_=med.c.median - _O.c.score,
    )
    return (
        select(
            med.c.municipality_id,
            med.c.round_id,
            med.c.factor_id,
            _O.c.set_by_id,
            med.c.informants,
            offset,
        )
        .select_from(
            med.join(
                _R, and_(_R.c.municipality_id == med.c.municipality_id, _R.c.id == med.c.round_id)
            )
            .join(_INS, _INS.c.id == _R.c.instrument_id)
            .join(
                _O,
                and_(
                    _O.c.municipality_id == med.c.municipality_id,
                    _O.c.round_id == med.c.round_id,
                    _O.c.factor_id == med.c.factor_id,
                ),
            )
        )
        .where(_R.c.state == RoundState.COMPLETED.value, _O.c.score.is_not(None))
    )


def _statements(rounds: Any) -> tuple[Any, ...]:
    return (
        delete(_D).where(
            _D.c.municipality_id == bindparam("municipality_id"), rounds(_D.c.round_id)
        ),
        insert(_D).from_select(COLUMNS, _rows(rounds)),
    )


#: The rounds named (`round_ids`, expanding) of one municipality.
NAMED = _statements(lambda column: column.in_(bindparam("round_ids", expanding=True)))
#: Every round of one municipality.
EVERY = _statements(lambda column: true())
