"""One round from start to finish through the generated client (`make client`).

The caseworker (sagsbehandler) logs in, opens a case and a round on the municipality's
procedure (KL 1 here: independent scores, consensus meeting, family dialogue), the informants
score, the caseworker sets the official scores and moves the round on to completed, and the
case system reads the result with its own client credentials.

Runs as it is against the demo (`make run`), with build/client on the PYTHONPATH; point it
elsewhere with KONSENSUS_URL, KONSENSUS_CASEWORKER(_PASSWORD), KONSENSUS_CLIENT_ID and
KONSENSUS_CLIENT_SECRET. tests/contract/test_generated_client.py runs it against a live
service.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from konsensus_client import AuthenticatedClient, Client
from konsensus_client.api.auth import issue_token
from konsensus_client.api.cases import create_case
from konsensus_client.api.instruments import get_instrument, list_instruments
from konsensus_client.api.personal_links import submit_link_scores
from konsensus_client.api.rounds import (
    add_informant,
    get_attendance,
    get_round,
    get_round_result,
    issue_link,
    list_informants,
    open_round,
    record_attendance,
    record_not_heard,
    set_official_scores,
    submit_on_behalf,
    transition_round,
)
from konsensus_client.models import (
    AttendancesPublic,
    AttendanceWrite,
    BodyIssueToken,
    CaseCreateType1,
    CasePublic,
    ConsensusView,
    FamilyVoicesPublic,
    Gathering,
    InformantCreate,
    InformantPublic,
    InformantRole,
    InformantsPublic,
    InstrumentPublic,
    InstrumentsPublic,
    LinkIssued,
    LinkRequest,
    LinkSubmissionPublic,
    NotHeardReason,
    NotHeardWrite,
    OfficialScoresWrite,
    OfficialScoreWrite,
    OnBehalfWrite,
    Problem,
    RoundCreate,
    RoundEvent,
    RoundPublic,
    RoundResult,
    RoundState,
    ScoreEntry,
    ScoresWrite,
    TokenResponse,
    TransitionRequest,
)

T = TypeVar("T")

BASE = os.environ.get("KONSENSUS_URL", "http://127.0.0.1:8000")
CASEWORKER = os.environ.get("KONSENSUS_CASEWORKER", "sagsbehandler@demo.konsensus.dk")
CASEWORKER_PASSWORD = os.environ.get("KONSENSUS_CASEWORKER_PASSWORD", "demo-sagsbehandler")
CLIENT_ID = os.environ.get("KONSENSUS_CLIENT_ID", "demo-dubu")
CLIENT_SECRET = os.environ.get("KONSENSUS_CLIENT_SECRET", "demo-dubu-client-secret")
#: KL's form for children and families: ten factors on a 1-5 scale, 1 = no problems.
INSTRUMENT = "kl-boern-familie"
#: What the meeting agrees on for every factor: the official score, and the goal.
OFFICIAL = (3, 2)


# --8<-- [start:problem]
class ProblemError(Exception):
    """The service refused the request: its RFC 9457 problem, with the stable `code`."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(f"{problem.status} {problem.code}: {problem.title}")
        self.problem = problem


def expect(parsed: T | Problem | None, kind: type[T]) -> T:
    """The parsed body when the service said yes; its problem raised when it said no."""
    if isinstance(parsed, Problem):
        raise ProblemError(parsed)
    if not isinstance(parsed, kind):
        raise TypeError(f"expected {kind.__name__}, got {parsed!r}")
    return parsed


# --8<-- [end:problem]


def new_key() -> str:
    """An Idempotency-Key: a POST retried with the same key is done once."""
    return str(uuid.uuid4())


# --8<-- [start:log-in]
def log_in_staff(base_url: str, username: str, password: str) -> AuthenticatedClient:
    """The OAuth2 password grant, for a member of staff."""
    form = BodyIssueToken(grant_type="password", username=username, password=password)
    return _authenticated(base_url, form)


def log_in_case_system(base_url: str, client_id: str, client_secret: str) -> AuthenticatedClient:
    """The OAuth2 client credentials grant, for a case system (an integrator client)."""
    form = BodyIssueToken(
        grant_type="client_credentials", client_id=client_id, client_secret=client_secret
    )
    return _authenticated(base_url, form)


def _authenticated(base_url: str, form: BodyIssueToken) -> AuthenticatedClient:
    with Client(base_url=base_url) as anonymous:
        token = expect(issue_token.sync(client=anonymous, body=form), TokenResponse)
    return AuthenticatedClient(base_url=base_url, token=token.access_token)


