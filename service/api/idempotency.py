"""`Idempotency-Key` for POSTs to the API: the same key with the same body, within 24 hours,
gets the first response again and changes nothing; the same key with another body is refused
(422). A key whose first request is still running answers 409."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine, delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.auth import tokens
from service.errors import problem_response
from service.models import tenancy
from service.models.base import utcnow
from service.models.idempotency import IdempotencyRecord

HEADER = b"idempotency-key"
KEEP = timedelta(hours=24)


@dataclass
class Captured:
    status: int = 500
    content_type: str | None = None
    body: bytes = b""


class IdempotencyKeys:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers") or [])
        key = headers.get(HEADER)
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or not key
            or not str(scope["path"]).startswith("/api/v1/")
        ):
            await self.app(scope, receive, send)
            return
        caller = self._caller(scope, headers)
        if caller is None or len(key) > 200:
            await self.app(scope, receive, send)  # the route answers 401 / 422 as usual
            return
        body = await _read_body(receive)
        state = scope["app"].state
        digest = hashlib.sha256(scope["path"].encode() + b"\n" + body).hexdigest()
        municipality_id, who = caller
        record, replay = self._begin(
            state.engine, municipality_id, who, key.decode(), scope, digest
        )
        if replay is not None or record is None:
            assert replay is not None
            await replay(scope, receive, send)
            return
        captured = Captured()

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured.status = int(message["status"])
                for name, value in message.get("headers", []):
                    if name.lower() == b"content-type":
                        captured.content_type = value.decode()
            elif message["type"] == "http.response.body":
                captured.body += message.get("body", b"")
            await send(message)

        await self.app(scope, _replay_body(body), capture)
        self._finish(state.engine, municipality_id, record, captured)

    def _caller(self, scope: Scope, headers: dict[bytes, bytes]) -> tuple[int, str] | None:
        auth = headers.get(b"authorization", b"").decode()
        if not auth.lower().startswith("bearer "):
            return None
        settings = scope["app"].state.settings
        config = tokens.TokenConfig(
            settings.secret_key.get_secret_value(), settings.jwt_issuer, settings.jwt_audience, KEEP
        )
        try:
            claims = tokens.decode(config, auth[7:])
        except tokens.InvalidToken:
            return None
        municipality = claims.get("mun")
        return (municipality, str(claims["sub"])) if isinstance(municipality, int) else None

    def _begin(
        self, engine: Engine, municipality_id: int, who: str, key: str, scope: Scope, digest: str
    ) -> tuple[IdempotencyRecord | None, ASGIApp | None]:
        now = utcnow()
        with Session(engine, expire_on_commit=False) as session:
            tenancy.bind_session(session, municipality_id)
            session.execute(
                delete(IdempotencyRecord).where(col(IdempotencyRecord.created_at) < now - KEEP)
            )
            found = session.exec(
                select(IdempotencyRecord).where(
                    IdempotencyRecord.caller == who, IdempotencyRecord.key == key
                )
            ).first()
            if found is None:
                record = IdempotencyRecord(
                    municipality_id=municipality_id,
                    caller=who,
                    key=key,
                    method="POST",
                    path=str(scope["path"]),
                    body_hash=digest,
                    created_at=now,
                )
                session.add(record)
                try:
                    session.commit()
                except IntegrityError:
                    return None, _problem(
                        409,
                        "idempotency_in_progress",
                        "A request with this Idempotency-Key is still running.",
                    )
                return record, None
            session.commit()
        if found.body_hash != digest:
            return None, _problem(
                422,
                "idempotency_key_reused",
                "This Idempotency-Key was used with another request body.",
            )
        if found.status_code is None:
            return None, _problem(
                409,
                "idempotency_in_progress",
                "A request with this Idempotency-Key is still running.",
            )
        return None, _stored(found)

    def _finish(
        self, engine: Engine, municipality_id: int, record: IdempotencyRecord, captured: Captured
    ) -> None:
        with Session(engine) as session:
            tenancy.bind_session(session, municipality_id)
            current = session.get(IdempotencyRecord, record.id)
            if current is None:
                return
            if captured.status >= 500:
                session.delete(current)  # a failure of ours: the caller may simply try again
            else:
                current.status_code = captured.status
                current.content_type = captured.content_type
                current.response = captured.body.decode("utf-8", "replace")
                session.add(current)
            session.commit()


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def _replay_body(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def _problem(status: int, code: str, detail: str) -> ASGIApp:
    return problem_response(status, code, "Idempotency-Key", detail)


def _stored(record: IdempotencyRecord) -> ASGIApp:
    headers = {"Idempotent-Replayed": "true"}
    return Response(
        content=(record.response or "").encode(),
        status_code=record.status_code or 200,
        media_type=record.content_type,
        headers=headers,
    )
