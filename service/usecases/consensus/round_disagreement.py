"""The disagreement summary of completed rounds (`service.models.round_disagreement`): written
when a round completes, written again when an official score of it is amended, and made for
every completed round of a municipality after a bulk load. Nothing else changes what it sums:
submissions are final once submitted and only taken while the round collects, official scores
of a completed round change only by amendment, an informant's role never changes, and an
instrument's scale is fixed once published. The rows go with their round (cascade) when a
case is erased.

Each write replaces the rows of the rounds it names: the same statements serve the first
write and every rewrite.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, true
from sqlalchemy import case as sql_case
from sqlalchemy.engine import Connection
from sqlmodel import Session

from service.models.instrument import Instrument
from service.models.round import (
    Informant,
    OfficialScore,
    ScoringRound,
    Submission,
    SubmissionScore,
    SubmissionStatus,
)
from service.models.round_disagreement import RoundDisagreement, RoundFactorDisagreement
from service.models.tenancy import joined_within
from service.usecases.consensus import round_drift
from service.workflow.scale import BestEnd
from service.workflow.states import RoundState

_SS = SubmissionScore.__table__  # type: ignore[attr-defined]
_S = Submission.__table__  # type: ignore[attr-defined]
_I = Informant.__table__  # type: ignore[attr-defined]
_R = ScoringRound.__table__  # type: ignore[attr-defined]
_INS = Instrument.__table__  # type: ignore[attr-defined]
_O = OfficialScore.__table__  # type: ignore[attr-defined]
_BY_ROLE = RoundDisagreement.__table__  # type: ignore[attr-defined]
_BY_FACTOR = RoundFactorDisagreement.__table__  # type: ignore[attr-defined]

SUMS = ("scores", "distance", "towards_worse")
#: What only the per-factor rows count: the scores towards fewer problems, the same, more.
RELATIONS = ("fewer_problems", "same", "more_problems")


def _by_factor(rounds: Any, *, by_municipality: bool) -> Any:
    """Every submitted score of the completed rounds chosen by `rounds(round id column)`,
    beside the official score of its factor, summed by role and factor, and counted by which
    side of the official score they lie (as the own-views report tells them). The rounds are the
    municipality's (a round's rows are its municipality's); `by_municipality` narrows every
    table to it too, for the whole municipality at once. For a few rounds it would lead
    SQLite to read every score of the municipality instead of the rounds' own."""
    offset = sql_case(
        (_INS.c.best_end == BestEnd.LOW.value, _SS.c.score - _O.c.score),
        else_=_O.c.score - _SS.c.score,
    )
    m: Any = bindparam("municipality_id")
    return (
        select(
            _R.c.municipality_id,
            _R.c.id,
            _I.c.role,
            _SS.c.factor_id,
            func.count(),
            func.sum(func.abs(offset)),
            func.sum(offset),
            func.sum(sql_case((offset < 0, 1), else_=0)),
            func.sum(sql_case((offset == 0, 1), else_=0)),
            func.sum(sql_case((offset > 0, 1), else_=0)),
        )
        .select_from(
            _SS.join(_S, joined_within(_S, _SS, _S.c.id == _SS.c.submission_id))
            .join(_I, joined_within(_I, _S, _I.c.id == _S.c.informant_id))
            .join(_R, joined_within(_R, _S, _R.c.id == _S.c.round_id))
            .join(_INS, _INS.c.id == _R.c.instrument_id)  # a shared catalogue's or its own
            .join(
                _O,
                joined_within(_O, _R, _O.c.round_id == _R.c.id, _O.c.factor_id == _SS.c.factor_id),
            )
        )
        .where(
            _R.c.municipality_id == m,
            *(
                (
                    _SS.c.municipality_id == m,
                    _S.c.municipality_id == m,
                    _I.c.municipality_id == m,
                    _O.c.municipality_id == m,
                )
                if by_municipality
                else ()
            ),
            _R.c.state == RoundState.COMPLETED.value,
            _S.c.status == SubmissionStatus.SUBMITTED.value,
            _SS.c.score.is_not(None),
            _O.c.score.is_not(None),
            rounds(_R.c.id),
            rounds(_S.c.round_id),
            rounds(_O.c.round_id),
        )
        .group_by(_R.c.municipality_id, _R.c.id, _I.c.role, _SS.c.factor_id)
    )


def _by_role(rounds: Any) -> Any:
    """The per-factor rows just written, summed over the factors."""
    return (
        select(
            _BY_FACTOR.c.municipality_id,
            _BY_FACTOR.c.round_id,
            _BY_FACTOR.c.role,
            *(func.sum(_BY_FACTOR.c[name]) for name in SUMS),
        )
        .where(
            _BY_FACTOR.c.municipality_id == bindparam("municipality_id"),
            rounds(_BY_FACTOR.c.round_id),
        )
        .group_by(_BY_FACTOR.c.municipality_id, _BY_FACTOR.c.round_id, _BY_FACTOR.c.role)
    )


def _statements(rounds: Any, *, by_municipality: bool) -> tuple[Any, ...]:
    def where(table: Any) -> tuple[Any, ...]:
        return (table.c.municipality_id == bindparam("municipality_id"), rounds(table.c.round_id))

    factor_columns = ("municipality_id", "round_id", "role", "factor_id", *SUMS, *RELATIONS)
    role_columns = ("municipality_id", "round_id", "role", *SUMS)
    return (
        delete(_BY_ROLE).where(*where(_BY_ROLE)),
        delete(_BY_FACTOR).where(*where(_BY_FACTOR)),
        insert(_BY_FACTOR).from_select(
            factor_columns, _by_factor(rounds, by_municipality=by_municipality)
        ),
        insert(_BY_ROLE).from_select(role_columns, _by_role(rounds)),
    )


#: The rounds named (`round_ids`, expanding) of one municipality; the drift summary with them.
_NAMED = (
    *_statements(
        lambda column: column.in_(bindparam("round_ids", expanding=True)), by_municipality=False
    ),
    *round_drift.NAMED,
)
#: Every round of one municipality.
_EVERY = (*_statements(lambda column: true(), by_municipality=True), *round_drift.EVERY)


def _run(
    connection: Connection | Session, statements: Sequence[Any], params: dict[str, Any]
) -> None:
    for statement in statements:
        connection.execute(statement, params)


def store_disagreement(session: Session, rounds: Sequence[ScoringRound]) -> None:
    """Write the summary of `rounds` anew (all of one municipality) from their scores as they
    stand in the session (flushed first). A round that is not completed keeps no rows."""
    if not rounds:
        return
    (municipality_id,) = {r.municipality_id for r in rounds}
    session.flush()
    _run(
        session,
        _NAMED,
        {"municipality_id": municipality_id, "round_ids": [r.id for r in rounds]},
    )


def rebuild_disagreement(connection: Connection | Session, municipality_id: int) -> None:
    """Write the summary of every completed round of the municipality anew (after a bulk
    load, which writes rounds without the use cases)."""
    _run(connection, _EVERY, {"municipality_id": municipality_id})
