"""Staff signing in through the municipality's identity provider (OpenID Connect): the
administrator's set-up, finding the provider from a work email, and turning a verified ID
token into a person here (known, linked by email, created just in time, or refused). Signing
out through the provider is `service.usecases.administration.provider_logout`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from service.auth.actor import Actor
from service.auth.keys import Keyring
from service.auth.oidc import (
    SCOPE,
    ClientRegistration,
    PendingSignIn,
    ProviderDirectory,
    SignInRejected,
)
from service.auth.seal import Unsealable, seal, unseal
from service.errors import Forbidden, NotFound, Unprocessable
from service.models import tenancy
from service.models.base import utcnow
from service.models.identity_provider import IdentityGroup, IdentityProvider
from service.models.municipality import Municipality, Team
from service.models.staff import StaffRole, StaffUser
from service.models.tenancy import ALL_MUNICIPALITIES
from service.schemas.identity import (
    IdentityGroupMapping,
    IdentityProviderPublic,
    IdentityProviderUpdate,
)
from service.usecases.data_rights import audit

#: Where the client secret is sealed: a sealed secret copied to another column does not open.
SECRET_SEAL_CONTEXT = "identity_provider.client_secret"
#: The password a person created at sign-in has: no hash matches it (Argon2 refuses it).
NO_PASSWORD = "!identity-provider"


class SignInRefused(Forbidden):
    """The provider vouched for the person, but they have no access here."""

    code = "sign_in_refused"
    title = "No access through the identity provider"


class GroupsLeftOut(Forbidden):
    """The provider left the person's groups out of the ID token (too many to list)."""

    code = "sign_in_groups_left_out"
    title = "The identity provider sent no list of the person's groups"


class NoIdentityProvider(NotFound):
    code = "identity_provider_not_set"
    title = "The municipality has no identity provider"


@dataclass(frozen=True, slots=True)
class Addresses:
    """The service's own addresses for one municipality, to register at the provider."""

    base: str
    municipality_code: str

    @property
    def login(self) -> str:
        return f"{self.base}/login/{self.municipality_code}"

    @property
    def redirect(self) -> str:
        return f"{self.base}/login/oidc/callback"

    @property
    def backchannel_logout(self) -> str:
        return f"{self.base}/login/oidc/{self.municipality_code}/backchannel-logout"

    @property
    def after_logout(self) -> str:
        return f"{self.base}/login"


def _provider(session: Session) -> IdentityProvider | None:
    return session.exec(select(IdentityProvider)).first()


def _groups(session: Session) -> list[IdentityGroup]:
    return list(session.exec(select(IdentityGroup).order_by(col(IdentityGroup.id))).all())


def _code(session: Session, municipality_id: int) -> str:
    municipality = session.get(Municipality, municipality_id)
    assert municipality is not None
    return municipality.code


def public(session: Session, provider: IdentityProvider, base_url: str) -> IdentityProviderPublic:
    addresses = Addresses(base_url.rstrip("/"), _code(session, provider.municipality_id))
    return IdentityProviderPublic(
        issuer=provider.issuer,
        client_id=provider.client_id,
        groups_claim=provider.groups_claim,
        email_domains=provider.domains,
        extra_scopes=provider.extra_scopes.split(),
        create_unknown=provider.create_unknown,
        passwords_allowed=provider.passwords_allowed,
        groups=[
            IdentityGroupMapping(group=g.name, role=g.role, team_id=g.team_id)
            for g in _groups(session)
        ],
        login_url=addresses.login,
        redirect_uri=addresses.redirect,
        backchannel_logout_uri=addresses.backchannel_logout,
        post_logout_redirect_uri=addresses.after_logout,
        updated_at=provider.updated_at,
    )


def get_provider(session: Session, actor: Actor) -> IdentityProvider:
    actor.require_role(StaffRole.ADMINISTRATOR)
    provider = _provider(session)
    if provider is None:
        raise NoIdentityProvider("The municipality has no identity provider set.")
    return provider


