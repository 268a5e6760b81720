"""Who sees which aggregates: a caseworker their own cases' figures, a team leader the team's,
an administrator the municipality's, an integrator client with `reports:read` the
municipality's. Every report goes through here, and every read of one is audited."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement
from sqlmodel import Session

from service.auth.actor import Actor
from service.db import figures_as_of, primary_of
from service.models.municipality import Municipality
from service.models.staff import Scope, StaffRole
from service.schemas.reports import DataUse, StaffFigure
from service.usecases.child.cases import CaseVisibility, case_visibility
from service.usecases.data_rights import audit


@dataclass(frozen=True, slots=True)
class ReportScope:
    """The cases a report covers, and the municipality's smallest group shown."""

    visibility: CaseVisibility
    viewer: int | None
    min_group_size: int
    label: str  # "own", "team" or "municipality"
    as_of: datetime  # when the figures are from (a replica's may be seconds behind)
    interval_months: int = 6  # the cadence, for coverage
    data_use_statement: str = ""
    management_from: date | None = None

    def cases(self) -> ColumnElement[bool]:
        return self.visibility.clause(self.viewer)


def report_scope(session: Session, actor: Actor) -> ReportScope:
    as_of = figures_as_of(session)  # before the figures: they can only be newer
    if actor.is_client:
        actor.require_scope(Scope.REPORTS_READ)
        visibility, viewer = CaseVisibility.ALL, None
    else:
        visibility, viewer = case_visibility(actor)
    # The policy from the database itself: a smallest group raised a moment ago applies at
    # once, and a municipality the replica has not replayed yet still has its reports.
    municipality = primary_of(session).get(Municipality, actor.municipality_id)
    assert municipality is not None
    label = {
        CaseVisibility.ALL: "municipality",
        CaseVisibility.TEAM: "team",
        CaseVisibility.OWN: "own",
    }[visibility]
    if actor.is_staff and actor.role is StaffRole.ADMINISTRATOR:
        label = "municipality"
    return ReportScope(
        visibility,
        viewer,
        municipality.min_group_size,
        label,
        as_of,
        municipality.interval_months,
        municipality.data_use_statement,
        municipality.management_from,
    )


def data_use(
    scope: ReportScope,
    start: date | None,
    periods: Iterable[tuple[str, date]] = (),
) -> DataUse:
    """The statement beside a report, and what of it falls in the implementation period:
    `periods` are the report's (label, first day)."""
    since = scope.management_from
    return DataUse(
        statement=scope.data_use_statement,
        management_from=since,
        implementation=since is not None and (start is None or start < since),
        implementation_periods=[
            label for label, first in periods if since is not None and first < since
        ],
        staff_figures=list(StaffFigure),
    )


def record_read(session: Session, actor: Actor, report: str, detail: dict[str, object]) -> None:
    """Aggregates name no child, but who looked at which figures is still kept."""
    audit.record(session, actor, f"report.{report}", "report", report, detail=detail)


@dataclass(frozen=True, slots=True)
class Window:
    """The rounds a report counts: completed from `start` (inclusive) to `end` (exclusive)."""

    start: datetime | None = None
    end: datetime | None = None

    @classmethod
    def of(cls, start: date | None, end: date | None) -> Window:
        from service.models.base import utcnow

        zone = utcnow().tzinfo
        return cls(
            datetime(start.year, start.month, start.day, tzinfo=zone) if start else None,
            datetime(end.year, end.month, end.day, tzinfo=zone) if end else None,
        )
