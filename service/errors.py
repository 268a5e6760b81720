"""One error base class carrying its HTTP status and a stable machine-readable code,
rendered as RFC 9457 problem+json by one set of handlers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import Receive, Scope, Send

PROBLEM_JSON = "application/problem+json"
#: Where the service serves the page of each problem type (`service/web/problems.py`).
PROBLEM_PATH = "/problems/"


@dataclass(frozen=True, slots=True)
class ProblemType:
    """What one `code` means: the source of its answer's `title`, of the page its `type`
    points at, and of the integrators' reference page (`tools/problem_pages.py`)."""

    code: str
    title: str
    statuses: tuple[int, ...]
    meaning: str
    remedy: str

    @property
    def slug(self) -> str:
        return self.code.replace("_", "-")


def _p(code: str, title: str, statuses: tuple[int, ...], meaning: str, remedy: str) -> ProblemType:
    return ProblemType(code, title, statuses, meaning, remedy)


_RETRY = "Nothing was changed. Try again shortly; the `Retry-After` header says when."
_FIX = "Correct the request as `detail` says and send it again."

#: Every code the service answers with; a test fails when one raised in the code is missing.
PROBLEM_TYPES: Mapping[str, ProblemType] = {
    p.code: p
    for p in (
        # Generic: the base classes' own codes, and what the framework answers.
        _p("bad_request", "Bad request", (400,), "The request is malformed.", _FIX),
        _p(
            "unauthorized",
            "Authentication required",
            (401,),
            "The request carries no valid credentials.",
            "Get an access token at `POST /api/v1/auth/token` and send it as "
            "`Authorization: Bearer <token>`.",
        ),
        _p(
            "forbidden",
            "Not allowed",
            (403,),
            "The caller is known but may not do this: a scope or a staff role is missing.",
            "Ask the municipality's administrator for the scope or role; `required_roles` "
            "names the roles where it applies.",
        ),
        _p(
            "not_found",
            "Not found",
            (404,),
            "Nothing is at this path, or it belongs to another municipality (which is not "
            "revealed).",
            "Check the path and the identifier.",
        ),
        _p(
            "method_not_allowed",
            "Method not allowed",
            (405,),
            "The path exists but does not take this method.",
            "Use one of the methods the `Allow` header names.",
        ),
        _p(
            "conflict",
            "Conflict",
            (409,),
            "The request contradicts what the resource is now.",
            "Read the resource again, then decide whether to send the request again.",
        ),
        _p(
            "payload_too_large",
            "Request body too large",
            (413,),
            "The request body is larger than the service reads (`limit`, in bytes).",
            "Send a smaller body: split a large import into several requests.",
        ),
        _p(
            "unprocessable",
            "The request cannot be processed",
            (422,),
            "The request is well-formed but breaks a rule of the service.",
            _FIX,
        ),
        _p(
            "validation_failed",
            "Invalid request",
            (422,),
            "One or more fields are missing, of the wrong type or out of range; `errors` "
            "lists each with where it is (`loc`) and what is wrong (`msg`).",
            "Correct the fields named in `errors` and send the request again.",
        ),
        _p(
            "too_many_requests",
            "Too many requests",
            (429,),
            "The caller has sent too many requests of this kind lately.",
            "Wait as long as the `Retry-After` header says, then try again.",
        ),
        _p(
            "internal_error",
            "Internal server error",
            (500,),
            "Something failed inside the service. The error has been logged and the "
            "request changed nothing.",
            "Try again later; if it persists, tell the operator the time and the `instance`.",
        ),
        # Operations.
        _p(
            "database_unavailable",
            "The database is unavailable",
            (503,),
            "The service cannot reach its database just now.",
            _RETRY,
        ),
        _p(
            "throttle_unavailable",
            "The service cannot check attempts just now",
            (503,),
            "The shared store of failed login attempts cannot be reached, and nothing is "
            "let through unchecked.",
            _RETRY,
        ),
        _p(
            "not_ready",
            "Not ready",
            (503,),
            "The instance is not ready to serve (readiness check); `detail` says what is not.",
            "A load balancer sends the traffic elsewhere; an operator looks at `detail`.",
        ),
        _p(
            "pdf_unavailable",
            "PDF reports are not available",
            (503,),
            "This installation cannot make PDF documents (its PDF renderer is missing).",
            "Ask for the HTML or JSON form of the report, and tell the operator.",
        ),
        # Authentication (RFC 6749 §5.2 at the token endpoint: `error` carries the code).
        _p(
            "invalid_request",
            "Token request refused: incomplete",
            (400,),
            "The token request lacks a parameter its grant needs.",
            "Send `grant_type` with `username` and `password` (staff), or the client's "
            "credentials (integrators).",
        ),
        _p(
            "invalid_grant",
            "Token request refused: wrong credentials",
            (400,),
            "The username or the password is wrong (which one is not said).",
            "Check the credentials. Repeated failures are delayed (`login_throttled`).",
        ),
        _p(
            "invalid_client",
            "Token request refused: client not authenticated",
            (401,),
            "The integrator client's id or secret is missing, malformed or wrong, or the "
            "client is deactivated.",
            "Send the client id and secret by HTTP Basic authentication (or as form fields).",
        ),
        _p(
            "invalid_scope",
            "Token request refused: scope",
            (400,),
            "A requested scope is unknown, or not granted to this client.",
            "Ask only for scopes the client has; leave `scope` out to get all of them.",
        ),
        _p(
            "unsupported_grant_type",
            "Token request refused: grant type",
            (400,),
            "The grant type is not one the service supports.",
            "Use `password` (staff) or `client_credentials` (integrators).",
        ),
        _p(
            "unauthorized_client",
            "Token request refused: passwords switched off",
            (400,),
            "The person's municipality has switched passwords off: its staff sign in through "
            "its identity provider (OpenID Connect) only.",
            "Sign in at the login address `detail` names. Integrators keep their client "
            "credentials; their grant is unchanged.",
        ),
        _p(
            "identity_provider_unavailable",
            "The identity provider does not answer",
            (502,),
            "The municipality's OpenID Connect provider did not answer in time, or not as a "
            "provider does; nothing was signed in.",
            "Try again shortly; if it lasts, the municipality's IT service checks the provider.",
        ),
        _p(
            "sign_in_rejected",
            "The sign-in could not be verified",
            (400, 401),
            "What came back from the identity provider does not prove who the person is: the "
            "sign-in's state does not match, the code was refused (used already or expired), "
            "or the ID token's signature, issuer, audience, nonce or expiry is wrong.",
            "Start the sign-in again from the login page.",
        ),
        _p(
            "sign_in_refused",
            "No access through the identity provider",
            (403,),
            "The identity provider vouched for the person, but none of their groups is mapped "
            "to a role here, or they are unknown and the municipality creates no one at sign-in.",
            "An administrator adds the person to a mapped group at the provider, or adds them "
            "here.",
        ),
        _p(
            "sign_in_groups_left_out",
            "The identity provider sent no list of the person's groups",
            (403,),
            "The ID token says where the person's groups can be read instead of listing them "
            "(a distributed claim, OpenID Connect Core 5.6.2): Microsoft Entra ID does so for a "
            "person in more than 200 groups. Nothing is changed for the person here.",
            "An administrator has the provider send only the groups that matter here (Entra "
            "ID: Token configuration, Groups assigned to the application, and the Konsensus "
            "groups assigned to the application).",
        ),
        _p(
            "identity_provider_not_set",
            "The municipality has no identity provider",
            (404,),
            "No OpenID Connect provider is set for the municipality (or its client secret no "
            "longer opens after the service secret changed).",
            "An administrator sets one with `PUT /api/v1/municipality/identity-provider`.",
        ),
        _p(
            "domain_taken",
            "The email domain is another municipality's",
            (422,),
            "Another municipality's identity provider serves one of the email domains given.",
            "Give only the municipality's own work email domains.",
        ),
        _p(
            "login_throttled",
            "Too many failed logins",
            (429,),
            "This account or this address has failed to log in too often lately; the "
            "attempt was refused before the password was checked.",
            "Wait as long as `Retry-After` says; each further failure doubles the wait.",
        ),
        _p(
            "missing_token",
            "Access token missing",
            (401,),
            "The request has no bearer access token.",
            "Get one at `POST /api/v1/auth/token` and send `Authorization: Bearer <token>`.",
        ),
        _p(
            "invalid_token",
            "Access token invalid or expired",
            (401,),
            "The access token is malformed, signed by an unknown key, for another audience, "
            "or expired; or its holder has been deactivated.",
            "Get a new access token and send the request again.",
        ),
        # Idempotency-Key.
        _p(
            "idempotency_key_invalid",
            "Idempotency-Key malformed",
            (422,),
            "An `Idempotency-Key` is 1 to 200 visible ASCII characters.",
            "Send a fresh random key, such as a UUID.",
        ),
        _p(
            "idempotency_key_reused",
            "Idempotency-Key used with another request",
            (422,),
            "This key was used before by the same caller with another path or body.",
            "Use a new key for a new request; repeat a key only with the same request.",
        ),
        _p(
            "idempotency_in_progress",
            "Request with this Idempotency-Key still running",
            (409,),
            "The first request with this key has not finished yet.",
            "Wait a moment and send the same request again: its answer is then replayed.",
        ),
        # Staff, teams, providers and the municipality's set-up.
        _p(
            "username_taken",
            "Username taken",
            (409,),
            "Another member of staff has this username.",
            "Choose another username.",
        ),
        _p(
            "team_exists",
            "Team exists",
            (409,),
            "The municipality has a team of this name.",
            "Choose another name, or use the existing team.",
        ),
        _p(
            "team_not_found",
            "Team not found",
            (422,),
            "The team named in the body does not exist in the municipality.",
            "List the teams and use one of their ids.",
        ),
        _p(
            "team_required",
            "Team required",
            (422,),
            "Caseworkers and team leaders belong to a team.",
            "Give `team_id`.",
        ),
        _p(
            "provider_exists",
            "Provider exists",
            (409,),
            "The municipality has a provider of this name.",
            "Use the existing provider, or choose another name.",
        ),
        _p(
            "provider_not_found",
            "Provider not found",
            (422,),
            "The provider named in the body does not exist in the municipality.",
            "List the providers and use one of their ids.",
        ),
        _p(
            "instrument_not_found",
            "Instrument not found",
            (422,),
            "No published instrument has this key (`key`).",
            "List the instruments and use a published key.",
        ),
        _p(
            "instrument_not_published",
            "Instrument not published",
            (409, 422),
            "Only a published instrument version can be put in use or scored with.",
            "Publish the version first, or name a published one.",
        ),
        _p(
            "instrument_published",
            "Instrument version published",
            (409,),
            "A published instrument version never changes.",
            "Create a new version and change that.",
        ),
        _p(
            "instrument_not_in_use",
            "Instrument not in use",
            (409,),
            "The municipality has not put this instrument in use.",
            "Put it in use first, or choose one that is.",
        ),
        _p(
            "scales_differ",
            "Scales differ",
            (422,),
            "A mapping pairs two scales point for point, so they must have as many points.",
            "Map between scales of the same length.",
        ),
        _p(
            "mapping_exists",
            "Mapping exists",
            (409,),
            "The municipality has declared this mapping already.",
            "Read or change the existing mapping.",
        ),
        _p(
            "mapping_not_found",
            "Mapping not found",
            (404,),
            "No mapping has this id in the municipality.",
            "List the mappings and use one of their ids.",
        ),
        _p(
            "procedure_not_adopted",
            "Procedure not adopted",
            (409,),
            "Every case follows the "
            "procedure the municipality has adopted (`adopted`), not another.",
            "Leave `procedure` out, or name the adopted one.",
        ),
        # Cases and measures (sag, foranstaltning).
        _p(
            "case_not_found",
            "Case not found",
            (404,),
            "No case with this id or reference is visible to the caller.",
            "Check the id; staff see their own team's cases.",
        ),
        _p(
            "case_exists",
            "Case exists",
            (409,),
            "A case with this external reference exists.",
            "Use `PUT /api/v1/cases/by-ref/{external_ref}` to create or update idempotently.",
        ),
        _p(
            "case_closed",
            "Case closed",
            (409,),
            "The case is closed: it takes no new rounds.",
            "Reopen the case (its `status`) first, if that is right.",
        ),
        _p(
            "notification_not_found",
            "Notification not found",
            (404,),
            "The case has no notification (underretning) with this id.",
            "List the case's notifications at `GET /api/v1/cases/{case_id}/notifications`.",
        ),
        _p(
            "plan_row_not_found",
            "Plan row not found",
            (404,),
            "The case's plan (barnets plan) has no row with this id.",
            "Read the plan at `GET /api/v1/cases/{case_id}/plan`.",
        ),
        _p(
            "plan_row_ended",
            "Plan row ended",
            (409,),
            "The row is ended: it stays in the plan's history as it was.",
            "Add a new row for what is to be done now.",
        ),
        _p(
            "plan_needs_round",
            "Plan needs a round",
            (409,),
            "The plan's rows serve the factors of the case's form, and the case has no round "
            "yet to give it one.",
            "Open the case's first round (from the notification, where there is one), then make "
            "the plan from its answers.",
        ),
        _p(
            "plan_row_not_followed",
            "Plan row not followed at this round",
            (409,),
            "The round was cancelled, or the row ended before the round was opened; `field` "
            "says which.",
            "Set the row's status at a round that follows it: one opened while the row was in "
            "force.",
        ),
        _p(
            "baseline_round_exists",
            "Baseline round exists",
            (409,),
            "The notification already has its baseline round; `round_id` names it.",
            "Follow up in that round, or open the next one on the case.",
        ),
        _p(
            "caseworker_required",
            "Caseworker required",
            (422,),
            "A case needs its responsible caseworker.",
            "Give `caseworker_id`.",
        ),
        _p(
            "caseworker_invalid",
            "Caseworker cannot take the case",
            (409, 422),
            "The named caseworker does not exist, is not a caseworker, or cannot take the case.",
            "Name an active caseworker of the case's team.",
        ),
        _p(
            "not_case_authority",
            "Not the case's caseworker",
            (403,),
            "Only the case's caseworker or the team leader may do this.",
            "Ask the caseworker or the team leader.",
        ),
        _p(
            "measure_not_found",
            "Measure not found",
            (404,),
            "The case has no measure with this id.",
            "List the case's measures and use one of their ids.",
        ),
        _p(
            "measure_ended",
            "Measure ended",
            (409,),
            "The measure has ended: a standing link for session forms lives only as long as "
            "its measure.",
            "Issue the link for a measure that is running, or change the measure's `end_date`.",
        ),
        _p(
            "session_link_not_found",
            "Standing link not found",
            (404,),
            "The case has no standing link for session forms with this id.",
            "List the case's standing links and use one of their ids.",
        ),
        _p(
            "session_link_reads_only",
            "This standing link is for reading",
            (403,),
            "A provider's standing link shows the series of sessions; it records no answers.",
            "The young person answers through a link issued to them (holder `young_person`).",
        ),
        _p(
            "session_link_answers_only",
            "This standing link is for answering",
            (403,),
            "A young person's standing link records session forms; it does not show the series.",
            "The provider reads the series through a link issued to them (holder `provider`); "
            "staff read it at `GET /api/v1/cases/{case_id}/sessions`.",
        ),
        _p(
            "measure_not_in_case",
            "Measure not in the case",
            (422,),
            "Some of the named measures (`measure_ids`) are not this case's.",
            "Name only the case's measures.",
        ),
        _p(
            "category_required",
            "Measure category required",
            (409, 422),
            "A measure says under which provision of barnets lov it is given (`category`); "
            "`allowed` lists the provisions for its type.",
            "Give one of the categories in `allowed`.",
        ),
        _p(
            "category_not_for_type",
            "Category does not fit the measure",
            (409, 422),
            "This kind of measure is not given under that provision; `allowed` lists those "
            "that fit.",
            "Give one of the categories in `allowed`.",
        ),
        _p(
            "end_before_start",
            "End before start",
            (409,),
            "A measure cannot end before it starts.",
            "Give an `end_date` on or after the measure's `start_date`.",
        ),
        _p(
            "legal_hold_reason_required",
            "Reason required",
            (422,),
            "A legal hold needs its reason.",
            "Give `reason`.",
        ),
        # Rounds and the procedure (runde, trin).
        _p(
            "flag_not_found",
            "Flag not found",
            (404,),
            "No advisory flag with this id is visible to the caller.",
            "Check the id; list the case's flags at `GET /api/v1/cases/{case_id}/flags`.",
        ),
        _p(
            "flag_signed_off",
            "Flag already signed off",
            (409,),
            "The advisory flag has been signed off; its note stands in the case's history.",
            "Nothing to do; a later round raises a new flag if the figures still call for it.",
        ),
        _p(
            "round_not_found",
            "Round not found",
            (404,),
            "No round with this id is visible to the caller.",
            "Check the id.",
        ),
        _p(
            "cadence_rule_repeated",
            "A cadence rule repeats an earlier one",
            (422,),
            "Two rules of the standard name the same measures (category, kind and the "
            "intensive mark): the earlier one is always followed, so the later would never be.",
            "Change the measures the repeated rule names, or leave it out; `errors` points to it.",
        ),
        _p(
            "cadence_standard_not_adopted",
            "No cadence standard adopted",
            (404,),
            "The municipality follows the procedure's interval: it has adopted no written "
            "cadence standard.",
            "An administrator adopts one of the shipped standards "
            "(`POST /api/v1/municipality/cadence-standard`), then edits it.",
        ),
        _p(
            "no_completed_round",
            "No completed round",
            (409,),
            "The case has no completed round, so it has no next follow-up date to plan "
            "differently; or a round is under way, whose own due date applies.",
            "Complete the case's round first.",
        ),
        _p(
            "no_deviation",
            "Not a deviation",
            (422,),
            "The planned date is the date the cadence standard gives: there is nothing to "
            "deviate from.",
            "Give another `planned_on`, or leave the next follow-up as it is.",
        ),
        _p(
            "already_decided",
            "Already decided",
            (409,),
            "The deviation or the request has been decided already; a decision is not taken twice.",
            "Read it again to see the decision; plan anew if it should change.",
        ),
        _p(
            "round_in_progress",
            "Round in progress",
            (409,),
            "The case has a round that is not finished; a case has one round at a time.",
            "Complete or cancel that round first.",
        ),
        _p(
            "round_finished",
            "Round finished",
            (409,),
            "The round is completed or cancelled and takes no more changes.",
            "Open a new round, or amend the completed one.",
        ),
        _p(
            "round_not_completed",
            "Round not completed",
            (409,),
            "Only a completed round's result is exported.",
            "Complete the round first.",
        ),
        _p(
            "due_in_past",
            "Due date in the past",
            (422,),
            "A round's `due_at` lies ahead.",
            "Give a date in the future.",
        ),
        _p(
            "illegal_transition",
            "Step not allowed now",
            (409,),
            "The round's state (`state`) does not allow this event; `allowed_events` lists "
            "those that it does.",
            "Send one of `allowed_events`, or read the round first.",
        ),
        _p(
            "transition_not_ready",
            "Step not ready",
            (409,),
            "The event is allowed in this state, but its conditions are not met yet (`unmet`).",
            "Meet the conditions in `unmet` (e.g. wait for the submissions) and try again.",
        ),
        _p(
            "no_such_gathering",
            "No such gathering",
            (409,),
            "The round's procedure has no such gathering.",
            "Name a gathering of the round's procedure.",
        ),
        _p(
            "not_at_gathering",
            "Not at the gathering",
            (409,),
            "Who came to a gathering is recorded during it.",
            "Record attendance while the round is at that gathering.",
        ),
        _p(
            "note_not_found",
            "Disagreement note not found",
            (404,),
            "The round has no current disagreement note with this id.",
            "Read the round's result: each factor's `disagreements` carry their `id`.",
        ),
        _p(
            "family_step_over",
            "The family's step has ended",
            (409,),
            "Why the child or a parent did not score is recorded before the step that takes "
            "the family's scores ends.",
            "The round's result and report keep what was recorded; nothing more can be added.",
        ),
        _p(
            "not_family",
            "Not a member of the family",
            (422,),
            "Only the child and the parents are owed a voice in the family's step.",
            "Name the role child, mother or father.",
        ),
        _p(
            "reason_for_child_only",
            "A reason for the child alone",
            (422,),
            "Age or maturity is a reason for the child not to score, not for a parent "
            "(Barnets Lov § 5, stk. 3).",
            "Give a parent's reason: declined or not reachable.",
        ),
        _p(
            "no_such_voice",
            "No such member of the family",
            (404,),
            "The round has no family informant with this id and role (or the child is an "
            "informant, and the request named none).",
            "Read GET /rounds/{id}/family-voices and name one of its items.",
        ),
        _p(
            "already_scored",
            "Already scored",
            (409,),
            "This member of the family has submitted scores; there is nothing to explain.",
            "Nothing to do.",
        ),
        _p(
            "not_expected_there",
            "Not expected at the gathering",
            (422,),
            "The procedure does not have these informants at this gathering.",
            "Name only informants the procedure has there.",
        ),
        _p(
            "scores_hidden",
            "Scores hidden",
            (409,),
            "The informants' scores stay hidden until the independent step closes.",
            "Move the round on, then read them.",
        ),
        # Informants, links and submissions (informant, personligt link, besvarelse).
        _p(
            "informant_not_found",
            "Informant not found",
            (404,),
            "The round has no informant with this id.",
            "List the round's informants.",
        ),
        _p(
            "informant_does_not_score",
            "Informant does not score",
            (409,),
            "In this procedure variant this informant does not score at this step.",
            "Submit only for informants who score now.",
        ),
        _p(
            "staff_informant",
            "Staff informant",
            (409,),
            "Staff who inform a round score through their own login, not a personal link.",
            "Let the member of staff log in and submit.",
        ),
        _p(
            "own_scores_only",
            "Own scores only",
            (403,),
            "A member of staff who informs the round enters their own scores.",
            "Submit as that member of staff.",
        ),
        _p(
            "informant_has_link",
            "Informant has a link",
            (409,),
            "The informant has a working personal link and answers through it.",
            "Withdraw the link first to enter their scores on their behalf.",
        ),
        _p(
            "answered_through_link",
            "Answered through the link",
            (409,),
            "What an informant typed through their personal link is theirs alone.",
            "Leave it; it cannot be shown or changed on their behalf.",
        ),
        _p(
            "entered_by_other_staff",
            "Entered by another member of staff",
            (409,),
            "Another member of staff has begun entering this informant's scores.",
            "Only they can finish the entry.",
        ),
        _p("no_link", "No link", (409,), "The informant has no personal link.", "Issue one."),
        _p(
            "no_invitation",
            "No invitation",
            (409,),
            "The informant has had no invitation to remind of.",
            "Issue a link and send it first.",
        ),
        _p(
            "link_not_kept",
            "Link no longer kept",
            (409,),
            "Every message that carried the "
            "link has gone out, and the link is no longer kept for sending.",
            "Issue a new link to send the informant one.",
        ),
        _p(
            "expiry_in_past",
            "Expiry in the past",
            (422,),
            "A link's `expires_at` lies ahead.",
            "Give a time in the future.",
        ),
        _p(
            "staff_on_personal_link",
            "Personal links are for informants",
            (403,),
            "A personal link is used without credentials, by the informant alone.",
            "Enter the scores on the informant's behalf (`submit_on_behalf`) instead.",
        ),
        _p(
            "link_not_found",
            "Unknown link",
            (404,),
            "No personal link has this token.",
            "Check that the link was copied whole.",
        ),
        _p(
            "link_expired",
            "This link no longer works",
            (410,),
            "The personal link has expired.",
            "Ask the caseworker for a new link.",
        ),
        _p(
            "link_revoked",
            "This link has been withdrawn",
            (410,),
            "The personal link was withdrawn.",
            "Ask the caseworker for a new link.",
        ),
        _p(
            "link_replaced",
            "This link has been replaced",
            (410,),
            "A newer link was issued for the informant.",
            "Use the newest link that was sent.",
        ),
        _p(
            "not_accepting",
            "Not taking scores now",
            (409,),
            "The form does not take scores "
            "now: the round is not open yet, or the informant's step is closed.",
            "Nothing to do until the round reaches the informant's step.",
        ),
        _p(
            "already_submitted",
            "Already submitted",
            (409,),
            "The scores have been submitted and can no longer change.",
            "Nothing; the submission stands.",
        ),
        _p(
            "unknown_factor",
            "Unknown factor",
            (422,),
            "A score names a factor the instrument does not have.",
            "Score only the instrument's factors.",
        ),
        # The official score (fælles vurdering).
        _p(
            "not_in_consensus",
            "Not at the consensus step",
            (409,),
            "Official scores are set while the round is at the consensus step (`state`).",
            "Move the round to the consensus step first.",
        ),
        _p(
            "substitute_reason_required",
            "Substitute reason required",
            (422,),
            "The official "
            "score is the caseworker's: a team leader sets it only as the substitute, saying "
            "why.",
            "Give `substitute_reason`.",
        ),
        _p(
            "not_completed",
            "Round not completed",
            (409,),
            "Only a completed round is amended; before that, the official score is set.",
            "Set the official scores instead.",
        ),
        _p(
            "off_scale",
            "Off the scale",
            (422,),
            "A score or goal is not a point of the instrument's scale.",
            "Use a point of the scale.",
        ),
        _p(
            "goal_required",
            "Goal required",
            (422,),
            "A scored factor has a goal (keeping the status is a goal too).",
            "Give `goal` with `score`.",
        ),
        _p(
            "goal_not_allowed",
            "Goal not allowed",
            (422,),
            "A factor that is not assessed has no goal.",
            "Leave `goal` out, or give a `score`.",
        ),
        _p(
            "goal_worse_than_status",
            "Goal worse than the status",
            (422,),
            "A goal is never worse than the score it starts from.",
            "Give a goal at least as good as the score.",
        ),
        _p(
            "not_assessed_reason_required",
            "Reason required",
            (422,),
            "A factor that is not assessed says why.",
            "Give `not_assessed_reason`.",
        ),
        _p(
            "rationale_required",
            "Rationale required",
            (422,),
            "An official score that departs from what the informants said is explained.",
            "Give `rationale`.",
        ),
        # Calibration on vignettes (kalibrering).
        _p(
            "vignette_not_found",
            "Vignette not found",
            (404,),
            "No calibration vignette with this id in the municipality.",
            "Check the id; `GET /api/v1/calibration/vignettes` lists them.",
        ),
        _p(
            "exercise_not_found",
            "Exercise not found",
            (404,),
            "No calibration exercise with this id that the caller organises or is invited to.",
            "Check the id; `GET /api/v1/calibration/exercises` lists the caller's.",
        ),
        _p(
            "exercise_closed",
            "Exercise closed",
            (409,),
            "The calibration exercise has closed: it takes no more answers.",
            "Read its results instead.",
        ),
        _p(
            "exercise_still_open",
            "Exercise still open",
            (409,),
            "The results of a calibration exercise show when it closes; until then each "
            "person scores alone (`closes_at`).",
            "Wait until `closes_at`, or let an organiser close it.",
        ),
        _p(
            "invitees_required",
            "Invite staff",
            (422,),
            "An exercise invites the municipality's active caseworkers or team leaders, by "
            "`staff_ids` or a `team_id`; `staff_ids` in the answer names those refused.",
            "Give staff who can score.",
        ),
        _p(
            "calibration_incomplete",
            "Every factor",
            (422,),
            "A reference or an answer gives every factor of the instrument a score or "
            "`cannot_assess`; `missing` names those left out.",
            "Add the factors named in `missing`.",
        ),
        _p(
            "closes_in_past",
            "Closing time in the past",
            (422,),
            "An exercise closes after it opens.",
            "Give a `closes_at` in the future.",
        ),
        # Results, webhooks.
        _p(
            "result_for_family_only",
            "For the family only",
            (403,),
            "Only the family's "
            "personal links show the round's result; a professional's link does not.",
            "Staff read the result through the round's result endpoints.",
        ),
        _p(
            "result_not_ready",
            "Result not ready",
            (409,),
            "The round has no result yet.",
            "Wait until the round is completed.",
        ),
        _p(
            "clients_only",
            "For integrator clients",
            (403,),
            "Webhooks belong to integrator clients.",
            "Subscribe with a client's access token (client credentials).",
        ),
        _p(
            "webhook_url_refused",
            "Webhook receiver refused",
            (422,),
            "The receiver's URL is "
            "not accepted (`detail` says why): not http(s), plain http in production, or an "
            "address that is not on the public internet.",
            "Give a public https URL.",
        ),
        _p(
            "webhook_limit",
            "Too many webhooks",
            (409,),
            "The client has as many active subscriptions as it may.",
            "Delete one you no longer need.",
        ),
        _p(
            "webhook_not_found",
            "Webhook not found",
            (404,),
            "The client has no subscription with this id.",
            "List the client's subscriptions.",
        ),
    )
}


