"""The management reports' words in the reader's language: each group's label as the pages
show it, and the headers, labels, mark and legend of the Excel-shaped CSV, so that a page,
its download and the API's `format=excel` say the same."""

from __future__ import annotations

from service.exports.report_csv import DisagreementWords, Words
from service.rendering.language import Translator
from service.schemas.reports import DisagreementReport, OutcomesReport, OwnViewsReport
from service.usecases.reports.own_views import RELATIONS
from service.workflow.breakdowns import GroupBy, Viewer


def group_label(t: Translator, group_by: GroupBy, key: str, label: str) -> str:
    """A group's name: a code in the catalogue's words, a name as stored, "(none)" if none."""
    if group_by is GroupBy.MEASURE_CATEGORY and key:
        return t(f"reports.category.{key}")
    if group_by is GroupBy.MEASURE_TYPE and key:
        return t(f"measuretype.{key}")
    if group_by is GroupBy.PROCEDURE and key:
        return t(f"reports.procedure.{key}")
    if group_by is GroupBy.PERIOD and label:
        return t.period(label)
    return label or t("reports.unknown_group")


def legend(t: Translator, min_group_size: int) -> str:
    """What the hidden mark means: both reasons, never which one applies."""
    return f"{t('reports.suppressed')} {t('reports.suppressed_legend', k=min_group_size)}"


def outcome_words(t: Translator, report: OutcomesReport) -> Words:
    notes = [legend(t, report.table.min_group_size)]
    if report.groups_overlap:
        notes.append(t("reports.overlap"))
    return Words(
        language=t.language,
        group=t(f"reports.group.{report.group_by.value}"),
        rows=[group_label(t, report.group_by, r.key, r.label) for r in report.table.rows],
        columns=[t(f"outcome.{c}") for c in report.table.columns],
        total=t("reports.total"),
        hidden=t("reports.suppressed"),
        legend=notes,
    )


def own_view_words(t: Translator, report: OwnViewsReport, viewer: Viewer) -> Words:
    view = next(v for v in report.views if v.viewer is viewer)
    return Words(
        language=t.language,
        group=t("reports.factor"),
        rows=[t.name(f) for f in view.factors],
        columns=[t(f"reports.own.{r.value}") for r in RELATIONS],
        total=t("reports.total"),
        hidden=t("reports.suppressed"),
        legend=[legend(t, report.min_group_size)],
        mean=t("reports.own.mean"),
    )


def disagreement_words(t: Translator, report: DisagreementReport) -> DisagreementWords:
    return DisagreementWords(
        table=Words(
            language=t.language,
            group=t("reports.disagreement.role"),
            rows=[t(f"role.{s.role.value}") for s in report.series],
            columns=list(report.table.columns),
            total=t("reports.total"),
            hidden=t("reports.suppressed"),
            legend=[legend(t, report.min_group_size)],
        ),
        role=t("reports.disagreement.role"),
        period=t("reports.period"),
        scores=t("reports.disagreement.compared"),
        mean_distance=t("reports.disagreement.distance"),
        mean_towards_worse=t("reports.disagreement.towards_worse"),
    )
