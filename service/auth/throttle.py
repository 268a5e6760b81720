"""Bounding guesses: failed logins and unknown personal links, counted in a store that every
process and instance shares (the database by default, Redis where configured), so that a
guesser gains nothing by spreading over workers or instances.

- Logins (the token endpoint and the login page): a few failures per account and per
  address are forgiven; past them, each further failure doubles the wait before the next
  attempt is even checked, up to a ceiling. Failures are forgotten a while after the last
  one; a successful login forgets the account's.
- Personal links: past a limit of unknown tokens a minute from one address, 429 until the
  minute is out.

Keys are hashed before they are stored: no username or address is kept. Expired counters
are pruned (the database at each failure, Redis by their time to live).
"""

from __future__ import annotations

import hashlib
import math
import socket
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from urllib.parse import urlsplit

from sqlalchemy import bindparam, case, delete, select
from sqlmodel import Session

from service.db import upsert_into
from service.errors import ServiceError
from service.models.throttle import ThrottleCounter


@dataclass(frozen=True, slots=True)
class Failures:
    count: int
    last_at: datetime


class FailureStore(Protocol):
    def peek(self, session: Session, keys: list[str], now: datetime) -> dict[str, Failures]:
        """The live counters among `keys`."""
        ...

    def record(
        self, session: Session, key: str, now: datetime, window: timedelta, *, sliding: bool
    ) -> Failures:
        """One more failure. A counter past its window starts again at 1; a sliding window
        runs from the last failure, a fixed one from the first."""
        ...

    def clear(self, session: Session, key: str) -> None: ...


def store_for(throttle_store: str, redis_url: str, redis_prefix: str) -> FailureStore:
    if throttle_store == "redis":
        return RedisStore(redis_url, redis_prefix)
    return DatabaseStore()


def hashed(kind: str, value: str) -> str:
    return hashlib.sha256(f"konsensus/throttle/{kind}/{value}".encode()).hexdigest()


_TABLE = ThrottleCounter.__table__  # type: ignore[attr-defined]
_PEEK = select(_TABLE.c.key, _TABLE.c.failures, _TABLE.c.last_at).where(
    _TABLE.c.key.in_(bindparam("keys", expanding=True)), _TABLE.c.expires_at > bindparam("now")
)
_PRUNE = delete(_TABLE).where(_TABLE.c.expires_at <= bindparam("now"))
_CLEAR = delete(_TABLE).where(_TABLE.c.key == bindparam("key"))


class DatabaseStore:
    """Counters in `throttle_counter`, written in the caller's session (an upsert: two
    instances counting the same key at once both count)."""

    def peek(self, session: Session, keys: list[str], now: datetime) -> dict[str, Failures]:
        rows = session.execute(_PEEK, {"keys": keys, "now": now}).all()
        return {key: Failures(count, last_at) for key, count, last_at in rows}

    def record(
        self, session: Session, key: str, now: datetime, window: timedelta, *, sliding: bool
    ) -> Failures:
        session.execute(_PRUNE, {"now": now})
        fresh = {"key": key, "failures": 1, "last_at": now, "expires_at": now + window}
        new = upsert_into(session, _TABLE).values(**fresh)
        expired = _TABLE.c.expires_at <= new.excluded.last_at
        statement = new.on_conflict_do_update(
            index_elements=[_TABLE.c.key],
            set_={
                "failures": case((expired, 1), else_=_TABLE.c.failures + 1),
                "last_at": new.excluded.last_at,
                "expires_at": new.excluded.expires_at
                if sliding
                else case((expired, new.excluded.expires_at), else_=_TABLE.c.expires_at),
            },
        ).returning(_TABLE.c.failures)
        return Failures(int(session.execute(statement).scalar_one()), now)

    def clear(self, session: Session, key: str) -> None:
        session.execute(_CLEAR, {"key": key})


class RedisError(Exception):
    pass


class ThrottleUnavailable(ServiceError):
    """The shared store of failed attempts cannot be reached: nothing is let through
    unchecked (503, try again shortly)."""

    status = 503
    code = "throttle_unavailable"
    title = "The service cannot check attempts just now"

    def headers(self) -> Mapping[str, str] | None:
        return {"Retry-After": "30"}


class Redis:
    """Just enough of the Redis protocol (RESP) for the counters: one connection a process,
    used under a lock, opened again after an error."""

    def __init__(self, url: str, timeout: float = 2.0) -> None:
        parts = urlsplit(url)
        self.address = (parts.hostname or "127.0.0.1", parts.port or 6379)
        self.database = int(parts.path.strip("/") or 0)
        self.password = parts.password
        self.timeout = timeout
        self._socket: socket.socket | None = None
        self._file: socket.SocketIO | None = None
        self._lock = threading.Lock()

    def _connect(self) -> None:
        sock = socket.create_connection(self.address, timeout=self.timeout)
        self._socket, self._file = sock, socket.SocketIO(sock, "rb")
        if self.password:
            self._call("AUTH", self.password)
        if self.database:
            self._call("SELECT", str(self.database))

    def _readline(self) -> bytes:
        assert self._socket is not None
        line = b""
        while not line.endswith(b"\r\n"):
            chunk = self._socket.recv(1)
            if not chunk:
                raise RedisError("connection closed")
            line += chunk
        return line[:-2]

    def _read(self) -> object:
        line = self._readline()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RedisError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            size = int(rest)
            if size < 0:
                return None
            assert self._socket is not None
            data = b""
            while len(data) < size + 2:
                chunk = self._socket.recv(size + 2 - len(data))
                if not chunk:
                    raise RedisError("connection closed")
                data += chunk
            return data[:-2].decode()
        if kind == b"*":
            size = int(rest)
            return None if size < 0 else [self._read() for _ in range(size)]
        raise RedisError(f"unexpected reply {line[:20]!r}")

    def _call(self, *args: str) -> object:
        assert self._socket is not None
        parts = [f"*{len(args)}\r\n".encode()]
        for arg in args:
            data = arg.encode()
            parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
        self._socket.sendall(b"".join(parts))
        return self._read()

    def call(self, *args: str) -> object:
        with self._lock:
            try:
                if self._socket is None:
                    self._connect()
                return self._call(*args)
            except (OSError, RedisError) as error:
                self.close()
                raise ThrottleUnavailable(
                    "The store of failed attempts does not answer; try again shortly."
                ) from error

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
        self._socket = self._file = None


