"""The people of a busy day at a municipality, for Locust (started by `bench.bench_load`).

Each kind of user keeps its own pace (`constant_throughput`), so that together they make the
hour `bench.load.rates.busy_hour` derives, times the run's factor. What they need (links,
cases, logins, the case system's credentials) is in the fixture `bench_load` wrote
(KONSENSUS_LOAD_FIXTURE); what the service acknowledged, every request and every retry goes
to a ledger of JSON lines (KONSENSUS_LOAD_LEDGER), which `bench_load` checks against the
database afterwards.

A write that gets no answer (the instance behind the balancer died, 502) is tried again, as
a careful client would: an API write with the same `Idempotency-Key`, an informant's form as
it was (the service answers 409 if the first had gone through, which the ledger records as
acknowledged once the form says so).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from locust import FastHttpUser, constant_throughput, events, task
from locust.contrib.fasthttp import FastResponse

from bench.load.rates import USERS, busy_hour

FIXTURE: dict[str, Any] = json.loads(Path(os.environ["KONSENSUS_LOAD_FIXTURE"]).read_text())
FACTOR = float(os.environ.get("KONSENSUS_LOAD_FACTOR", "10"))
HOUR = busy_hour().scaled(FACTOR)
#: Line-buffered, open for the life of the process: every greenlet writes whole lines to it.
LEDGER = open(os.environ["KONSENSUS_LOAD_LEDGER"], "a", buffering=1)  # noqa: SIM115
RETRIES = 6
#: What a write waits before it tries again: long enough for the balancer to see the dead
#: instance (two failed checks, half a second apart).
RETRY_PAUSE = 0.5
UNANSWERED = {0, 502, 503, 504}

_SCORE = re.compile(r'name="score-([a-z0-9_\-]+)"[^>]*value="(-?\d+)"')
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def note(**fields: Any) -> None:
    LEDGER.write(json.dumps(fields) + "\n")


def _every_request(
    request_type: str,
    name: str,
    response_time: float,
    response_length: int,
    exception: Exception | None = None,
    start_time: float | None = None,
    response: Any = None,
    **_: Any,
) -> None:
    status = getattr(response, "status_code", 0) or 0
    note(
        request=name,
        start=start_time,
        ms=response_time,
        status=status,
        failed=exception is not None,
        **({"error": str(exception)[:300]} if exception is not None else {}),
    )


events.request.add_listener(_every_request)  # type: ignore[no-untyped-call]


def per_user(hourly: float, users: int) -> float:
    """Each user's pace (tasks a second) for `users` users to make `hourly` together."""
    return hourly / 3600 / users


def pool(items: list[Any]) -> Iterator[Any]:
    """Hands each item out once, across every user of the process (greenlets: no lock)."""
    return iter(items)


def cycle(items: list[Any]) -> Iterator[Any]:
    return itertools.cycle(items)


LINKS = pool(FIXTURE["links"])
CASES_TO_OPEN = pool(FIXTURE["cases_to_open"])
CASEWORKERS = cycle(FIXTURE["caseworkers"])
LEADERS = cycle(FIXTURE["leaders"])
MEETINGS = cycle(FIXTURE["meetings"])


class Careful(FastHttpUser):
    """A client that tries a write again when it got no answer."""

    abstract = True

    def write(
        self,
        method: str,
        path: str,
        name: str,
        *,
        ok: Callable[[FastResponse], bool],
        **kwargs: Any,
    ) -> FastResponse | None:
        """Send, and again (up to RETRIES times, the same body and headers) while there is
        no answer; returns the answer that counted, or None."""
        for attempt in range(RETRIES):
            with self.client.request(
                method, path, name=name, catch_response=True, **kwargs
            ) as response:
                if response.status_code in UNANSWERED:
                    response.failure(f"no answer ({response.status_code})")
                    note(retry=name, attempt=attempt, status=response.status_code)
                    time.sleep(RETRY_PAUSE)  # gevent's, as Locust patched it
                    continue
                if response.status_code == 409 and "idempotency_in_progress" in response.text:
                    response.success()  # the first attempt is still running: wait for it
                    time.sleep(RETRY_PAUSE)  # gevent's, as Locust patched it
                    continue
                if ok(response):
                    response.success()
                    if attempt:
                        note(recovered=name, attempts=attempt + 1)
                    answer: FastResponse = response
                    return answer
                response.failure(f"{response.status_code}: {response.text[:200]}")
                return None
        note(gave_up=name)
        return None


