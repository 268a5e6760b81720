"""Reading the scoring form a person posted: scores, goals and comments per factor, kept as
typed so that a refused form comes back as it was, each error beside its own field."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from pydantic import ValidationError

from service.errors import Unprocessable
from service.rendering.language import Translator
from service.schemas.instruments import FactorPublic, InstrumentForm
from service.schemas.rounds import ScoreEntry, SubmissionPublic
from service.workflow.roles import InformantRole, audiences_for

CANNOT_ASSESS = "na"
MESSAGE_FOR_CODE = {
    "off_scale": "error.off_scale",
    "goal_worse_than_status": "error.goal_worse",
    "incomplete": "error.score_required",
    "unknown_factor": "error.off_scale",
}


@dataclass(frozen=True)
class FieldError:
    """An error beside one field of a factor: `score`, `goal` or `comment`, and its message."""

    field: str
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass
class PostedForm:
    """What was typed, per factor key, and the errors found, per factor."""

    values: dict[str, dict[str, str]] = field(default_factory=dict)
    errors: dict[str, FieldError] = field(default_factory=dict)
    entries: list[ScoreEntry] = field(default_factory=list)


def answered(values: dict[str, dict[str, str]]) -> int:
    """How many factors have a score or "cannot assess"."""
    return sum(1 for v in values.values() if v.get("score"))


@dataclass(frozen=True)
class FactorWords:
    """A factor as one reader reads it: its name (the child's question), a line of help and
    the text of every scale point."""

    name: str
    description: str
    guidance: dict[int, str]

    def text(self, value: int) -> str:
        return self.guidance.get(value, "")


def factor_words(t: Translator, factor: FactorPublic, role: InformantRole | None) -> FactorWords:
    """The words of the most particular audience the role reads that the instrument has (a
    father reads "you and your child" on the factor about the father, the parents' words
    elsewhere); professionals, and any audience the instrument lacks, read its own."""
    en = t.language == "en"
    chosen = (
        [factor.audiences[a] for a in audiences_for(role) if a in factor.audiences] if role else []
    )
    named = chosen[0] if chosen else None
    points = next((w.guidance for w in chosen if w.guidance), None)
    return FactorWords(
        name=(named.name_en if en else named.name_da) if named else t.name(factor),
        description=(named.description_en if en else named.description_da)
        if named
        else t.name(factor, "description"),
        guidance={g.value: g.text_en if en else g.text_da for g in (points or factor.guidance)},
    )


def progress_line(
    t: Translator, done: int, total: int, saved_at: datetime | None, *, time_only: bool = False
) -> str:
    """ "Sidst gemt ... Du har svaret på 5 af 8. 3 områder mangler." (empty before a save)."""
    if saved_at is None:
        return ""
    when = t.time(saved_at) if time_only else t.datetime(saved_at)
    parts = [t("form.last_saved", when=when), t("form.answered", count=done, total=total)]
    if done < total:
        parts.append(t.plural("form.remaining", total - done))
    return " ".join(parts)


def error_items(
    t: Translator,
    factors: list[FactorPublic],
    errors: dict[str, FieldError],
    role: InformantRole | None = None,
) -> list[tuple[str, str]]:
    """The error summary's items, in the form's order: a link to the field, and the text,
    with the factor named as the reader knows it."""
    return [
        (
            f"#{errors[f.key].field}-{f.key}",
            f"{factor_words(t, f, role).name}: {t(errors[f.key].message)}",
        )
        for f in factors
        if f.key in errors
    ]


def values_of(submission: SubmissionPublic | None) -> dict[str, dict[str, str]]:
    """A stored submission, as the form shows it."""
    if submission is None:
        return {}
    return {
        s.factor_key: {
            "score": CANNOT_ASSESS
            if s.cannot_assess
            else ("" if s.score is None else str(s.score)),
            "goal": "" if s.goal is None else str(s.goal),
            "comment": s.comment,
        }
        for s in submission.scores
    }


def _fail(posted: PostedForm, key: str, field_name: str, message: str) -> None:
    posted.errors[key] = FieldError(field_name, message)


def _int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def read(
    form: dict[str, str], instrument: InstrumentForm, only: list[str] | None = None
) -> PostedForm:
    posted = PostedForm()
    for factor in instrument.factors:
        if only is not None and factor.key not in only:
            continue
        score = form.get(f"score-{factor.key}", "").strip()
        goal = form.get(f"goal-{factor.key}", "").strip()
        # A form without a comment box (free_text_per_factor: false) takes no comment.
        comment = form.get(f"comment-{factor.key}", "") if instrument.free_text_per_factor else ""
        posted.values[factor.key] = {"score": score, "goal": goal, "comment": comment}
        if not score and not goal and not comment.strip():
            continue
        try:
            entry = ScoreEntry(
                factor_key=factor.key,
                score=None if score in ("", CANNOT_ASSESS) else _int(score),
                cannot_assess=score == CANNOT_ASSESS,
                goal=None if goal == "" or score == CANNOT_ASSESS else _int(goal),
                comment=comment,
            )
        except ValidationError as exc:
            fields = {str(e["loc"][0]) for e in exc.errors() if e.get("loc")}
            if "comment" in fields:
                _fail(posted, factor.key, "comment", "error.too_long")
            else:
                _fail(
                    posted, factor.key, "goal" if "goal" in fields else "score", "error.off_scale"
                )
            continue
        if score not in ("", CANNOT_ASSESS) and entry.score is None:
            _fail(posted, factor.key, "score", "error.off_scale")
            continue
        if goal and score != CANNOT_ASSESS and entry.goal is None:
            _fail(posted, factor.key, "goal", "error.off_scale")
            continue
        posted.entries.append(entry)
    return posted


def absorb(posted: PostedForm, error: Unprocessable) -> None:
    """Place a refusal from the use case beside the fields it concerns."""
    for item in error.extra.get("errors") or []:
        _fail(
            posted,
            str(item.get("factor_key")),
            "goal" if (item.get("loc") or [""])[-1] == "goal" else "score",
            MESSAGE_FOR_CODE.get(str(item.get("type")), "error.off_scale"),
        )
    for key in error.extra.get("missing") or []:
        _fail(posted, str(key), "score", "error.score_required")
