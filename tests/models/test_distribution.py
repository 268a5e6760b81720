"""The schema can be distributed by municipality (Citus): every table of one municipality
leads its primary key, its indexes and its unique constraints with municipality_id, and
refers to another such table by (municipality_id, x_id) -> (municipality_id, id).

See "Scaling out by municipality" in the README. The models are checked on both engines; the
schema the migrations built is checked on PostgreSQL, the engine that would be distributed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import Engine, MetaData, UniqueConstraint, inspect
from sqlmodel import SQLModel

import service.models  # noqa: F401  (registers every table)
from service.models import AuditChainHead, InformantLink, StaffUser
from service.models.tenancy import TenantOwned
from tests.databases import engine_name

MUNICIPALITY = "municipality_id"

#: What may stay global on a municipality's table, and why. Each of them is read before the
#: municipality is known (with `ALL_MUNICIPALITIES`); the README says what becomes of them
#: when the schema is distributed.
GLOBAL: dict[tuple[str, str], str] = {
    ("staff_user", "uq_staff_user_username"): (
        "a login name is unique across the service: the login finds the user, and so the "
        "municipality, by it"
    ),
    ("integrator_client", "uq_integrator_client_client_id"): (
        "a case system's client_id is unique across the service: the token endpoint finds the "
        "client, and so the municipality, by it"
    ),
    ("informant", "ix_informant_token_hash"): (
        "an informant's personal link carries no municipality: the link is found by its hash"
    ),
    ("informant_link", "ix_informant_link_token_hash"): (
        "the same for an earlier link of the informant, so that it answers as withdrawn"
    ),
    ("session_link", "ix_session_link_token_hash"): (
        "a standing link for session forms carries no municipality either: found by its hash"
    ),
    ("outbox_message", "ix_outbox_message_due"): (
        "the dispatcher's queue, taken across every municipality; not unique, so each shard "
        "can keep its own"
    ),
}


@dataclass
class TableShape:
    """What the rule looks at in one table."""

    name: str
    tenant: bool
    primary_key: list[str]
    indexes: list[tuple[str, list[str]]] = field(default_factory=list)
    uniques: list[tuple[str, list[str]]] = field(default_factory=list)
    # (name, columns, referred table, referred columns)
    references: list[tuple[str, list[str], str, list[str]]] = field(default_factory=list)


def shapes_of_metadata(metadata: MetaData) -> list[TableShape]:
    shapes = []
    for table in metadata.tables.values():
        municipality = table.c.get(MUNICIPALITY)
        shape = TableShape(
            name=table.name,
            tenant=municipality is not None and not municipality.nullable,
            primary_key=[c.name for c in table.primary_key.columns],
            indexes=[(str(i.name), [c.name for c in i.columns]) for i in table.indexes],
            uniques=[
                (str(c.name), [col.name for col in c.columns])
                for c in table.constraints
                if isinstance(c, UniqueConstraint)
            ],
            references=[
                (
                    str(fk.name),
                    [c.name for c in fk.columns],
                    fk.referred_table.name,
                    [element.column.name for element in fk.elements],
                )
                for fk in table.foreign_key_constraints
            ],
        )
        shapes.append(shape)
    return shapes


def shapes_of_database(engine: Engine) -> list[TableShape]:
    inspector = inspect(engine)
    shapes = []
    for name in inspector.get_table_names():
        if name == "alembic_version":
            continue
        columns = {c["name"]: c for c in inspector.get_columns(name)}
        municipality = columns.get(MUNICIPALITY)
        shapes.append(
            TableShape(
                name=name,
                tenant=municipality is not None and not municipality["nullable"],
                primary_key=list(inspector.get_pk_constraint(name)["constrained_columns"]),
                indexes=[
                    (str(i["name"]), [str(c) for c in i["column_names"]])
                    for i in inspector.get_indexes(name)
                    if not i.get("duplicates_constraint")  # a unique constraint's own index
                ],
                uniques=[
                    (str(u["name"]), list(u["column_names"]))
                    for u in inspector.get_unique_constraints(name)
                ],
                references=[
                    (
                        str(fk["name"]),
                        list(fk["constrained_columns"]),
                        fk["referred_table"],
                        list(fk["referred_columns"]),
                    )
                    for fk in inspector.get_foreign_keys(name)
                ],
            )
        )
    return shapes


def offenders(shapes: Iterable[TableShape], allowed: Iterable[tuple[str, str]] = ()) -> list[str]:
    """Every way the tables fall short of being distributable by municipality."""
    shapes = list(shapes)
    tenant = {s.name for s in shapes if s.tenant}
    excepted = set(allowed)
    found: list[str] = []
    for shape in sorted(shapes, key=lambda s: s.name):
        if shape.tenant:
            if shape.primary_key[:1] != [MUNICIPALITY]:
                found.append(
                    f"{shape.name}: primary key ({', '.join(shape.primary_key)}) "
                    f"does not lead with {MUNICIPALITY}"
                )
            for kind, items in (("index", shape.indexes), ("unique", shape.uniques)):
                for name, columns in items:
                    if columns[:1] != [MUNICIPALITY] and (shape.name, name) not in excepted:
                        found.append(
                            f"{shape.name}: {kind} {name} ({', '.join(columns)}) "
                            f"does not lead with {MUNICIPALITY}"
                        )
        for name, columns, parent, referred in shape.references:
            if parent not in tenant:
                continue  # a reference table (the municipality, the catalogue)
            if not shape.tenant:
                found.append(
                    f"{shape.name}: reference {name} from a shared table to {parent}, "
                    "a municipality's table"
                )
            elif not _pairs_municipality(columns, referred):
                found.append(
                    f"{shape.name}: reference {name} ({', '.join(columns)}) -> "
                    f"{parent} ({', '.join(referred)}) is not composite with {MUNICIPALITY}"
                )
    return found


def _pairs_municipality(columns: Sequence[str], referred: Sequence[str]) -> bool:
    return (MUNICIPALITY, MUNICIPALITY) in zip(columns, referred, strict=True)


def test_every_table_of_a_municipality_is_keyed_by_it_in_the_models() -> None:
    assert offenders(shapes_of_metadata(SQLModel.metadata), GLOBAL) == []


@pytest.mark.skipif(
    engine_name() != "postgresql",
    reason="distribution is a PostgreSQL matter: on SQLite a table keeps its rowid as the key "
    "(service/models/base.py), and the models are checked above",
)
def test_every_table_of_a_municipality_is_keyed_by_it_in_the_database(engine: Engine) -> None:
    assert offenders(shapes_of_database(engine), GLOBAL) == []


def test_the_global_exceptions_are_there_and_needed() -> None:
    """An exception that no longer matches anything, or that leads with the municipality after
    all, goes from the list."""
    shapes = {s.name: s for s in shapes_of_metadata(SQLModel.metadata)}
    for table, name in GLOBAL:
        shape = shapes[table]
        columns = dict(shape.indexes + shape.uniques).get(name)
        assert columns is not None, f"{table}.{name} is listed as global but is not there"
        assert columns[:1] != [MUNICIPALITY], f"{table}.{name} leads with the municipality"


def test_every_municipality_model_is_a_tenant_table_and_nothing_else_is() -> None:
    """The rule finds the tables by their non-null municipality_id: the TenantOwned models,
    and the audit chain's head (keyed by the municipality alone)."""
    tenant = {s.name for s in shapes_of_metadata(SQLModel.metadata) if s.tenant}
    owned = {
        m.__tablename__  # type: ignore[attr-defined]
        for m in _subclasses(TenantOwned)
        if hasattr(m, "__table__")
    }
    assert tenant == owned | {AuditChainHead.__tablename__}
    assert len(owned) == 55


