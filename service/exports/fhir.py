"""FHIR R4 resources for other systems: the instrument as a Questionnaire, each informant's
submission and the official result as QuestionnaireResponses, and a Provenance of who decided.

Plain dictionaries in FHIR's JSON form, built from the service's own data; the tests validate
them with an independent implementation of the resources.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from service.schemas.instruments import InstrumentForm
from service.schemas.rounds import RoundResult
from service.workflow.roles import InformantRole

NAMESPACE = uuid.UUID("6b1f3a52-2f43-4c1e-9d1e-6a4f1c0b7e21")
SYSTEM = "urn:konsensus"
CANNOT_ASSESS = "cannot-assess"
Resource = dict[str, Any]
PARTICIPANT_TYPES = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
AUTHOR = "author"  # the participant type of who decided


def _uuid(*parts: object) -> str:
    """A stable urn:uuid for one of the service's objects."""
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, '/'.join(map(str, parts)))}"


def _time(value: datetime) -> str:
    return value.isoformat()


def canonical(form: InstrumentForm) -> str:
    return f"{SYSTEM}:instrument:{form.key}"


def _scale_system(form: InstrumentForm) -> str:
    return f"{SYSTEM}:scale:{form.key}:{form.version}"


def questionnaire(form: InstrumentForm) -> Resource:
    """The instrument: a group per factor with the score (the scale's points, with their
    guidance, and 'cannot assess'), the proposed goal and a comment."""
    system = _scale_system(form)
    items = []
    for factor in form.factors:
        guidance = {g.value: g.text_da for g in factor.guidance}
        points = [
            {"valueCoding": {"system": system, "code": str(v), "display": guidance.get(v, str(v))}}
            for v in range(form.scale.min, form.scale.max + 1)
        ]
        items.append(
            {
                "linkId": factor.key,
                "text": factor.name_da,
                "type": "group",
                "item": [
                    {
                        "linkId": f"{factor.key}.score",
                        "text": "Status",
                        "type": "choice",
                        "answerOption": [
                            *points,
                            {
                                "valueCoding": {
                                    "system": f"{SYSTEM}:answer",
                                    "code": CANNOT_ASSESS,
                                    "display": "Kan ikke vurdere",
                                }
                            },
                        ],
                    },
                    {
                        "linkId": f"{factor.key}.goal",
                        "text": "Mål",
                        "type": "choice",
                        "answerOption": points,
                    },
                    {"linkId": f"{factor.key}.comment", "text": "Kommentar", "type": "text"},
                ],
            }
        )
    return {
        "resourceType": "Questionnaire",
        "id": f"instrument-{form.id}",
        "url": canonical(form),
        "version": str(form.version),
        "name": "".join(part.title() for part in form.key.replace("_", "-").split("-")) or "Form",
        "title": form.name_da,
        "status": "active",
        "language": "da",
        "description": form.description_da or form.name_da,
        "item": items,
    }


@dataclass(frozen=True, slots=True)
class Answer:
    factor_key: str
    score: int | None  # None: cannot assess
    goal: int | None
    comment: str


@dataclass(frozen=True, slots=True)
class SubmissionRef:
    submission_id: int
    informant_name: str
    role: InformantRole
    submitted_at: datetime
    on_behalf: bool
    answers: Sequence[Answer]


@dataclass(frozen=True, slots=True)
class RoundRef:
    round_id: int
    child: str
    case_ref: str
    caseworker: str
    completed_at: datetime


def _subject(rnd: RoundRef) -> Resource:
    return {
        "identifier": {"system": f"{SYSTEM}:case", "value": rnd.case_ref},
        "display": rnd.child,
    }


def _coding(form: InstrumentForm, value: int) -> Resource:
    return {"valueCoding": {"system": _scale_system(form), "code": str(value)}}


