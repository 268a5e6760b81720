"""A KL 3 round from start to result, through the API with httpx.

Runs as it is against the demo (`make run`); point it elsewhere with the environment:
KONSENSUS_URL, KONSENSUS_CASEWORKER(_PASSWORD), KONSENSUS_ADMIN(_PASSWORD),
KONSENSUS_CLIENT_ID and KONSENSUS_CLIENT_SECRET.
"""

from __future__ import annotations

import os
import sys
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

BASE = os.environ.get("KONSENSUS_URL", "http://127.0.0.1:8000")
CASEWORKER = os.environ.get("KONSENSUS_CASEWORKER", "sagsbehandler@demo.konsensus.dk")
CASEWORKER_PASSWORD = os.environ.get("KONSENSUS_CASEWORKER_PASSWORD", "demo-sagsbehandler")
ADMIN = os.environ.get("KONSENSUS_ADMIN", "admin@demo.konsensus.dk")
ADMIN_PASSWORD = os.environ.get("KONSENSUS_ADMIN_PASSWORD", "demo-administrator")
CLIENT_ID = os.environ.get("KONSENSUS_CLIENT_ID", "demo-dubu")
CLIENT_SECRET = os.environ.get("KONSENSUS_CLIENT_SECRET", "demo-dubu-client-secret")
INSTRUMENT = "kl-boern-familie"


def check(response: httpx.Response) -> Any:
    """The JSON of a 2xx answer; otherwise stop with the problem's code and detail."""
    if response.is_error:
        problem = response.json()
        sys.exit(
            f"{response.request.method} {response.request.url}: {problem['code']}: "
            f"{problem.get('detail', problem['title'])} {problem.get('errors') or ''}"
        )
    return response.json()


# --8<-- [start:tokens]
def staff_token(http: httpx.Client, username: str, password: str) -> str:
    """The password grant, for a member of staff."""
    form = {"grant_type": "password", "username": username, "password": password}
    return str(check(http.post("/api/v1/auth/token", data=form))["access_token"])


def client_token(http: httpx.Client) -> str:
    """The client credentials grant, for a case system (HTTP Basic authentication)."""
    answer = http.post(
        "/api/v1/auth/token",
        data={"grant_type": "client_credentials"},
        auth=(CLIENT_ID, CLIENT_SECRET),
    )
    return str(check(answer)["access_token"])


# --8<-- [end:tokens]


def scores(factors: list[str], score: int, comment: str = "") -> list[dict[str, Any]]:
    """One score for every factor of the instrument (kl-boern-familie: 1 best, 5 worst)."""
    return [{"factor_key": key, "score": score, "comment": comment} for key in factors]


