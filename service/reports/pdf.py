"""A document as PDF (WeasyPrint), with the fonts the project ships and nothing fetched.

WeasyPrint needs Pango from the system (Debian: libpango-1.0-0, libpangoft2-1.0-0); `make`
installs it as it installs Chromium. It is imported on first use, so a service without it
still starts and answers everything but a PDF.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from service.errors import ServiceError

FONTS = Path(__file__).resolve().parent / "fonts"
FONT_FAMILY = "Konsensus Sans"

#: The shipped fonts, named once: the documents ask for FONT_FAMILY only.
FONT_FACES = f"""
@font-face {{ font-family: "{FONT_FAMILY}"; font-weight: 400; src: url("DejaVuSans.ttf"); }}
@font-face {{ font-family: "{FONT_FAMILY}"; font-weight: 700; src: url("DejaVuSans-Bold.ttf"); }}
"""


class PdfUnavailable(ServiceError):
    """WeasyPrint or the system's Pango is missing: the HTML and JSON reports still work."""

    status = 503
    code = "pdf_unavailable"
    title = "PDF reports are not available"


def _fetcher() -> Any:
    """A URL fetcher that serves the shipped fonts and data: URLs, and refuses everything
    else: a report never reaches the network or the rest of the file system."""
    from weasyprint.urls import URLFetcher

    allowed = FONTS.as_uri() + "/"

    class LocalOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:") or (url.startswith(allowed) and ".." not in url):
                return super().fetch(url, headers)
            raise ValueError(f"not fetched: {url[:80]}")

    return LocalOnly(timeout=1, allowed_protocols=("file", "data"), allow_redirects=False)


def render_pdf(html: str) -> bytes:
    """`html` (a whole document) as PDF bytes."""
    try:
        from weasyprint import CSS, HTML
        from weasyprint.text.fonts import FontConfiguration
    except (ImportError, OSError) as exc:  # OSError: the system's Pango is missing
        raise PdfUnavailable(f"PDF rendering is not available here: {exc}") from exc
    fetcher = _fetcher()
    fonts = FontConfiguration()
    base = FONTS.as_uri() + "/"
    faces = CSS(string=FONT_FACES, base_url=base, url_fetcher=fetcher, font_config=fonts)
    document = HTML(string=html, base_url=base, url_fetcher=fetcher)
    pdf: bytes = document.write_pdf(stylesheets=[faces], font_config=fonts)
    return pdf
