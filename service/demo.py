"""The demo municipality: staff, an integrator client, providers and children with measures.

The credentials are for development only: they are flagged as such and refused when the
service runs in production mode.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine
from sqlmodel import Session, select

from service.db import session_scope
from service.models.case import Case, CaseStatus, Measure, MeasureType, Provider, ProviderKind
from service.models.municipality import Municipality, Procedure, Team
from service.models.staff import Scope, StaffRole
from service.schemas.municipality import ClientCreate, StaffCreate
from service.usecases.municipality import (
    create_client,
    create_municipality,
    create_staff,
    set_instruments_in_use,
)

DEMO_CODE = "999"


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    password: str


DEMO_STAFF = (
    (
        StaffRole.CASEWORKER,
        "sagsbehandler@demo.konsensus.dk",
        "Sara Sagsbehandler",
        "demo-sagsbehandler",
    ),
    (StaffRole.TEAM_LEADER, "leder@demo.konsensus.dk", "Lars Leder", "demo-teamleder-1"),
    (
        StaffRole.ADMINISTRATOR,
        "admin@demo.konsensus.dk",
        "Anna Administrator",
        "demo-administrator",
    ),
)
DEMO_CLIENT_ID = "demo-dubu"
DEMO_CLIENT_SECRET = "demo-dubu-client-secret"
DEMO_INSTRUMENTS = ["kl-boern-familie", "kl-unge", "kl-handicap"]

DEMO_PROVIDERS = (
    ("Plejefamilien Holm", ProviderKind.FOSTER_FAMILY, "holm@example.org"),
    ("Familiehuset Syd", ProviderKind.FAMILY_THERAPY, "familiehuset@example.org"),
    ("Ungehuset Skovly", ProviderKind.INSTITUTION, "skovly@example.org"),
    ("Kontaktpersonkorpset", ProviderKind.CONTACT_PERSON, None),
)

#: (external ref, display name, birth date, measure, provider name, measure start)
DEMO_CHILDREN = (
    (
        "DUBU-2024-0117",
        "Emma",
        date(2014, 3, 9),
        MeasureType.FOSTER_CARE,
        "Plejefamilien Holm",
        date(2025, 1, 6),
    ),
    (
        "DUBU-2024-0342",
        "Noah",
        date(2011, 10, 21),
        MeasureType.HOME_BASED_SUPPORT,
        "Familiehuset Syd",
        date(2025, 9, 1),
    ),
    (
        "DUBU-2025-0058",
        "Freja",
        date(2017, 6, 2),
        MeasureType.PREVENTIVE,
        "Familiehuset Syd",
        date(2026, 2, 15),
    ),
    (
        "DUBU-2025-0203",
        "Ali",
        date(2009, 12, 30),
        MeasureType.INSTITUTION,
        "Ungehuset Skovly",
        date(2026, 4, 1),
    ),
)


def demo_logins() -> list[DemoLogin]:
    return [DemoLogin(role.value, username, password) for role, username, _, password in DEMO_STAFF]


def load_demo(engine: Engine) -> bool:
    """Create the demo municipality unless it exists; True if it was created now."""
    with session_scope(engine) as session:
        if session.exec(select(Municipality).where(Municipality.code == DEMO_CODE)).first():
            return False
        _create(session)
    return True


def _create(session: Session) -> None:
    mun = create_municipality(session, name="Demo Kommune", code=DEMO_CODE, procedure=Procedure.KL1)
    assert mun.id is not None
    mid = mun.id
    set_instruments_in_use(session, mid, DEMO_INSTRUMENTS)
    team = Team(municipality_id=mid, name="Børn og Familie, Team Syd")
    session.add(team)
    session.flush()
    staff = {}
    for role, username, name, password in DEMO_STAFF:
        staff[role] = create_staff(
            session,
            None,
            StaffCreate(
                username=username,
                full_name=name,
                email=username,
                role=role,
                team_id=None if role is StaffRole.ADMINISTRATOR else team.id,
                password=password,
            ),
            municipality_id=mid,
            is_demo=True,
        )
    create_client(
        session,
        None,
        ClientCreate(name="DUBU (demo)", scopes=list(Scope)),
        municipality_id=mid,
        client_id=DEMO_CLIENT_ID,
        client_secret=DEMO_CLIENT_SECRET,
        is_demo=True,
    )
    providers = {}
    for name, kind, email in DEMO_PROVIDERS:
        provider = Provider(municipality_id=mid, name=name, kind=kind, email=email)
        session.add(provider)
        providers[name] = provider
    session.flush()
    caseworker = staff[StaffRole.CASEWORKER]
    for ref, display_name, born, measure_type, provider_name, start in DEMO_CHILDREN:
        case = Case(
            municipality_id=mid,
            external_ref=ref,
            display_name=display_name,
            birth_date=born,
            birth_year=born.year,
            caseworker_id=caseworker.id or 0,
            team_id=team.id,
            status=CaseStatus.ACTIVE,
        )
        session.add(case)
        session.flush()
        session.add(
            Measure(
                municipality_id=mid,
                case_id=case.id or 0,
                type=measure_type,
                provider_id=providers[provider_name].id,
                start_date=start,
            )
        )
    session.flush()
