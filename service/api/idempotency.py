"""`Idempotency-Key` for authenticated POSTs to the API: the same key with the same body,
within 24 hours, gets the first response again and changes nothing; the same key with another
body is refused (422). A key whose first request is still running answers 409; the answer is
stored before the caller receives it, so a caller holding its answer always gets it replayed.

Personal links (`/api/v1/links/...`) take no keys: they are used without an account, and a
key would tie the informant's answer to whoever else holds a token.

The stored response is sealed (`service.auth.seal`: AES-GCM under a key derived from the
service secret, the record's own identity as associated data): a response that carries a
personal link, a client secret or a webhook secret is unreadable in the database and its
backups. Such a record says what it holds; revoking that deletes it
(`service.usecases.data_rights.idempotency`), and a link that no longer works is never
replayed. The database work runs in a worker thread, never on the event loop, in a writing
transaction of its own (on SQLite: BEGIN IMMEDIATE).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.auth import links, seal, tokens
from service.auth.keys import Keyring
from service.db import new_session
from service.errors import problem_response
from service.models.base import utcnow
from service.models.idempotency import IdempotencyRecord
from service.models.round import Informant
from service.usecases.data_rights import idempotency as holding

HEADER = b"idempotency-key"
KEEP = timedelta(hours=24)
MAX_KEY = 200
API = "/api/v1/"
LINKS = "/api/v1/links/"
_KEY = re.compile(rb"[!-~]{1,%d}" % MAX_KEY)
_LINK_ISSUED = re.compile(r"^/api/v1/rounds/\d+/informants/\d+/link$")


@dataclass
class Captured:
    status: int = 500
    content_type: str | None = None
    body: bytes = b""


@dataclass(frozen=True)
class Request:
    municipality_id: int
    caller: str
    key: str
    path: str
    digest: str

    @property
    def associated_data(self) -> bytes:
        return f"idempotency/{self.municipality_id}/{self.caller}/{self.key}".encode()


class IdempotencyKeys:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        path = str(scope["path"])
        headers = dict(scope.get("headers") or [])
        key = headers.get(HEADER)
        if key is None or not path.startswith(API) or path.startswith(LINKS):
            await self.app(scope, receive, send)
            return
        caller = _caller(scope, headers)
        if caller is None:
            await self.app(scope, receive, send)  # the route answers 401 as usual
            return
        if not _KEY.fullmatch(key):
            await _problem(
                422,
                "idempotency_key_invalid",
                f"An Idempotency-Key is 1 to {MAX_KEY} visible ASCII characters.",
            )(scope, receive, send)
            return
        body = await _read_body(receive)
        state = scope["app"].state
        keyring: Keyring = state.settings.keyring()
        request = Request(
            municipality_id=caller[0],
            caller=caller[1],
            key=key.decode("latin-1"),
            path=path,
            digest=hashlib.sha256(path.encode() + b"\n" + body).hexdigest(),
        )
        record_id, answer = await run_in_threadpool(_begin, state.engine, keyring, request)
        if answer is not None:
            await answer(scope, receive, send)
            return
        assert record_id is not None
        captured = Captured()
        held: list[Message] = []
        finished = False

        async def finish() -> None:
            nonlocal finished
            finished = True
            await run_in_threadpool(_finish, state.engine, keyring, request, record_id, captured)

        async def capture(message: Message) -> None:
            # The answer is stored before the caller sees any of it: a caller who has its
            # answer and sends the key again gets that answer, never "still running".
            if message["type"] == "http.response.start":
                captured.status = int(message["status"])
                for name, value in message.get("headers", []):
                    if name.lower() == b"content-type":
                        captured.content_type = value.decode("latin-1")
            elif message["type"] == "http.response.body":
                captured.body += message.get("body", b"")
            held.append(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                await finish()
                for part in held:
                    await send(part)
                held.clear()

        try:
            await self.app(scope, _replay_body(body), capture)
        except BaseException:
            if not finished:
                captured.status = 500  # not answered: the caller may simply try again
                await finish()
            raise
        if not finished:  # no complete answer was given: nothing to replay
            captured.status = 500
            await finish()


def _caller(scope: Scope, headers: dict[bytes, bytes]) -> tuple[int, str] | None:
    auth = headers.get(b"authorization", b"").decode("latin-1")
    if not auth.lower().startswith("bearer "):
        return None
    settings = scope["app"].state.settings
    from service.api.deps import token_config

    try:
        claims = tokens.decode(token_config(settings), auth[7:])
    except tokens.InvalidToken:
        return None
    municipality = claims.get("mun")
    return (municipality, str(claims["sub"])) if isinstance(municipality, int) else None


def _begin(engine: Engine, keyring: Keyring, request: Request) -> tuple[int | None, ASGIApp | None]:
    """The record of a new key (its id), or the answer to a key seen before."""
    now = utcnow()
    with new_session(engine, municipality_id=request.municipality_id, write=True) as session:
        session.execute(
            delete(IdempotencyRecord).where(col(IdempotencyRecord.created_at) < now - KEEP)
        )
        found = session.exec(
            select(IdempotencyRecord).where(
                IdempotencyRecord.caller == request.caller, IdempotencyRecord.key == request.key
            )
        ).first()
        if found is not None:
            answer = _answer(session, keyring, request, found, now)
            if answer is not None:
                session.commit()
                return None, answer
            session.delete(found)  # what it held was revoked, or cannot be read: a new start
            session.flush()
        record = IdempotencyRecord(
            municipality_id=request.municipality_id,
            caller=request.caller,
            key=request.key,
            method="POST",
            path=request.path[:500],
            body_hash=request.digest,
            created_at=now,
        )
        session.add(record)
        try:
            session.commit()
        except IntegrityError:
            return None, _in_progress()
        return record.id, None


def _answer(
    session: Session, keyring: Keyring, request: Request, found: IdempotencyRecord, now: datetime
) -> ASGIApp | None:
    if found.body_hash != request.digest:
        return _problem(
            422,
            "idempotency_key_reused",
            "This Idempotency-Key was used with another request body.",
        )
    if found.status_code is None:
        return _in_progress()
    try:
        body = seal.unseal_bytes(keyring, found.response or "", request.associated_data)
    except seal.Unsealable:  # a key no longer accepted, another record's: answer afresh
        return None
    if not _still_valid(session, keyring, found, body, now):
        return None
    return Response(
        content=body,
        status_code=found.status_code,
        media_type=found.content_type,
        headers={"Idempotent-Replayed": "true"},
    )


def _still_valid(
    session: Session, keyring: Keyring, record: IdempotencyRecord, body: bytes, now: datetime
) -> bool:
    """A stored personal link is replayed only while it is the informant's working link."""
    if not (record.holds or "").startswith("link:"):
        return True
    informant = session.get(Informant, int((record.holds or "").split(":", 1)[1]))
    token = _json(body).get("token")
    if informant is None or not isinstance(token, str) or informant.token_hash is None:
        return False
    expires = informant.token_expires_at
    return (
        informant.token_hash in links.candidate_hashes(keyring, token)
        and informant.token_revoked_at is None
        and (expires is None or expires.replace(tzinfo=expires.tzinfo or UTC) > now)
    )


