"""Running a procedure's table with `transitions`.

One shared `Machine` per procedure, bound to no database row: each call attaches a plain
`RoundFacts` object that starts in the persisted state, fires the event and detaches it.
The facts are what the guards need to know, gathered by the caller.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from transitions import EventData, Machine, MachineError

from service.workflow.procedures import PROCEDURES, Procedure, ProcedureSpec
from service.workflow.states import RoundEvent, RoundState

#: "Et produkt af flere aktørers vurdering": fewer independent scores than this, or none of
#: the caseworker's own, close the independent step only on the caseworker's reasoned word.
MIN_INDEPENDENT_SCORES = 2

#: What each guard demands, in words for the refusal.
GUARD_TEXT = {
    "has_independent_scores": "at least one informant has submitted independent scores",
    "several_voices": (
        f"at least {MIN_INDEPENDENT_SCORES} informants, the caseworker among them, have scored "
        "independently, or the caseworker confirms closing without them, with a reason"
    ),
    "all_factors_settled": (
        "every factor has an official score and goal, or is marked not assessed with a reason"
    ),
    "family_heard": (
        "the child and each parent in the round have scored, or the caseworker has recorded "
        "for each of them why not (the round's family voices)"
    ),
    "attendance_recorded": (
        "everyone expected at the meeting is recorded as present or absent (the round's attendance)"
    ),
    "provider_reached": (
        "the provider has an email address to be told the result at, or a reason is given why "
        "the provider is not told"
    ),
    "has_reason": "a reason is given",
}


@dataclass
class RoundFacts:
    """The persisted state and what the guards look at; the machine's model for one call."""

    state: str
    independent_submissions: int = 0
    caseworker_submitted: bool = False
    unsettled_factors: int = 0
    #: The child and the parents owed a voice who have neither scored nor a recorded reason.
    family_unheard: int = 0
    #: Those expected at the meeting whose presence is not recorded either way.
    unrecorded_attendance: int = 0
    #: Whom trin 4 of KL 2 can tell the result.
    provider_recipients: int = 0

    # Guards: called by `transitions` with the event's data (send_event=True).
    def has_independent_scores(self, event: EventData) -> bool:
        return self.independent_submissions > 0

    def several_voices(self, event: EventData) -> bool:
        return self.enough_voices or (
            bool(_reason(event)) and bool(event.kwargs.get("by_caseworker"))
        )

    @property
    def enough_voices(self) -> bool:
        return self.independent_submissions >= MIN_INDEPENDENT_SCORES and self.caseworker_submitted

    def all_factors_settled(self, event: EventData) -> bool:
        return self.unsettled_factors == 0

    def family_heard(self, event: EventData) -> bool:
        """The child and each parent in the round have scored, or the caseworker has recorded
        why not, per person: one reason for the whole family does not do."""
        return self.family_unheard == 0

    def attendance_recorded(self, event: EventData) -> bool:
        return self.unrecorded_attendance == 0

    def provider_reached(self, event: EventData) -> bool:
        return self.provider_recipients > 0 or bool(_reason(event))

    def has_reason(self, event: EventData) -> bool:
        return bool(_reason(event))


def _reason(event: EventData) -> str:
    return str(event.kwargs.get("reason") or "").strip()


class IllegalEvent(Exception):
    """The event cannot happen in the round's current state."""

    def __init__(self, state: RoundState, event: str, allowed: list[str]) -> None:
        super().__init__(f"{event!r} is not possible while the round is {state.value!r}")
        self.state, self.event, self.allowed = state, event, allowed


class GuardFailed(Exception):
    """The event is possible in this state, but its condition is not met yet."""

    def __init__(self, state: RoundState, event: str, unmet: list[str], allowed: list[str]) -> None:
        super().__init__(f"{event!r} needs: " + "; ".join(GUARD_TEXT[g] for g in unmet))
        self.state, self.event, self.unmet, self.allowed = state, event, unmet, allowed


def _build(spec: ProcedureSpec) -> Machine:
    return Machine(
        model=None,
        states=[s.value for s in RoundState],
        transitions=[
            {
                "trigger": tr.event.value,
                "source": [s.value for s in tr.source],
                "dest": tr.dest.value,
                "conditions": list(tr.guards),
            }
            for tr in spec.transitions
        ],
        initial=None,
        auto_transitions=False,
        send_event=True,
    )


_MACHINES: dict[Procedure, Machine] = {p: _build(spec) for p, spec in PROCEDURES.items()}
# Attaching and detaching models changes the shared machine's model list.
_LOCK = threading.Lock()


def allowed_events(procedure: Procedure, state: RoundState) -> list[str]:
    """The events that the table allows from `state` (guards not evaluated)."""
    machine = _MACHINES[procedure]
    return sorted(str(e) for e in machine.get_triggers(state.value))


def fire(
    procedure: Procedure, facts: RoundFacts, event: RoundEvent | str, **kwargs: Any
) -> RoundState:
    """Apply `event` to a round in `facts.state`; return the new state or raise."""
    machine = _MACHINES[procedure]
    state = RoundState(facts.state)
    allowed = allowed_events(procedure, state)
    name = str(event)
    if name not in allowed:
        raise IllegalEvent(state, name, allowed)
    with _LOCK:
        machine.add_model(facts, initial=facts.state)
        try:
            moved = machine.events[name].trigger(facts, **kwargs)
        except MachineError as exc:  # pragma: no cover - checked above
            raise IllegalEvent(state, name, allowed) from exc
        finally:
            machine.remove_model(facts)
    if not moved:
        guards = next(
            tr.guards
            for tr in PROCEDURES[procedure].transitions
            if tr.event == name and state in tr.source
        )
        unmet = [g for g in guards if not getattr(facts, g)(_FakeEvent(kwargs))]
        raise GuardFailed(state, name, unmet, allowed)
    return RoundState(facts.state)


def unmet(procedure: Procedure, facts: RoundFacts, event: RoundEvent, **kwargs: Any) -> list[str]:
    """The guards of `event` from `facts.state` that would refuse it now; empty when it can
    fire (or when the table has no such step from this state)."""
    state = RoundState(facts.state)
    for tr in PROCEDURES[procedure].transitions:
        if tr.event == event and state in tr.source:
            return [g for g in tr.guards if not getattr(facts, g)(_FakeEvent(kwargs))]
    return []


def needs_reason(procedure: Procedure, facts: RoundFacts) -> list[str]:
    """The events allowed now that a reason (the caseworker's) would let through: what a page
    asks a reason for before it offers the step."""
    state = RoundState(facts.state)
    needed = []
    for tr in PROCEDURES[procedure].transitions:
        if state not in tr.source or not tr.guards:
            continue
        bare = _FakeEvent({})
        reasoned = _FakeEvent({"reason": "x", "by_caseworker": True})
        if not all(getattr(facts, g)(bare) for g in tr.guards) and all(
            getattr(facts, g)(reasoned) for g in tr.guards
        ):
            needed.append(tr.event.value)
    return sorted(needed)


class _FakeEvent:
    """Enough of `EventData` to re-ask a guard which condition failed."""

    def __init__(self, kwargs: dict[str, Any]) -> None:
        self.kwargs = kwargs
