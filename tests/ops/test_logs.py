"""Structured logs: one JSON object a line with the request id; the route template, never a
personal link's token; no personal data."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import httpx
import pytest

from service.ops import logs


@pytest.fixture
def json_lines(capsys: pytest.CaptureFixture[str]) -> Iterator[pytest.CaptureFixture[str]]:
    logs.configure("json", "INFO")
    yield capsys
    logs.configure("text", "WARNING")


async def test_json_logs_one_line_per_event_with_the_request_id(
    client: httpx.AsyncClient, json_lines: pytest.CaptureFixture[str]
) -> None:
    token = "s3cr3t-link-token-" + "x" * 25
    await client.get(f"/l/{token}", headers={"X-Request-ID": "req-42"})
    logging.getLogger("konsensus.test").warning("plain event", extra={"count": 3})
    err = json_lines.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]
    access = [e for e in entries if e["logger"] == "konsensus.access"]
    assert access, err
    line = access[-1]
    assert line["request_id"] == "req-42"
    assert line["route"] == "/l/{token}" and line["status"] in (404, 429)
    assert isinstance(line["duration_ms"], float)
    assert token not in err
    event = next(e for e in entries if e["message"] == "plain event")
    assert event["level"] == "warning" and event["count"] == 3
    assert "request_id" not in event  # not made while serving a request


def test_text_logs_in_development(capsys: pytest.CaptureFixture[str]) -> None:
    logs.configure("text", "INFO")
    try:
        logging.getLogger("konsensus.test").info("hello")
        err = capsys.readouterr().err
        assert "INFO" in err and "konsensus.test: hello" in err
        with pytest.raises(json.JSONDecodeError):
            json.loads(err.splitlines()[-1])
    finally:
        logs.configure("text", "WARNING")


def test_access_lines_name_no_link_token(capsys: pytest.CaptureFixture[str]) -> None:
    """uvicorn's own access line (text logs) names the raw path; its token is masked, in
    the arguments its formatter unpacks as in the line written."""
    logs.configure("text", "INFO")
    token = "Zx9-link-token-" + "q" * 28
    try:
        access = logging.getLogger("uvicorn.access")
        for path in (f"/l/{token}", f"/api/v1/links/{token}/submit", f"/l/{token}?lang=en"):
            access.info('%s - "%s %s HTTP/%s" %d', "192.0.2.1:5000", "GET", path, "1.1", 200)
        logging.getLogger("konsensus.test").warning("opened https://x.example/l/%s", token)
        err = capsys.readouterr().err
        assert err.count("/l/{token}") == 3 and "/api/v1/links/{token}/submit" in err
        assert token not in err
    finally:
        logs.configure("text", "WARNING")


def test_configuring_takes_over_what_an_earlier_uvicorn_left(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A server started before (its own levels, its access logger switched off) does not
    keep the service's access lines from being written, masked."""
    access = logging.getLogger("uvicorn.access")
    access.setLevel(logging.WARNING)
    access.disabled = True
    logs.configure("text", "INFO")
    try:
        access.info('%s - "%s %s HTTP/%s" %d', "192.0.2.1:5000", "GET", "/l/abcdefgh", "1.1", 200)
        assert "/l/{token}" in capsys.readouterr().err
    finally:
        logs.configure("text", "WARNING")
