"""Calibration on shared cases (kalibrering): a written vignette of a fictitious child in the
terms of one instrument version, with the municipality's reference score and rationale per
factor; exercises in which invited staff score the vignette independently by a closing date;
and their answers, one score (or "cannot assess") and comment per factor.

Nothing here is about a real child: no row lies under a case. Every table is the
municipality's, keyed (municipality_id, id), its references composite.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field

from service.models.base import UTCDateTime, utcnow
from service.models.tenancy import TenantOwned, tenant_index, tenant_key, tenant_reference


def _ts(*, nullable: bool = True) -> Column[datetime]:
    return Column(UTCDateTime, nullable=nullable)


class CalibrationVignette(TenantOwned, table=True):
    """A fictitious child's situation, written for staff to score (vignet)."""

    __tablename__ = "calibration_vignette"
    __table_args__ = (
        tenant_key(),
        tenant_reference("created_by_id", "staff_user"),
        tenant_index("ix_calibration_vignette_instrument_id", "instrument_id"),
    )

    instrument_id: int = Field(foreign_key="instrument.id")
    title: str = Field(max_length=200)
    story: str = Field(max_length=8000, description="The vignette itself, as staff read it")
    created_by_id: int | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))


class CalibrationReference(TenantOwned, table=True):
    """The municipality's reference score of one factor of a vignette, and why."""

    __tablename__ = "calibration_reference"
    __table_args__ = (
        tenant_key(),
        tenant_reference("vignette_id", "calibration_vignette", ondelete="CASCADE"),
        tenant_index(
            "ix_calibration_reference_vignette_factor", "vignette_id", "factor_id", unique=True
        ),
    )

    vignette_id: int
    factor_id: int = Field(foreign_key="instrument_factor.id")
    value: int | None = Field(default=None, description="None: cannot be assessed from the text")
    rationale: str = Field(default="", max_length=2000)


class CalibrationExercise(TenantOwned, table=True):
    """One scoring of a vignette by a group of staff, open until its closing time."""

    __tablename__ = "calibration_exercise"
    __table_args__ = (
        tenant_key(),
        tenant_reference("vignette_id", "calibration_vignette", ondelete="CASCADE"),
        tenant_reference("team_id", "team"),
        tenant_reference("opened_by_id", "staff_user"),
        tenant_index("ix_calibration_exercise_vignette_id", "vignette_id"),
        tenant_index("ix_calibration_exercise_team_id", "team_id"),
    )

    vignette_id: int
    title: str = Field(max_length=200)
    team_id: int | None = None
    closes_at: datetime = Field(sa_column=_ts(nullable=False))
    closed_at: datetime | None = Field(default=None, sa_column=_ts())
    opened_by_id: int | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts(nullable=False))


class CalibrationAnswer(TenantOwned, table=True):
    """One invited person's part in an exercise: invited, then submitted."""

    __tablename__ = "calibration_answer"
    __table_args__ = (
        tenant_key(),
        tenant_reference("exercise_id", "calibration_exercise", ondelete="CASCADE"),
        tenant_reference("staff_user_id", "staff_user", ondelete="CASCADE"),
        tenant_index(
            "ix_calibration_answer_exercise_staff", "exercise_id", "staff_user_id", unique=True
        ),
        tenant_index("ix_calibration_answer_staff_user_id", "staff_user_id"),
    )

    exercise_id: int
    staff_user_id: int
    submitted_at: datetime | None = Field(default=None, sa_column=_ts())


class CalibrationScore(TenantOwned, table=True):
    """One factor of a submitted answer: a score on the scale or "cannot assess", and a comment."""

    __tablename__ = "calibration_score"
    __table_args__ = (
        tenant_key(),
        tenant_reference("answer_id", "calibration_answer", ondelete="CASCADE"),
        tenant_index("ix_calibration_score_answer_factor", "answer_id", "factor_id", unique=True),
    )

    answer_id: int
    factor_id: int = Field(foreign_key="instrument_factor.id")
    value: int | None = Field(default=None, description="None: cannot assess")
    comment: str = Field(default="", max_length=2000)