def set_provider(
    session: Session, actor: Actor, data: IdentityProviderUpdate, keyring: Keyring
) -> IdentityProvider:
    """Set the provider and its groups as a whole (the groups replace those before)."""
    actor.require_role(StaffRole.ADMINISTRATOR)
    provider = _provider(session)
    if provider is None and data.client_secret is None:
        raise Unprocessable("A new provider needs its client secret.", code="validation_failed")
    domains = sorted(set(data.email_domains))
    taken = [
        d
        for other in session.exec(
            select(IdentityProvider)
            .where(IdentityProvider.municipality_id != actor.municipality_id)
            .execution_options(**ALL_MUNICIPALITIES)
        ).all()
        for d in other.domains
        if d in domains
    ]
    if taken:
        raise Unprocessable(
            f"Another municipality's provider serves {', '.join(taken)}.", code="domain_taken"
        )
    names = [g.group for g in data.groups]
    if len(set(names)) != len(names):
        raise Unprocessable("A group is mapped twice.", code="validation_failed")
    for mapping in data.groups:
        if mapping.role is not StaffRole.ADMINISTRATOR and mapping.team_id is None:
            raise Unprocessable(
                "Caseworkers and team leaders belong to a team.", code="team_required"
            )
        if mapping.team_id is not None and session.get(Team, mapping.team_id) is None:
            raise Unprocessable(f"Team {mapping.team_id} not found.", code="team_not_found")
    if provider is None:
        provider = IdentityProvider(
            municipality_id=actor.municipality_id,
            issuer="",
            client_id="",
            client_secret="",
            email_domains="",
        )
    provider.issuer = data.issuer.rstrip("/")
    provider.client_id = data.client_id
    if data.client_secret is not None:
        provider.client_secret = seal(keyring, data.client_secret, SECRET_SEAL_CONTEXT)
    provider.groups_claim = data.groups_claim
    provider.email_domains = " ".join(domains)
    provider.extra_scopes = " ".join(dict.fromkeys(data.extra_scopes))
    provider.create_unknown = data.create_unknown
    provider.passwords_allowed = data.passwords_allowed
    provider.updated_at = utcnow()
    session.add(provider)
    session.execute(delete(IdentityGroup))
    for mapping in data.groups:
        session.add(
            IdentityGroup(
                municipality_id=actor.municipality_id,
                name=mapping.group,
                role=mapping.role,
                team_id=mapping.team_id,
            )
        )
    session.flush()
    audit.record(
        session,
        actor,
        "identity_provider.set",
        "identity_provider",
        provider.id or 0,
        detail={"issuer": provider.issuer, "groups": len(names)},
    )
    return provider


def remove_provider(session: Session, actor: Actor) -> None:
    """Staff sign in with passwords again (those who have one)."""
    provider = get_provider(session, actor)
    session.execute(delete(IdentityGroup))
    session.delete(provider)
    session.flush()
    audit.record(session, actor, "identity_provider.remove", "identity_provider", provider.id or 0)


# --- signing in ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SignInTarget:
    """A municipality's provider, as the sign-in flow needs it."""

    municipality_id: int
    municipality_code: str
    client: ClientRegistration


def _domain(email: str) -> str:
    return email.strip().lower().rpartition("@")[2]


def code_for_email(session: Session, email: str) -> str | None:
    """The code of the municipality whose provider serves this work email's domain."""
    domain = _domain(email)
    if not domain:
        return None
    for provider in session.exec(
        select(IdentityProvider).execution_options(**ALL_MUNICIPALITIES)
    ).all():
        if domain in provider.domains:
            return _code(session, provider.municipality_id)
    return None


def sign_in_target(
    session: Session, municipality_code: str, keyring: Keyring, base_url: str
) -> SignInTarget:
    municipality = session.exec(
        select(Municipality).where(Municipality.code == municipality_code)
    ).first()
    provider = (
        session.exec(
            select(IdentityProvider)
            .where(IdentityProvider.municipality_id == municipality.id)
            .execution_options(**ALL_MUNICIPALITIES)
        ).first()
        if municipality is not None
        else None
    )
    if municipality is None or provider is None:
        raise NoIdentityProvider("This municipality signs no one in through a provider.")
    try:
        secret = unseal(keyring, provider.client_secret, SECRET_SEAL_CONTEXT)
    except Unsealable:
        raise NoIdentityProvider(
            "The provider's client secret no longer opens; an administrator sets it again."
        ) from None
    addresses = Addresses(base_url.rstrip("/"), municipality.code)
    return SignInTarget(
        municipality.id or 0,
        municipality.code,
        ClientRegistration(
            provider.issuer,
            provider.client_id,
            secret,
            addresses.redirect,
            " ".join(dict.fromkeys([*SCOPE.split(), *provider.extra_scopes.split()])),
        ),
    )


def _claimed_groups(claims: dict[str, Any], claim: str) -> list[str]:
    value = claims.get(claim)
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return [g for g in value if isinstance(g, str)]
    return []


def _groups_left_out(claims: dict[str, Any], claim: str) -> bool:
    """Whether the provider left the groups out instead of listing them: the claim named as
    one to be read elsewhere (OpenID Connect Core 5.6.2, distributed claims: Microsoft Entra
    ID's groups overage past 200 groups), or Entra ID's `hasgroups` in its place."""
    if claim in claims:
        return False
    elsewhere = claims.get("_claim_names")
    return (isinstance(elsewhere, dict) and claim in elsewhere) or claims.get("hasgroups") is True


