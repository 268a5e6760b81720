"""The baseline: a bare FastAPI endpoint that does only the inserts of one submission (one
submission row and its factor scores) in one transaction, on the same engine set-up."""

from __future__ import annotations

import os

from fastapi import FastAPI
from pydantic import BaseModel
from sqlalchemy import insert

from service.db import make_engine, new_session
from service.models.base import utcnow
from service.models.round import Submission, SubmissionScore, SubmissionStatus

engine = make_engine(os.environ["KONSENSUS_DATABASE_URL"])
app = FastAPI()


class Body(BaseModel):
    municipality_id: int
    round_id: int
    informant_id: int
    factor_ids: list[int]
    scores: list[int]


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/submit")
def submit(body: Body) -> dict[str, int]:
    with new_session(engine, write=True) as session:
        submission = Submission(
            municipality_id=body.municipality_id,
            round_id=body.round_id,
            informant_id=body.informant_id,
            status=SubmissionStatus.SUBMITTED,
            submitted_at=utcnow(),
        )
        session.add(submission)
        session.flush()
        session.execute(
            insert(SubmissionScore),
            [
                {
                    "municipality_id": body.municipality_id,
                    "submission_id": submission.id,
                    "factor_id": factor_id,
                    "score": score,
                    "cannot_assess": False,
                    "comment": "",
                }
                for factor_id, score in zip(body.factor_ids, body.scores, strict=True)
            ],
        )
        session.commit()
        return {"id": submission.id or 0}
