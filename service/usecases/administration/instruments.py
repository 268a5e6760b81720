"""Use cases for instruments: read the catalogue and the municipality's own, draft, publish."""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from service.auth.actor import Actor
from service.errors import Conflict, Forbidden, NotFound
from service.models.base import utcnow
from service.models.instrument import FactorGuidance, Instrument, InstrumentFactor, InstrumentStatus
from service.models.municipality import InstrumentSelection
from service.models.staff import Scope, StaffRole
from service.schemas.common import PageParams
from service.schemas.instruments import (
    AudienceWords,
    FactorPublic,
    GuidancePublic,
    InstrumentDefinition,
    InstrumentForm,
    InstrumentPublic,
    InstrumentSummary,
    ScaleLabel,
    ScaleSpec,
)
from service.usecases.data_rights import audit
from service.workflow.roles import Audience
from service.workflow.scale import Scale


def store_definition(
    session: Session,
    definition: InstrumentDefinition,
    *,
    municipality_id: int | None,
    version: int,
    status: InstrumentStatus,
) -> Instrument:
    """Write one instrument version with its factors and guidance."""
    instrument = Instrument(
        municipality_id=municipality_id,
        key=definition.key,
        version=version,
        status=status,
        name_da=definition.name_da,
        name_en=definition.name_en,
        description_da=definition.description_da,
        description_en=definition.description_en,
        scale_min=definition.scale.min,
        scale_max=definition.scale.max,
        best_end=definition.scale.best_end,
        scale_labels=[label.model_dump() for label in definition.scale.labels],
        free_text_per_factor=definition.free_text_per_factor,
        published_at=utcnow() if status is InstrumentStatus.PUBLISHED else None,
    )
    session.add(instrument)
    session.flush()
    _store_factors(session, instrument, definition)
    return instrument


def store_audiences(session: Session, definition: InstrumentDefinition, version: int) -> None:
    """Give a catalogue version's factors the audiences' words they do not have yet (a
    version published before an audience was written): wording for other readers, never a
    change to what is scored."""
    missing = session.exec(
        select(InstrumentFactor)
        .join(Instrument, col(Instrument.id) == col(InstrumentFactor.instrument_id))
        .where(
            col(Instrument.municipality_id).is_(None),
            Instrument.key == definition.key,
            Instrument.version == version,
        )
    ).all()
    specs = {f.key: f for f in definition.factors}
    for factor in missing:
        spec = specs.get(factor.key)
        if spec is not None and spec.audiences and not factor.audiences:
            factor.audiences = stored_audiences(spec.audiences)
            session.add(factor)


def stored_audiences(audiences: dict[Audience, AudienceWords]) -> dict[str, object]:
    """The audiences' words as the factor's JSON column keeps them."""
    return {audience.value: words.model_dump() for audience, words in audiences.items()}


def _store_factors(
    session: Session, instrument: Instrument, definition: InstrumentDefinition
) -> None:
    assert instrument.id is not None
    factors = [
        InstrumentFactor(
            municipality_id=instrument.municipality_id,
            instrument_id=instrument.id,
            position=position,
            key=spec.key,
            name_da=spec.name_da,
            name_en=spec.name_en,
            description_da=spec.description_da,
            description_en=spec.description_en,
            audiences=stored_audiences(spec.audiences),
        )
        for position, spec in enumerate(definition.factors, start=1)
    ]
    session.add_all(factors)
    session.flush()
    session.add_all(
        FactorGuidance(
            municipality_id=instrument.municipality_id,
            factor_id=factor.id or 0,
            value=point.value,
            text_da=point.text_da,
            text_en=point.text_en,
        )
        for factor, spec in zip(factors, definition.factors, strict=True)
        for point in spec.guidance
    )
    session.flush()


def _require_reader(actor: Actor) -> None:
    if actor.is_client:
        actor.require_scope(Scope.INSTRUMENTS_READ)


def _keys_in_use(session: Session) -> set[str]:
    return set(session.exec(select(InstrumentSelection.instrument_key)).all())


def summary(instrument: Instrument, in_use: bool) -> InstrumentSummary:
    assert instrument.id is not None
    return InstrumentSummary(
        id=instrument.id,
        key=instrument.key,
        version=instrument.version,
        status=instrument.status,
        name_da=instrument.name_da,
        name_en=instrument.name_en,
        scale=_scale_spec(instrument),
        catalogue=instrument.is_catalogue,
        in_use=in_use,
        published_at=instrument.published_at,
    )