class Informant(Careful):
    """Opens the personal link from the invitation, saves a draft, and submits."""

    fixed_count = USERS["Informant"]
    wait_time = constant_throughput(per_user(HOUR.submissions, fixed_count))

    @task
    def answer(self) -> None:
        token = next(LINKS, None)
        if token is None:
            return
        page = self.client.get(f"/l/{token}", name="GET /l/[token]")
        scores = _SCORE.findall(page.text or "")
        csrf = _CSRF.search(page.text or "")
        if page.status_code != 200 or not scores or csrf is None:
            return
        values: dict[str, list[int]] = {}
        for key, value in scores:
            values.setdefault(key, []).append(int(value))
        form = {"csrf": csrf.group(1)}
        for key, allowed in values.items():
            score = random.choice(allowed)
            form[f"score-{key}"] = str(score)
            form[f"goal-{key}"] = str(min(allowed) if score == min(allowed) else score - 1)
        draft = form | {"action": "draft"}
        self.write("POST", f"/l/{token}", "POST /l/[token] draft", ok=_saved, data=draft)
        answer = self.write(
            "POST",
            f"/l/{token}",
            "POST /l/[token] submit",
            ok=lambda r: _saved(r) or r.status_code == 409,
            data=form | {"action": "submit"},
        )
        if answer is None:
            return
        if answer.status_code == 409:  # submitted before: a retry after a lost answer
            again = self.client.get(f"/l/{token}", name="GET /l/[token]")
            if "submitted" not in (again.text or "") and again.status_code != 200:
                return
        note(ack="submission", token=token)


def _saved(response: FastResponse) -> bool:
    return response.status_code in (200, 303)


class Staff(Careful):
    abstract = True
    account: dict[str, Any]
    bearer: dict[str, str]

    def on_start(self) -> None:
        self.account = next(self.accounts())
        login = self.client.get("/login", name="GET /login")
        csrf = _CSRF.search(login.text or "")
        self.client.post(
            "/login",
            name="POST /login",
            data={
                "csrf": csrf.group(1) if csrf else "",
                "username": self.account["username"],
                "password": self.account["password"],
                "next": "/cases",
            },
        )
        token = self.client.post(
            "/api/v1/auth/token",
            name="POST /api/v1/auth/token",
            data={
                "grant_type": "password",
                "username": self.account["username"],
                "password": self.account["password"],
            },
        )
        self.bearer = {"Authorization": f"Bearer {token.json()['access_token']}"}

    def accounts(self) -> Iterator[dict[str, Any]]:
        return CASEWORKERS


class Caseworker(Staff):
    """Looks at the cases, a case and a round, on the pages."""

    fixed_count = USERS["Caseworker"]
    wait_time = constant_throughput(per_user(HOUR.case_views, fixed_count))

    @task(2)
    def cases(self) -> None:
        self.client.get("/cases", name="GET /cases")

    @task(2)
    def case(self) -> None:
        self.client.get(f"/cases/{random.choice(self.account['cases'])}", name="GET /cases/[id]")

    @task(1)
    def round(self) -> None:
        self.client.get(f"/rounds/{random.choice(self.account['rounds'])}", name="GET /rounds/[id]")