# --8<-- [end:log-in]


def instrument(api: AuthenticatedClient, key: str = INSTRUMENT) -> InstrumentPublic:
    """The newest version of an instrument in use, with its factors in order."""
    listing = expect(list_instruments.sync(client=api, in_use=True, limit=200), InstrumentsPublic)
    newest = max(i.id for i in listing.items if i.key == key)
    return expect(get_instrument.sync(newest, client=api), InstrumentPublic)


def open_case(api: AuthenticatedClient, external_ref: str, display_name: str) -> CasePublic:
    """A child's case, keyed by the case system's own reference.

    CaseCreate says "birth_date or birth_year" with a top-level anyOf, which the generator
    turns into one model per branch that keeps only that branch's field: the case's other
    fields go in as additional properties.
    """
    body = CaseCreateType1(birth_year=datetime.now(UTC).year - 9)
    body["external_ref"] = external_ref
    body["display_name"] = display_name
    return expect(create_case.sync(client=api, body=body, idempotency_key=new_key()), CasePublic)


def open_scoring_round(api: AuthenticatedClient, case_id: int, instrument_id: int) -> RoundPublic:
    """A round whose independent scores are due in two weeks, with the meeting after it."""
    now = datetime.now(UTC)
    body = RoundCreate(
        instrument_id=instrument_id,
        due_at=now + timedelta(days=14),
        meeting_at=now + timedelta(days=16),
    )
    return expect(
        open_round.sync(case_id, client=api, body=body, idempotency_key=new_key()), RoundPublic
    )


def informants(api: AuthenticatedClient, round_id: int) -> list[InformantPublic]:
    """Everyone in the round; the caseworker is the first."""
    return expect(list_informants.sync(round_id, client=api), InformantsPublic).items


def invite(
    api: AuthenticatedClient, round_id: int, role: InformantRole, name: str, email: str
) -> InformantPublic:
    body = InformantCreate(role=role, name=name, email=email)
    return expect(
        add_informant.sync(round_id, client=api, body=body, idempotency_key=new_key()),
        InformantPublic,
    )


def scores(factors: Sequence[str], values: Sequence[int | None]) -> list[ScoreEntry]:
    """One entry per factor in order; None is 'cannot assess' (kan ikke vurderes)."""
    return [
        ScoreEntry(factor_key=key, cannot_assess=True)
        if value is None
        else ScoreEntry(factor_key=key, score=value)
        for key, value in zip(factors, values, strict=True)
    ]


def submit_through_link(
    api: AuthenticatedClient,
    base_url: str,
    round_id: int,
    informant_id: int,
    entries: list[ScoreEntry],
) -> LinkSubmissionPublic:
    """The informant's personal link: issued by the caseworker, used with no login at all."""
    # The body is optional (the link lasts until the due date and the grace period), but
    # the generated function cannot leave it out: it sends an empty one instead.
    link = expect(
        issue_link.sync(
            round_id, informant_id, client=api, body=LinkRequest(), idempotency_key=new_key()
        ),
        LinkIssued,
    )
    with Client(base_url=base_url) as informant:
        return expect(
            submit_link_scores.sync(link.token, client=informant, body=ScoresWrite(scores=entries)),
            LinkSubmissionPublic,
        )


def submit_for(
    api: AuthenticatedClient, round_id: int, informant_id: int, entries: list[ScoreEntry]
) -> InformantPublic:
    """The caseworker's own scores, or an informant's entered with them (final at once)."""
    body = OnBehalfWrite(scores=entries, submit=True)
    return expect(
        submit_on_behalf.sync(
            round_id, informant_id, client=api, body=body, idempotency_key=new_key()
        ),
        InformantPublic,
    )


def set_official(
    api: AuthenticatedClient, round_id: int, official: Mapping[str, tuple[int, int]]
) -> ConsensusView:
    """The official score and goal per factor, agreed at the consensus meeting."""
    body = OfficialScoresWrite(
        scores=[
            OfficialScoreWrite(
                factor_key=key, score=score, goal=goal, rationale="Drøftet på mødet."
            )
            for key, (score, goal) in official.items()
        ]
    )
    return expect(set_official_scores.sync(round_id, client=api, body=body), ConsensusView)


def everyone_came(api: AuthenticatedClient, round_id: int) -> AttendancesPublic:
    """Who came to the meeting: the meeting does not end while anyone expected there is not
    recorded as present or absent."""
    expected = expect(
        get_attendance.sync(round_id, Gathering.MEETING, client=api), AttendancesPublic
    )
    body = AttendanceWrite(
        gathering=Gathering.MEETING, present=[a.informant_id for a in expected.items]
    )
    return expect(record_attendance.sync(round_id, client=api, body=body), AttendancesPublic)