def _scale_spec(instrument: Instrument) -> ScaleSpec:
    return ScaleSpec(
        min=instrument.scale_min,
        max=instrument.scale_max,
        best_end=instrument.best_end,
        labels=[ScaleLabel.model_validate(label) for label in instrument.scale_labels],
    )


def list_instruments(
    session: Session,
    actor: Actor,
    page: PageParams,
    *,
    in_use: bool | None = None,
    status: InstrumentStatus | None = None,
) -> tuple[list[InstrumentSummary], int]:
    _require_reader(actor)
    keys = _keys_in_use(session)
    query = select(Instrument)
    if status is not None:
        query = query.where(Instrument.status == status)
    if in_use is True:
        query = query.where(col(Instrument.key).in_(keys))
    elif in_use is False:
        query = query.where(col(Instrument.key).not_in(keys))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(Instrument.key), col(Instrument.version))
        .offset(page.offset)
        .limit(page.limit)
    ).all()
    return [summary(i, i.key in keys) for i in rows], total


def get_instrument(session: Session, actor: Actor, instrument_id: int) -> Instrument:
    _require_reader(actor)
    instrument = session.get(Instrument, instrument_id)
    if instrument is None:
        raise NotFound(f"Instrument {instrument_id} not found.")
    return instrument


def public(session: Session, instrument: Instrument) -> InstrumentPublic:
    """The instrument with its factors and the guidance for every point (two queries)."""
    factors = session.exec(
        select(InstrumentFactor)
        .where(InstrumentFactor.instrument_id == instrument.id)
        .order_by(col(InstrumentFactor.position))
    ).all()
    guidance: dict[int, list[GuidancePublic]] = defaultdict(list)
    factor_ids = [f.id for f in factors]
    for g in session.exec(
        select(FactorGuidance)
        .where(col(FactorGuidance.factor_id).in_(factor_ids))
        .order_by(col(FactorGuidance.value))
    ).all():
        guidance[g.factor_id].append(
            GuidancePublic(value=g.value, text_da=g.text_da, text_en=g.text_en)
        )
    base = summary(instrument, instrument.key in _keys_in_use(session))
    return InstrumentPublic(
        **base.model_dump(),
        description_da=instrument.description_da,
        description_en=instrument.description_en,
        free_text_per_factor=instrument.free_text_per_factor,
        factors=[
            FactorPublic(
                id=f.id or 0,
                key=f.key,
                position=f.position,
                name_da=f.name_da,
                name_en=f.name_en,
                description_da=f.description_da,
                description_en=f.description_en,
                guidance=guidance[f.id or 0],
                audiences={
                    Audience(k): AudienceWords.model_validate(v)
                    for k, v in (f.audiences or {}).items()
                },
            )
            for f in factors
        ],
    )


def _require_admin(actor: Actor) -> None:
    actor.require_role(StaffRole.ADMINISTRATOR)


def _own_draft(session: Session, actor: Actor, instrument_id: int) -> Instrument:
    instrument = get_instrument(session, actor, instrument_id)
    if instrument.is_catalogue:
        raise Forbidden("Catalogue instruments cannot be changed; create your own instead.")
    if instrument.status is not InstrumentStatus.DRAFT:
        raise Conflict(
            "A published instrument version never changes; create a new version.",
            code="instrument_published",
        )
    return instrument


def create_draft(session: Session, actor: Actor, definition: InstrumentDefinition) -> Instrument:
    """Start the municipality's own instrument, or the next version of one (as a draft)."""
    _require_admin(actor)
    catalogue_keys = set(
        session.exec(select(Instrument.key).where(col(Instrument.municipality_id).is_(None))).all()
    )
    if definition.key in catalogue_keys:
        raise Conflict(
            f"The key {definition.key!r} belongs to the shared catalogue; choose another."
        )
    versions = session.exec(
        select(Instrument.version, Instrument.status).where(
            Instrument.key == definition.key, col(Instrument.municipality_id).is_not(None)
        )
    ).all()
    if any(status is InstrumentStatus.DRAFT for _, status in versions):
        raise Conflict(f"Instrument {definition.key!r} already has a draft; change or publish it.")
    version = max((v for v, _ in versions), default=0) + 1
    instrument = store_definition(
        session,
        definition,
        municipality_id=actor.municipality_id,
        version=version,
        status=InstrumentStatus.DRAFT,
    )
    audit.record(session, actor, "instrument.create", "instrument", instrument.id or 0)
    return instrument


