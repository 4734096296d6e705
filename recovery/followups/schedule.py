"""When a case's follow-up steps fall due, kept in step with its state inside the engine's
transaction (as `keeper.py` keeps the SLA clocks).

Entering a state the flow's `follow_up` trigger fires from (resolved) arms the question after
the brand's `after`; leaving it cancels it. Entering the asked state (followed_up) arms the one
reminder and the quiet close. On a business clock days are the team's working days, at a time
the team is in: a Friday resolve with `after: 2d` is asked on Tuesday.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from recovery.flows import Flow
from recovery.flows.follow_up import FollowUp
from recovery.store.writer import Tx

KIND = "follow_up"
"""The `clock` of the follow-up's timers, which keeps them apart from the flow's own."""
ASK, REMIND, CLOSE = "ask", "remind", "close"
"""The follow-up's steps: each a timer."""
TRIGGER = "follow_up"
"""The flow trigger that asks; `close` and `reopen` act on the answer."""


def policy(flow: Flow) -> tuple[FollowUp, list[str], str] | None:
    """The brand's follow-up policy, the states it asks from and the state it waits for the
    answer in; None when the brand does not follow up."""
    declared = flow.settings.follow_up
    decl = flow.settings.flow.triggers.get(TRIGGER)
    if declared is None or decl is None or decl.to is None:
        return None
    return declared, list(decl.sources), decl.to


def due(flow: Flow, declared: FollowUp, start: datetime, wait: timedelta) -> datetime:
    """`wait` after `start` on the follow-up's clock: whole days are working days and the rest
    working time on a business clock; plain time on a calendar one."""
    if declared.clock == "calendar":
        return start + wait
    calendar = flow.calendar
    days, rest = wait.days, wait - timedelta(days=wait.days)
    at = calendar.add_days(start, days)
    return calendar.add(at, rest) if rest else at


def follow(tx: Tx, flow: Flow, case_id: int, source: str, dest: str, at: datetime) -> None:
    """Move the case's follow-up timers along with a trigger that took it from `source` to
    `dest`."""
    found = policy(flow)
    if found is None or source == dest:
        return
    declared, asks_from, asked = found
    if source in asks_from or source == asked:
        tx.cancel(case_id, at, clock=KIND)
    steps = ((ASK,) if dest in asks_from and source not in asks_from
             else (REMIND, CLOSE) if dest == asked else ())
    armed = [(step, due(flow, declared, at, wait)) for step in steps
             if (wait := _wait(declared, step)) is not None]
    if armed:
        tx.arm(case_id, dest, armed, clock=KIND)


def migrate(tx: Tx, before: Flow, after: Flow, case_id: int, state: str,
            at: datetime) -> dict[str, list[str | None]]:
    """Carry the follow-up steps still to come of a case that stays in `state` over from the
    flow version `before` to `after`: each due when `before` timed it (not postponed since) is
    timed as `after` times it, counted from when the case entered `state` (one due by then
    falls due at once; a reminder `after` has not is dropped). Returns each moved step's due
    time before and after (ISO 8601; None: dropped)."""
    was, found = policy(before), policy(after)
    if was is None or found is None:
        return {}
    declared, asks_from, asked = found
    pending = tx.pending(case_id, KIND) if state in asks_from or state == asked else []
    if not pending:
        return {}
    entered = next((event.at for event in reversed(tx.history(case_id))
                    if event.dest == state and event.source != state), at)
    moved: dict[str, list[str | None]] = {}
    kept: list[tuple[str, datetime]] = []
    for timer in pending:
        old_wait, new_wait = _wait(was[0], timer.trigger), _wait(declared, timer.trigger)
        if old_wait is None or due(before, was[0], entered, old_wait) != timer.due_at:
            kept.append((timer.trigger, timer.due_at))  # postponed since: left as it is
            continue
        now_due = None if new_wait is None else due(after, declared, entered, new_wait)
        if now_due is not None:
            kept.append((timer.trigger, now_due))
        if now_due != timer.due_at:
            moved[timer.trigger] = [timer.due_at.isoformat(),
                                    None if now_due is None else now_due.isoformat()]
    if moved:
        tx.cancel(case_id, at, clock=KIND)
        tx.arm(case_id, state, kept, clock=KIND)
    return moved


def _wait(declared: FollowUp, step: str) -> timedelta | None:
    """How long after entering its state a follow-up step falls due (None: no such step)."""
    return {ASK: declared.after, REMIND: declared.reminder_after,
            CLOSE: declared.close_after}.get(step)


def sampled(brand: str, case_id: int, share: float) -> bool:
    """Whether a case is among the `share` of cases asked: decided by its brand and id alone,
    so every worker and every rerun decides the same."""
    if share >= 1:
        return True
    digest = hashlib.sha256(f"{brand}:{case_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share
