"""PDF rendering needs the system's Pango: say so plainly where it is missing."""

from __future__ import annotations

import os

import pytest


def require_pdf() -> None:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as exc:
        message = (
            f"WeasyPrint cannot load ({exc}): install Pango "
            "(apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0); "
            "`make test` installs it."
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