def replace_draft(
    session: Session, actor: Actor, instrument_id: int, definition: InstrumentDefinition
) -> Instrument:
    _require_admin(actor)
    instrument = _own_draft(session, actor, instrument_id)
    if definition.key != instrument.key:
        raise Conflict("The key of an instrument cannot change; create a new instrument instead.")
    factor_ids = select(InstrumentFactor.id).where(InstrumentFactor.instrument_id == instrument.id)
    session.execute(delete(FactorGuidance).where(col(FactorGuidance.factor_id).in_(factor_ids)))
    session.execute(
        delete(InstrumentFactor).where(col(InstrumentFactor.instrument_id) == instrument.id)
    )
    for field in ("name_da", "name_en", "description_da", "description_en", "free_text_per_factor"):
        setattr(instrument, field, getattr(definition, field))
    instrument.scale_min = definition.scale.min
    instrument.scale_max = definition.scale.max
    instrument.best_end = definition.scale.best_end
    instrument.scale_labels = [label.model_dump() for label in definition.scale.labels]
    session.add(instrument)
    session.flush()
    _store_factors(session, instrument, definition)
    audit.record(session, actor, "instrument.update", "instrument", instrument_id)
    return instrument


def publish(session: Session, actor: Actor, instrument_id: int) -> Instrument:
    _require_admin(actor)
    instrument = _own_draft(session, actor, instrument_id)
    instrument.status = InstrumentStatus.PUBLISHED
    instrument.published_at = utcnow()
    session.add(instrument)
    audit.record(session, actor, "instrument.publish", "instrument", instrument_id)
    return instrument


def definition_of(session: Session, instrument: Instrument) -> InstrumentDefinition:
    full = public(session, instrument)
    return InstrumentDefinition.model_validate(
        {
            **full.model_dump(),
            "scale": full.scale.model_dump(),
            "factors": [
                {**f.model_dump(), "guidance": [g.model_dump() for g in f.guidance]}
                for f in full.factors
            ],
        }
    )


def new_version(session: Session, actor: Actor, instrument_id: int) -> Instrument:
    """A new draft version of an own instrument, copied from `instrument_id`."""
    _require_admin(actor)
    source = get_instrument(session, actor, instrument_id)
    if source.is_catalogue:
        raise Forbidden(
            "Catalogue instruments are versioned by their publisher; create your own instead."
        )
    return create_draft(session, actor, definition_of(session, source))


# --- published forms, cached ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FactorInfo:
    id: int
    key: str
    position: int
    name_da: str
    name_en: str


@dataclass(frozen=True, slots=True)
class PublishedForm:
    """A published instrument version as rounds use it. A published version never changes,
    so it is read once per process and database."""

    instrument_id: int
    key: str
    scale: Scale
    factors: tuple[FactorInfo, ...]
    form: InstrumentForm

    def factor(self, key: str) -> FactorInfo | None:
        for factor in self.factors:
            if factor.key == key:
                return factor
        return None


_forms: dict[tuple[str, int], PublishedForm] = {}
_forms_lock = threading.Lock()


def published_form(session: Session, instrument_id: int) -> PublishedForm:
    cache_key = (str(session.get_bind().engine.url), instrument_id)
    cached = _forms.get(cache_key)
    if cached is not None:
        return cached
    instrument = session.get(Instrument, instrument_id)
    if instrument is None:
        raise NotFound(f"Instrument {instrument_id} not found.")
    full = public(session, instrument)
    form = PublishedForm(
        instrument_id=instrument_id,
        key=instrument.key,
        scale=instrument.scale,
        factors=tuple(
            FactorInfo(f.id, f.key, f.position, f.name_da, f.name_en) for f in full.factors
        ),
        form=InstrumentForm.model_validate(full.model_dump()),
    )
    if instrument.status is InstrumentStatus.PUBLISHED:
        with _forms_lock:
            if len(_forms) > 1000:
                _forms.clear()
            _forms[cache_key] = form
    return form
