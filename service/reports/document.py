"""A completed round's report as a document: HTML (for a browser or the case file) and PDF."""

from __future__ import annotations

from service.rendering.compasses import compasses_view
from service.rendering.language import Translator
from service.rendering.progress import progress_view
from service.rendering.templates import templates
from service.reports.pdf import FONT_FAMILY, render_pdf
from service.schemas.report import RoundReport

#: The report is a document of its own: no script, styles inside it, nothing fetched.
REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src 'none'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


def report_html(report: RoundReport, language: str) -> str:
    t = Translator(language)
    view = progress_view(report.progress, t, chart_prefix=f"r{report.round_id}")
    compasses = compasses_view(report.compasses, t, chart_prefix=f"k{report.round_id}")
    template = templates.env.get_template("report.html")
    return template.render(
        t=t, lang=t.language, report=report, view=view, compasses=compasses, font=FONT_FAMILY
    )


def report_pdf(report: RoundReport, language: str) -> bytes:
    return render_pdf(report_html(report, language))


def filename(report: RoundReport, extension: str) -> str:
    return f"konsensus-{report.case_ref}-runde-{report.round_id}.{extension}".replace("/", "-")
