"""Access tokens: the only module that knows the JWT library (python-jose).

Tokens are HS256-signed JWTs with a fixed issuer and audience, signed with the access-token
key derived from the service secret (`service.auth.keys`); the header's `kid` names the
secret it was signed under, so that a token signed before the secret was rotated is still
accepted while the previous secret is listed. Decoding names the one accepted algorithm
explicitly and requires `exp`, `iat`, `aud`, `iss` and `sub`, so that `alg: none`, another
algorithm, a wrong audience or issuer, an expired token, a bad signature or an unknown key
are all refused.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from jose import JWTError, jwt

from service.auth.keys import Keyring, Purpose

ALGORITHM = "HS256"


class InvalidToken(Exception):
    """The token is malformed, forged, expired or meant for someone else."""


@dataclass(frozen=True, slots=True)
class TokenConfig:
    secret: str
    issuer: str
    audience: str
    lifetime: timedelta
    #: Secrets before the current one: tokens signed under them are still accepted.
    previous: tuple[str, ...] = ()

    @property
    def keyring(self) -> Keyring:
        return _keyring(self.secret, self.previous)


@cache
def _keyring(secret: str, previous: tuple[str, ...]) -> Keyring:
    return Keyring(secret, previous)


def issue(config: TokenConfig, subject: str, now: datetime, claims: dict[str, Any]) -> str:
    payload = {
        **claims,
        "sub": subject,
        "iss": config.issuer,
        "aud": config.audience,
        "iat": int(now.timestamp()),
        "nbf": int(now.timestamp()),
        "exp": int((now + config.lifetime).timestamp()),
        "jti": uuid.uuid4().hex,
    }
    key = config.keyring.current(Purpose.ACCESS_TOKEN)
    return str(jwt.encode(payload, key.material, algorithm=ALGORITHM, headers={"kid": key.id}))


def decode(config: TokenConfig, token: str) -> dict[str, Any]:
    try:
        header = jwt.get_unverified_header(token)
        if header.get("alg") != ALGORITHM:
            raise InvalidToken(f"algorithm {header.get('alg')!r} is not accepted")
        kid = header.get("kid")
        key = config.keyring.find(Purpose.ACCESS_TOKEN, kid) if isinstance(kid, str) else None
        if key is None:
            raise InvalidToken("the token names no key that is accepted")
        claims: dict[str, Any] = jwt.decode(
            token,
            key.material,
            algorithms=[ALGORITHM],
            audience=config.audience,
            issuer=config.issuer,
            options={
                "require_exp": True,
                "require_iat": True,
                "require_aud": True,
                "require_iss": True,
                "require_sub": True,
                "leeway": 0,
            },
        )
    except JWTError as exc:
        raise InvalidToken(str(exc)) from exc
    return claims
