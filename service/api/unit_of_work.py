"""The request's transaction ends in the endpoint's own worker thread.

FastAPI runs a sync endpoint in a worker thread, then encodes the response on the event
loop, then tears the dependencies down in another worker thread. Committing at teardown would
keep the transaction (on SQLite: the database's single write lock) open across those hand-
overs, each of which waits for a busy event loop. The route below commits the session as the
endpoint returns, in the same thread; the session dependency finishes whatever is left (an
error, an endpoint without a session of its own).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from fastapi.routing import APIRoute
from sqlmodel import Session

from service.models.audit_chain import recorder_of


def committing(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """`endpoint`, committing the sessions it was given once it has returned."""
    if inspect.iscoroutinefunction(endpoint):
        return endpoint  # runs on the event loop: the dependency commits in a worker thread

    @functools.wraps(endpoint)
    def run(*args: Any, **kwargs: Any) -> Any:
        result = endpoint(*args, **kwargs)
        for value in kwargs.values():
            if not isinstance(value, Session):
                continue
            # A reports session on a replica ends its read first; then the request's session
            # commits, with the read's audit event (without a replica they are one session).
            for session in (value, recorder_of(value)):
                if session.in_transaction():
                    session.commit()
        return result

    return run


class UnitOfWorkRoute(APIRoute):
    """An API route whose endpoint commits the request's session before the response is
    encoded."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, committing(endpoint), **kwargs)