# KEYS[1]; ARGV: now (epoch s), window (s), sliding (1/0). Returns {failures, last}.
_RECORD = """
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local expires = tonumber(redis.call('HGET', KEYS[1], 'e') or '0')
local n
if expires <= now then
  n = 1
  redis.call('HSET', KEYS[1], 'n', 1, 'e', now + window)
else
  n = redis.call('HINCRBY', KEYS[1], 'n', 1)
  if ARGV[3] == '1' then redis.call('HSET', KEYS[1], 'e', now + window) end
end
redis.call('HSET', KEYS[1], 'l', now)
redis.call('EXPIRE', KEYS[1], math.ceil(window) + 1)
return n
"""


class RedisStore:
    """Counters as Redis hashes (failures, last, expiry), each with a time to live."""

    def __init__(self, url: str, prefix: str = "konsensus:throttle:") -> None:
        self.redis = Redis(url)
        self.prefix = prefix

    def peek(self, session: Session, keys: list[str], now: datetime) -> dict[str, Failures]:
        found = {}
        for key in keys:
            values = self.redis.call("HMGET", self.prefix + key, "n", "l", "e")
            assert isinstance(values, list)
            count, last, expires = values
            if count is not None and float(str(expires)) > now.timestamp():
                found[key] = Failures(
                    int(str(count)), datetime.fromtimestamp(float(str(last)), tz=now.tzinfo)
                )
        return found

    def record(
        self, session: Session, key: str, now: datetime, window: timedelta, *, sliding: bool
    ) -> Failures:
        count = self.redis.call(
            "EVAL",
            _RECORD,
            "1",
            self.prefix + key,
            repr(now.timestamp()),
            str(math.ceil(window.total_seconds())),
            "1" if sliding else "0",
        )
        return Failures(int(str(count)), now)

    def clear(self, session: Session, key: str) -> None:
        self.redis.call("DEL", self.prefix + key)


@dataclass(frozen=True, slots=True)
class LoginPolicy:
    free_per_account: int
    free_per_address: int
    delay: float
    ceiling: float
    window: timedelta

    def wait_after(self, failures: Failures, free: int, now: datetime) -> float:
        """Seconds still to wait after `failures`, the first `free` of them forgiven."""
        if failures.count < free:
            return 0.0
        delay = min(self.delay * 2.0 ** (failures.count - free), self.ceiling)
        return max(0.0, (failures.last_at - now).total_seconds() + delay)


class LoginThrottle:
    def __init__(self, store: FailureStore, policy: LoginPolicy) -> None:
        self.store, self.policy = store, policy

    @staticmethod
    def _keys(account: str, address: str) -> tuple[str, str]:
        return hashed("login-account", account.strip().lower()), hashed("login-address", address)

    def wait(self, session: Session, account: str, address: str, now: datetime) -> int:
        """Whole seconds before this account may be tried from this address, or 0."""
        by_account, by_address = self._keys(account, address)
        found = self.store.peek(session, [by_account, by_address], now)
        waits = [
            self.policy.wait_after(found[by_account], self.policy.free_per_account, now)
            if by_account in found
            else 0.0,
            self.policy.wait_after(found[by_address], self.policy.free_per_address, now)
            if by_address in found
            else 0.0,
        ]
        return math.ceil(max(waits))

    def failed(self, session: Session, account: str, address: str, now: datetime) -> None:
        for key in self._keys(account, address):
            self.store.record(session, key, now, self.policy.window, sliding=True)

    def succeeded(self, session: Session, account: str) -> None:
        self.store.clear(session, hashed("login-account", account.strip().lower()))


class GuessThrottle:
    """Unknown personal links per address, in fixed windows of a minute."""

    def __init__(self, store: FailureStore, limit_per_minute: int, window_seconds: float = 60):
        self.store = store
        self.limit = limit_per_minute
        self.window = timedelta(seconds=window_seconds)

    def blocked(self, session: Session, address: str, now: datetime) -> int:
        """Seconds until `address` may try again, or 0."""
        key = hashed("link-address", address)
        found = self.store.peek(session, [key], now).get(key)
        if found is None or found.count < self.limit:
            return 0
        return max(1, math.ceil(self.window.total_seconds()))

    def fail(self, session: Session, address: str, now: datetime) -> None:
        self.store.record(session, hashed("link-address", address), now, self.window, sliding=False)
