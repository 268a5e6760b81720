"""Signing staff in through the municipality's OpenID Connect provider: the only module that
talks to a provider.

The protocol is Authlib's: the authorization request with PKCE (S256), the code exchanged at
the token endpoint (Authlib's httpx client, authenticated with the client secret), and the ID
token's claims checked by its `CodeIDToken` (issuer, audience, expiry, issue time, nonce,
`azp`). Signatures are checked with joserfc (Authlib's own JOSE library) against the keys the
provider publishes, which are cached per provider and fetched again when a token names a key
id the cache does not hold (the provider rotated its keys).

Every call to a provider has a timeout; a provider that does not answer, or answers nonsense,
is `ProviderUnavailable` (a readable page, never a 500).
"""

from __future__ import annotations

import secrets
import threading
import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from authlib.deprecate import AuthlibDeprecationWarning
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

with warnings.catch_warnings():
    # Authlib would have httpx2; the service's HTTP client is httpx, which it still supports.
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.integrations.httpx_client import OAuth2Client
    from authlib.integrations.httpx_client import OAuthError as AuthlibOAuthError
from authlib.oidc.core import CodeIDToken

from service.errors import ServiceError

#: What the service asks the provider for: who the person is, their email and name, their
#: groups (Entra ID and AD FS put groups in the ID token by their own configuration).
SCOPE = "openid email profile"
#: Asymmetric signatures only: a provider's ID token is never signed with a shared secret here.
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384"]
#: Seconds of clock difference tolerated between the provider and the service.
LEEWAY = 30
#: How long the provider's discovery document is kept before it is asked again.
METADATA_SECONDS = 3600.0
#: Keys are fetched again for an unknown key id at most this often when the token came from
#: anyone (a back-channel logout); an ID token comes from the token endpoint itself.
UNTRUSTED_REFRESH_SECONDS = 60.0
#: A logout token is accepted this many seconds either side of its `iat` (and LEEWAY more).
LOGOUT_TOKEN_SECONDS = 300


class ProviderUnavailable(ServiceError):
    """The municipality's identity provider did not answer, or not as a provider does."""

    status = 502
    code = "identity_provider_unavailable"
    title = "The identity provider does not answer"


class SignInRejected(ServiceError):
    """What came back from the provider does not prove who the person is."""

    status = 401
    code = "sign_in_rejected"
    title = "The sign-in could not be verified"

    def __init__(self, detail: str, *, status: int = 401) -> None:
        super().__init__(detail)
        self.status = status


