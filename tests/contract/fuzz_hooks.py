"""Schemathesis hooks for the fuzzing run (loaded through SCHEMATHESIS_HOOKS).

The document states every rule that JSON Schema can state. A few rules it cannot: an
Idempotency-Key means one intended change (two different requests with one key are refused,
422 `idempotency_key_reused`); a due date lies ahead and a birth date behind; an identity
provider is first set with its client secret and maps each group once; an end comes
after its start; a scale's top lies above its bottom and every point of it has guidance; a
mapping joins two different instruments; a session form names each item once, on a line
whose top lies above its bottom. A request the fuzzer draws as valid is made to keep
those rules here, the way a client keeps them, before it is sent; requests drawn as invalid
are sent as drawn, so every refusal is still checked. Each rule's refusal has tests of its
own (tests/api, tests/contract).
"""

from __future__ import annotations

import itertools
import json
import os
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import schemathesis

_LOCAL = ZoneInfo("Europe/Copenhagen")
_WELL_FORMED = re.compile(r"[!-~]{1,200}")
_count = itertools.count(1)
#: What exists in the test's database, for references a valid request makes (set by the test).
REFS: dict[str, Any] = json.loads(os.environ.get("KONSENSUS_FUZZ_REFS", "{}"))


def _positive(case: Any) -> bool:
    """Drawn as a valid request (the stateful phase draws valid requests only)."""
    meta = getattr(case, "meta", None)
    mode = getattr(getattr(meta, "generation", None), "mode", None)
    return mode is None or str(getattr(mode, "value", mode)) == "positive"


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    headers = case.headers or {}
    for name in list(headers):
        value = headers[name]
        well_formed = isinstance(value, str) and _WELL_FORMED.fullmatch(value)
        if name.lower() == "idempotency-key" and well_formed:
            headers[name] = f"fuzz-{next(_count)}"
    if _positive(case) and isinstance(case.body, dict):
        _keep_rules(case.operation.path, case.body)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _refer(body: dict[str, Any]) -> None:
    """A reference in a valid request names something that exists and may be used there."""
    for field in ("team_id", "caseworker_id", "instrument_id"):
        # JSON's 2.0 is the whole number 2: a drawn float names an id too.
        if _number(body.get(field)) and field in REFS:
            body[field] = REFS[field]
    if "display_name" in body and body.get("caseworker_id") is None and "caseworker_id" in REFS:
        body["caseworker_id"] = REFS["caseworker_id"]  # named by whoever is not the caseworker
    if _number(body.get("provider_id")):
        body["provider_id"] = None
    if isinstance(body.get("measure_ids"), list):
        body["measure_ids"] = None
    for field in ("from_key", "to_key"):
        if isinstance(body.get(field), str) and field in REFS:
            body[field] = REFS[field]
    if isinstance(body.get("instruments_in_use"), list) and "instrument_key" in REFS:
        body["instruments_in_use"] = [REFS["instrument_key"]]  # a published form
    if isinstance(body.get("email"), str):
        body["email"] = f"fuzz{next(_count)}@example.dk"  # a real address, not a reserved name
    if "from_key" in body and isinstance(body.get("factors"), list):
        body["factors"] = []  # the factors the two share are matched by key
    factors = REFS.get("factors") or []
    if isinstance(body.get("scores"), list) and factors:
        entries = [e for e in body["scores"] if isinstance(e, dict)][: len(factors)]
        for entry, key in zip(entries, factors, strict=False):
            entry["factor_key"] = key
            for name in ("score", "goal"):
                if isinstance(entry.get(name), int | float):
                    value = int(entry[name])
                    entry[name] = min(max(value, REFS["scale"][0]), REFS["scale"][1])
            if entry.get("goal") is not None and entry.get("score") is not None:
                entry["goal"] = entry["score"]
        body["scores"] = entries
    if isinstance(body.get("factor_key"), str) and factors:
        body["factor_key"] = factors[0]
    if isinstance(body.get("factor_keys"), list) and factors:
        # A plan row serves factors of the case's form, as a client takes them from it.
        body["factor_keys"] = factors[: max(1, len(body["factor_keys"]))]


