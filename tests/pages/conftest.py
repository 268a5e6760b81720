"""A live server on loopback and headless Chromium, for the pages."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: What Playwright adds when it starts a headless browser itself, and that shapes what a page
#: does: no scrollbars taking width, a mouse-like pointer, timers and renderers never put to
#: sleep (so a page's autosave runs on time), no shared memory limits, one colour profile.
AS_PLAYWRIGHT_LAUNCHES = [
    "--hide-scrollbars",
    "--mute-audio",
    "--blink-settings=primaryHoverType=2,availableHoverTypes=2,primaryPointerType=4,availablePointerTypes=4",
    "--disable-background-timer-throttling",
    "--disable-backgrounding-occluded-windows",
    "--disable-renderer-backgrounding",
    "--disable-back-forward-cache",
    "--disable-dev-shm-usage",
    "--disable-extensions",
    "--disable-popup-blocking",
    "--disable-hang-monitor",
    "--force-color-profile=srgb",
    "--password-store=basic",
]
DEVTOOLS = re.compile(r"DevTools listening on (ws://\S+)")
# The test run keeps its screenshots out of the work tree; `make screenshots` renews the ones
# the README shows (docs/screenshots/).
SCREENSHOTS = Path(
    os.environ.get(
        "KONSENSUS_SCREENSHOTS", Path(__file__).resolve().parents[2] / "build" / "screenshots"
    )
)


def _chromium_missing() -> str | None:
    if Path(CHROMIUM).exists() or shutil.which("chromium"):
        return None
    return f"Chromium is not installed at {CHROMIUM} (apt-get install chromium); `make test` installs it."


@pytest.fixture(scope="session")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One headless Chromium per test worker, started once; each test connects to it over the
    DevTools protocol and works in contexts of its own, which it closes."""
    missing = _chromium_missing()
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(missing)
        pytest.skip(missing)
    profile = tmp_path_factory.mktemp("chromium-profile")
    process = subprocess.Popen(
        [
            CHROMIUM,
            *CHROMIUM_ARGS,
            *AS_PLAYWRIGHT_LAUNCHES,
            "--remote-debugging-port=0",
            f"--user-data-dir={profile}",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield _devtools_address(process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _devtools_address(process: subprocess.Popen[str]) -> str:
    """The browser's DevTools address, which Chromium prints once it listens."""
    assert process.stderr is not None
    deadline = time.monotonic() + 30
    seen: list[str] = []
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            break
        seen.append(line)
        found = DEVTOOLS.search(line)
        if found:
            # Keep reading what Chromium says, so that a full pipe never stops it.
            threading.Thread(target=process.stderr.read, daemon=True).start()
            return found.group(1)
    raise RuntimeError("Chromium did not start: " + "".join(seen[-20:]))


@pytest.fixture
def browser(chromium: str) -> Iterator[Browser]:
    """Headless Chromium, per test: Playwright's sync API holds the thread's event loop
    while it runs, which the async tests of the suite need back, so each test connects anew
    (cheap) to the worker's one browser (started once)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.connect_over_cdp(chromium)
        try:
            yield browser
        finally:
            browser.close()  # closes the contexts this test made, and leaves Chromium running


def screenshot_path(name: str) -> str:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return str(SCREENSHOTS / f"{name}.png")
