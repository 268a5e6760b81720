"""Load the shipped catalogue of instruments: the three Århus forms on 0-4 and KL's 1-5 variants,
and the declared mappings between them.

Idempotent: a (key, version) already in the database is left as it is, because a published
version never changes; so is a mapping already loaded.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from sqlmodel import Session, col, select

from service.models.instrument import Instrument, InstrumentMapping, InstrumentStatus
from service.schemas.instruments import (
    AudienceWords,
    FactorSpec,
    GuidancePoint,
    InstrumentDefinition,
    ScaleLabel,
    ScaleSpec,
)
from service.schemas.mappings import MappingCreate
from service.usecases.administration.instruments import store_audiences, store_definition
from service.workflow.roles import Audience


def _read(name: str) -> dict[str, Any]:
    data = resources.files("service.instruments").joinpath("catalogue", name).read_text("utf-8")
    parsed: dict[str, Any] = json.loads(data)
    return parsed


def _audiences(words: dict[str, Any], points: list[int]) -> dict[Audience, AudienceWords]:
    """A factor's words per audience; their levels are laid onto the scale from its best end."""
    return {
        Audience(audience): AudienceWords(
            name_da=w["name_da"],
            name_en=w["name_en"],
            description_da=w.get("description_da", ""),
            description_en=w.get("description_en", ""),
            guidance=[
                GuidancePoint(value=v, text_da=lvl["da"], text_en=lvl["en"])
                for v, lvl in zip(points, w.get("levels", []), strict=False)
            ],
        )
        for audience, w in words.items()
    }


def catalogue_definitions() -> list[tuple[InstrumentDefinition, int]]:
    """Every catalogue instrument as a validated definition, with its version."""
    factors = _read("factors.json")
    audiences = _read("audiences.json")["factors"]
    spec = _read("instruments.json")
    definitions: list[tuple[InstrumentDefinition, int]] = []
    for entry in spec["instruments"]:
        scale_data = spec["scales"][entry["scale"]]
        scale = ScaleSpec(
            min=scale_data["min"],
            max=scale_data["max"],
            best_end=scale_data["best_end"],
            labels=[],
        )
        points = scale.to_scale().points_from_best()
        scale.labels = [
            ScaleLabel(value=v, label_da=lab["da"], label_en=lab["en"])
            for v, lab in zip(points, scale_data["labels"], strict=True)
        ]
        factor_specs = []
        for key in entry["factors"]:
            f = factors[key]
            factor_specs.append(
                FactorSpec(
                    key=key,
                    name_da=f["name_da"],
                    name_en=f["name_en"],
                    description_da=f["description_da"],
                    description_en=f["description_en"],
                    guidance=[
                        GuidancePoint(value=v, text_da=lvl["da"], text_en=lvl["en"])
                        for v, lvl in zip(points, f["levels"], strict=True)
                    ],
                    audiences=_audiences(audiences.get(key, {}), points),
                )
            )
        definition = InstrumentDefinition(
            key=entry["key"],
            name_da=entry["name_da"],
            name_en=entry["name_en"],
            description_da=entry["description_da"],
            description_en=entry["description_en"],
            scale=scale,
            free_text_per_factor=entry["free_text_per_factor"],
            factors=factor_specs,
        )
        definitions.append((definition, int(entry["version"])))
    return definitions


def catalogue_mappings() -> list[MappingCreate]:
    """Every catalogue mapping as a validated definition."""
    return [
        MappingCreate(
            from_key=m["from"],
            to_key=m["to"],
            name_da=m["name_da"],
            name_en=m["name_en"],
            factors=m.get("factors", []),
        )
        for m in _read("mappings.json")["mappings"]
    ]


def load_mappings(session: Session) -> int:
    """Insert the catalogue mappings that are missing; return how many were inserted."""
    existing = set(
        session.exec(
            select(InstrumentMapping.from_key, InstrumentMapping.to_key).where(
                col(InstrumentMapping.municipality_id).is_(None)
            )
        ).all()
    )
    missing = [m for m in catalogue_mappings() if (m.from_key, m.to_key) not in existing]
    session.add_all(
        InstrumentMapping(
            municipality_id=None,
            from_key=m.from_key,
            to_key=m.to_key,
            name_da=m.name_da,
            name_en=m.name_en,
            factors=[link.model_dump(mode="json") for link in m.factors],
        )
        for m in missing
    )
    return len(missing)


def load_catalogue(session: Session) -> int:
    """Insert the catalogue versions that are missing, and the mappings between them; return
    how many versions were inserted. A version already there gets the words for other
    readers (parents, the child) where it has none yet: its factors, scale and guidance never
    change."""
    existing = {
        (key, version)
        for key, version in session.exec(
            select(Instrument.key, Instrument.version).where(
                col(Instrument.municipality_id).is_(None)
            )
        ).all()
    }
    inserted = 0
    for definition, version in catalogue_definitions():
        if (definition.key, version) in existing:
            store_audiences(session, definition, version)
            continue
        store_definition(
            session,
            definition,
            municipality_id=None,
            version=version,
            status=InstrumentStatus.PUBLISHED,
        )
        inserted += 1
    load_mappings(session)
    return inserted
