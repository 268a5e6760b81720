"""The short session forms in the reader's words: the service's own outcome and alliance
forms, item by item, from the message catalogues, or the municipality's own version in the
words it loaded; and the child's series as the pages draw
it (chart and table) and as the meeting page sums it up."""

from __future__ import annotations

from dataclasses import dataclass

from service.charts.sessions import SessionChartTexts, session_chart
from service.models.session_form import SessionFormVersion
from service.rendering.language import Translator
from service.schemas.sessions import (
    FormItemPublic,
    SessionFormPublic,
    SessionLinkFormPublic,
    SessionSeriesPublic,
)
from service.workflow.sessions import (
    HIGHEST,
    ITEMS,
    LOWEST,
    USUAL_TIMING,
    LinkHolder,
    SeriesSummary,
    SessionForm,
)


def form_public(
    t: Translator, form: SessionForm, version: SessionFormVersion | None = None
) -> SessionFormPublic:
    """The form as its holder reads it: from the version the link was made with, or the
    shipped form (None)."""
    if version is not None:
        return _own_form(t, form, version)
    return SessionFormPublic(
        form=form,
        timing=USUAL_TIMING[form],
        title=t(f"sessions.{form.value}.title"),
        intro=t(f"sessions.{form.value}.intro"),
        items=[
            FormItemPublic(item=item, text=t(f"sessions.{form.value}.{item}"))
            for item in ITEMS[form]
        ],
        lowest=LOWEST,
        highest=HIGHEST,
        lowest_text=t(f"sessions.{form.value}.lowest"),
        highest_text=t(f"sessions.{form.value}.highest"),
    )


def _own_form(t: Translator, form: SessionForm, version: SessionFormVersion) -> SessionFormPublic:
    loaded = version.forms[form.value]

    def words(text: dict[str, str]) -> str:
        return text[t.language]

    lowest, highest = int(loaded["lowest"]), int(loaded["highest"])
    return SessionFormPublic(
        form=form,
        timing=USUAL_TIMING[form],
        title=words(loaded["title"]),
        intro=t(
            "sessions.own_intro",
            lowest=lowest,
            lowest_text=words(loaded["lowest_text"]),
            highest=highest,
            highest_text=words(loaded["highest_text"]),
        ),
        items=[
            FormItemPublic(item=item["key"], text=words(item["text"])) for item in loaded["items"]
        ],
        lowest=lowest,
        highest=highest,
        lowest_text=words(loaded["lowest_text"]),
        highest_text=words(loaded["highest_text"]),
    )


def link_form(
    t: Translator, child: str, holder: LinkHolder, version: SessionFormVersion | None = None
) -> SessionLinkFormPublic:
    return SessionLinkFormPublic(
        child=child,
        holder=holder,
        who_sees=t("sessions.who_sees", child=child),
        forms=[form_public(t, form, version) for form in SessionForm],
    )


@dataclass(frozen=True, slots=True)
class SessionRow:
    day: str
    outcome: str
    alliance: str


@dataclass(frozen=True, slots=True)
class SeriesView:
    """The series as a page draws it: the chart, the same figures as a table, the trends."""

    svg: str
    rows: list[SessionRow]
    outcome_trend: str
    alliance_trend: str


def series_view(t: Translator, series: SessionSeriesPublic) -> SeriesView | None:
    """None when nothing has been answered yet."""
    if not series.points:
        return None
    days = [t.short_date(p.session_date) for p in series.points]
    svg = session_chart(
        f"sessions-{series.case_id}",
        [p.outcome for p in series.points],
        [p.alliance for p in series.points],
        SessionChartTexts(
            title=t("sessions.chart_title", child=series.child),
            outcome=t("sessions.outcome_line"),
            alliance=t("sessions.alliance_line"),
            days=days,
        ),
    )
    return SeriesView(
        svg=svg,
        rows=[
            SessionRow(day, _score(t, p.outcome), _score(t, p.alliance))
            for day, p in zip(days, series.points, strict=True)
        ],
        outcome_trend=t(f"sessions.trend.{series.outcome_trend.value}"),
        alliance_trend=t(f"sessions.trend.{series.alliance_trend.value}"),
    )


def _score(t: Translator, value: float | None) -> str:
    return "" if value is None else t.number(value, 1)


@dataclass(frozen=True, slots=True)
class MeetingSessions:
    """The meeting page's few lines on the sessions since the last round."""

    count: str
    outcome: str | None
    alliance: str | None


def meeting_lines(t: Translator, summary: SeriesSummary) -> MeetingSessions | None:
    if not summary.sessions:
        return None
    outcome = (
        t(
            "sessions.meeting_outcome",
            first=t.number(summary.outcome_first, 1),
            last=t.number(summary.outcome_last, 1),
            trend=t(f"sessions.trend.{summary.outcome_trend.value}"),
        )
        if summary.outcome_first is not None and summary.outcome_last is not None
        else None
    )
    alliance = (
        t(
            "sessions.meeting_alliance",
            last=t.number(summary.alliance_last, 1),
            trend=t(f"sessions.trend.{summary.alliance_trend.value}"),
        )
        if summary.alliance_last is not None
        else None
    )
    return MeetingSessions(
        count=t.plural("sessions.meeting_count", summary.sessions),
        outcome=outcome,
        alliance=alliance,
    )
