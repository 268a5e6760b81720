"""Vignettes (fictitious children written in one instrument version's terms) and their
reference score and rationale per factor: written by those who organise calibration."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func
from sqlmodel import Session, col, select

from service.auth.actor import Actor
from service.errors import Conflict, NotFound, Unprocessable
from service.models.calibration import (
    CalibrationReference,
    CalibrationVignette,
)
from service.models.instrument import Instrument, InstrumentStatus
from service.schemas.calibration import (
    CalibrationScoreEntry,
    ReferenceEntry,
    ReferencePublic,
    VignetteCreate,
    VignettePublic,
)
from service.schemas.common import PageParams
from service.schemas.instruments import InstrumentForm
from service.usecases.administration.instruments import PublishedForm, published_form
from service.usecases.calibration.access import require_organiser
from service.usecases.data_rights import audit


def writable_form(session: Session, instrument_id: int) -> PublishedForm:
    instrument = session.get(Instrument, instrument_id)
    if instrument is None:
        raise NotFound(f"Instrument {instrument_id} not found.", code="instrument_not_found")
    if instrument.status is not InstrumentStatus.PUBLISHED:
        raise Conflict(
            "A vignette is written for a published instrument version.",
            code="instrument_not_published",
        )
    return published_form(session, instrument_id)


def check_scores(
    form: PublishedForm, entries: Iterable[ReferenceEntry | CalibrationScoreEntry]
) -> None:
    for index, entry in enumerate(entries):
        if form.factor(entry.factor_key) is None:
            raise Unprocessable(
                f"The instrument has no factor {entry.factor_key!r}.",
                code="unknown_factor",
                factor_key=entry.factor_key,
                index=index,
            )
        if entry.score is not None and not form.scale.contains(entry.score):
            raise Unprocessable(
                f"{entry.score} is not a point of the scale.",
                code="off_scale",
                factor_key=entry.factor_key,
            )


def require_every_factor(form: PublishedForm, keys: set[str], what: str) -> None:
    missing = [f.key for f in form.factors if f.key not in keys]
    if missing:
        raise Unprocessable(
            f"{what} covers every factor of the instrument (a score, or cannot_assess).",
            code="calibration_incomplete",
            missing=missing,
        )


def create_vignette(session: Session, actor: Actor, body: VignetteCreate) -> CalibrationVignette:
    """An organiser writes a vignette in the terms of one instrument version, with the
    reference score and its rationale for every factor."""
    require_organiser(actor)
    form = writable_form(session, body.instrument_id)
    check_scores(form, body.references)
    require_every_factor(form, {r.factor_key for r in body.references}, "The reference")
    vignette = CalibrationVignette(
        municipality_id=actor.municipality_id,
        instrument_id=body.instrument_id,
        title=body.title,
        story=body.story,
        created_by_id=actor.id,
    )
    session.add(vignette)
    session.flush()
    for entry in body.references:
        factor = form.factor(entry.factor_key)
        assert factor is not None
        session.add(
            CalibrationReference(
                municipality_id=actor.municipality_id,
                vignette_id=vignette.id or 0,
                factor_id=factor.id,
                value=entry.score,
                rationale=entry.rationale,
            )
        )
    session.flush()
    audit.record(
        session, actor, "calibration.vignette.create", "calibration_vignette", vignette.id or 0
    )
    return vignette


def load_vignette(session: Session, vignette_id: int) -> CalibrationVignette:
    vignette = session.get(CalibrationVignette, vignette_id)
    if vignette is None:
        raise NotFound(f"Vignette {vignette_id} not found.", code="vignette_not_found")
    return vignette


def references(session: Session, vignette: CalibrationVignette) -> dict[str, ReferencePublic]:
    """The vignette's reference per factor key, in the instrument's order."""
    form = published_form(session, vignette.instrument_id)
    rows = {
        r.factor_id: r
        for r in session.exec(
            select(CalibrationReference).where(CalibrationReference.vignette_id == vignette.id)
        ).all()
    }
    result: dict[str, ReferencePublic] = {}
    for factor in form.factors:
        row = rows.get(factor.id)
        if row is not None:
            result[factor.key] = ReferencePublic(
                factor_key=factor.key,
                factor_name_da=factor.name_da,
                factor_name_en=factor.name_en,
                score=row.value,
                cannot_assess=row.value is None,
                rationale=row.rationale,
            )
    return result


def vignette_public(
    session: Session, vignette: CalibrationVignette, *, with_references: bool
) -> VignettePublic:
    return VignettePublic(
        id=vignette.id or 0,
        instrument_id=vignette.instrument_id,
        title=vignette.title,
        story=vignette.story,
        created_at=vignette.created_at,
        references=list(references(session, vignette).values()) if with_references else [],
    )


def get_vignette(session: Session, actor: Actor, vignette_id: int) -> VignettePublic:
    require_organiser(actor)
    return vignette_public(session, load_vignette(session, vignette_id), with_references=True)


def list_vignettes(
    session: Session, actor: Actor, page: PageParams
) -> tuple[list[VignettePublic], int]:
    require_organiser(actor)
    total = session.exec(select(func.count()).select_from(CalibrationVignette)).one()
    rows = session.exec(
        select(CalibrationVignette)
        .order_by(col(CalibrationVignette.created_at).desc(), col(CalibrationVignette.id).desc())
        .offset(page.offset)
        .limit(page.limit)
    ).all()
    return [vignette_public(session, v, with_references=True) for v in rows], total


def vignette_form(session: Session, actor: Actor, instrument_id: int) -> InstrumentForm:
    """The form a vignette's reference is written on: the published instrument's own."""
    require_organiser(actor)
    return writable_form(session, instrument_id).form
