"""Logs: plain text for a person at a terminal, or one JSON object a line for a log
collector (`KONSENSUS_LOG_FORMAT=json`).

Every line made while a request is served carries its request id. What is logged is
events, not data: routes by their template (`/l/{token}`, never the token), statuses and
durations; no name, address, score or comment.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

REQUEST_ID: ContextVar[str | None] = ContextVar("konsensus_request_id", default=None)

#: Attributes every LogRecord has; anything else on a record was passed as `extra=`.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}


#: A personal link's token in a path: `/l/<token>`, `/api/v1/links/<token>`.
_LINK_TOKEN = re.compile(r"(/l/|/api/v1/links/)[^/\s?#\"']+")


def mask_links(text: str) -> str:
    return _LINK_TOKEN.sub(r"\1{token}", text)


class MaskLinks(logging.Filter):
    """Replaces the token of a personal link in a line (uvicorn's access line names the raw
    path) with `{token}`; the rest of the line is left as it was."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if mask_links(message) == message:
            return True
        # Mask the arguments where they are (uvicorn's own formatter unpacks them)...
        if isinstance(record.args, tuple):
            record.args = tuple(mask_links(a) if isinstance(a, str) else a for a in record.args)
            message = record.getMessage()
        if mask_links(message) != message:
            # ...or, where the token is in the text itself, the line as a whole.
            record.msg, record.args = mask_links(message), ()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request id, and any `extra`."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = REQUEST_ID.get()
        if request_id:
            entry["request_id"] = request_id
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        request_id = REQUEST_ID.get()
        return f"{line} [{request_id}]" if request_id else line


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is at the time (a test's capture, a redirection)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def configure(log_format: str, level: str = "INFO") -> None:
    """Route the service's loggers, and uvicorn's, to stderr in the chosen format.

    In JSON, uvicorn's own access line (which carries the raw path, personal links included)
    gives way to the service's, which names the route template instead."""
    handler = _Stderr()
    handler.addFilter(MaskLinks())
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    root = logging.getLogger()
    for existing in list(root.handlers):
        if getattr(existing, "_konsensus", False):
            root.removeHandler(existing)
    handler._konsensus = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    # A uvicorn started earlier in the process left its own handlers and levels behind.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
        logging.getLogger(name).setLevel(logging.NOTSET)
    # An HTTP client's line per request names the whole URL; what went wrong is logged anyway.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, MaskLinks) for f in access.filters):
        access.addFilter(MaskLinks())  # before any handler, a test's capture included
    access.handlers = []
    access.propagate = log_format != "json"
    access.disabled = log_format == "json"
    logging.getLogger("konsensus.access").disabled = log_format != "json"
