"""What a trigger records on a case, checked against the brand's policy. Pure: no I/O.

A trigger may record an acknowledgement (when it happened), a finding (founded, partly or
unfounded, with a root cause) or a remedy (a kind the brand offers, within its limit).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from recovery.errors import InvalidInput, PolicyViolation
from recovery.flows import Flow

FINDINGS = ("founded", "partly", "unfounded")


@dataclass(frozen=True)
class Recorder:
    """"Whichever trigger of the case's flow records this kind of fact" (finding, remedy)."""

    kind: str

    def resolve(self, flow: Flow) -> str:
        """The flow's trigger that records `kind`."""
        trigger = flow.recorder.get(self.kind)
        if trigger is None:
            raise InvalidInput(f"the flow of {flow.brand} has no trigger that records a "
                               f"{self.kind}")
        return trigger


def recorded_changes(flow: Flow, trigger: str, payload: dict[str, Any] | None,
                     at: datetime) -> dict[str, Any]:
    """The case columns `trigger` sets, from its payload; raises on a missing or bad value."""
    decl = flow.settings.flow.triggers.get(trigger)
    kind = decl.records if decl else None
    data = payload or {}
    if kind == "acknowledgement":
        return {"acknowledged_at": at}
    if kind == "finding":
        return _finding(trigger, data)
    if kind == "remedy":
        return _remedy(flow, trigger, data)
    return {}


def _finding(trigger: str, data: dict[str, Any]) -> dict[str, Any]:
    finding = data.get("finding")
    if finding not in FINDINGS:
        raise InvalidInput(f"'{trigger}' records a finding: give finding as one of "
                           f"{', '.join(FINDINGS)} (got {finding!r})")
    root_cause = str(data.get("root_cause") or "").strip() or None
    if finding != "unfounded" and root_cause is None:
        raise InvalidInput(f"a {finding} finding needs a root cause: say what the business "
                           "should improve (e.g. 'soup waits too long at the pass')")
    return {"finding": finding, "root_cause": root_cause}


def _remedy(flow: Flow, trigger: str, data: dict[str, Any]) -> dict[str, Any]:
    kind = data.get("kind")
    limits = flow.settings.remedies
    if not kind:
        raise InvalidInput(f"'{trigger}' records a remedy: give its kind "
                           f"({', '.join(limits) or 'none declared'}) and value")
    limit = limits.get(str(kind))
    if limit is None:
        offered = ", ".join(limits) or "no remedies at all"
        raise PolicyViolation(f"{flow.brand} does not offer a {kind}; its flow allows {offered}")
    value = remedy_value(data.get("value", 1))
    cap = (limit.lead_max or limit.agent_max) if data.get("approved_by") else limit.agent_max
    if value > cap:
        raise PolicyViolation(f"a {kind} of {value} {limit.unit} is over {flow.brand}'s limit of "
                              f"{cap} {limit.unit}; offer less or ask a lead to approve it")
    return {"remedy_kind": kind, "remedy_value": value, "remedy_unit": limit.unit}


def remedy_value(value: Decimal | float | str) -> Decimal:
    """A remedy's amount as a positive `Decimal`; raises `InvalidInput` otherwise."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise InvalidInput(f"remedy value {value!r} is not a number") from None
    if not amount.is_finite() or amount <= 0:
        raise InvalidInput(f"remedy value must be a positive number, not {amount}")
    return amount