def test_the_check_finds_what_is_not_keyed_by_the_municipality() -> None:
    """The schema as it was before the tables were keyed by the municipality, in miniature."""
    old = [
        TableShape("municipality", tenant=False, primary_key=["id"]),
        TableShape(
            "scoring_round",
            tenant=True,
            primary_key=["id"],
            indexes=[("ix_scoring_round_state", ["state"])],
        ),
        TableShape(
            "submission",
            tenant=True,
            primary_key=[MUNICIPALITY, "id"],
            uniques=[("uq_submission_informant_id", ["informant_id"])],
            references=[
                ("fk_submission_round_id_scoring_round", ["round_id"], "scoring_round", ["id"]),
                ("fk_m", [MUNICIPALITY], "municipality", ["id"]),
            ],
        ),
        TableShape(
            "instrument",
            tenant=False,
            primary_key=["id"],
            references=[("fk_i", ["round_id"], "scoring_round", ["id"])],
        ),
    ]
    assert offenders(old) == [
        "instrument: reference fk_i from a shared table to scoring_round, a municipality's table",
        "scoring_round: primary key (id) does not lead with municipality_id",
        "scoring_round: index ix_scoring_round_state (state) does not lead with municipality_id",
        "submission: unique uq_submission_informant_id (informant_id) does not lead with "
        "municipality_id",
        "submission: reference fk_submission_round_id_scoring_round (round_id) -> "
        "scoring_round (id) is not composite with municipality_id",
    ]
    assert offenders(old, {("scoring_round", "ix_scoring_round_state")}) == [
        offence for offence in offenders(old) if "ix_scoring_round_state" not in offence
    ]


def test_the_orm_still_knows_a_row_by_its_id() -> None:
    """`session.get(Model, id)` keeps working: the table's key is composite, the mapper's is
    the id alone."""
    models: list[Any] = [StaffUser, InformantLink]
    for model in models:
        assert [c.name for c in model.__mapper__.primary_key] == ["id"]
        assert [c.name for c in model.__table__.primary_key.columns] == [MUNICIPALITY, "id"]


def _subclasses(cls: type) -> Iterable[type]:
    sub: type
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)
