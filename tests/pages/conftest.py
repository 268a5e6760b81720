"""A live server on loopback and headless Chromium, for the pages."""

from __future__ import annotations

import os
import shutil
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
# The test run keeps its screenshots out of the work tree; `make screenshots` renews the ones
# the README shows (docs/screenshots/).
SCREENSHOTS = Path(
    os.environ.get(
        "KONSENSUS_SCREENSHOTS", Path(__file__).resolve().parents[2] / "build" / "screenshots"
    )
)


@pytest.fixture
def browser() -> Iterator[Browser]:
    """Headless Chromium, per test: Playwright's sync API holds the thread's event loop
    while it runs, which the async tests of the suite need back."""
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        message = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium); `make test` installs it."
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def screenshot_path(name: str) -> str:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return str(SCREENSHOTS / f"{name}.png")