class RoundOpener(Staff):
    """Opens a round for a case, adds its informants and issues their links (invitations)."""

    fixed_count = USERS["RoundOpener"]
    wait_time = constant_throughput(per_user(HOUR.rounds, fixed_count))

    def accounts(self) -> Iterator[dict[str, Any]]:
        return iter([])  # replaced per case below: the case's own caseworker opens it

    def on_start(self) -> None:
        self.logins: dict[str, dict[str, str]] = {}

    def as_caseworker(self, account: dict[str, Any]) -> dict[str, str]:
        if account["username"] not in self.logins:
            token = self.client.post(
                "/api/v1/auth/token",
                name="POST /api/v1/auth/token",
                data={
                    "grant_type": "password",
                    "username": account["username"],
                    "password": account["password"],
                },
            )
            self.logins[account["username"]] = {
                "Authorization": f"Bearer {token.json()['access_token']}"
            }
        return self.logins[account["username"]]

    def keyed(self, bearer: dict[str, str]) -> dict[str, str]:
        return bearer | {"Idempotency-Key": str(uuid.uuid4())}

    @task
    def open_round(self) -> None:
        case = next(CASES_TO_OPEN, None)
        if case is None:
            return
        bearer = self.as_caseworker(case["caseworker"])
        now = datetime.now(UTC)
        opened = self.write(
            "POST",
            f"/api/v1/cases/{case['case_id']}/rounds",
            "POST /api/v1/cases/[id]/rounds",
            ok=lambda r: r.status_code == 201,
            json={
                "instrument_id": case["instrument_id"],
                "due_at": (now + timedelta(days=14)).isoformat(),
                "meeting_at": (now + timedelta(days=21)).isoformat(),
            },
            headers=self.keyed(bearer),
        )
        if opened is None:
            return
        round_id = opened.json()["id"]
        note(ack="round", case_id=case["case_id"], round_id=round_id)
        for n, role in enumerate(("school", "mother", "father", "provider")):
            added = self.write(
                "POST",
                f"/api/v1/rounds/{round_id}/informants",
                "POST /api/v1/rounds/[id]/informants",
                ok=lambda r: r.status_code == 201,
                json={
                    "role": role,
                    "name": f"Informant {n + 1}",
                    "email": f"{role}.{round_id}@informant.example.dk",
                },
                headers=self.keyed(bearer),
            )
            if added is None:
                continue
            informant_id = added.json()["id"]
            note(ack="informant", round_id=round_id, informant_id=informant_id)
            issued = self.write(
                "POST",
                f"/api/v1/rounds/{round_id}/informants/{informant_id}/link",
                "POST /api/v1/rounds/[id]/informants/[id]/link",
                ok=lambda r: r.status_code in (200, 201),
                json={},
                headers=self.keyed(bearer),
            )
            if issued is not None:
                note(ack="link", round_id=round_id, informant_id=informant_id)


class MeetingLeader(Staff):
    """Prepares and leads the consensus meeting: the page, and the view through the API."""

    fixed_count = USERS["MeetingLeader"]
    wait_time = constant_throughput(per_user(HOUR.meeting_views, fixed_count))

    def on_start(self) -> None:
        self.meeting = next(MEETINGS)
        self.account = self.meeting["caseworker"]
        super().on_start()

    def accounts(self) -> Iterator[dict[str, Any]]:
        return iter([self.account])

    @task
    def meeting_page(self) -> None:
        self.client.get(
            f"/rounds/{self.meeting['round_id']}/meeting", name="GET /rounds/[id]/meeting"
        )

    @task
    def meeting_view(self) -> None:
        self.client.get(
            f"/api/v1/rounds/{self.meeting['round_id']}/consensus",
            name="GET /api/v1/rounds/[id]/consensus",
            headers=self.bearer,
        )


class TeamLeader(Staff):
    """Reads the management reports, on the page and through the API."""

    fixed_count = USERS["TeamLeader"]
    wait_time = constant_throughput(per_user(HOUR.report_views, fixed_count))

    def accounts(self) -> Iterator[dict[str, Any]]:
        return LEADERS

    @task
    def reports_page(self) -> None:
        self.client.get("/reports", name="GET /reports")

    @task
    def outcomes(self) -> None:
        group = random.choice(["measure_category", "provider", "team", "age_band"])
        self.client.get(
            f"/api/v1/reports/outcomes?group_by={group}",
            name="GET /api/v1/reports/outcomes",
            headers=self.bearer,
        )

    @task
    def disagreement(self) -> None:
        self.client.get(
            "/api/v1/reports/disagreement",
            name="GET /api/v1/reports/disagreement",
            headers=self.bearer,
        )


class CaseSystem(FastHttpUser):
    """DUBU or Nexus: polls the rounds and the due list with its client credentials (and
    gets webhooks, which the loopback receiver counts)."""

    fixed_count = USERS["CaseSystem"]
    wait_time = constant_throughput(per_user(HOUR.polls, fixed_count))

    def on_start(self) -> None:
        token = self.client.post(
            "/api/v1/auth/token",
            name="POST /api/v1/auth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": FIXTURE["client"]["client_id"],
                "client_secret": FIXTURE["client"]["client_secret"],
            },
        )
        self.bearer = {"Authorization": f"Bearer {token.json()['access_token']}"}
        self.started = time.monotonic()

    @task
    def poll(self) -> None:
        self.client.get(
            "/api/v1/rounds?state=collecting&limit=50",
            name="GET /api/v1/rounds",
            headers=self.bearer,
        )
