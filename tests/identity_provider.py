"""A real OpenID Connect provider on loopback for the sign-in tests: Node's `oidc-provider`,
installed by the Makefile into `tests/oidc_provider/`, started by `provider.mjs` on a free
port, steered through its `/__control` endpoint, and a browser of its own to drive its login
form with."""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import AsyncExitStack, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest

FOLDER = Path(__file__).resolve().parent / "oidc_provider"
CLIENT_ID = "konsensus-test"
CLIENT_SECRET = "a-client-secret-for-the-tests-only"


class OidcProvider:
    def __init__(self, process: subprocess.Popen[str], port: int) -> None:
        self.process = process
        self.port = port
        self.issuer = f"http://127.0.0.1:{port}"

    def control(self, **change: Any) -> dict[str, Any]:
        response = httpx.post(f"{self.issuer}/__control", json=change, timeout=10)
        response.raise_for_status()
        found: dict[str, Any] = response.json()
        return found

    def register(
        self, base_url: str, municipality_code: str, backchannel_logout_uri: str | None = None
    ) -> None:
        """The service as a client, with its addresses under `base_url` (the back-channel
        logout's elsewhere, if given)."""
        self.control(
            clients=[
                {
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                    "redirect_uris": [f"{base_url}/login/oidc/callback"],
                    "post_logout_redirect_uris": [f"{base_url}/login"],
                    "backchannel_logout_uri": backchannel_logout_uri
                    or f"{base_url}/login/oidc/{municipality_code}/backchannel-logout",
                    "backchannel_logout_session_required": False,
                }
            ]
        )

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@contextmanager
def running_provider() -> Iterator[OidcProvider]:
    node = shutil.which("node")
    if node is None or not (FOLDER / "node_modules" / "oidc-provider").is_dir():
        pytest.fail("oidc-provider is not installed: run `make tests/oidc_provider/.installed`")
    process = subprocess.Popen(
        [node, str(FOLDER / "provider.mjs"), "0"],
        cwd=FOLDER,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    found = re.match(r"ready (\d+)", line)
    if found is None:
        process.kill()
        pytest.fail(f"the OpenID Connect provider did not start: {line!r}")
    provider = OidcProvider(process, int(found.group(1)))
    try:
        yield provider
    finally:
        provider.stop()


async def log_in_at_provider(
    authorization_url: str, login: str, browser: httpx.AsyncClient | None = None
) -> str:
    """The person signs in at the provider's own form (any password: the provider is a
    test's); returns where the provider sends the browser back to (the service's callback).
    `browser` keeps the provider's session (its cookies) for later."""
    async with AsyncExitStack() as stack:
        if browser is None:
            browser = await stack.enter_async_context(httpx.AsyncClient(timeout=10))
        response = await browser.get(authorization_url)
        assert response.status_code == 303, response.text
        interaction = urljoin(authorization_url, response.headers["location"])
        response = await browser.post(
            interaction, data={"prompt": "login", "login": login, "password": "anything"}
        )
        assert response.status_code == 303, response.text
        response = await browser.get(urljoin(interaction, response.headers["location"]))
        assert response.status_code == 303, response.text
        back: str = response.headers["location"]
        return back


def local_path(url: str) -> str:
    """The path and query of one of the service's own addresses."""
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


async def sign_out_at_provider(provider: OidcProvider, browser: httpx.AsyncClient) -> None:
    """The person signs out at the provider itself (its own page, and its confirmation)."""
    page = await browser.get(f"{provider.issuer}/session/end", params={"client_id": CLIENT_ID})
    found = re.search(r'name="xsrf" value="([^"]+)"', page.text)
    assert found, page.text
    response = await browser.post(
        f"{provider.issuer}/session/end/confirm", data={"xsrf": found.group(1), "logout": "yes"}
    )
    assert response.status_code in (200, 303), response.text


@contextmanager
def logout_relay(target: str) -> Iterator[tuple[str, list[bytes]]]:
    """A loopback address that keeps each back-channel logout the provider sends and passes
    it on to `target`, answering with the service's answer: the tests can send a token
    again."""
    received: list[bytes] = []

    class Relay(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            received.append(body)
            answer = httpx.post(
                target,
                content=body,
                headers={"Content-Type": self.headers.get("Content-Type", "")},
                timeout=10,
            )
            self.send_response(answer.status_code)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Relay)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/logout", received
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
