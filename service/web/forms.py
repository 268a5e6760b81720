"""Reading the scoring form a person posted: scores, goals and comments per factor, kept as
typed so that a refused form comes back as it was."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import ValidationError

from service.errors import Unprocessable
from service.schemas.instruments import InstrumentForm
from service.schemas.rounds import ScoreEntry, SubmissionPublic

CANNOT_ASSESS = "na"
MESSAGE_FOR_CODE = {
    "off_scale": "error.off_scale",
    "goal_worse_than_status": "error.goal_worse",
    "incomplete": "error.score_required",
    "unknown_factor": "error.off_scale",
}


@dataclass
class PostedForm:
    """What was typed, per factor key, and the errors found, as message keys."""

    values: dict[str, dict[str, str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    entries: list[ScoreEntry] = field(default_factory=list)


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
        comment = form.get(f"comment-{factor.key}", "")
        posted.values[factor.key] = {"score": score, "goal": goal, "comment": comment}
        if not score and not goal and not comment.strip():
            continue
        try:
            entry = ScoreEntry(
                factor_key=factor.key,
                score=None if score in ("", CANNOT_ASSESS) else _int(score),
                cannot_assess=score == CANNOT_ASSESS,
                goal=None if goal == "" or score in ("", CANNOT_ASSESS) else _int(goal),
                comment=comment,
            )
        except ValidationError as exc:
            fields = {str(e["loc"][0]) for e in exc.errors() if e.get("loc")}
            posted.errors[factor.key] = (
                "error.too_long" if "comment" in fields else "error.off_scale"
            )
            continue
        if score not in ("", CANNOT_ASSESS) and entry.score is None:
            posted.errors[factor.key] = "error.off_scale"
            continue
        posted.entries.append(entry)
    return posted


def absorb(posted: PostedForm, error: Unprocessable) -> None:
    """Place a refusal from the use case beside the fields it concerns."""
    for item in error.extra.get("errors") or []:
        posted.errors[str(item.get("factor_key"))] = MESSAGE_FOR_CODE.get(
            str(item.get("code")), "error.off_scale"
        )
    for key in error.extra.get("missing") or []:
        posted.errors[str(key)] = "error.score_required"
