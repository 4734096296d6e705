"""A complaint travels: the author's audience and the post's engagement are recorded as they
grow, and a case whose reach crosses one of its brand's priority rules rises to that level.

A room of the engine, like `redaction.py`: one transaction per update. The update is a `reach`
event with the counts given. When the priority rises it says so, names whom the rule tells
(the lead, by default), and the case's running SLA clocks take the tighter targets of the new
level from that moment (`keeper.retarget`; the event records each old and new target). A
priority never falls: fewer likes later change nothing but the counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from recovery import keeper
from recovery.errors import InvalidInput
from recovery.flows.priority import REACH, UPDATE, counts, higher, level
from recovery.room import ReadFacts, record
from recovery.store.records import Event
from recovery.store.writer import Writer


class Audience:
    """Records the reach of the cases of one engine."""

    def __init__(self, writer: Writer, facts: ReadFacts) -> None:
        self._writer = writer
        self._facts = facts

    def update(self, case_id: int, given: Mapping[str, int], by: str, at: datetime) -> Event:
        """Record the counts `given` (the others stay as they were); returns the event."""
        counted = counts(given)
        if not counted:
            raise InvalidInput(f"give the reach to record: any of {', '.join(REACH)}")
        with self._writer.transaction(case_id) as tx:
            flow, facts, version = self._facts(tx, case_id, at)
            channel, emotion, before = tx.reach_of(case_id)
            merged = {**before, **counted}
            reach = {name: merged[name] for name in REACH if name in merged}
            payload: dict[str, Any] = {"reach": counted}
            changes: dict[str, Any] = {"reach": reach}
            wanted = level(flow.settings.priority, reach, emotion)
            if higher(wanted, facts.priority):
                rule = flow.settings.priority[wanted]  # type: ignore[index]
                changes["priority"] = wanted
                payload["priority"] = {"from": facts.priority, "to": wanted,
                                       "because": rule.why(reach, emotion)}
                payload["notify"] = list(rule.notify)
                targets = keeper.retarget(tx, flow, case_id, channel, facts.state, wanted, at)
                if targets:
                    payload["targets"] = targets
            event = record(tx, case_id, version, facts.state, at, by, UPDATE, payload,
                           changes=changes)
        return event