def child_not_heard(api: AuthenticatedClient, round_id: int, how: str) -> FamilyVoicesPublic:
    """The child is owed a voice in every round (barnets lov § 5); where it does not score,
    the caseworker records why, and how its views were found out instead."""
    body = NotHeardWrite(role=InformantRole.CHILD, reason=NotHeardReason.AGE_OR_MATURITY, note=how)
    return expect(record_not_heard.sync(round_id, client=api, body=body), FamilyVoicesPublic)


def fire(
    api: AuthenticatedClient, round_id: int, event: RoundEvent, reason: str | None = None
) -> RoundPublic:
    """Move the round on by one event of its procedure."""
    body = TransitionRequest(event=event, reason=reason)
    return expect(
        transition_round.sync(round_id, client=api, body=body, idempotency_key=new_key()),
        RoundPublic,
    )


def current(api: AuthenticatedClient, round_id: int) -> RoundPublic:
    return expect(get_round.sync(round_id, client=api), RoundPublic)


def result(api: AuthenticatedClient, round_id: int) -> RoundResult:
    """The completed round: official scores, disagreements, outcomes, the next due date."""
    return expect(get_round_result.sync(round_id, client=api), RoundResult)


# --8<-- [start:round]
def run_round(
    base_url: str, staff: tuple[str, str], case_system: tuple[str, str], external_ref: str
) -> RoundResult:
    """A first round on KL 1, from the case to the result, as the caseworker and then the
    case system. Every call below is one operation of the API contract."""
    with log_in_staff(base_url, *staff) as api:
        form = instrument(api)
        factors = [f.key for f in sorted(form.factors, key=lambda f: f.position)]
        official, _ = OFFICIAL
        case = open_case(api, external_ref, "Emma")
        rnd = open_scoring_round(api, case.id, form.id)
        caseworker = informants(api, rnd.id)[0]
        school = invite(api, rnd.id, InformantRole.SCHOOL, "Lærer Ane", "ane@skole.example.dk")
        mother = invite(api, rnd.id, InformantRole.MOTHER, "Mor Mette", "mette@example.dk")

        # The independent step: the school through its link, the caseworker their own scores.
        # When everyone in it has submitted, the round moves on to the consensus meeting.
        school_sees = [official + 1, *[official] * (len(factors) - 1)]
        submit_through_link(api, base_url, rnd.id, school.id, scores(factors, school_sees))
        submit_for(api, rnd.id, caseworker.id, scores(factors, [official] * len(factors)))
        if current(api, rnd.id).state != RoundState.CONSENSUS:
            fire(api, rnd.id, RoundEvent.CLOSE_COLLECTION)  # where the municipality closes by hand

        # The meeting agrees on the official scores and records who came; on KL 1 the family
        # dialogue follows, where the mother's scores are entered with her.
        set_official(api, rnd.id, dict.fromkeys(factors, OFFICIAL))
        everyone_came(api, rnd.id)
        fire(api, rnd.id, RoundEvent.FINISH_CONSENSUS)
        mother_sees = [official - 1, None, *[official] * (len(factors) - 2)]
        submit_for(api, rnd.id, mother.id, scores(factors, mother_sees))
        # Emma is two: her views are found out by seeing her, not by a form.
        child_not_heard(api, rnd.id, "Emma er to år; set i vuggestuen og hjemme sammen med mor.")
        fire(api, rnd.id, RoundEvent.FINISH_FAMILY_DIALOGUE)

    # The case system reads what was decided, with its own credentials.
    with log_in_case_system(base_url, *case_system) as case_system_api:
        return result(case_system_api, rnd.id)


# --8<-- [end:round]


def main() -> None:
    done = run_round(
        BASE,
        (CASEWORKER, CASEWORKER_PASSWORD),
        (CLIENT_ID, CLIENT_SECRET),
        f"DUBU-{uuid.uuid4().hex[:8]}",
    )
    print(f"round {done.round_id}: {done.procedure} {done.variant}, {done.state}")
    for factor in done.factors:
        decided = factor.official
        agreed = f"{decided.score} (goal {decided.goal})" if decided else "not set"
        differ = ", ".join(f"{d.informant_name} {d.informant_score}" for d in factor.disagreements)
        print(f"{factor.factor_key}: {agreed}; scored otherwise: {differ or 'nobody'}")
    print(f"next round due {done.next_due_on}")


if __name__ == "__main__":
    main()