class FieldError(BaseModel):
    """One refused field: where it is, what is wrong, and a stable type."""

    loc: list[str | int] = Field(
        description='Where: "body", "query", "path" or "header", then the field\'s path'
    )
    msg: str = Field(max_length=2000, description="What is wrong, for a person")
    type: str = Field(max_length=64, description="Stable machine-readable kind of error")
    factor_key: str | None = Field(
        default=None, max_length=64, description="The factor it concerns, for scores"
    )


class Problem(BaseModel):
    """RFC 9457 problem details, with a stable `code` for machines and, where they apply,
    extension members that say what to do next."""

    type: str = Field(
        max_length=200,
        description="The page that says what the code means and what to do "
        "(`{public_base_url}/problems/<code, with hyphens>`); `about:blank` for a bare status",
    )
    title: str = Field(max_length=200, description="The same for every answer with the code")
    status: int = Field(ge=400, le=599)
    code: str = Field(max_length=64, description="Stable machine-readable error code")
    detail: str | None = Field(default=None, max_length=4000)
    instance: str | None = Field(default=None, max_length=500)
    errors: list[FieldError] | None = Field(
        default=None,
        description="The refused fields (`validation_failed`, and a submission's scores)",
    )
    missing: list[str] | None = Field(
        default=None, description="Factors a submission has not scored or marked 'cannot assess'"
    )
    state: str | None = Field(
        default=None, description="The round's state, when a step is refused (409)"
    )
    allowed_events: list[str] | None = Field(
        default=None, description="The events the round's state allows now"
    )
    unmet: list[str] | None = Field(
        default=None, description="The conditions the event still needs (`transition_not_ready`)"
    )
    allowed: list[str] | None = Field(
        default=None, description="The values that would be accepted (e.g. a measure's categories)"
    )
    adopted: str | None = Field(
        default=None, description="The municipality's adopted procedure, when another is named"
    )
    step: str | None = Field(default=None, description="The informant's step in the procedure")
    required_roles: list[str] | None = Field(
        default=None, description="The staff roles the action is reserved for"
    )
    key: str | None = Field(default=None, description="The instrument key that was not found")
    factor_key: str | None = Field(default=None, description="The factor that was not found")
    measure_ids: list[int] | None = Field(
        default=None, description="The measures that are not the case's"
    )
    error: str | None = Field(
        default=None, description="The OAuth 2.0 error code (RFC 6749 §5.2), at the token endpoint"
    )
    error_description: str | None = Field(
        default=None, description="The OAuth 2.0 error, for a person"
    )