def _finish(
    engine: Engine, keyring: Keyring, request: Request, record_id: int, captured: Captured
) -> None:
    with new_session(engine, municipality_id=request.municipality_id, write=True) as session:
        current = session.get(IdempotencyRecord, record_id)
        if current is None:
            return
        if captured.status >= 500:
            session.delete(current)  # a failure of ours: the caller may simply try again
        else:
            current.status_code = captured.status
            current.content_type = captured.content_type
            current.response = seal.seal_bytes(keyring, captured.body, request.associated_data)
            current.holds = _holds(request.path, captured)
            session.add(current)
        session.commit()


def _holds(path: str, captured: Captured) -> str | None:
    """What secret the response carries, by the operation that answered."""
    if not 200 <= captured.status < 300:
        return None
    body = _json(captured.body)
    if _LINK_ISSUED.match(path) and isinstance(body.get("informant_id"), int):
        return holding.link(body["informant_id"])
    if path == "/api/v1/clients" and "client_secret" in body and isinstance(body.get("id"), int):
        return holding.client(body["id"])
    if path == "/api/v1/webhooks" and "secret" in body and isinstance(body.get("id"), int):
        return holding.webhook(body["id"])
    return None


def _json(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


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


def _in_progress() -> ASGIApp:
    return _problem(
        409, "idempotency_in_progress", "A request with this Idempotency-Key is still running."
    )


def _problem(status: int, code: str, detail: str) -> ASGIApp:
    return problem_response(status, code, "Idempotency-Key", detail)
