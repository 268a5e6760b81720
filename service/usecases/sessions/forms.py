"""The municipality's own session forms: an administrator loads a pair (e.g. a licensed
instrument the municipality holds a licence for) as a new version, which links made from then
on use; or goes back to the service's shipped forms. A version is never changed: links made
with it, and their answers, keep it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, func, select

from service.auth.actor import Actor
from service.models.municipality import Municipality
from service.models.session_form import SessionFormVersion
from service.models.staff import StaffRole
from service.schemas.sessions import (
    LoadedFormPublic,
    SessionFormsLoad,
    SessionFormVersionPublic,
    SessionFormVersionsPublic,
)
from service.usecases.data_rights import audit
from service.workflow.sessions import SHIPPED, FormDefinition, FormPair, SessionForm


def current(session: Session) -> SessionFormVersion | None:
    """The version stamped on a link made now (None: the shipped forms), in the session's
    municipality. Of two made current at once, the later."""
    return session.exec(
        select(SessionFormVersion)
        .where(col(SessionFormVersion.current).is_(True))
        .order_by(col(SessionFormVersion.version).desc())
    ).first()


def pair(version: SessionFormVersion | None) -> FormPair:
    """What answers through a link made with `version` are checked against."""
    if version is None:
        return SHIPPED
    return {form: _definition(version.forms[form.value]) for form in SessionForm}


def _definition(form: dict[str, Any]) -> FormDefinition:
    return FormDefinition(
        tuple(str(item["key"]) for item in form["items"]),
        int(form["lowest"]),
        int(form["highest"]),
    )


def versions(session: Session, ids: Iterable[int | None]) -> dict[int, SessionFormVersion]:
    """The versions named by links (the shipped forms name none)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.exec(select(SessionFormVersion).where(col(SessionFormVersion.id).in_(wanted)))
    return {row.id or 0: row for row in rows}


def public(version: SessionFormVersion) -> SessionFormVersionPublic:
    return SessionFormVersionPublic(
        id=version.id or 0,
        version=version.version,
        name=version.name,
        outcome=LoadedFormPublic.model_validate(version.forms[SessionForm.OUTCOME.value]),
        alliance=LoadedFormPublic.model_validate(version.forms[SessionForm.ALLIANCE.value]),
        current=version.current,
        created_at=version.created_at,
        created_by_label=version.created_by_label,
    )


def _listed(session: Session) -> SessionFormVersionsPublic:
    rows = session.exec(
        select(SessionFormVersion).order_by(col(SessionFormVersion.version).desc())
    ).all()
    now_current = next((row for row in rows if row.current), None)
    return SessionFormVersionsPublic(
        items=[public(row) for row in rows],
        current_version_id=now_current.id if now_current is not None else None,
    )


def list_versions(session: Session, actor: Actor) -> SessionFormVersionsPublic:
    actor.require_role(StaffRole.ADMINISTRATOR)
    return _listed(session)


def _one_at_a_time(session: Session, actor: Actor) -> None:
    """Loads and retirements of one municipality wait for each other (on PostgreSQL; SQLite
    writes one at a time anyway): two at once would number the same version, or leave two
    current."""
    session.exec(
        select(Municipality.id).where(Municipality.id == actor.municipality_id).with_for_update()
    ).first()


def _retire(session: Session) -> None:
    for row in session.exec(
        select(SessionFormVersion).where(col(SessionFormVersion.current).is_(True))
    ):
        row.current = False
        session.add(row)


def load(
    session: Session, actor: Actor, data: SessionFormsLoad, now: datetime
) -> SessionFormVersionPublic:
    """A new version from a validated pair; it becomes current at once."""
    actor.require_role(StaffRole.ADMINISTRATOR)
    _one_at_a_time(session, actor)
    _retire(session)
    last = session.exec(select(func.max(SessionFormVersion.version))).one()
    row = SessionFormVersion(
        municipality_id=actor.municipality_id,
        version=(last or 0) + 1,
        name=data.name,
        forms={
            SessionForm.OUTCOME.value: data.outcome.model_dump(),
            SessionForm.ALLIANCE.value: data.alliance.model_dump(),
        },
        current=True,
        created_at=now,
        created_by=actor.audit_id,
        created_by_label=actor.label,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "session_forms.load",
        "session_form_version",
        row.id or 0,
        detail={"version": row.version},
    )
    return public(row)


def back_to_shipped(session: Session, actor: Actor) -> SessionFormVersionsPublic:
    """Links made from now on use the service's shipped forms; earlier links keep theirs.
    Going back when already there changes nothing."""
    actor.require_role(StaffRole.ADMINISTRATOR)
    _one_at_a_time(session, actor)
    before = current(session)
    if before is not None:
        _retire(session)
        session.flush()
        audit.record(
            session,
            actor,
            "session_forms.shipped",
            "session_form_version",
            before.id or 0,
            detail={"version": before.version},
        )
    return _listed(session)