class ServiceError(Exception):
    """Base of every error the service raises on purpose."""

    status: int = 400
    code: str = "bad_request"
    title: str = "Bad request"

    def __init__(self, detail: str | None = None, *, code: str | None = None, **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        if code is not None:
            self.code = code
        self.extra = extra

    def headers(self) -> Mapping[str, str] | None:
        return None


class NotFound(ServiceError):
    status = 404
    code = "not_found"
    title = "Not found"


class Unauthorized(ServiceError):
    status = 401
    code = "unauthorized"
    title = "Authentication required"

    def headers(self) -> Mapping[str, str] | None:
        return {"WWW-Authenticate": 'Bearer realm="konsensus"'}


class Forbidden(ServiceError):
    status = 403
    code = "forbidden"
    title = "Not allowed"


class Conflict(ServiceError):
    status = 409
    code = "conflict"
    title = "Conflict"


class Unprocessable(ServiceError):
    status = 422
    code = "unprocessable"
    title = "The request cannot be processed"


class TooManyRequests(ServiceError):
    status = 429
    code = "too_many_requests"
    title = "Too many requests"

    def __init__(self, detail: str | None = None, *, retry_after: int = 60, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.retry_after = retry_after

    def headers(self) -> Mapping[str, str] | None:
        return {"Retry-After": str(self.retry_after)}


def problem_type(code: str, base_url: str) -> str:
    """The `type` of a problem: the page that says what its code means, served by the
    service itself; `about:blank` (RFC 9457 §4.2.1: nothing beyond the status) for a code
    the registry does not know."""
    known = PROBLEM_TYPES.get(code)
    if known is None:
        return "about:blank"
    return base_url.rstrip("/") + PROBLEM_PATH + known.slug


class ProblemResponse(JSONResponse):
    """A problem+json answer whose `type` points at the serving instance's own page
    (`public_base_url`). Middlewares build problems without a request, so the base is taken
    from the app in the scope as the answer is sent; until then `type` is the page's path."""

    media_type = PROBLEM_JSON

    def __init__(
        self, problem: dict[str, Any], status_code: int, headers: Mapping[str, str] | None = None
    ) -> None:
        self.problem = problem
        super().__init__(problem, status_code=status_code, headers=headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        settings = getattr(getattr(scope.get("app"), "state", None), "settings", None)
        base = getattr(settings, "public_base_url", None)
        if isinstance(base, str):
            self.problem["type"] = problem_type(str(self.problem["code"]), base)
            self.body = self.render(self.problem)
            self.raw_headers = [
                (name, value) for name, value in self.raw_headers if name != b"content-length"
            ]
            self.raw_headers.append((b"content-length", str(len(self.body)).encode()))
        await super().__call__(scope, receive, send)


def problem_response(
    status: int,
    code: str,
    title: str,
    detail: str | None = None,
    *,
    instance: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """The problem+json answer. A known code's title is its type's (RFC 9457 §3.1.3: the
    same for every occurrence); `title` is used for codes the registry does not know."""
    known = PROBLEM_TYPES.get(code)
    body: dict[str, Any] = {
        "type": problem_type(code, "") if known else "about:blank",
        "title": known.title if known else title,
        "status": status,
        "code": code,
    }
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    body.update(extra)
    return ProblemResponse(body, status, headers)


def problem_responses(*errors: type[ServiceError]) -> dict[int | str, dict[str, Any]]:
    """The `responses=` declaration of a route that can raise `errors` (plus 422)."""
    declared: dict[int | str, dict[str, Any]] = {}
    all_errors: tuple[type[ServiceError], ...] = (*errors, Unprocessable)
    for err in all_errors:
        declared[err.status] = {"model": Problem, "description": HTTPStatus(err.status).phrase}
    return declared


METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at the request's path: a 405 names them all in `Allow`,
    not only those of the first route that matched the path."""
    allowed = []
    for method in METHODS:
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] is Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    return allowed


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def _service_error(request: Request, exc: ServiceError) -> JSONResponse:
        headers = dict(exc.headers() or {})
        if exc.status == 401:
            # Every 401 says how to authenticate (RFC 9110 §11.6.1): the token endpoint by
            # the client's Basic credentials (RFC 6749 §5.2), everything else by a bearer token.
            scheme = "Basic" if request.url.path.endswith("/auth/token") else "Bearer"
            headers.setdefault("WWW-Authenticate", f'{scheme} realm="konsensus"')
        return problem_response(
            exc.status,
            exc.code,
            exc.title,
            exc.detail,
            instance=request.url.path,
            headers=headers or None,
            **exc.extra,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "loc": list(err.get("loc", ())),
                "msg": str(err.get("msg", "")),
                "type": str(err.get("type", "")),
            }
            for err in exc.errors()
        ]
        return problem_response(
            422,
            "validation_failed",
            "Invalid request",
            "One or more fields are invalid; see `errors`.",
            instance=request.url.path,
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        phrase = HTTPStatus(exc.status_code).phrase
        code = phrase.lower().replace(" ", "_").replace("-", "_")
        detail = exc.detail if isinstance(exc.detail, str) and exc.detail != phrase else None
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(request))
        return problem_response(
            exc.status_code,
            code,
            phrase,
            detail,
            instance=request.url.path,
            headers=headers or None,
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        return problem_response(
            500,
            "internal_error",
            "Internal server error",
            "The error has been logged. Nothing was changed by this request.",
            instance=request.url.path,
        )