def _text(claims: dict[str, Any], name: str, limit: int) -> str:
    value = claims.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def sign_in(session: Session, municipality_id: int, claims: dict[str, Any]) -> StaffUser:
    """The person the verified ID token speaks for, with the role and team of the first
    mapped group they are in. A person in no mapped group is refused, and if known here loses
    access at once (deactivated, every session ended); one unknown here is created when the
    municipality chose so (just-in-time), else refused. A token that leaves the groups out
    (too many to list) is refused and changes nothing."""
    with tenancy.bound_to(session, municipality_id):
        provider = _provider(session)
        if provider is None:
            raise NoIdentityProvider("This municipality signs no one in through a provider.")
        subject = str(claims["sub"])
        email = _text(claims, "email", 254).lower()
        user = session.exec(select(StaffUser).where(StaffUser.subject == subject)).first()
        if user is None and email:
            user = session.exec(
                select(StaffUser).where(
                    StaffUser.username == email, col(StaffUser.subject).is_(None)
                )
            ).first()
        if _groups_left_out(claims, provider.groups_claim):
            # Not a person in no group: nothing is known of their groups, so nothing changes
            # for them here (they are neither deactivated nor let in).
            raise GroupsLeftOut(
                "The identity provider sent no list of your groups (you are in too many); "
                "an administrator has it send only the groups that give access here."
            )
        member_of = set(_claimed_groups(claims, provider.groups_claim))
        mapping = next((g for g in _groups(session) if g.name in member_of), None)
        if mapping is None:
            if user is not None and user.is_active:
                user.is_active = False
                user.session_version += 1
                session.add(user)
                session.flush()
                audit.record_system(
                    session,
                    municipality_id,
                    "staff.deactivate_by_provider",
                    "staff_user",
                    user.id or 0,
                )
            raise SignInRefused(
                "The identity provider lists you in no group that has access to Konsensus."
            )
        if user is None:
            if not provider.create_unknown or not email:
                raise SignInRefused(
                    "You are not known in Konsensus; an administrator adds you first."
                )
            if session.exec(
                select(StaffUser)
                .where(StaffUser.username == email)
                .execution_options(**ALL_MUNICIPALITIES)
            ).first():
                raise SignInRefused("Your email is in use by another account.")
            user = StaffUser(
                municipality_id=municipality_id,
                username=email,
                full_name=_text(claims, "name", 120) or email,
                email=email,
                role=mapping.role,
                team_id=mapping.team_id,
                password_hash=NO_PASSWORD,
                subject=subject,
            )
            session.add(user)
            session.flush()
            audit.record_system(
                session, municipality_id, "staff.create_at_sign_in", "staff_user", user.id or 0
            )
            return user
        # The provider is the authority on who has access, and as what.
        user.subject = subject
        user.role = mapping.role
        user.team_id = mapping.team_id
        user.is_active = True
        if email:
            user.email = email
        session.add(user)
        session.flush()
        return user


def passwords_allowed(session: Session, municipality_id: int) -> bool:
    provider = session.exec(
        select(IdentityProvider)
        .where(IdentityProvider.municipality_id == municipality_id)
        .execution_options(**ALL_MUNICIPALITIES)
    ).first()
    return provider is None or provider.passwords_allowed


def start_sign_in(
    session: Session,
    directory: ProviderDirectory,
    keyring: Keyring,
    base_url: str,
    municipality_code: str,
    email: str | None,
) -> tuple[str, PendingSignIn]:
    """The provider's authorization address for a new sign-in, and what its answer must
    match (state, nonce, PKCE verifier)."""
    target = sign_in_target(session, municipality_code, keyring, base_url)
    pending = PendingSignIn.new()
    return directory.authorization_url(target.client, pending, email), pending


def complete_sign_in(
    session: Session,
    directory: ProviderDirectory,
    keyring: Keyring,
    base_url: str,
    municipality_code: str,
    pending: PendingSignIn,
    code: str,
    issuer: str | None,
    now: datetime,
) -> StaffUser:
    """The code exchanged and the ID token verified, then the person it speaks for."""
    target = sign_in_target(session, municipality_code, keyring, base_url)
    # RFC 9207: the answer names the provider it came from, when the provider says so.
    if issuer is not None and issuer.rstrip("/") != target.client.issuer:
        raise SignInRejected("The answer came from another provider.", status=400)
    claims, _ = directory.exchange(target.client, pending, code, now)
    return sign_in(session, target.municipality_id, claims)
