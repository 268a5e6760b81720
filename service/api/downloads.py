"""Files the API and the pages hand over for download."""

from __future__ import annotations

from datetime import datetime

from starlette.responses import Response

from service.clock import LOCAL_TIME


def csv_download(text: str, filename: str, as_of: datetime | None = None) -> Response:
    """CSV in UTF-8, saved under `filename` by the browser. A report's file is named with
    the moment its figures are from, in Danish time ("Tal pr."), so that a saved file still
    says it: `agreement-2026-12-07-1415.csv`."""
    if as_of is not None:
        stem, dot, extension = filename.rpartition(".")
        filename = f"{stem}-{as_of.astimezone(LOCAL_TIME):%Y-%m-%d-%H%M}{dot}{extension}"
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
