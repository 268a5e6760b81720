"""The people every test can count on: two municipalities with staff and integrator clients.

Built once per test run into the template database (argon2 hashing is deliberately slow),
so each test starts from a copy of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import select

from service.auth import tokens
from service.db import session_scope
from service.models.municipality import Municipality, Team
from service.models.staff import IntegratorClient, Scope, StaffRole, StaffUser
from service.schemas.municipality import ClientCreate, StaffCreate
from service.usecases.administration.municipality import (
    create_client,
    create_municipality,
    create_staff,
    set_instruments_in_use,
)
from service.workflow.procedures import Procedure

PASSWORD = "correct horse battery"
CLIENT_SECRET = "integrator-secret-0123456789"

#: (username, role, team name or None)
STAFF_A = (
    ("cw.a@aarhus.example.dk", StaffRole.CASEWORKER, "Team Nord"),
    ("cw2.a@aarhus.example.dk", StaffRole.CASEWORKER, "Team Syd"),
    ("leader.a@aarhus.example.dk", StaffRole.TEAM_LEADER, "Team Nord"),
    ("admin.a@aarhus.example.dk", StaffRole.ADMINISTRATOR, None),
)
STAFF_B = (
    ("cw.b@kolding.example.dk", StaffRole.CASEWORKER, "Familieteamet"),
    ("admin.b@kolding.example.dk", StaffRole.ADMINISTRATOR, None),
)


def build_world(engine: Engine) -> None:
    with session_scope(engine) as session:
        for name, code, procedure, staff, clients in (
            (
                "Aarhus (test)",
                "751",
                Procedure.KL1,
                STAFF_A,
                (("client-a", list(Scope)), ("client-a-ro", [Scope.CASES_READ])),
            ),
            ("Kolding (test)", "621", Procedure.KL2, STAFF_B, (("client-b", list(Scope)),)),
        ):
            mun = create_municipality(session, name=name, code=code, procedure=procedure)
            assert mun.id is not None
            set_instruments_in_use(session, mun.id, ["kl-boern-familie", "aarhus-boern-familie"])
            teams: dict[str, int] = {}
            for username, role, team_name in staff:
                if team_name and team_name not in teams:
                    team = Team(municipality_id=mun.id, name=team_name)
                    session.add(team)
                    session.flush()
                    teams[team_name] = team.id or 0
                create_staff(
                    session,
                    None,
                    StaffCreate(
                        username=username,
                        full_name=username.split("@")[0],
                        email=username,
                        role=role,
                        team_id=teams.get(team_name) if team_name else None,
                        password=PASSWORD,
                    ),
                    municipality_id=mun.id,
                )
            for client_id, scopes in clients:
                create_client(
                    session,
                    None,
                    ClientCreate(name=client_id, scopes=scopes),
                    municipality_id=mun.id,
                    client_id=client_id,
                    client_secret=CLIENT_SECRET,
                )


@dataclass
class World:
    """Ids of the seeded people, and tokens for them."""

    config: tokens.TokenConfig
    municipalities: dict[str, int] = field(default_factory=dict)
    staff: dict[str, StaffUser] = field(default_factory=dict)
    clients: dict[str, IntegratorClient] = field(default_factory=dict)
    teams: dict[str, int] = field(default_factory=dict)

    def user(self, username: str) -> StaffUser:
        return self.staff[username]

    def token(self, who: str, *, now: datetime | None = None) -> str:
        """A valid access token for a staff username or a client id."""
        now = now or datetime.now(UTC)
        if who in self.clients:
            client = self.clients[who]
            return tokens.issue(
                self.config,
                f"client:{client.id}",
                now,
                {"mun": client.municipality_id, "scope": client.scopes},
            )
        user = self.staff[who]
        return tokens.issue(
            self.config,
            f"staff:{user.id}",
            now,
            {"mun": user.municipality_id, "role": user.role.value},
        )

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(who)}"}


def load_world(engine: Engine, config: tokens.TokenConfig) -> World:
    world = World(config=config)
    with session_scope(engine, write=False) as session:
        for mun in session.exec(select(Municipality)).all():
            world.municipalities[mun.code] = mun.id or 0
        for user in session.exec(select(StaffUser)).all():
            world.staff[user.username] = user
        for client in session.exec(select(IntegratorClient)).all():
            world.clients[client.client_id] = client
        for team in session.exec(select(Team)).all():
            world.teams[team.name] = team.id or 0
    return world


def token_config_for_tests(
    secret: str, lifetime: timedelta = timedelta(minutes=15)
) -> tokens.TokenConfig:
    return tokens.TokenConfig(
        secret=secret, issuer="konsensus", audience="konsensus-api", lifetime=lifetime
    )