def _group(form: InstrumentForm, answer: Answer, extra: Sequence[Resource] = ()) -> Resource:
    items: list[Resource] = []
    if answer.score is None:
        score: Resource = {"valueCoding": {"system": f"{SYSTEM}:answer", "code": CANNOT_ASSESS}}
    else:
        score = _coding(form, answer.score)
    items.append({"linkId": f"{answer.factor_key}.score", "answer": [score]})
    if answer.goal is not None:
        items.append(
            {"linkId": f"{answer.factor_key}.goal", "answer": [_coding(form, answer.goal)]}
        )
    if answer.comment:
        items.append(
            {"linkId": f"{answer.factor_key}.comment", "answer": [{"valueString": answer.comment}]}
        )
    return {"linkId": answer.factor_key, "item": [*items, *extra]}


def submission_response(form: InstrumentForm, rnd: RoundRef, sub: SubmissionRef) -> Resource:
    response: Resource = {
        "resourceType": "QuestionnaireResponse",
        "id": f"submission-{sub.submission_id}",
        "questionnaire": f"{canonical(form)}|{form.version}",
        "status": "completed",
        "subject": _subject(rnd),
        "authored": _time(sub.submitted_at),
        "author": {"display": f"{sub.informant_name} ({sub.role.value})"},
        "item": [_group(form, a) for a in sub.answers],
    }
    if sub.on_behalf:
        response["source"] = {"display": f"{rnd.caseworker} (entered on behalf)"}
    return response


def official_response(form: InstrumentForm, rnd: RoundRef, result: RoundResult) -> Resource:
    """The official score and goal per factor, with its outcome as a coded answer."""
    groups = []
    for factor in result.factors:
        if factor.official is None:
            continue
        extra = []
        if factor.outcome is not None and factor.outcome.outcome is not None:
            extra.append(
                {
                    "linkId": f"{factor.factor_key}.outcome",
                    "text": "Målopfyldelse",
                    "answer": [
                        {
                            "valueCoding": {
                                "system": f"{SYSTEM}:outcome",
                                "code": factor.outcome.outcome.value,
                            }
                        }
                    ],
                }
            )
        official = factor.official
        comment = official.rationale or official.not_assessed_reason
        answer = Answer(factor.factor_key, official.score, official.goal, comment)
        groups.append(_group(form, answer, extra))
    return {
        "resourceType": "QuestionnaireResponse",
        "id": f"round-{rnd.round_id}-official",
        "questionnaire": f"{canonical(form)}|{form.version}",
        "status": "completed",
        "subject": _subject(rnd),
        "authored": _time(rnd.completed_at),
        "author": {"display": rnd.caseworker},
        "item": groups,
    }


def decision_provenance(rnd: RoundRef, official_url: str, sources: Sequence[str]) -> Resource:
    """Who decided the official result (the caseworker's final say), from which submissions."""
    return {
        "resourceType": "Provenance",
        "id": f"round-{rnd.round_id}-decision",
        "target": [{"reference": official_url}],
        "recorded": _time(rnd.completed_at),
        "activity": {"text": "Official score and goal set; the caseworker decides"},
        "agent": [
            {
                "type": {
                    "coding": [
                        {
                            "system": PARTICIPANT_TYPES,
                            "code": AUTHOR,
                        }
                    ]
                },
                "who": {"display": rnd.caseworker},
            }
        ],
        "entity": [{"role": "source", "what": {"reference": url}} for url in sources],
    }


def round_bundle(
    form: InstrumentForm, rnd: RoundRef, submissions: Sequence[SubmissionRef], result: RoundResult
) -> Resource:
    """A collection Bundle: every submission, the official result and who decided it."""
    entries: list[Resource] = []
    sources = []
    for sub in submissions:
        url = _uuid("submission", sub.submission_id)
        sources.append(url)
        entries.append({"fullUrl": url, "resource": submission_response(form, rnd, sub)})
    official_url = _uuid("round", rnd.round_id, "official")
    entries.append({"fullUrl": official_url, "resource": official_response(form, rnd, result)})
    entries.append(
        {
            "fullUrl": _uuid("round", rnd.round_id, "decision"),
            "resource": decision_provenance(rnd, official_url, sources),
        }
    )
    return {
        "resourceType": "Bundle",
        "id": f"round-{rnd.round_id}",
        "type": "collection",
        "timestamp": _time(rnd.completed_at),
        "entry": entries,
    }
