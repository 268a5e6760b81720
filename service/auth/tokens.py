"""Access tokens: the only module that knows the JWT library (python-jose).

Tokens are HS256-signed JWTs with a fixed issuer and audience. Decoding names the one
accepted algorithm explicitly and requires `exp`, `iat`, `aud`, `iss` and `sub`, so that
`alg: none`, another algorithm, a wrong audience or issuer, an expired token or a bad
signature are all refused.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from jose import JWTError, jwt

ALGORITHM = "HS256"


class InvalidToken(Exception):
    """The token is malformed, forged, expired or meant for someone else."""


@dataclass(frozen=True, slots=True)
class TokenConfig:
    secret: str
    issuer: str
    audience: str
    lifetime: timedelta


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
    return str(jwt.encode(payload, config.secret, algorithm=ALGORITHM))


def decode(config: TokenConfig, token: str) -> dict[str, Any]:
    try:
        header = jwt.get_unverified_header(token)
        if header.get("alg") != ALGORITHM:
            raise InvalidToken(f"algorithm {header.get('alg')!r} is not accepted")
        claims: dict[str, Any] = jwt.decode(
            token,
            config.secret,
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