def _identity_provider(body: dict[str, Any]) -> None:
    """A provider is first set with its client secret; a group is mapped once, to a team
    that exists."""
    if not body.get("client_secret"):
        body["client_secret"] = "fuzz-client-secret"
    if isinstance(body.get("groups"), list):
        seen: set[object] = set()
        kept = []
        for entry in body["groups"]:
            name = str(entry.get("group")).strip() if isinstance(entry, dict) else None
            if isinstance(entry, dict) and name not in seen:
                seen.add(name)
                if "team_id" in REFS:
                    entry["team_id"] = REFS["team_id"]
                kept.append(entry)
        body["groups"] = kept


def _keep_rules(path: str, body: dict[str, Any]) -> None:
    _refer(body)
    if body.get("role") in ("caseworker", "team_leader") and "team_id" in REFS:
        body["team_id"] = REFS["team_id"]  # they belong to a team
    if path == "/api/v1/staff/{staff_id}" and "team_id" in body and "team_id" in REFS:
        # The staff changed may be a caseworker or a team leader, who keep a team: taking it
        # away is refused whatever the schema allows.
        body["team_id"] = REFS["team_id"]
    if path == "/api/v1/municipality/identity-provider":
        _identity_provider(body)
    if body.get("hold") is True and not body.get("reason"):
        body["reason"] = "Klagesag verserer."  # a legal hold says why
    if path.endswith("/measures") and body.get("measure_ids") is None:
        body["measure_ids"] = []  # a round's measures are set as a list, empty or not
    now = datetime.now(UTC)
    if isinstance(body.get("due_at"), str):
        body["due_at"] = (now + timedelta(days=14)).isoformat()
        if isinstance(body.get("meeting_at"), str):
            body["meeting_at"] = (now + timedelta(days=16)).isoformat()
    # A notification was received today or before; its plan and checkpoint were met on a
    # day between it and today.
    today = now.astimezone(_LOCAL).date()
    if isinstance(body.get("received_on"), str):
        body["received_on"] = (today - timedelta(days=1)).isoformat()
    for field in ("plan_made_on", "checkpoint_held_on"):
        if isinstance(body.get(field), str):
            body[field] = today.isoformat()
    if isinstance(body.get("expires_at"), str):
        body["expires_at"] = (now + timedelta(days=7)).isoformat()
    if isinstance(body.get("planned_on"), str):
        # A follow-up is planned ahead, never in the past.
        body["planned_on"] = (now + timedelta(days=30)).date().isoformat()
    if isinstance(body.get("birth_date"), str):
        body["birth_date"] = "2016-05-01"
        if _number(body.get("birth_year")):
            body["birth_year"] = 2016
    elif _number(body.get("birth_year")):
        body["birth_year"] = 2016
    start, end = body.get("start_date"), body.get("end_date")
    if isinstance(start, str) and isinstance(end, str) and end < start:
        body["end_date"] = start
    if path == "/api/v1/instrument-mappings" and body.get("from_key") == body.get("to_key"):
        body["to_key"] = (str(body.get("to_key")) + "-2")[-64:]
    if isinstance(body.get("scale"), dict) and isinstance(body.get("factors"), list):
        _whole_scale(body)
    if path.endswith(("/submission", "/draft", "/submit")) and isinstance(body.get("scores"), list):
        # The fuzzed rounds use the Århus form, which has no comment box per factor.
        for entry in body["scores"]:
            if isinstance(entry, dict) and "comment" in entry:
                entry["comment"] = ""
    if path.endswith("/submission") and body.get("submit") is True:
        _answer_every_factor(body)
    if path.startswith("/api/v1/calibration/"):
        _calibrate(path, body, now)
    if path == "/api/v1/municipality/cadence-standard" and isinstance(body.get("rules"), list):
        _distinct_rules(body)
    if path == "/api/v1/municipality/session-forms":
        _answerable_forms(body)
    if path.endswith("/family-voices") and isinstance(body.get("role"), str):
        # Only the child and the parents are owed a voice, age or maturity being the child's
        # reason alone: the child, who is owed one in every round.
        body["role"], body["informant_id"] = "child", None
    if path.endswith(("/official-scores", "/amendments")):
        # A team leader decides only as the caseworker's substitute, and says why; the
        # caseworker's own decision ignores it.
        body["substitute_reason"] = "Sagsbehandleren er syg."