@dataclass(frozen=True, slots=True)
class ProviderMetadata:
    """What the discovery document (`/.well-known/openid-configuration`) says."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    end_session_endpoint: str | None


@dataclass(frozen=True, slots=True)
class ClientRegistration:
    """The service as a client of one provider."""

    issuer: str
    client_id: str
    client_secret: str
    redirect_uri: str
    scope: str = SCOPE


@dataclass(frozen=True, slots=True)
class PendingSignIn:
    """What the service keeps (in the browser's signed session) between sending the person
    to the provider and their return: the values the return must match."""

    state: str
    nonce: str
    code_verifier: str

    @classmethod
    def new(cls) -> PendingSignIn:
        return cls(secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(48))


@dataclass(slots=True)
class _CachedKeys:
    keys: KeySet
    fetched_at: float


class ProviderDirectory:
    """The providers' discovery documents and published keys, cached for the process."""

    def __init__(self, timeout: float, transport: httpx.BaseTransport | None = None) -> None:
        self.timeout = timeout
        self.transport = transport
        self._metadata: dict[str, tuple[ProviderMetadata, float]] = {}
        self._keys: dict[str, _CachedKeys] = {}
        self._lock = threading.Lock()

    def _get_json(self, url: str) -> Mapping[str, Any]:
        try:
            with httpx.Client(timeout=self.timeout, transport=self.transport) as http:
                response = http.get(url, headers={"Accept": "application/json"})
                response.raise_for_status()
                found = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise ProviderUnavailable(f"The identity provider did not answer at {url}.") from error
        if not isinstance(found, dict):
            raise ProviderUnavailable(f"The identity provider answered {url} with no object.")
        return found

    def metadata(self, issuer: str) -> ProviderMetadata:
        now = time.monotonic()
        with self._lock:
            cached = self._metadata.get(issuer)
        if cached and now - cached[1] < METADATA_SECONDS:
            return cached[0]
        found = self._get_json(issuer.rstrip("/") + "/.well-known/openid-configuration")
        try:
            metadata = ProviderMetadata(
                issuer=str(found["issuer"]),
                authorization_endpoint=str(found["authorization_endpoint"]),
                token_endpoint=str(found["token_endpoint"]),
                jwks_uri=str(found["jwks_uri"]),
                end_session_endpoint=found.get("end_session_endpoint"),
            )
        except KeyError as error:
            raise ProviderUnavailable(f"The provider's discovery lacks {error}.") from None
        # OpenID Connect Discovery §4.3: the document is the issuer's own.
        if metadata.issuer.rstrip("/") != issuer.rstrip("/"):
            raise ProviderUnavailable("The provider's discovery names another issuer.")
        with self._lock:
            self._metadata[issuer] = (metadata, now)
        return metadata

    def keys(self, jwks_uri: str, kid: str | None, *, refresh_floor: float = 0.0) -> KeySet:
        """The provider's published keys; fetched anew when `kid` is not among them (at most
        once per `refresh_floor` seconds)."""
        with self._lock:
            cached = self._keys.get(jwks_uri)
        now = time.monotonic()
        if cached is not None:
            known = kid is None or any(key.kid == kid for key in cached.keys)
            if known or now - cached.fetched_at < refresh_floor:
                return cached.keys
        try:
            keys = KeySet.import_key_set(self._get_json(jwks_uri))  # type: ignore[arg-type]
        except (JoseError, ValueError, TypeError) as error:
            raise ProviderUnavailable("The provider publishes no usable keys.") from error
        with self._lock:
            self._keys[jwks_uri] = _CachedKeys(keys, now)
        return keys

    def authorization_url(
        self, client: ClientRegistration, pending: PendingSignIn, login_hint: str | None
    ) -> str:
        metadata = self.metadata(client.issuer)
        extra = {"login_hint": login_hint} if login_hint else {}
        with OAuth2Client(
            client.client_id,
            scope=client.scope,
            redirect_uri=client.redirect_uri,
            code_challenge_method="S256",
        ) as oauth:
            url, _ = oauth.create_authorization_url(
                metadata.authorization_endpoint,
                state=pending.state,
                code_verifier=pending.code_verifier,
                nonce=pending.nonce,
                **extra,
            )
        return str(url)

    def exchange(
        self, client: ClientRegistration, pending: PendingSignIn, code: str, now: datetime
    ) -> tuple[dict[str, Any], str]:
        """The code for tokens at the provider's token endpoint (with the PKCE verifier), and
        the verified ID token's claims with the token itself (the hint for signing out)."""
        metadata = self.metadata(client.issuer)
        try:
            with OAuth2Client(
                client.client_id,
                client.client_secret,
                token_endpoint_auth_method="client_secret_basic",
                redirect_uri=client.redirect_uri,
                timeout=self.timeout,
                transport=self.transport,
            ) as oauth:
                token = oauth.fetch_token(
                    metadata.token_endpoint,
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=pending.code_verifier,
                )
        except AuthlibOAuthError as error:
            # The provider refused the code: used already, expired, or not ours.
            raise SignInRejected(f"The provider refused the code: {error.error}.") from None
        except (httpx.HTTPError, ValueError) as error:
            raise ProviderUnavailable("The identity provider's token endpoint failed.") from error
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise SignInRejected("The provider sent no ID token.")
        claims = self.verify_id_token(metadata, client.client_id, id_token, pending.nonce, now)
        return claims, id_token

    def _decode(self, metadata: ProviderMetadata, value: str, *, refresh_floor: float) -> jwt.Token:
        try:
            header = jws.extract_compact(value.encode()).protected
        except (JoseError, ValueError) as error:
            raise SignInRejected("The token is malformed.") from error
        if header.get("alg") not in ALGORITHMS:
            raise SignInRejected(f"The token's algorithm {header.get('alg')!r} is refused.")
        kid = header.get("kid")
        keys = self.keys(
            metadata.jwks_uri, kid if isinstance(kid, str) else None, refresh_floor=refresh_floor
        )
        try:
            return jwt.decode(value, keys, algorithms=ALGORITHMS)
        except (JoseError, ValueError) as error:
            raise SignInRejected("The token's signature does not verify.") from error

    def verify_id_token(
        self, metadata: ProviderMetadata, client_id: str, value: str, nonce: str, now: datetime
    ) -> dict[str, Any]:
        token = self._decode(metadata, value, refresh_floor=0.0)
        claims = CodeIDToken(
            token.claims,
            token.header,
            options={
                "iss": {"essential": True, "value": metadata.issuer},
                "aud": {"essential": True, "value": client_id},
                "nonce": {"essential": True, "value": nonce},
            },
            params={"nonce": nonce, "client_id": client_id},
        )
        try:
            claims.validate(now=int(now.timestamp()), leeway=LEEWAY)
        except (JoseError, ValueError) as error:
            raise SignInRejected(f"The ID token is refused: {error}.") from error
        return dict(claims)

    def verify_logout_token(
        self, metadata: ProviderMetadata, client_id: str, value: str, now: datetime
    ) -> dict[str, Any]:
        """A back-channel logout token (OpenID Connect Back-Channel Logout §2.6): signed by
        the provider, for this client, recent, with the logout event, a `sub`, a `jti` (by
        which the caller refuses it a second time), no nonce."""
        token = self._decode(metadata, value, refresh_floor=UNTRUSTED_REFRESH_SECONDS)
        claims = token.claims
        events = claims.get("events")
        now_s = int(now.timestamp())
        if (
            claims.get("iss") != metadata.issuer
            or client_id not in _audiences(claims.get("aud"))
            or not isinstance(claims.get("iat"), int)
            or abs(now_s - int(claims["iat"])) > LOGOUT_TOKEN_SECONDS + LEEWAY
            or not isinstance(events, dict)
            or "http://schemas.openid.net/event/backchannel-logout" not in events
            or "nonce" in claims
            or not isinstance(claims.get("sub"), str)
            or not isinstance(claims.get("jti"), str)
            or not 0 < len(claims["jti"]) <= 255
        ):
            raise SignInRejected("The logout token is refused.")
        return dict(claims)

    def end_session_url(
        self, issuer: str, client_id: str, id_token: str | None, after: str
    ) -> str | None:
        """Where the browser ends its session at the provider too (RP-initiated logout), if
        the provider offers it; None when the provider is not reachable just now."""
        try:
            endpoint = self.metadata(issuer).end_session_endpoint
        except ProviderUnavailable:
            return None
        if not endpoint:
            return None
        query = {"client_id": client_id, "post_logout_redirect_uri": after}
        if id_token:
            query["id_token_hint"] = id_token
        return str(httpx.URL(endpoint, params=query))


def _audiences(aud: object) -> list[str]:
    if isinstance(aud, str):
        return [aud]
    if isinstance(aud, list):
        return [a for a in aud if isinstance(a, str)]
    return []
