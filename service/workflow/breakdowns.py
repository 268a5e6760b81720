"""What management figures (ledelsesinformation) can be broken down by, and whose own view
can stand beside the official score: the words of the reports, with no SQL."""

from __future__ import annotations

from enum import StrEnum


class GroupBy(StrEnum):
    MEASURE_CATEGORY = "measure_category"  # its kind in barnets lov (§ 30, § 32, § 46...)
    MEASURE_TYPE = "measure_type"  # foranstaltningens art
    PROVIDER = "provider"  # leverandør
    TEAM = "team"
    AGE_BAND = "age_band"  # the child's age when the round completed
    PROCEDURE = "procedure"  # KL 1, 2 or 3
    PERIOD = "period"  # when the round completed
    NONE = "none"  # the whole scope as one group


class PeriodLength(StrEnum):
    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    YEAR = "year"


class Viewer(StrEnum):
    """Whose own view stands beside the official score."""

    CHILD = "child"  # the child's own scores
    PARENTS = "parents"  # the mother's and the father's