def main() -> None:
    with httpx.Client(base_url=BASE, timeout=30) as http:
        # 0. KL 3 is the municipality's choice; the demo starts on KL 1, so its administrator
        #    adopts KL 3 first. Where KL 3 is adopted already, nothing changes.
        admin = {"Authorization": f"Bearer {staff_token(http, ADMIN, ADMIN_PASSWORD)}"}
        policy = check(http.get("/api/v1/municipality", headers=admin))["policy"]
        if policy["procedure"] != "kl3":
            check(
                http.patch(
                    "/api/v1/municipality/policy",
                    headers=admin,
                    json={"procedure": "kl3", "collection_close": "all_submitted"},
                )
            )

        # 1. The caseworker's token, and the child's case (sag), under the case system's
        #    own reference. (A case system keeps cases in step with
        #    PUT /api/v1/cases/by-ref/{ref}, naming the caseworker.)
        me = {"Authorization": f"Bearer {staff_token(http, CASEWORKER, CASEWORKER_PASSWORD)}"}
        ref = f"EXAMPLE-{uuid.uuid4().hex[:8]}"
        case = check(
            http.post(
                "/api/v1/cases",
                headers=me,
                json={"external_ref": ref, "display_name": "Emma", "birth_year": 2016},
            )
        )

        # 2. The instrument in use, and its factors.
        instruments = check(http.get("/api/v1/instruments", headers=me, params={"limit": 200}))
        instrument_id = max(i["id"] for i in instruments["items"] if i["key"] == INSTRUMENT)
        instrument = check(http.get(f"/api/v1/instruments/{instrument_id}", headers=me))
        factors = [factor["key"] for factor in instrument["factors"]]

        # 3. The round (runde). An Idempotency-Key makes a retry after a lost answer safe.
        now = datetime.now(UTC)
        rnd = check(
            http.post(
                f"/api/v1/cases/{case['id']}/rounds",
                headers={**me, "Idempotency-Key": str(uuid.uuid4())},
                json={
                    "instrument_id": instrument_id,
                    "due_at": (now + timedelta(days=14)).isoformat(),
                    "meeting_at": (now + timedelta(days=16)).isoformat(),
                },
            )
        )
        round_id = rnd["id"]
        print(f"round {round_id}: {rnd['procedure']} {rnd['variant']}, {rnd['state']}")

        # 4. The informants: the caseworker is one already; add the school, the mother and
        #    the child. On KL 3 they all score independently, before the meeting.
        def add(role: str, name: str) -> dict[str, Any]:
            return dict(
                check(
                    http.post(
                        f"/api/v1/rounds/{round_id}/informants",
                        headers=me,
                        json={"role": role, "name": name},
                    )
                )
            )

        caseworker = check(http.get(f"/api/v1/rounds/{round_id}/informants", headers=me))
        caseworker_id = caseworker["items"][0]["id"]
        school, mother, child = (
            add("school", "Ane Lærer"),
            add("mother", "Mette"),
            add("child", "Emma"),
        )

        # 5. Personal links for the school and the mother: the service sends them (email,
        #    SMS) when it has an address; the answer holds the link for other channels.
        for informant, score in ((school, 3), (mother, 2)):
            link = check(
                http.post(
                    f"/api/v1/rounds/{round_id}/informants/{informant['id']}/link", headers=me
                )
            )
            # What the informant's browser does: no credentials, the link is the key.
            check(
                http.post(
                    f"/api/v1/links/{link['token']}/submission",
                    json={"scores": scores(factors, score)},
                )
            )

        # 6. The child's and the caseworker's own scores, entered by the caseworker.
        for informant_id, score in ((child["id"], 2), (caseworker_id, 3)):
            check(
                http.post(
                    f"/api/v1/rounds/{round_id}/informants/{informant_id}/submission",
                    headers=me,
                    json={"scores": scores(factors, score), "submit": True},
                )
            )

        # 7. Everyone has submitted: the independent step closes by itself (the policy's
        #    collection_close); by hand otherwise.
        rnd = check(http.get(f"/api/v1/rounds/{round_id}", headers=me))
        if rnd["state"] == "collecting":
            rnd = check(
                http.post(
                    f"/api/v1/rounds/{round_id}/transitions",
                    headers=me,
                    json={"event": "close_collection"},
                )
            )
        print(f"round {round_id}: {rnd['state']}, next: {' '.join(rnd['allowed_events'])}")

        # 8. The meeting: every score side by side, the most divergent factor first.
        view = check(http.get(f"/api/v1/rounds/{round_id}/consensus", headers=me))
        print("most divergent:", view["factors"][0]["factor_key"])

        # 9. The official score and goal per factor (fælles vurdering) and who came to the
        #    meeting, then complete.
        official = [
            {"factor_key": key, "score": 3, "goal": 2, "rationale": "Agreed at the meeting."}
            for key in factors
        ]
        check(
            http.put(
                f"/api/v1/rounds/{round_id}/official-scores", headers=me, json={"scores": official}
            )
        )
        # Who came: the meeting does not end while anyone expected there is not recorded as
        # present or absent. Here everyone but the school came.
        expected = check(http.get(f"/api/v1/rounds/{round_id}/attendance/meeting", headers=me))
        came = [i["informant_id"] for i in expected["items"] if i["informant_id"] != school["id"]]
        check(
            http.put(
                f"/api/v1/rounds/{round_id}/attendance",
                headers=me,
                json={"gathering": "meeting", "present": came, "absent": [school["id"]]},
            )
        )
        rnd = check(
            http.post(
                f"/api/v1/rounds/{round_id}/transitions",
                headers=me,
                json={"event": "finish_consensus"},
            )
        )
        print(f"round {round_id}: {rnd['state']}")

        # 10. The result, read by the case system with its own token.
        system = {"Authorization": f"Bearer {client_token(http)}"}
        result = check(http.get(f"/api/v1/rounds/{round_id}/result", headers=system))
        first = result["factors"][0]
        print(
            f"result: {len(result['factors'])} factors; {first['factor_key']}: "
            f"{first['official']['score']} -> goal {first['official']['goal']}"
        )


if __name__ == "__main__":
    main()
