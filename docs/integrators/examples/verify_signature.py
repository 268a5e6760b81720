"""Verify a Konsensus webhook (Standard Webhooks, v1 signatures) with the standard library.

    KONSENSUS_WEBHOOK_SECRET=whsec_... python verify_signature.py headers.json body

prints the event's type when the request is genuine, and exits 1 when it is not.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import sys
import time
from collections.abc import Mapping
from typing import Any

#: How far the sender's clock may be from ours; an older request may be a replay.
TOLERANCE_SECONDS = 5 * 60


class InvalidWebhook(Exception):
    """Not a request the service sent: refuse it (e.g. answer 400) and do not act on it."""


def verify_webhook(
    secret: str, headers: Mapping[str, str], body: bytes, now: float | None = None
) -> dict[str, Any]:
    """The event, if `body` and `headers` are what the service signed with `secret` (the
    `whsec_...` value given when the subscription was made). Use the body's bytes as
    received: parsed and dumped again, it would no longer match."""
    headers = {name.lower(): value for name, value in headers.items()}
    try:
        message_id = headers["webhook-id"]
        timestamp = headers["webhook-timestamp"]
        signatures = headers["webhook-signature"]
    except KeyError as missing:
        raise InvalidWebhook(f"header {missing} is missing") from None
    now = time.time() if now is None else now
    if not timestamp.isdigit() or abs(now - int(timestamp)) > TOLERANCE_SECONDS:
        raise InvalidWebhook("the timestamp is too old or too new")
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    # "v1,<base64>" separated by spaces: more than one while the secret is being rotated.
    offered = [s.removeprefix("v1,") for s in signatures.split() if s.startswith("v1,")]
    if not any(hmac.compare_digest(expected, signature) for signature in offered):
        raise InvalidWebhook("no signature matches")
    event: dict[str, Any] = json.loads(body)
    return event


def main(headers_file: str, body_file: str) -> int:
    with open(headers_file, encoding="utf-8") as f:
        headers = json.load(f)
    with open(body_file, "rb") as f:
        body = f.read()
    try:
        event = verify_webhook(os.environ["KONSENSUS_WEBHOOK_SECRET"], headers, body)
    except InvalidWebhook as refused:
        print(f"refused: {refused}", file=sys.stderr)
        return 1
    print(event["type"])
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
