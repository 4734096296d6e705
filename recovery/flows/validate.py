"""Graph checks of a flow: what pydantic cannot see field by field.

`check_flow` returns every problem as (path, message, hint); the loader turns paths into lines.
"""

from __future__ import annotations

from collections import deque
from difflib import get_close_matches

from recovery.flows.follow_up import FollowUp
from recovery.flows.guards import GUARDS
from recovery.flows.moderation import HIDE
from recovery.flows.priority import UPDATE
from recovery.flows.schema import NAME, FlowDecl
from recovery.flows.versions import MIGRATE

Finding = tuple[tuple[str | int, ...], str, str]

FORBIDDEN = ("delete", "remove", "hide", "erase", "destroy", "purge", "ban")
"""Words no state or trigger may be named after: a complaint is never deleted or hidden."""

NEEDS = {"acknowledged_publicly": "acknowledgement", "has_finding": "finding",
         "has_remedy": "remedy", "warrants_remedy": "finding"}
"""The fact each guard reads, which some trigger must record or the guard never passes."""

INCIDENT = "incident"
"""The case event that links a case to an incident (`incidents.py`)."""
RESERVED = ("open", UPDATE, HIDE, INCIDENT, MIGRATE)
"""Trigger names the engine uses itself (`open` is the first event of every case)."""


def _hint(name: str, known: list[str]) -> str:
    close = get_close_matches(name, known, n=1)
    return f"did you mean '{close[0]}'?" if close else f"known: {', '.join(sorted(known))}"


def check_flow(flow: FlowDecl) -> list[Finding]:
    """Every graph-level problem of `flow`."""
    found: list[Finding] = []
    states = list(flow.states)
    found += _check_names(flow)
    if flow.initial not in flow.states:
        found.append((("flow", "initial"), f"initial state '{flow.initial}' is not declared",
                      _hint(flow.initial, states)))
    if not any(state.terminal for state in flow.states.values()):
        found.append((("flow", "states"), "no state is terminal: cases could never close",
                      "mark the last state with `terminal: true`"))
    recorded: dict[str, str] = {}
    for name, trig in flow.triggers.items():
        here = ("flow", "triggers", name)
        for index, source in enumerate(trig.sources):
            if source not in flow.states:
                found.append(((*here, "from", index), f"trigger '{name}' fires from unknown "
                              f"state '{source}'", _hint(source, states)))
            elif flow.states[source].terminal:
                found.append(((*here, "from", index), f"trigger '{name}' leaves terminal state "
                              f"'{source}'", "a terminal state has no way out; drop `terminal`"))
        if trig.to is not None and trig.to not in flow.states:
            found.append(((*here, "to"), f"trigger '{name}' leads to unknown state '{trig.to}'",
                          _hint(trig.to, states)))
        for index, guard in enumerate(trig.guards):
            if guard not in GUARDS:
                found.append(((*here, "guards", index), f"unknown guard '{guard}'",
                              _hint(guard, list(GUARDS))))
            elif not any(other.records == NEEDS[guard] for other in flow.triggers.values()):
                found.append(((*here, "guards", index), f"guard '{guard}' of '{name}' can never "
                              f"pass: no trigger records the {NEEDS[guard]}",
                              f"let a trigger record it with `records: {NEEDS[guard]}`"))
        if trig.records:
            if trig.records in recorded:
                found.append(((*here, "records"), f"both '{recorded[trig.records]}' and '{name}' "
                              f"record the {trig.records}", "let one trigger record it"))
            recorded[trig.records] = name
    for name, timer in flow.timers.items():
        here = ("flow", "timers", name)
        if timer.state not in flow.states:
            found.append(((*here, "in"), f"timer '{name}' is armed in unknown state "
                          f"'{timer.state}'", _hint(timer.state, states)))
        fired = flow.triggers.get(timer.fire)
        if fired is None:
            found.append(((*here, "fire"), f"timer '{name}' fires unknown trigger '{timer.fire}'",
                          _hint(timer.fire, list(flow.triggers))))
        elif timer.state not in fired.sources:
            found.append(((*here, "fire"), f"timer '{name}' fires '{timer.fire}', which cannot "
                          f"fire from '{timer.state}'", f"add '{timer.state}' to its `from`"))
    if not found:
        found += _check_graph(flow)
    return found


def check_follow_up(flow: FlowDecl, declared: FollowUp | None) -> list[Finding]:
    """What a follow-up policy needs of the flow: a `follow_up` trigger that asks (from the
    resolved states to an asked one), `close` from both (a skip closes at once, no answer
    later) and `reopen` from the asked state (a low score)."""
    if declared is None:
        return []
    ask = flow.triggers.get("follow_up")
    if ask is None or ask.to is None:
        return [(("follow_up",), "a follow-up needs a `follow_up` trigger that leads to the "
                 "state where the case waits for the answer", "add follow_up: {from: resolved, "
                 "to: followed_up}, or remove the follow_up policy (follow_up: null)")]
    found: list[Finding] = []
    needs = {"close": [*ask.sources, ask.to], "reopen": [ask.to]}
    for trigger, states in needs.items():
        decl = flow.triggers.get(trigger)
        missing = [state for state in states if decl is None or state not in decl.sources]
        if missing:
            found.append((("follow_up",), f"the follow-up needs a `{trigger}` trigger from "
                          f"{', '.join(missing)}", f"add them to {trigger}'s `from`"))
    return found


def _check_names(flow: FlowDecl) -> list[Finding]:
    found: list[Finding] = []
    for kind, names in (("states", flow.states), ("triggers", flow.triggers),
                        ("timers", flow.timers)):
        for name in names:
            path = ("flow", kind, name)
            if not NAME.match(name) or len(name) > 64:
                found.append((path, f"'{name[:80]}' is not a valid name",
                              "use at most 64 lower-case letters, digits and _ "
                              "(e.g. move_private)"))
            elif any(word in name.split("_") for word in FORBIDDEN):
                found.append((path, f"'{name}' would delete or hide a complaint; complaints are "
                              "never deleted", "close the case instead: every post stays public"))
            elif kind == "triggers" and name in RESERVED:
                found.append((path, f"'{name}' is reserved for the engine", "choose another name"))
    return found


def _check_graph(flow: FlowDecl) -> list[Finding]:
    """Unreachable states, dead ends and states from which no terminal state can be reached."""
    found: list[Finding] = []
    forward: dict[str, set[str]] = {state: set() for state in flow.states}
    for trig in flow.triggers.values():
        for source in trig.sources:
            if trig.to is not None:
                forward[source].add(trig.to)
    reachable = _reach(flow.initial, forward)
    backward: dict[str, set[str]] = {state: set() for state in flow.states}
    for source, dests in forward.items():
        for dest in dests:
            backward[dest].add(source)
    can_finish: set[str] = set()
    for state, decl in flow.states.items():
        if decl.terminal:
            can_finish |= _reach(state, backward)
    for state, decl in flow.states.items():
        path = ("flow", "states", state)
        if state not in reachable:
            found.append((path, f"state '{state}' cannot be reached from '{flow.initial}'",
                          "add a trigger leading to it, or remove it"))
        elif not decl.terminal and not (forward[state] - {state}):
            found.append((path, f"state '{state}' is a dead end but not terminal",
                          "add a trigger out of it, or mark it `terminal: true`"))
        elif state not in can_finish:
            found.append((path, f"from state '{state}' no terminal state can be reached",
                          "add a trigger that leads on towards closing"))
    return found


def _reach(start: str, edges: dict[str, set[str]]) -> set[str]:
    seen, queue = {start}, deque([start])
    while queue:
        for nxt in edges.get(queue.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen
