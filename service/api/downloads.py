"""Files the API and the pages hand over for download."""

from __future__ import annotations

from starlette.responses import Response


def csv_download(text: str, filename: str) -> Response:
    """CSV in UTF-8, saved under `filename` by the browser."""
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
