"""Authentication: OAuth2 grants (RFC 6749) for staff and integrator clients, and turning a
bearer token back into the acting `Actor`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from service.auth import tokens
from service.auth.actor import ROLE_SCOPES, Actor
from service.auth.passwords import verify_secret
from service.auth.throttle import LoginThrottle
from service.errors import ServiceError, TooManyRequests, Unauthorized
from service.models.audit import ActorKind
from service.models.municipality import Municipality
from service.models.staff import IntegratorClient, Scope, StaffUser
from service.models.tenancy import ALL_MUNICIPALITIES
from service.usecases.administration import identity


class OAuthError(ServiceError):
    """An RFC 6749 §5.2 error; `error` carries the registered error code."""

    status = 400
    code = "invalid_request"
    title = "Token request refused"

    def __init__(self, error: str, detail: str, status: int = 400) -> None:
        super().__init__(detail, code=error, error=error, error_description=detail)
        self.status = status


T = TypeVar("T")


class LoginThrottled(TooManyRequests):
    code = "login_throttled"
    title = "Too many failed logins"


def throttled_login(
    session: Session,
    throttle: LoginThrottle,
    account: str,
    address: str | None,
    now: datetime,
    attempt: Callable[[], T],
) -> T:
    """Try a login, unless this account or this address has failed too often lately: then
    it is refused before the password is even checked. A failure is counted in a
    transaction of its own (the request's, rolled back first, with nothing else in it)."""
    address = address or "unknown"
    wait = throttle.wait(session, account, address, now)
    if wait:
        raise LoginThrottled(
            f"Too many failed logins for this account or from this address; try again in "
            f"{wait} seconds.",
            retry_after=wait,
        )
    try:
        result = attempt()
    except OAuthError as error:
        if error.code in ("invalid_grant", "invalid_client"):
            session.rollback()
            throttle.failed(session, account, address, now)
            session.commit()
        raise
    throttle.succeeded(session, account)
    return result


@dataclass(frozen=True, slots=True)
class IssuedToken:
    access_token: str
    expires_in: int
    scope: str


def _issue(
    config: tokens.TokenConfig, now: datetime, subject: str, claims: dict[str, object]
) -> IssuedToken:
    token = tokens.issue(config, subject, now, claims)
    return IssuedToken(token, int(config.lifetime.total_seconds()), str(claims.get("scope", "")))


class PasswordsSwitchedOff(OAuthError):
    """The municipality's staff sign in through its identity provider only."""

    def __init__(self, municipality_code: str) -> None:
        super().__init__(
            "unauthorized_client",
            "This municipality's staff sign in through its identity provider, at "
            f"/login/{municipality_code}.",
        )
        self.municipality_code = municipality_code


def authenticate_staff(
    session: Session, username: str, password: str, *, production: bool
) -> StaffUser:
    """The active staff user with these credentials (demo accounts not in production), in
    a municipality that still lets its staff use passwords (said only once the password is
    right, so that it reveals nothing of who has an account)."""
    user = session.exec(
        select(StaffUser)
        .where(StaffUser.username == username.strip().lower())
        .execution_options(**ALL_MUNICIPALITIES)
    ).first()
    ok = verify_secret(user.password_hash if user else None, password)
    if user is None or not ok or not user.is_active:
        raise OAuthError("invalid_grant", "Unknown username or wrong password.")
    if production and user.is_demo:
        raise OAuthError("invalid_grant", "Development credentials are refused in production.")
    if not identity.passwords_allowed(session, user.municipality_id):
        municipality = session.get(Municipality, user.municipality_id)
        raise PasswordsSwitchedOff(municipality.code if municipality else "")
    return user


def password_grant(
    session: Session,
    config: tokens.TokenConfig,
    now: datetime,
    username: str,
    password: str,
    *,
    production: bool,
) -> IssuedToken:
    user = authenticate_staff(session, username, password, production=production)
    scopes = " ".join(sorted(s.value for s in ROLE_SCOPES[user.role]))
    return _issue(
        config,
        now,
        f"staff:{user.id}",
        {
            "mun": user.municipality_id,
            "role": user.role.value,
            "scope": scopes,
            "sv": user.session_version,
        },
    )


def client_credentials_grant(
    session: Session,
    config: tokens.TokenConfig,
    now: datetime,
    client_id: str,
    client_secret: str,
    requested_scope: str | None,
    *,
    production: bool,
) -> IssuedToken:
    client = session.exec(
        select(IntegratorClient)
        .where(IntegratorClient.client_id == client_id)
        .execution_options(**ALL_MUNICIPALITIES)
    ).first()
    ok = verify_secret(client.secret_hash if client else None, client_secret)
    if client is None or not ok or not client.is_active:
        raise OAuthError("invalid_client", "Client authentication failed.", status=401)
    if production and client.is_demo:
        raise OAuthError(
            "invalid_client", "Development credentials are refused in production.", status=401
        )
    granted = client.scope_set
    if requested_scope:
        try:
            requested = frozenset(Scope(s) for s in requested_scope.split())
        except ValueError as exc:
            raise OAuthError("invalid_scope", "Unknown scope requested.") from exc
        if not requested <= granted:
            raise OAuthError("invalid_scope", "The client may not have the scope it requested.")
        granted = requested
    scopes = " ".join(sorted(s.value for s in granted))
    return _issue(
        config, now, f"client:{client.id}", {"mun": client.municipality_id, "scope": scopes}
    )


def actor_from_token(
    session: Session, config: tokens.TokenConfig, token: str, client_address: str | None
) -> Actor:
    """Verify the token and load who it speaks for; the account must still be active."""
    try:
        claims = tokens.decode(config, token)
    except tokens.InvalidToken as exc:
        raise Unauthorized("The access token is invalid or expired.", code="invalid_token") from exc
    kind, _, raw_id = str(claims.get("sub", "")).partition(":")
    municipality_id = claims.get("mun")
    if not raw_id.isdigit() or not isinstance(municipality_id, int):
        raise Unauthorized("The access token is invalid or expired.", code="invalid_token")
    known = {s.value for s in Scope}
    scopes = frozenset(Scope(s) for s in str(claims.get("scope", "")).split() if s in known)
    if kind == "staff":
        version = claims.get("sv", 0)
        return staff_actor(
            session,
            int(raw_id),
            municipality_id,
            client_address,
            session_version=version if isinstance(version, int) else -1,
        )
    if kind == "client":
        client = session.get(IntegratorClient, int(raw_id))
        if client is None or not client.is_active or client.municipality_id != municipality_id:
            raise Unauthorized("The client is no longer active.", code="invalid_token")
        return Actor(
            kind=ActorKind.CLIENT,
            id=int(raw_id),
            municipality_id=municipality_id,
            label=client.name,
            scopes=scopes & client.scope_set,
            client_address=client_address,
        )
    raise Unauthorized("The access token is invalid or expired.", code="invalid_token")


# Built once: every staff request runs it.
_STAFF_USER = select(StaffUser).where(col(StaffUser.id) == bindparam("id"))


def staff_actor(
    session: Session,
    user_id: int,
    municipality_id: int,
    client_address: str | None,
    *,
    session_version: int,
) -> Actor:
    """The staff user as an actor, if still active in that municipality and the session (or
    token) is of the person's current session version."""
    user = session.exec(_STAFF_USER, params={"id": user_id}).first()
    if user is None or not user.is_active or user.municipality_id != municipality_id:
        raise Unauthorized("The account is no longer active.", code="invalid_token")
    if user.session_version != session_version:
        raise Unauthorized(
            "The session has ended (logged out, or the password was changed).",
            code="invalid_token",
        )
    return Actor(
        kind=ActorKind.STAFF,
        id=user_id,
        municipality_id=municipality_id,
        label=user.full_name,
        role=user.role,
        team_id=user.team_id,
        scopes=ROLE_SCOPES[user.role],
        client_address=client_address,
    )


def end_sessions(session: Session, user_id: int) -> None:
    """Logging out ends every session and access token of the person, on every device."""
    user = session.exec(_STAFF_USER, params={"id": user_id}).first()
    if user is not None:
        user.session_version += 1
        session.add(user)