def _distinct_rules(body: dict[str, Any]) -> None:
    """A standard names each kind of measure once: a later rule for the same measures would
    never be followed, so the service refuses it, whatever the schema allows."""
    seen: set[tuple[Any, Any, Any]] = set()
    kept = []
    for rule in body["rules"]:
        if not isinstance(rule, dict):
            kept.append(rule)
            continue
        measures = (rule.get("category"), rule.get("measure_type"), bool(rule.get("intensive")))
        if measures not in seen:
            seen.add(measures)
            kept.append(rule)
    body["rules"] = kept


def _answerable_forms(body: dict[str, Any]) -> None:
    for name in ("outcome", "alliance"):
        form = body.get(name)
        if not isinstance(form, dict):
            continue
        items = form.get("items")
        if isinstance(items, list):
            for n, item in enumerate(items):
                if isinstance(item, dict) and isinstance(item.get("key"), str):
                    item["key"] = "item_" + chr(ord("a") + n)  # once each (keys take no digits)
        low, high = form.get("lowest"), form.get("highest")
        if isinstance(low, int | float) and isinstance(high, int | float) and low >= high:
            form["lowest"], form["highest"] = 0, 10


def _whole_scale(body: dict[str, Any]) -> None:
    scale = body["scale"]
    low = scale.get("min", 0)
    high = scale.get("max", 4)
    if not isinstance(low, int | float) or not isinstance(high, int | float):
        return
    low, high = int(low), int(high)
    high = min(max(high, low + 1), low + 10, 20)
    low = high - max(1, min(high - low, 10))
    scale["min"], scale["max"] = low, high
    points = range(low, high + 1)
    scale["labels"] = (
        [{"value": v, "label_da": f"Punkt {v}", "label_en": f"Point {v}"} for v in points]
        if scale.get("labels")
        else []
    )
    seen = set()
    for factor in body["factors"]:
        if not isinstance(factor, dict):
            continue
        key = str(factor.get("key", "f"))
        while key in seen:
            key = (key + "x")[-64:]
        seen.add(key)
        factor["key"] = key
        factor["guidance"] = [
            {"value": v, "text_da": f"Vejledning {v}", "text_en": f"Guidance {v}"} for v in points
        ]
        for words in (factor.get("audiences") or {}).values():
            if isinstance(words, dict) and words.get("guidance"):
                words["guidance"] = factor["guidance"]


def _answer_every_factor(body: dict[str, Any]) -> None:
    """A submission (not a draft) answers every factor: a score or "cannot assess"."""
    factors = REFS.get("factors") or []
    scores = body.get("scores")
    if not isinstance(scores, list):
        return
    given = {e.get("factor_key") for e in scores if isinstance(e, dict)}
    scores += [{"factor_key": key, "cannot_assess": True} for key in factors if key not in given]
    for entry in scores:
        if isinstance(entry, dict) and entry.get("score") is None:
            entry["cannot_assess"] = True
            entry["goal"] = None


def _calibrate(path: str, body: dict[str, Any], now: datetime) -> None:
    """A vignette's reference and an answer cover every factor of the form, each a point of
    its scale or "cannot assess"; an exercise closes ahead and invites someone who scores."""
    factors = REFS.get("factors") or []
    low, high = REFS.get("scale", [0, 4])
    for name in ("references", "scores"):
        entries = body.get(name)
        if not isinstance(entries, list) or not factors:
            continue
        given = [e for e in entries if isinstance(e, dict)][: len(factors)]
        given += [{} for _ in factors[len(given) :]]
        for entry, key in zip(given, factors, strict=True):
            entry["factor_key"] = key
            score = entry.get("score")
            if isinstance(score, int | float) and not isinstance(score, bool):
                entry["score"], entry["cannot_assess"] = min(max(int(score), low), high), False
            else:
                entry["score"], entry["cannot_assess"] = None, True
        body[name] = given
    if isinstance(body.get("closes_at"), str):
        body["closes_at"] = (now + timedelta(days=7)).isoformat()
    if isinstance(body.get("staff_ids"), list) and "caseworker_id" in REFS:
        body["staff_ids"] = [REFS["caseworker_id"]]
