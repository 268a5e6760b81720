"""Instrument mappings: which earlier instrument a round may be measured against, and how
its factors map. The catalogue ships mappings between its forms; a municipality declares its
own (which take precedence over the catalogue's for the same pair)."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from service.auth.actor import Actor
from service.errors import Conflict, NotFound, Unprocessable
from service.models.instrument import Instrument, InstrumentMapping, InstrumentStatus
from service.models.staff import Scope, StaffRole
from service.schemas.common import PageParams
from service.schemas.mappings import FactorLinkSpec, MappingCreate, MappingPublic
from service.usecases.administration.instruments import published_form
from service.usecases.data_rights import audit
from service.workflow import comparison


def links_of(mapping: InstrumentMapping) -> tuple[comparison.FactorLink, ...]:
    """The stated links, as stored (validated on the way in)."""
    return tuple(
        comparison.FactorLink(
            key=str(link["key"]),
            sources=tuple(str(s) for s in link["sources"]),  # type: ignore[attr-defined]
            combine=comparison.Combine(str(link.get("combine", comparison.Combine.SAME))),
        )
        for link in mapping.factors
    )


def rule_of(mapping: InstrumentMapping) -> comparison.InstrumentMapping:
    return comparison.InstrumentMapping(
        mapping.id or 0, mapping.from_key, mapping.to_key, links_of(mapping)
    )


def mappings_in_force(session: Session) -> comparison.Mappings:
    """The mappings the session's municipality compares rounds by: its own, and the
    catalogue's for the pairs it has not declared itself."""
    found: dict[tuple[str, str], InstrumentMapping] = {}
    for mapping in session.exec(
        select(InstrumentMapping).order_by(
            col(InstrumentMapping.municipality_id).is_not(None), col(InstrumentMapping.id)
        )
    ).all():
        found[(mapping.from_key, mapping.to_key)] = mapping  # own ones come last and win
    return comparison.Mappings({pair: rule_of(m) for pair, m in found.items()})


def _require_reader(actor: Actor) -> None:
    if actor.is_client:
        actor.require_scope(Scope.INSTRUMENTS_READ)


def _newest(session: Session, key: str) -> Instrument | None:
    """The newest published version of the family `key` the municipality can use."""
    return session.exec(
        select(Instrument)
        .where(Instrument.key == key, Instrument.status == InstrumentStatus.PUBLISHED)
        .order_by(col(Instrument.municipality_id).is_(None), col(Instrument.version).desc())
    ).first()


def _factor_keys(session: Session, instrument: Instrument | None) -> list[str]:
    if instrument is None:
        return []
    return [f.key for f in published_form(session, instrument.id or 0).factors]


def public(session: Session, mapping: InstrumentMapping) -> MappingPublic:
    earlier = _factor_keys(session, _newest(session, mapping.from_key))
    later = _factor_keys(session, _newest(session, mapping.to_key))
    stated = {link.key for link in links_of(mapping)}
    return MappingPublic(
        id=mapping.id or 0,
        from_key=mapping.from_key,
        to_key=mapping.to_key,
        name_da=mapping.name_da,
        name_en=mapping.name_en,
        catalogue=mapping.is_catalogue,
        factors=[FactorLinkSpec.model_validate(link) for link in mapping.factors],
        shared_factors=[k for k in later if k in earlier and k not in stated],
        created_at=mapping.created_at,
    )


def list_mappings(
    session: Session, actor: Actor, page: PageParams
) -> tuple[list[MappingPublic], int]:
    _require_reader(actor)
    total = session.exec(select(func.count()).select_from(InstrumentMapping)).one()
    rows = session.exec(
        select(InstrumentMapping)
        .order_by(col(InstrumentMapping.from_key), col(InstrumentMapping.to_key))
        .order_by(col(InstrumentMapping.id))
        .offset(page.offset)
        .limit(page.limit)
    ).all()
    return [public(session, m) for m in rows], total


def get_mapping(session: Session, actor: Actor, mapping_id: int) -> MappingPublic:
    _require_reader(actor)
    mapping = session.get(InstrumentMapping, mapping_id)
    if mapping is None:
        raise NotFound(f"Mapping {mapping_id} not found.", code="mapping_not_found")
    return public(session, mapping)


def check_definition(session: Session, body: MappingCreate) -> tuple[Instrument, Instrument]:
    """Both families have a published version; their scales pair point for point; every
    stated factor exists on its side."""
    earlier, later = _newest(session, body.from_key), _newest(session, body.to_key)
    for key, found in ((body.from_key, earlier), (body.to_key, later)):
        if found is None:
            raise Unprocessable(
                f"No published instrument {key!r}.", code="instrument_not_found", key=key
            )
    assert earlier is not None and later is not None
    points = (earlier.scale_max - earlier.scale_min, later.scale_max - later.scale_min)
    if points[0] != points[1]:
        raise Unprocessable(
            "The scales must have as many points, to pair them one to one from the best end.",
            code="scales_differ",
        )
    earlier_keys, later_keys = (
        set(_factor_keys(session, earlier)),
        set(_factor_keys(session, later)),
    )
    for link in body.factors:
        unknown = [k for k in link.sources if k not in earlier_keys]
        if link.key not in later_keys or unknown:
            raise Unprocessable(
                f"Unknown factor: {link.key if link.key not in later_keys else unknown[0]!r}.",
                code="unknown_factor",
                factor_key=link.key if link.key not in later_keys else unknown[0],
            )
    return earlier, later


def create_mapping(session: Session, actor: Actor, body: MappingCreate) -> MappingPublic:
    """Declare the municipality's own mapping (administrators)."""
    actor.require_role(StaffRole.ADMINISTRATOR)
    check_definition(session, body)
    exists = session.exec(
        select(InstrumentMapping.id).where(
            InstrumentMapping.from_key == body.from_key,
            InstrumentMapping.to_key == body.to_key,
            col(InstrumentMapping.municipality_id).is_not(None),
        )
    ).first()
    if exists is not None:
        raise Conflict(
            "The municipality has declared this mapping already.",
            code="mapping_exists",
            mapping_id=exists,
        )
    mapping = InstrumentMapping(
        municipality_id=actor.municipality_id,
        from_key=body.from_key,
        to_key=body.to_key,
        name_da=body.name_da,
        name_en=body.name_en,
        factors=[link.model_dump(mode="json") for link in body.factors],
    )
    session.add(mapping)
    session.flush()
    audit.record(session, actor, "instrument_mapping.create", "instrument_mapping", mapping.id or 0)
    return public(session, mapping)
