"""The agreement report's figures as they are kept between reads and instances: per view (the
municipality's or a team's report, by period length, over every completed round), the cells'
figures worked out ahead (`service.usecases.reports.agreement_ahead`) and the
fingerprint of the data they came from (`service.models.round_agreement.AgreementFigures`).

A read finds them only under the fingerprint it reads itself, in its own snapshot; any other
read, and any view with a window, works its figures out (`service.usecases.reports.agreement`).
The names of families and factors are not kept: they are read at every read.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlmodel import Session, select

from service.db import upsert_into
from service.models import tenancy
from service.models.round_agreement import AgreementFigures
from service.usecases.child.cases import CaseVisibility
from service.usecases.reports.groups import PeriodLength
from service.usecases.reports.scope import ReportScope
from service.workflow.agreement import AlphaEstimate, ReliabilityLevel


@dataclass(frozen=True, slots=True)
class CellFigures:
    """One cell of the report (an instrument family on a scale of `points`, a factor, a
    period), before its names are read: the children behind it, and where they are enough
    to show it (`shown`), alpha with its interval."""

    family: str
    points: int
    factor: str
    period: int
    children: int
    shown: bool
    rounds: int | None = None
    alpha: float | None = None
    low: float | None = None
    high: float | None = None
    reliability: ReliabilityLevel = ReliabilityLevel.UNKNOWN
    values: int | None = None  # the scores behind the shown figure
    interval: str | None = None  # the digest its interval was drawn under (hex)

    def estimate(self, draws: int) -> AlphaEstimate | None:
        """The shown figure as the estimate it was worked out as, under its digest: for a
        later working out to read back while the cell's counts are the same."""
        if not self.shown or self.interval is None or self.rounds is None:
            return None
        return AlphaEstimate(
            self.alpha,
            self.low,
            self.high,
            self.rounds,
            self.values or 0,
            draws if self.alpha is not None else 0,
            self.reliability,
            bytes.fromhex(self.interval),
        )


def view_name(scope: ReportScope, period: PeriodLength, windowed: bool) -> str | None:
    """What the view is kept as: `municipality/year`, `team:12/half_year`; None for a view
    that is never kept (a window of dates, or a caseworker's own cases)."""
    if windowed or scope.visibility is CaseVisibility.OWN:
        return None
    if scope.visibility is CaseVisibility.ALL:
        return f"municipality/{period.value}"
    return f"team:{scope.viewer}/{period.value}"


def kept(session: Session, view: str, fingerprint: str | None) -> list[CellFigures] | None:
    """The view's figures if they were worked out from the data `fingerprint` names (with
    None, whatever data they were worked out from)."""
    found = session.exec(
        select(AgreementFigures.fingerprint, AgreementFigures.cells).where(
            AgreementFigures.view == view
        )
    ).first()
    if found is None or (fingerprint is not None and found[0] != fingerprint):
        return None
    return [
        CellFigures(**{**cell, "reliability": ReliabilityLevel(cell["reliability"])})
        for cell in json.loads(found[1])
    ]


def kept_fingerprints(session: Session) -> dict[str, str]:
    """Every kept view of the session's municipality, with its fingerprint."""
    return {
        view: fingerprint
        for view, fingerprint in session.exec(
            select(AgreementFigures.view, AgreementFigures.fingerprint)
        ).all()
    }


def keep(
    session: Session, view: str, fingerprint: str, figures: list[CellFigures], now: datetime
) -> None:
    """Keep the view's figures in place of what was kept for it. One statement that inserts
    or replaces: two ticks working the same view at once (two workers) both succeed, and the
    last one's figures, worked out from the same or newer data, stay."""
    municipality_id = tenancy.session_municipality(session)
    assert municipality_id is not None, "figures are kept for a municipality"
    values = {
        "municipality_id": municipality_id,
        "view": view,
        "fingerprint": fingerprint,
        "worked_out_at": now,
        "cells": json.dumps([asdict(cell) for cell in figures], separators=(",", ":")),
    }
    upsert = upsert_into(session, AgreementFigures).values(**values)
    session.execute(
        upsert.on_conflict_do_update(
            index_elements=["municipality_id", "view"],
            set_={key: upsert.excluded[key] for key in ("fingerprint", "worked_out_at", "cells")},
        )
    )
