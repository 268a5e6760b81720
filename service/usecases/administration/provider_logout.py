"""Signing out through the municipality's identity provider: the provider says a person
signed out there (OpenID Connect Back-Channel Logout), and every session of theirs here ends,
each logout token accepted once; and where the browser signs out at the provider too
(RP-initiated logout)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from service.auth.keys import Keyring
from service.auth.oidc import LEEWAY, LOGOUT_TOKEN_SECONDS, ProviderDirectory, SignInRejected
from service.db import upsert_into
from service.models import tenancy
from service.models.identity_provider import ProviderLogout
from service.models.staff import StaffUser
from service.usecases.administration.identity import (
    Addresses,
    NoIdentityProvider,
    sign_in_target,
)
from service.usecases.data_rights import audit


def end_sessions_of_subject(session: Session, municipality_id: int, subject: str) -> bool:
    """The provider says the person signed out there: every session of theirs here ends."""
    with tenancy.bound_to(session, municipality_id):
        user = session.exec(select(StaffUser).where(StaffUser.subject == subject)).first()
        if user is None:
            return False
        user.session_version += 1
        session.add(user)
        session.flush()
        audit.record_system(
            session, municipality_id, "staff.sign_out_by_provider", "staff_user", user.id or 0
        )
        return True


def provider_signed_out(
    session: Session,
    directory: ProviderDirectory,
    keyring: Keyring,
    base_url: str,
    municipality_code: str,
    logout_token: str,
    now: datetime,
) -> bool:
    """A back-channel logout token verified, and the person's sessions here ended."""
    target = sign_in_target(session, municipality_code, keyring, base_url)
    metadata = directory.metadata(target.client.issuer)
    claims = directory.verify_logout_token(metadata, target.client.client_id, logout_token, now)
    kept_until = datetime.fromtimestamp(int(claims["iat"]), UTC) + timedelta(
        seconds=LOGOUT_TOKEN_SECONDS + LEEWAY
    )
    if not _first_sending(session, target.municipality_id, str(claims["jti"]), kept_until, now):
        raise SignInRejected("The logout token was sent before.", status=400)
    return end_sessions_of_subject(session, target.municipality_id, str(claims["sub"]))


def _first_sending(
    session: Session, municipality_id: int, jti: str, kept_until: datetime, now: datetime
) -> bool:
    """Keep the logout token's `jti` until it could no longer be accepted; False when it is
    kept already (the token was sent before). One statement that inserts or does nothing:
    the same token sent twice at once is accepted once. Tokens past their time go first."""
    with tenancy.bound_to(session, municipality_id):
        session.execute(delete(ProviderLogout).where(col(ProviderLogout.kept_until) < now))
        kept = upsert_into(session, ProviderLogout).values(
            municipality_id=municipality_id, jti=jti, kept_until=kept_until
        )
        found = session.execute(
            kept.on_conflict_do_nothing(index_elements=["municipality_id", "jti"]).returning(
                col(ProviderLogout.id)
            )
        ).first()
    return found is not None


def provider_logout_url(
    session: Session,
    directory: ProviderDirectory,
    keyring: Keyring,
    base_url: str,
    municipality_code: str,
) -> str | None:
    """Where the browser signs out at the provider too (RP-initiated logout), if it can."""
    try:
        target = sign_in_target(session, municipality_code, keyring, base_url)
    except NoIdentityProvider:
        return None
    return directory.end_session_url(
        target.client.issuer,
        target.client.client_id,
        None,
        Addresses(base_url.rstrip("/"), municipality_code).after_logout,
    )
