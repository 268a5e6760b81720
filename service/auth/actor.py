"""The actor behind a request: a staff user or an integrator client, inside one municipality."""

from __future__ import annotations

from dataclasses import dataclass, field

from service.errors import Forbidden
from service.models.audit import ActorKind
from service.models.staff import Scope, StaffRole

#: What each staff role may do, in the vocabulary of integrator scopes.
ROLE_SCOPES: dict[StaffRole, frozenset[Scope]] = {
    # Webhooks are for case systems (integrator clients), never a person.
    StaffRole.CASEWORKER: frozenset(Scope) - {Scope.WEBHOOKS},
    StaffRole.TEAM_LEADER: frozenset(Scope) - {Scope.WEBHOOKS},
    StaffRole.ADMINISTRATOR: frozenset(
        {Scope.CASES_READ, Scope.CASES_WRITE, Scope.INSTRUMENTS_READ, Scope.ROUNDS_READ}
    ),
}


@dataclass(frozen=True, slots=True)
class Actor:
    kind: ActorKind
    id: int
    municipality_id: int
    label: str
    role: StaffRole | None = None
    team_id: int | None = None
    scopes: frozenset[Scope] = field(default_factory=frozenset)
    client_address: str | None = None

    @property
    def audit_id(self) -> str:
        return f"{self.kind.value}:{self.id}"

    @property
    def is_staff(self) -> bool:
        return self.kind is ActorKind.STAFF

    @property
    def is_client(self) -> bool:
        return self.kind is ActorKind.CLIENT

    def has_role(self, *roles: StaffRole) -> bool:
        return self.role in roles

    def require_scope(self, scope: Scope) -> None:
        if scope not in self.scopes:
            raise Forbidden(
                f"This action needs the scope {scope.value!r}.", required_scope=scope.value
            )

    def require_role(self, *roles: StaffRole) -> None:
        if not self.is_staff or self.role not in roles:
            raise Forbidden(
                "This action is reserved for: " + ", ".join(r.value for r in roles) + ".",
                required_roles=[r.value for r in roles],
            )
